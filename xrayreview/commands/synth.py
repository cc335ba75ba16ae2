"""`xrayreview synth`: write generated scans with their ground truth (TIFF pairs, sidecars, COCO)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="generate cargo or baggage scans with threats and their ground truth"
    )
    parser.add_argument("--scene", choices=("cargo", "baggage"), required=True)
    parser.add_argument("--count", type=int, default=10, help="how many scans (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; the same seed gives the same files")
    parser.add_argument("--out", type=Path, required=True, help="folder for the scans and annotations.json")
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
    if args.pitch is not None and args.pitch <= 0:
        print("--pitch must be positive", file=sys.stderr)
        return 2
    coco = CocoWriter()
    clean_every = _clean_schedule(args.count, args.clean_fraction)
    for i in range(args.count):
        seed = args.seed + i
        scan, truths = generate_scan(
            args.scene, seed, threats=threats, clean=i in clean_every, pixel_pitch_mm=args.pitch,
            shapes=args.shapes,
        )
        name = f"{args.scene}_{seed:06d}"
        high = write_scan(args.out, name, scan, truths)
        coco.add(high.name, scan, truths, {"low_file_name": f"{name}_low.tif", "sidecar": f"{name}.json"})
        _progress(i + 1, args.count)
    coco.write(args.out / "annotations.json")
    print(f"wrote {args.count} {args.scene} scans and annotations.json to {args.out}")
    return 0


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
