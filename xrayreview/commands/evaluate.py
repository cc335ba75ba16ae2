"""`xrayreview evaluate --data DIR`: score a detector on a labelled folder (VOC, YOLO or COCO)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ..detection import CATEGORIES, THREAT_CATEGORIES, ModelError, ThreatModel, detect
from ..detection.categories import guess_category
from ..detection.datasets import DatasetError, LabelledImage, Truth, read_dataset
from ..detection.evaluation import MARK_IOU, SIZES, Box, ImageRates, Scores, image_rates, score, score_by_size
from ..detection.progress import ProgressBar
from ..reports.files import write_text
from ..scan import ScanError, load_scan
from ._args import path_arg
from .detect import add_model_arguments, json_refused, load_model

SCORE_FLOOR = 0.001  # AP needs the whole precision-recall curve, not only the marks an officer sees
# Thresholds the report also reads recall and alarms at, so a supervisor can pick an operating point.
SWEEP = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score a detector on a labelled folder of scans")
    parser.add_argument("--data", type=Path, required=True, metavar="DIR",
                        help="images with Pascal VOC XML, YOLO txt or COCO JSON labels")
    add_model_arguments(parser)
    parser.add_argument("--map", action="append", default=[], metavar="NAME=CLASS",
                        help="dataset class NAME is model class CLASS, or category firearm / ied_component "
                             "/ other (repeatable)")
    parser.add_argument("--conf", type=float, default=None, help="operating threshold (default: the model's)")
    parser.add_argument("--json", type=path_arg, default=None, metavar="OUT", help="write the scores as JSON")
    parser.set_defaults(run=run)


def parse_map(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        name, sep, target = item.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise ValueError(f"--map {item!r}: expected NAME=CLASS")
        mapping[name.strip()] = target.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    try:
        mapping = parse_map(args.map)
        dataset = read_dataset(args.data)
    except (ValueError, DatasetError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if json_refused(args.json):
        return 2
    model = load_model(args)
    if model is None:
        return 2
    threshold = model.default_conf if args.conf is None else args.conf
    print(f"{len(dataset.images)} images, labels: {dataset.label_format}; model {model.name}; "
          f"threshold {threshold:g}", file=sys.stderr)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        report = evaluate(model, dataset.images, mapping, threshold)
    except ModelError as exc:
        # Figures without the scans the model failed on would look complete and be biased.
        print(f"evaluate stopped, no figures: {exc}", file=sys.stderr)
        return 2
    report["dataset_notes"] = dataset.notes
    if args.json is not None:  # first: a reader that stops early (| head) must not cost the scores
        write_text(args.json, json.dumps(_without_nan(report), indent=1))
    print(format_report(report))
    return 0


def evaluate(model: ThreatModel, images: list[LabelledImage], mapping: dict[str, str],
             threshold: float) -> dict:
    """Run the model on every image and score it per class, per category and per image."""
    class_truths, class_dets, cat_truths, cat_dets = [], [], [], []
    threat_truth, threat_scores, unreadable = [], [], []
    unscored: set[str] = set()
    bar = ProgressBar(len(images))
    for index, image in enumerate(images):
        try:
            scan = load_scan(image.path)  # a dual-energy pair opens as one scan
        except ScanError as exc:
            unreadable.append({"file": str(image.path), "error": str(exc)})
            bar.update(index + 1, image.path.name)
            continue
        n = len(threat_truth)
        categories = []
        for truth in image.truths:
            name, category = truth_key(truth, mapping, model)
            categories.append(category)
            cat_truths.append(Box(n, category, truth.box))
            if name in model.classes:
                class_truths.append(Box(n, name, truth.box))
            else:
                unscored.add(truth.label)
        try:
            detections = detect(model, scan, conf=SCORE_FLOOR).detections
        except ModelError as exc:
            bar.close()
            raise ModelError(f"on {image.path.name}: {exc}") from exc
        for det in detections:
            class_dets.append(Box(n, det.label, det.box, det.score))
            cat_dets.append(Box(n, det.category, det.box, det.score))
        threat_truth.append(any(c in THREAT_CATEGORIES for c in categories))
        threat_scores.append([d.score for d in detections if d.is_threat])
        bar.update(index + 1, image.path.name)
    bar.close()
    scored = len(threat_truth)
    rates, clean_alarms = _alarms(threat_truth, threat_scores, threshold)
    return {
        "model": {"name": model.name, "sha256": model.sha256},
        "threshold": threshold, "images": scored, "unreadable": unreadable,
        "per_class": _table(score(class_truths, class_dets, scored, threshold)),
        "per_category": _table(score(cat_truths, cat_dets, scored, threshold), CATEGORIES),
        # Where a detector is weak, it is mostly weak on small objects; this says how much.
        "per_category_and_size": score_by_size(cat_truths, cat_dets, threshold, THREAT_CATEGORIES),
        "not_scored_per_class": sorted(unscored),
        "image_level": {"threat_images": rates.threat_images, "clean_images": rates.clean_images,
                        "hit_rate": rates.hit_rate, "false_alarm_rate": rates.false_alarm_rate,
                        "alarms_per_clean_image": clean_alarms / rates.clean_images
                        if rates.clean_images else math.nan},
        "operating_points": [_operating_point(t, cat_truths, cat_dets, threat_truth, threat_scores)
                             for t in SWEEP],
    }


def _alarms(threat_truth: list[bool], threat_scores: list[list[float]],
            threshold: float) -> tuple[ImageRates, int]:
    """Image rates at ``threshold`` and the marks on clean images ("false alarms per clean scan")."""
    marks = [sum(1 for s in scores if s >= threshold) for scores in threat_scores]
    rates = image_rates(threat_truth, [m > 0 for m in marks])
    return rates, sum(m for m, threat in zip(marks, threat_truth, strict=True) if not threat)


def _operating_point(threshold: float, truths: list[Box], detections: list[Box], threat_truth: list[bool],
                     threat_scores: list[list[float]]) -> dict:
    rates, clean_alarms = _alarms(threat_truth, threat_scores, threshold)
    per_category = score(truths, detections, len(threat_truth), threshold).per_key
    return {"threshold": threshold,
            "recall": {k.key: k.recall for k in per_category if k.key in THREAT_CATEGORIES and k.truths},
            "hit_rate": rates.hit_rate,
            "alarms_per_clean_image": clean_alarms / rates.clean_images if rates.clean_images else math.nan}


def truth_key(truth: Truth, mapping: dict[str, str], model: ThreatModel) -> tuple[str, str]:
    """(model class name, category) of a ground-truth object after --map."""
    target = mapping.get(truth.label, truth.label)
    if target in CATEGORIES:
        return truth.label, target
    if target in model.classes:
        return target, model.category(target)
    if truth.supercategory in CATEGORIES:
        return target, str(truth.supercategory)
    return target, guess_category(target)


def _table(scores: Scores, keys: tuple[str, ...] = ()) -> dict:
    rows = {k.key: {"truths": k.truths, "ap50": k.ap50, "ap50_95": k.ap50_95, "recall": k.recall,
                    "marked": k.marked, "false_alarms_per_image": k.false_alarms_per_image}
            for k in scores.per_key}
    for key in keys:
        rows.setdefault(key, {"truths": 0, "ap50": math.nan, "ap50_95": math.nan, "recall": math.nan,
                              "marked": math.nan, "false_alarms_per_image": 0.0})
    return {"rows": rows, "mean_ap50": scores.mean_ap50, "mean_ap50_95": scores.mean_ap50_95}


def format_report(report: dict) -> str:
    lines = []
    for title, table in (("per class", report["per_class"]), ("per category", report["per_category"])):
        lines.append(f"\n{title} (threshold {report['threshold']:g}):")
        lines.append(f"  {'':<20} {'truths':>6} {'AP50':>6} {'AP50:95':>8} {'recall':>7} {'marked':>7} "
                     f"{'FA/img':>7}")
        for key, row in table["rows"].items():
            lines.append(f"  {key:<20} {row['truths']:>6} {_f(row['ap50']):>6} {_f(row['ap50_95']):>8} "
                         f"{_f(row['recall']):>7} {_f(row['marked']):>7} "
                         f"{row['false_alarms_per_image']:>7.3f}")
        lines.append(f"  {'mean':<20} {'':>6} {_f(table['mean_ap50']):>6} {_f(table['mean_ap50_95']):>8}")
    lines.append(f"recall: objects boxed at IoU 0.5; marked: objects a mark overlaps at all "
                 f"(IoU at least {MARK_IOU:g}), though it may box only part of them")
    lines.append(f"\nthreat categories by object size (box area in image pixels: small < 32², "
                 f"medium < 96²; threshold {report['threshold']:g}):")
    header = " ".join(f"{name + ' truths':>14} {'AP50':>6} {'recall':>7}" for name in SIZES)
    lines.append(f"  {'':<20} {header}")
    for key, sizes in report["per_category_and_size"].items():
        cells = " ".join(f"{row['truths']:>14} {_f(row['ap50']):>6} {_f(row['recall']):>7}"
                         for row in sizes.values())
        lines.append(f"  {key:<20} {cells}")
    if report["not_scored_per_class"]:
        lines.append("\nno model class of that name (scored per category only; see --map): "
                     + ", ".join(report["not_scored_per_class"]))
    level = report["image_level"]
    lines.append(f"\nimages: {report['images']} ({level['threat_images']} with a threat, "
                 f"{level['clean_images']} clean); hit rate {_f(level['hit_rate'])}, "
                 f"false-alarm rate {_f(level['false_alarm_rate'])}, "
                 f"alarms per clean image {_f(level['alarms_per_clean_image'])}")
    lines += [f"note: {note}" for note in report.get("dataset_notes", [])]
    lines.append("\noperating points (recall per category at IoU 0.5; alarms per clean image):")
    for point in report["operating_points"]:
        recalls = ", ".join(f"{k} {_f(v)}" for k, v in point["recall"].items())
        lines.append(f"  threshold {point['threshold']:<5g} {recalls}; hit rate {_f(point['hit_rate'])}; "
                     f"alarms per clean image {_f(point['alarms_per_clean_image'])}")
    for bad in report["unreadable"]:
        lines.append(f"unreadable: {bad['file']}: {bad['error']}")
    return "\n".join(lines)


def _f(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.3f}"


def _without_nan(value: object) -> object:
    """JSON has no NaN: an undefined score (no truths) is written as null."""
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
