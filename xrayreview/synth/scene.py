"""What a scene builder hands to the generator, and the soft textures scenes share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..scan.model import ScanMetadata
from .canvas import Canvas
from .detector import Detector
from .shapes import Part

# (parts in the item's own frame, rough half-size in mm)
ClutterBuilder = Callable[[np.random.Generator], tuple[list[Part], tuple[float, float]]]


@dataclass
class Scene:
    canvas: Canvas
    interior: tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels: where threats may lie
    depth_mm: tuple[float, float]  # range of depths along the beam inside the object
    metadata: ScanMetadata
    detector: Detector
    clutter: ClutterBuilder  # builds one more item to lay over a threat
    full_shape: tuple[int, int]  # (rows, cols) of the whole object's image, of which canvas may be a window


def smooth_noise(rng: np.random.Generator, rows: int, cols: int, cell_px: float) -> np.ndarray:
    """Smooth random field, mean 0, std about 1, varying over ``cell_px`` pixels (float32)."""
    gh, gw = max(int(rows / cell_px) + 2, 2), max(int(cols / cell_px) + 2, 2)
    coarse = rng.standard_normal((gh, gw)).astype(np.float32)
    return cv2.resize(coarse, (cols, rows), interpolation=cv2.INTER_CUBIC)


def garment_field(rng: np.random.Generator, rows: int, cols: int, pitch: float, amount: float) -> np.ndarray:
    """Textile path length (mm) of clothes packed in a region: overlapping folded garments whose
    folds show as ridges, computed at a quarter of the resolution and scaled up."""
    q = 4
    h, w = max(rows // q, 2), max(cols // q, 2)
    field = np.zeros((h, w), np.float32)
    garments = int(2 + amount * 8)
    for _ in range(garments):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        ax, ay = rng.uniform(0.15, 0.6) * w, rng.uniform(0.15, 0.6) * h
        angle = rng.uniform(0, 180)
        mask = np.zeros((h, w), np.float32)
        pts = cv2.ellipse2Poly((int(cx), int(cy)), (int(ax), int(ay)), int(angle), 0, 360, 20)
        jitter = rng.normal(0, 0.12, (len(pts), 2)) * [ax, ay]
        cv2.fillPoly(mask, [np.round(pts + jitter).astype(np.int32)], 1.0)
        thickness = rng.uniform(15, 70)  # a folded shirt to a jumper, compressed
        folds = np.abs(smooth_noise(rng, h, w, rng.uniform(6, 14)))
        ridges = np.exp(-folds * 4.0)  # where the fold field crosses zero: a crease
        field += mask * thickness * (0.75 + 0.35 * smooth_noise(rng, h, w, 10) + 0.6 * ridges)
    field = cv2.GaussianBlur(field, (0, 0), 1.2)
    return np.maximum(cv2.resize(field, (cols, rows), interpolation=cv2.INTER_LINEAR), 0.0)
