"""`xrayreview train-model`: train the reference threat detector and export it (run folder or models/).

Needs the optional `train` extra (PyTorch); torch is imported only when the command runs, so
the station's start-up never pays for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..paths import MODELS_DIR, REPO_ROOT
from .evaluate import parse_map

DATA_SHARE = 0.5  # of the tiles taken from --data, unless --data-share says otherwise


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-model", help="train the reference threat detector on generated scans; export ONNX",
        description="Train the reference threat detector on tiles made by the scan generator and export "
        "it (ONNX + sidecar). Needs PyTorch: pip install '.[train]'. Re-run with --resume to continue.")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for threat-detector.onnx/.json (default RUN_DIR/export, so a trial "
                             "never replaces the shipped model; give models/ to ship; --speed times "
                             "models/ unless given)")
    parser.add_argument("--run-dir", type=Path, default=REPO_ROOT / "runs" / "threat-detector",
                        help="checkpoints and log (default runs/threat-detector)")
    parser.add_argument("--steps", type=int, default=3000, help="optimizer steps in total")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--crop", type=int, default=640, choices=(256, 320, 384, 448, 512, 640),
                        help="training input size (crops of the 640 tiles; smaller trains faster)")
    parser.add_argument("--workers", type=int, default=2, help="tile-generating processes")
    parser.add_argument("--reuse", type=int, default=2, help="augmented samples served per generated tile")
    parser.add_argument("--accumulate", type=int, default=1, metavar="K",
                        help="add up K batches' gradients per optimizer step (a small CPU batch then "
                             "steps like a K times larger one)")
    parser.add_argument("--freeze-norm", action="store_true",
                        help="keep BatchNorm statistics fixed (for continuing a run with a smaller batch)")
    parser.add_argument("--class-weight", action="append", default=[], metavar="CLASS=W",
                        help="weigh a class's positives W times in the class loss (repeatable), "
                             "e.g. detonator=3 for a rare, small class")
    parser.add_argument("--coarsest-mm-per-px", type=float, default=0.0, metavar="MM",
                        help="enlarge training tiles coarser than MM mm a pixel to MM, as the station "
                             "does with scans coarser than the sidecar's coarsest_mm_per_px "
                             "(default 0: every pitch as generated)")
    parser.add_argument("--data", type=Path, action="append", default=[], metavar="DIR",
                        help="also train on the labelled scans in DIR (VOC, YOLO or COCO, e.g. officers' "
                             "marks exported from the decision log; repeatable)")
    parser.add_argument("--data-share", type=float, default=DATA_SHARE, metavar="F",
                        help="share of training tiles taken from --data (default 0.5; the rest generated)")
    parser.add_argument("--map", action="append", default=[], metavar="NAME=CLASS",
                        help="--data label NAME is model class CLASS, a category (firearm, ied_component: "
                             "the model learns which of its classes) or background (repeatable)")
    parser.add_argument("--init", type=Path, default=None, metavar="WEIGHTS",
                        help="start from these weights (models/threat-detector.pt, or a run folder) "
                             "instead of random ones: fine-tune the shipped model on your own scans")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-tiles", type=int, default=64, help="held-out tiles for the progress check")
    parser.add_argument("--val-every", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=0.0, metavar="MIN",
                        help="stop after this many minutes with a checkpoint (continue with --resume)")
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/last.pt")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                        help="number format of the forward pass; auto: bf16 on CUDA and on CPUs with "
                             "bfloat16 instructions, else fp32")
    parser.add_argument("--conf", type=float, default=0.3, help="default confidence threshold in the sidecar")
    parser.add_argument("--export-only", action="store_true", help="export RUN_DIR/last.pt without training")
    parser.add_argument("--known-performance", default="", metavar="TEXT",
                        help="what the exported weights were measured to do, for the sidecar; the "
                             "station shows it beside the model's name (write it from `xrayreview "
                             "evaluate` on held-out scans)")
    parser.add_argument("--average-with", type=Path, action="append", default=[], metavar="RUN_DIR",
                        help="with --export-only: export the mean of RUN_DIR's weights and these runs' "
                             "(repeatable; runs of one training history, e.g. two of its checkpoints)")
    parser.add_argument("--mirror", action="store_true",
                        help="export a model that also runs each tile mirrored and averages the two "
                             "(more accurate, twice the time per tile)")
    parser.add_argument("--speed", action="store_true",
                        help="only measure OUT/threat-detector.onnx: ms per 640 tile on 2 CPU threads, "
                             "against a YOLOv8n-shaped network timed in the same run")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.speed:
        return _speed((args.out or MODELS_DIR) / "threat-detector.onnx")
    try:
        import torch  # noqa: F401, PLC0415
    except ImportError:
        _error("train-model needs PyTorch: pip install 'xrayreview[train]' "
              "(or torch==2.13.0 for the CPU build)")
        return 2
    from ..detection.spec import KNOWN_PERFORMANCE_LIMIT  # noqa: PLC0415
    from ..modeltrain import train as training  # noqa: PLC0415
    from ..modeltrain.labelled import TrainingInputError  # noqa: PLC0415
    from ..modeltrain.weights import average_trained  # noqa: PLC0415

    if args.steps <= 0 or args.batch <= 0 or args.workers < 0 or args.reuse <= 0 or args.accumulate <= 0:
        _error("--steps, --batch, --reuse and --accumulate must be positive, --workers zero or more")
        return 2
    if len(args.known_performance) > KNOWN_PERFORMANCE_LIMIT:
        _error(f"--known-performance: at most {KNOWN_PERFORMANCE_LIMIT} characters "
              "(the model card holds the rest)")
        return 2
    if not args.coarsest_mm_per_px >= 0:
        _error("--coarsest-mm-per-px must be 0 (off) or a pitch in mm")
        return 2
    class_weights = _class_weights(args.class_weight)
    if class_weights is None:
        return 2
    if not 0 < args.data_share <= 1:
        _error("--data-share must be above 0 and at most 1")
        return 2
    try:
        data_map = parse_map(args.map)
    except ValueError as exc:
        _error(exc)
        return 2
    if args.average_with and not args.export_only:
        _error("--average-with needs --export-only")
        return 2
    if (args.map or args.data_share != DATA_SHARE) and not args.data:
        _error("--map and --data-share say how to use labelled scans: they need --data")
        return 2
    if args.init and args.export_only:
        _error("--init starts a training run; --export-only exports --run-dir as it is")
        return 2
    if args.export_only:
        missing = [d / "last.pt" for d in (args.run_dir, *args.average_with) if not (d / "last.pt").is_file()]
        if missing:
            _error(f"nothing to export: {', '.join(map(str, missing))} does not exist")
            return 2
        try:
            model = average_trained([args.run_dir, *args.average_with])
        except TrainingInputError as exc:
            _error(exc)
            return 2
    else:
        config = training.TrainConfig(
            steps=args.steps, batch=args.batch, lr=args.lr, crop=args.crop, workers=args.workers,
            reuse=args.reuse, accumulate=args.accumulate, freeze_norm=args.freeze_norm,
            precision=args.precision, seed=args.seed, val_tiles=args.val_tiles, val_every=args.val_every,
            time_limit_min=args.time_limit, class_weights=class_weights,
            coarsest_mm_per_px=args.coarsest_mm_per_px, data=[str(d) for d in args.data],
            data_share=args.data_share, data_map=data_map, init=str(args.init or ""))
        try:
            model = training.train(config, args.run_dir, resume=args.resume, device_name=args.device)
        except TrainingInputError as exc:
            _error(exc)
            return 2
    out = args.out or args.run_dir / "export"
    path = training.export(model, out, confidence=args.conf, mirror=args.mirror,
                           known_performance=args.known_performance)
    print(f"exported {path} and {path.with_suffix('.json')}")
    return 0


def _error(*parts: object) -> None:
    """Errors go to stderr, so a script reading the command's output never takes one for a result."""
    print(*parts, file=sys.stderr)


def _class_weights(items: list[str]) -> dict[str, float] | None:
    """CLASS=W options as a dict; None (after saying why) when one is malformed."""
    from ..modeltrain.classes import CLASSES  # noqa: PLC0415

    weights: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if name not in CLASSES or not weight > 0:
            _error(f"--class-weight {item!r}: give CLASS=W with W > 0 and CLASS one of {', '.join(CLASSES)}")
            return None
        weights[name] = weight
    return weights


def _speed(path: Path) -> int:
    if not path.is_file():
        _error(f"no model at {path}")
        return 2
    try:
        from ..modeltrain.speed import speed_against_yardstick  # noqa: PLC0415
        from ..modeltrain.yardstick import NANO_REFERENCE_MS, TARGET_MS  # noqa: PLC0415
    except ImportError:
        _error("the speed check builds its YOLOv8n-shaped yardstick with PyTorch: "
              "pip install 'xrayreview[train]'")
        return 2
    f = speed_against_yardstick(path)
    print(f"{path.name}: {f['median_ms']:.1f} ms per 640x640 tile; YOLOv8n-shaped yardstick "
          f"{f['yardstick_ms']:.1f} ms in the same run (medians of 50, in turns of 10; onnxruntime CPU, "
          f"{f['threads']} threads, batch 1)")
    print(f"ratio {f['ratio']:.2f} (target {TARGET_MS / NANO_REFERENCE_MS:.2f}: {TARGET_MS:g} ms where "
          f"YOLOv8n takes {NANO_REFERENCE_MS:g} ms); at that reference: "
          f"{f['ratio'] * NANO_REFERENCE_MS:.1f} ms; file {f['file_mb']:.1f} MB")
    return 0
