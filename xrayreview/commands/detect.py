"""`xrayreview detect FILE…|DIR`: run the threat detector on scans without the station."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..detection import DEFAULT_MODEL, ModelError, ThreatModel, detect
from ..detection.progress import ProgressBar
from ..detection.scanfiles import scan_files
from ..reports.files import write_text
from ..scan import ScanError, load_scan
from ._args import path_arg, refuse_to_replace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("detect", help="run the threat detector on scans (files or folders)")
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE|DIR",
                        help="scan files, or folders of scans (a dual-energy pair counts once)")
    add_model_arguments(parser)
    parser.add_argument("--conf", type=float, default=None,
                        help="confidence threshold (default: the model's own)")
    parser.add_argument("--json", type=path_arg, default=None, metavar="OUT",
                        help="write the results as JSON")
    parser.set_defaults(run=run)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL,
                        help=f"ONNX detector (default: {DEFAULT_MODEL.name} shipped in models/)")
    parser.add_argument("--provider", action="append", default=None, metavar="NAME",
                        help="execution provider to try first: cuda, openvino, directml, coreml (repeatable; "
                             "default: $XRAYREVIEW_PROVIDERS, else cpu)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for the model")


def json_refused(target: Path | None) -> bool:
    """Whether --json names a file a report must not replace (a log, a scan), said on stderr.

    Checked before the run: a mistyped --json naming the decision log or a scan would otherwise
    destroy it once the scans, perhaps hours of them, are done."""
    refusal = target is not None and refuse_to_replace(target, "json")
    if refusal:
        print(f"error: --json {refusal}", file=sys.stderr)
    return bool(refusal)


def load_model(args: argparse.Namespace) -> ThreatModel | None:
    """The model the arguments name, or None after saying on stderr why it cannot serve."""
    try:
        model = ThreatModel.load(args.model, providers=args.provider, threads=args.threads)
    except ModelError as exc:
        print(f"cannot use the model: {exc}", file=sys.stderr)
        return None
    for note in model.notes:
        print(f"note: {note}", file=sys.stderr)
    return model


def run(args: argparse.Namespace) -> int:
    if args.conf is not None and not 0 <= args.conf <= 1:
        print("--conf must be between 0 and 1", file=sys.stderr)
        return 2
    if args.threads is not None and args.threads < 1:
        print("--threads must be 1 or more", file=sys.stderr)
        return 2
    if json_refused(args.json):
        return 2
    model = load_model(args)
    if model is None:
        return 2
    files = scan_files(args.paths)
    if not files:
        print("no scan files found", file=sys.stderr)
        return 1
    bar = ProgressBar(len(files))
    records = []
    failures = 0
    for index, path in enumerate(files):
        record = detect_one(model, path, args.conf)
        failures += record["error"] is not None
        records.append(record)
        if args.json is None:
            print(_summary(record), flush=True)
        bar.update(index + 1, path.name)
    bar.close()
    if args.json is not None:
        report = {"model": {"name": model.name, "sha256": model.sha256, "file": str(model.path)},
                  "scans": records}
        write_text(args.json, json.dumps(report, indent=1))
        print(f"{len(records)} scans, {failures} failed; written to {args.json}", file=sys.stderr)
    return 1 if failures == len(records) else 0


def detect_one(model: ThreatModel, path: Path, conf: float | None) -> dict:
    """One scan's entry of the JSON report; a scan that cannot be read, or that the model fails on,
    gets its error instead of detections."""
    record: dict = {"file": str(path), "width": None, "height": None, "elapsed_s": None, "error": None,
                    "detections": []}
    try:
        scan = load_scan(path)
    except ScanError as exc:
        record["error"] = str(exc)
        return record
    try:
        result = detect(model, scan, conf=conf)
    except ModelError as exc:  # a run failing inside onnxruntime, logits for scores: this scan, not the batch
        record.update(width=scan.width, height=scan.height, error=str(exc))
        return record
    record.update(width=scan.width, height=scan.height, elapsed_s=round(result.elapsed_s, 3),
                  detections=[d.to_json() for d in result.detections])
    return record


def _summary(record: dict) -> str:
    if record["error"]:
        return f"{record['file']}: ERROR {record['error']}"
    marks = ", ".join(f"{d['label']} {d['score']:.2f}" for d in record["detections"]) or "nothing found"
    return f"{record['file']}: {marks}"
