"""`xrayreview synth`: write generated scans with their ground truth (TIFF pairs, sidecars, COCO)."""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._args import path_arg

STAGING = ".synth.partial"  # inside --out; a scan's files move out of it only once all are written


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="generate cargo or baggage scans with threats and their ground truth"
    )
    parser.add_argument("--scene", choices=("cargo", "baggage"), required=True)
    parser.add_argument("--count", type=int, default=10, help="how many scans (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; the same seed gives the same files")
    parser.add_argument("--out", type=path_arg, required=True,
                        help="folder for the scans and annotations.json")
    parser.add_argument(
        "--threats",
        default=None,
        help="comma-separated threat labels to hide in every threat scan (default: random)",
    )
    parser.add_argument(
        "--clean-fraction",
        type=float,
        default=0.2,
        help="share of scans without any threat, 0..1 (default 0.2)",
    )
    parser.add_argument(
        "--pitch", type=float, default=None, help="pixel pitch in mm (default: random per scan)"
    )
    parser.add_argument(
        "--shapes",
        choices=("any", "train", "heldout"),
        default="any",
        help="threat-shape pool: 'heldout' gives shapes the reference model never trained on "
        "(it trains on 'train'); 'any' (default) draws them freely",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..synth import THREAT_CATEGORIES, generate_scan  # noqa: PLC0415 - heavy, only for this command
    from ..synth.export import CocoWriter, write_scan  # noqa: PLC0415

    threats = [t.strip() for t in args.threats.split(",") if t.strip()] if args.threats else None
    unknown = [t for t in threats or () if t not in THREAT_CATEGORIES]
    if unknown:
        print(
            f"unknown threat(s): {', '.join(unknown)}; choose from {', '.join(THREAT_CATEGORIES)}",
            file=sys.stderr,
        )
        return 2
    if args.count < 1 or not 0.0 <= args.clean_fraction <= 1.0:
        print("--count must be at least 1 and --clean-fraction within 0..1", file=sys.stderr)
        return 2
    if args.pitch is not None and not (math.isfinite(args.pitch) and args.pitch > 0):  # nan > 0 is False
        print("--pitch must be a positive number of mm", file=sys.stderr)
        return 2
    if args.seed < 0:  # numpy's generators take no negative seed
        print("--seed must be 0 or more", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} is a file, not a folder", file=sys.stderr)
        return 2
    coco = CocoWriter()
    clean_every = _clean_schedule(args.count, args.clean_fraction)
    staging = args.out / STAGING
    done = 0
    try:
        # An earlier run's ground truth would make this one, if stopped, pass for a finished set.
        (args.out / "annotations.json").unlink(missing_ok=True)
        for i in range(args.count):
            seed = args.seed + i
            scan, truths = generate_scan(
                args.scene, seed, threats=threats, clean=i in clean_every, pixel_pitch_mm=args.pitch,
                shapes=args.shapes,
            )
            name = f"{args.scene}_{seed:06d}"
            high = _write_whole(staging, args.out, write_scan, name, scan, truths)
            coco.add(high.name, scan, truths, {"low_file_name": f"{name}_low.tif", "sidecar": f"{name}.json"})
            done += 1
            _progress(done, args.count)
        _write_whole(staging, args.out, lambda folder: coco.write(folder / "annotations.json"))
    except (KeyboardInterrupt, OSError) as exc:
        # Ctrl-C, a full or read-only disk: the scans finished so far stay (each whole, with its
        # sidecar); the one being written is dropped with the staging folder, and without
        # annotations.json the folder does not pass for a finished set.
        stopped = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"error: {_reason(exc)}"
        print(f"\n{stopped}: {done} of {args.count} scans written to {args.out}; annotations.json "
              "not written", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 2
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"wrote {args.count} {args.scene} scans and annotations.json to {args.out}")
    return 0


def _write_whole(staging: Path, out: Path, write: Callable[..., Any], *args: Any) -> Any:
    """Run ``write(staging, *args)``, then move what it wrote into ``out``; returns what it returned.

    The generator's writers fill their files in place; a scan cut off half-way (Ctrl-C, a full
    disk, a killed process) would stay as a truncated TIFF under its real name. Here it stays
    only in the staging folder, which the next run (or this one on the way out) clears.
    """
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = write(staging, *args)
    # The file a reader opens (the one returned: the high image) moves last, so a kill between
    # moves leaves no high image without its low half or its sidecar.
    opened = result.name if isinstance(result, Path) else None
    for path in sorted(staging.iterdir(), key=lambda p: (p.name == opened, p.name)):
        os.replace(path, out / path.name)
    return result


def _reason(exc: OSError) -> str:
    """The reason, naming the file as it would have been called, not its staging copy."""
    where = f"{exc.filename}: ".replace(f"{STAGING}{os.sep}", "") if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _clean_schedule(count: int, fraction: float) -> set[int]:
    """Which scans are clean: spread evenly, so any prefix keeps about the asked share."""
    clean = set()
    for i in range(count):
        if int((i + 1) * fraction) > int(i * fraction):
            clean.add(i)
    return clean


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
