"""`xrayreview open FILE…`: the station itself."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open", help="open the station (on the given scans, or the bundled samples)"
    )
    parser.add_argument("files", nargs="*", type=Path, help="scan files to open")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..app import run_station  # noqa: PLC0415 - Qt loads only for the GUI

    return run_station(list(args.files))
