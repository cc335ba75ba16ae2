"""`xrayreview bench`: measure the station's speed targets and write the figures to docs/.

Each suite lives beside the code it measures and exposes ``run(quick: bool) -> str``
returning a Markdown report; suites that need Qt live in the UI layer.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time

from .. import __version__
from ..paths import REPO_ROOT
from ._args import path_arg

SUITES = {
    "imaging": "xrayreview.imaging.bench",
    "viewer": "xrayreview.ui.bench_viewer",
    "synth": "xrayreview.synth.bench",
    "detection": "xrayreview.detection.bench",
    "log": "xrayreview.decisions.bench",
    "training": "xrayreview.modeltrain.bench",
    "queue": "xrayreview.ui.queue_bench",
    "reports": "xrayreview.reports.bench",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure speed targets; write the figures to docs/")
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"which suites (default all): {', '.join(SUITES)}")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller inputs (a smoke run)")
    parser.add_argument("--out", type=path_arg, default=REPO_ROOT / "docs" / "benchmarks",
                        help="folder for the Markdown reports")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    unknown = [name for name in args.suites if name not in SUITES]
    if unknown:  # before making --out: a refused command leaves nothing behind
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():  # found now, not after the first suite's minutes
        print(f"error: --out {args.out} is a file, not a folder", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.suites or list(SUITES):
        module = importlib.import_module(SUITES[name])
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        report = module.run(quick=args.quick)
        header = (
            f"# Benchmark: {name}\n\nMeasured by `xrayreview bench {name}` "
            f"(xrayreview {__version__}, Python {platform.python_version()}, "
            f"{platform.machine()}, {_cpu_count()} CPUs) in {time.perf_counter() - started:.0f} s"
            f"{' (--quick)' if args.quick else ''}.\n\n"
        )
        path = args.out / f"{name}.md"
        path.write_text(header + report, encoding="utf-8")
        print(report)
        print(f"written to {path}")
    return 0


def _cpu_count() -> int:
    import os  # noqa: PLC0415

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
