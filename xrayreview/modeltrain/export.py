"""Export a trained detector to ONNX in the YOLOv8 layout, with metadata and a sidecar.

The station treats the shipped model like any detector a customs service brings: output
[B, 4+nc, N] holding cx, cy, w, h in input pixels then one sigmoid score per class, and the
metadata keys ``names``, ``imgsz``, ``stride`` and ``task`` that YOLOv8 exports carry.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .classes import CATEGORY, CLASSES
from .net import STRIDES, ThreatDetector, anchor_points, distances_to_boxes

IMAGE_SIZE = 640
# Bags fit one tile at 0.38-1.5 of their size, containers at 0.09-0.39. A bag at about 1 mm a
# pixel shrunk to 0.3 is at about 3.3 mm, a pitch the model trained on; the few short cargo
# scans above 0.3 changed nothing on validation, the long ones would be a thumbnail.
WHOLE_SCAN_MIN_SCALE = 0.3
# Containers train at 3-5 mm a pixel, where a handgun is 20-60 px across; the coarse end is the
# model's weakest. Enlarging scans coarser than 3.5 mm to 3.5 mm found more threats in every
# large cargo validation set (3.0, 4.0 and 4.5 did less well); bags are finer and run as they are.
COARSEST_MM_PER_PX = 3.5


class ExportWrapper(nn.Module):
    """The detector plus its decode, so the ONNX graph outputs finished boxes and scores.

    With ``mirror`` the tile is also run mirrored left to right and each cell's scores and box
    sides are averaged with those of its mirror cell: a threat seen both ways round is scored
    more steadily, at twice the time per tile (models/README.md has both sides of that trade).
    """

    def __init__(self, model: ThreatDetector, size: int = IMAGE_SIZE, mirror: bool = False) -> None:
        super().__init__()
        self.model = model
        self.size, self.mirror = size, mirror
        points, _ = anchor_points(size, size)
        self.register_buffer("points", points, persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        logits, distances = self.model(images)
        scores = logits.sigmoid()
        if self.mirror:
            mirrored_logits, mirrored_distances = self.model(images.flip(-1))
            scores = (scores + self._unmirror(mirrored_logits.sigmoid())) * 0.5
            # Left and right swap sides in the mirror.
            distances = (distances + self._unmirror(mirrored_distances)[..., [2, 1, 0, 3]]) * 0.5
        boxes = distances_to_boxes(self.points, distances)
        centre = (boxes[..., :2] + boxes[..., 2:]) * 0.5
        size = boxes[..., 2:] - boxes[..., :2]
        return torch.cat([centre, size, scores], -1).transpose(1, 2)

    def _unmirror(self, values: torch.Tensor) -> torch.Tensor:
        """Per-cell values [B, N, K] of a mirrored tile, put back on the cells they belong to."""
        levels = []
        start = 0
        for stride in STRIDES:
            rows = cols = self.size // stride
            level = values[:, start:start + rows * cols]
            start += rows * cols
            grid = level.reshape(values.shape[0], rows, cols, values.shape[2]).flip(2)
            levels.append(grid.reshape(values.shape[0], rows * cols, values.shape[2]))
        return torch.cat(levels, 1)


def write_graph(module: nn.Module, path: Path, size: int = IMAGE_SIZE) -> Path:
    """``module`` as an ONNX graph taking ``images`` [B, 3, size, size] to ``output0`` (dynamic batch)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The TorchScript exporter is deprecated but needs no onnxscript and gives a plain static graph.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            module, (torch.zeros(1, 3, size, size),), str(path), input_names=["images"],
            output_names=["output0"], dynamic_axes={"images": {0: "batch"}, "output0": {0: "batch"}},
            opset_version=17, do_constant_folding=True, dynamo=False,
        )
    return path


def export_onnx(model: ThreatDetector, path: Path, *, size: int = IMAGE_SIZE,
                description: str = "", mirror: bool = False) -> None:
    """Write ``path`` (ONNX, dynamic batch) with the YOLOv8-style metadata."""
    import onnx  # noqa: PLC0415  (only the export needs it)

    write_graph(ExportWrapper(model.eval(), size, mirror).eval(), path, size)
    proto = onnx.load(str(path))
    metadata = {
        "names": repr(dict(enumerate(CLASSES))),
        "imgsz": repr([size, size]),
        "stride": str(max(STRIDES)),
        "task": "detect",
        "batch": "1",
        "author": "xrayreview",
        "license": "Apache-2.0",
        "description": description or "xrayreview reference threat detector (synthetic training data)",
    }
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(path))


def sidecar(*, confidence: float, name: str = "threat-detector",
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar JSON (keys as xrayreview.detection.spec reads them) for what metadata cannot say."""
    data: dict[str, Any] = {
        "name": name,
        "classes": list(CLASSES),
        "categories": {name: CATEGORY[name] for name in CLASSES},
        "input": "rgb",
        "imgsz": [IMAGE_SIZE, IMAGE_SIZE],
        "layout": "yolov8",
        "resize": "letterbox",
        "conf": confidence,
        "iou": 0.5,
        # A long gun in a bag is often wider than a tile; the whole bag, shrunk a little, shows it.
        "whole_scan_pass": True,
        "whole_scan_min_scale": WHOLE_SCAN_MIN_SCALE,
        "coarsest_mm_per_px": COARSEST_MM_PER_PX,
    }
    if extra:
        data.update(extra)
    return data


def write_sidecar(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
