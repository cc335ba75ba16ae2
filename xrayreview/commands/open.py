"""`xrayreview open FILE…`: the station itself."""

from __future__ import annotations

import argparse
import sys

from ._args import path_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open", help="open the station (on the given scans, or the bundled samples)"
    )
    parser.add_argument("files", nargs="*", type=path_arg, help="scan files to open")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..app import run_station  # noqa: PLC0415 - Qt loads only for the GUI

    # A mistyped name is said where it was typed, before a window opens; files that exist but
    # do not read as scans are the station's to explain (it names what is wrong with each).
    missing = [str(path) for path in args.files if not path.exists()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    return run_station(list(args.files))
