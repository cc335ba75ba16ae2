"""The `xrayreview` command: the station by default, headless sub-commands beside it.

Each module in ``xrayreview.commands`` adds its own sub-command through ``register``, so a
new capability brings its command without touching this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from . import __version__, commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xrayreview",
        description="X-ray review station for customs. With no command, opens the station "
        "on the bundled sample scans.",
    )
    parser.add_argument("--version", action="version", version=f"xrayreview {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # helpers shared by the commands, not commands themselves
            continue
        try:
            module = importlib.import_module(f"{commands.__name__}.{info.name}")
            module.register(subparsers)
        except Exception as exc:  # noqa: BLE001 - one broken command must not take the others down
            _register_broken(subparsers, info.name.replace("_", "-"), exc)
    return parser


def _register_broken(subparsers: argparse._SubParsersAction, name: str, error: Exception) -> None:
    """A command whose module failed to load: listed, and says why when called."""
    reason = f"{type(error).__name__}: {error}"

    def explain(_: argparse.Namespace) -> int:
        print(f"the {name} command is unavailable: {reason}", file=sys.stderr)
        return 2

    if name in subparsers.choices:  # it failed after registering itself
        subparsers.choices[name].set_defaults(run=explain)
        return
    broken = subparsers.add_parser(name, help=f"(unavailable: {reason})", add_help=False)
    broken.set_defaults(run=explain, takes_any_arguments=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "takes_any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        args = parser.parse_args(["open", *([] if argv is None else [])])
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)  # on a line of its own, after any progress bar
        return 130
    except OSError as exc:
        # The last net: a disk that is full or read-only, a folder where a file was meant, a
        # bad data folder. Such failures are the machine's, not the program's, so the user
        # gets the path and the reason in one line, not a traceback. Commands that can say
        # more (which argument, what was kept) catch their own first.
        print(f"error: {_describe(exc)}", file=sys.stderr)
        return 2


def _describe(exc: OSError) -> str:
    if exc.filename is None or not exc.strerror:
        return str(exc) or type(exc).__name__
    second = f" -> {exc.filename2}" if exc.filename2 is not None else ""
    return f"{exc.filename}{second}: {exc.strerror}"


if __name__ == "__main__":
    sys.exit(main())
