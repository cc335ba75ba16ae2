"""Writing generated scans as a scanner would: 16-bit TIFF high/low pairs, a sidecar, COCO truth.

Files are byte-identical for the same inputs: no time stamps, fixed compression, sorted JSON.
Each file is written whole or not at all (``whole_file``), the one a reader opens last.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import tifffile

from ..scan.model import Scan
from .placement import GroundTruth
from .threats import THREAT_CATEGORIES

COCO_CATEGORIES = [
    {"id": i + 1, "name": label, "supercategory": category}
    for i, (label, category) in enumerate(THREAT_CATEGORIES.items())
]
CATEGORY_IDS = {c["name"]: c["id"] for c in COCO_CATEGORIES}


@contextlib.contextmanager
def whole_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on ``NAME.partial``, renamed to ``path`` when the block ends (removed if it fails).

    Written in place, a generator run that is killed, interrupted or out of disk would leave a
    truncated TIFF or an empty sidecar under the real name, and a trainer could import that
    scan (as a clean one, its truth being gone). The rule of ``reports.files.replacing``,
    without its dependence on the decision log's errors: the generator stands alone.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            yield handle
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def write_whole(path: Path, data: bytes) -> None:
    with whole_file(path) as handle:
        handle.write(data)


def write_json(path: Path, data: dict) -> None:
    write_whole(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def write_tiff(path: Path, image: np.ndarray) -> None:
    with whole_file(path) as handle:
        tifffile.imwrite(
            handle,
            image,
            compression="zlib",
            predictor=True,
            metadata=None,
            software=None,
            photometric="minisblack",
        )


def sidecar(scan: Scan) -> dict:
    meta = scan.metadata
    data = {
        "pixel_pitch_mm": meta.pixel_pitch_mm,
        "energy_high_kev": meta.energy_high_kev,
        "energy_low_kev": meta.energy_low_kev,
        "object_id": meta.object_id,
        "object_kind": meta.object_kind,
        "scanner": meta.scanner,
        "manifest": meta.manifest,
    }
    data = {k: v for k, v in data.items() if v is not None}
    data.update(meta.extra)
    return data


def write_scan(folder: Path, name: str, scan: Scan, truths: list[GroundTruth]) -> Path:
    """``NAME_high.tif`` (+ ``NAME_low.tif`` for dual energy) and ``NAME.json``; returns the high file.

    The sidecar also carries the ground truth, so a single scan copied elsewhere keeps it.
    The file a reader opens (the high one) comes last: a run stopped before it leaves no scan
    that opens without its low half (as single energy) or without its sidecar (without truth).
    """
    folder.mkdir(parents=True, exist_ok=True)
    dual = scan.low is not None
    high_path = folder / (f"{name}_high.tif" if dual else f"{name}.tif")
    data = sidecar(scan)
    data["threats"] = [truth_dict(t) for t in truths]
    write_json(folder / f"{name}.json", data)
    if dual:
        write_tiff(folder / f"{name}_low.tif", scan.low)
    write_tiff(high_path, scan.high)
    return high_path


def truth_dict(truth: GroundTruth) -> dict:
    return {
        "label": truth.label,
        "category": truth.category,
        "box": [round(v, 1) for v in truth.box],
        "material": truth.material,
        "pose": truth.pose,
    }


class CocoWriter:
    """Collects images and boxes; ``write`` saves ``annotations.json`` (boxes as [x, y, w, h] px)."""

    def __init__(self) -> None:
        self.images: list[dict] = []
        self.annotations: list[dict] = []

    def add(self, file_name: str, scan: Scan, truths: list[GroundTruth], extra: dict | None = None) -> None:
        image_id = len(self.images) + 1
        self.images.append(
            {
                "id": image_id,
                "file_name": file_name,
                "width": scan.width,
                "height": scan.height,
                **(extra or {}),
            }
        )
        for truth in truths:
            x1, y1, x2, y2 = truth.box
            self.annotations.append(
                {
                    "id": len(self.annotations) + 1,
                    "image_id": image_id,
                    "category_id": CATEGORY_IDS[truth.label],
                    "bbox": [round(x1, 1), round(y1, 1), round(x2 - x1, 1), round(y2 - y1, 1)],
                    "area": round((x2 - x1) * (y2 - y1), 1),
                    "iscrowd": 0,
                    "material": truth.material,
                    "pose": truth.pose,
                }
            )

    def write(self, path: Path) -> None:
        coco = {
            "info": {"description": "xrayreview synthetic scans", "version": "1"},
            "images": self.images,
            "annotations": self.annotations,
            "categories": COCO_CATEGORIES,
        }
        write_json(path, coco)  # whole or not at all: without it a folder is not a finished set
