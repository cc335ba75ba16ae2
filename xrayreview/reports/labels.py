"""Officers' confirmed and drawn marks as labelled data for retraining (YOLO and COCO).

Images are the station's standard rendering of each scan (exactly what the detector sees),
written beside the labels so the data set stands alone. A scan whose file is gone or no
longer matches the SHA-256 in the log is skipped and named, never labelled wrongly.
Rescans (image quality) are left out: their images are not trustworthy examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2

from ..decisions.queries import DecisionRow
from ..decisions.vocabulary import MARK_CATEGORIES
from ..imaging.standard import render_standard
from ..scan import ScanError, load_scan
from .files import make_folder, unfinished, write_bytes, write_text

CLASSES = list(MARK_CATEGORIES)  # class id = index


@dataclass
class LabelExport:
    images: int = 0
    boxes: int = 0
    skipped: list[str] = field(default_factory=list)  # "scan: why"


def kept_marks(row: DecisionRow) -> list[dict[str, Any]]:
    """Detector marks the officer confirmed, and the officer's own marks."""
    confirmed = [dict(m, source="detector") for m in row.content["detector_marks"]
                 if m.get("verdict") == "confirmed"]
    return confirmed + [dict(m, source="officer", score=None) for m in row.content["officer_marks"]]


def export_yolo(rows: list[DecisionRow], folder: Path, include_background: bool = False) -> LabelExport:
    """images/NAME.png + labels/NAME.txt ("class cx cy w h", normalised) + data.yaml."""
    folder = Path(folder)
    unfinished(folder / "data.yaml")
    make_folder(folder / "labels")
    summary = LabelExport()
    rendered = _rendered(rows, folder / "images", include_background, summary)
    for name, _row, width, height, marks in rendered:
        lines = []
        for mark, (x1, y1, x2, y2) in _inside(marks, width, height):
            lines.append(f"{CLASSES.index(mark['category'])} {(x1 + x2) / 2 / width:.6f} "
                         f"{(y1 + y2) / 2 / height:.6f} {(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}")
        write_text(folder / "labels" / f"{name}.txt", "".join(line + "\n" for line in lines))
        summary.boxes += len(lines)
    names = "\n".join(f"  {i}: {c}" for i, c in enumerate(CLASSES))
    yaml = f"path: .\ntrain: images\nval: images\nnames:\n{names}\n"
    write_text(folder / "data.yaml", yaml)  # last: a folder without it is an export that did not finish
    return summary


def export_coco(rows: list[DecisionRow], folder: Path, include_background: bool = False) -> LabelExport:
    """images/NAME.png + annotations.json in COCO detection format (bbox = x, y, w, h)."""
    folder = Path(folder)
    unfinished(folder / "annotations.json")
    summary = LabelExport()
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for name, row, width, height, marks in _rendered(rows, folder / "images", include_background, summary):
        image_id = len(images) + 1
        images.append({"id": image_id, "file_name": f"images/{name}.png", "width": width, "height": height,
                       "scan_sha256": row.content["scan"]["sha256"], "decision_seq": row.seq})
        for mark, (x1, y1, x2, y2) in _inside(marks, width, height):
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id,
                "category_id": CLASSES.index(mark["category"]) + 1,
                "bbox": [round(x1, 2), round(y1, 2), round(x2 - x1, 2), round(y2 - y1, 2)],
                "area": round((x2 - x1) * (y2 - y1), 2), "iscrowd": 0,
                "attributes": {"label": mark.get("label", ""), "source": mark["source"],
                               "score": mark["score"]},
            })
            summary.boxes += 1
    document = {
        "info": {"description": "Officer-confirmed and officer-drawn marks from the xrayreview decision log"},
        "images": images, "annotations": annotations,
        "categories": [{"id": i + 1, "name": c, "supercategory": "threat"} for i, c in enumerate(CLASSES)],
    }
    write_text(folder / "annotations.json", json.dumps(document, indent=1))
    return summary


def _rendered(rows: list[DecisionRow], images: Path, include_background: bool,
              summary: LabelExport) -> Iterator[tuple[str, DecisionRow, int, int, list[dict[str, Any]]]]:
    make_folder(images)
    for row in rows:
        if row.decision == "rescan":
            continue
        marks = kept_marks(row)
        if not marks and not include_background:
            continue
        files = [Path(f) for f in row.content["scan"]["files"]]
        try:
            scan = load_scan(files if len(files) > 1 else files[0], pair=len(files) > 1)
        except ScanError as exc:
            summary.skipped.append(f"{row.scan_name}: {exc}")
            continue
        if scan.sha256 != row.content["scan"]["sha256"]:
            summary.skipped.append(f"{row.scan_name}: the file changed since the decision (SHA-256 differs)")
            continue
        name = f"{row.seq:06d}_{_safe(files[0].stem)}"
        rgb = render_standard(scan)
        encoded, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if not encoded:
            summary.skipped.append(f"{row.scan_name}: its image could not be encoded as PNG")
            continue
        # A full disk must stop the export: a truncated image would still be picked up for training.
        write_bytes(images / f"{name}.png", png.tobytes())
        summary.images += 1
        yield name, row, scan.width, scan.height, marks


def _inside(marks: list[dict[str, Any]], width: int, height: int
            ) -> Iterator[tuple[dict[str, Any], tuple[float, float, float, float]]]:
    """Each mark with its box clipped to the image; marks wholly outside it are dropped."""
    for mark in marks:
        x1, y1, x2, y2 = mark["box"]
        x1, y1, x2, y2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
        if x2 > x1 and y2 > y1:
            yield mark, (x1, y1, x2, y2)


def _safe(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:80]
