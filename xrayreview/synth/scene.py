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
    goods_span: tuple[float, float] | None = None  # columns (px) the load spans, when there is one
    # Convex outline (N x 2, x y in pixels) inside which threats lie, when ``interior`` is only its
    # bounding box: a bag turned on the belt leaves belt in the box's corners.
    outline: np.ndarray | None = None


def smooth_noise(rng: np.random.Generator, rows: int, cols: int, cell_px: float) -> np.ndarray:
    """Smooth random field, mean 0, std about 1, varying over ``cell_px`` pixels (float32)."""
    gh, gw = max(int(rows / cell_px) + 2, 2), max(int(cols / cell_px) + 2, 2)
    coarse = rng.standard_normal((gh, gw)).astype(np.float32)
    return cv2.resize(coarse, (cols, rows), interpolation=cv2.INTER_CUBIC)


def garment_field(rng: np.random.Generator, rows: int, cols: int, pitch: float, amount: float) -> np.ndarray:
    """Textile path length (mm) of clothes packed in a region: overlapping folded garments with
    doubled hems, seams and creases (the fine lines real bags are full of), computed at half the
    resolution and scaled up."""
    q = 2
    h, w = max(rows // q, 2), max(cols // q, 2)
    field = np.zeros((h, w), np.float32)
    mm = q * pitch  # millimetres per field pixel
    garments = int(3 + amount * 14)
    for _ in range(garments):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        ax, ay = rng.uniform(0.12, 0.5) * w, rng.uniform(0.12, 0.5) * h
        angle = rng.uniform(0, 180)
        if rng.random() < 0.5:  # a folded garment: a rectangle with slightly wavy sides
            corners = np.array([[-ax, -ay], [ax, -ay], [ax, ay], [-ax, ay]])
            t = np.linspace(0, 1, 6)[:-1, None]
            pts = np.concatenate(
                [c0 + (c1 - c0) * t for c0, c1 in zip(corners, np.roll(corners, -1, 0), strict=True)]
            )
            pts += rng.normal(0, 0.03, pts.shape) * [ax, ay]
            rot = np.radians(angle)
            turn = np.array([[np.cos(rot), np.sin(rot)], [-np.sin(rot), np.cos(rot)]])
            pts = pts @ turn + [cx, cy]
        else:  # a bundled one
            pts = cv2.ellipse2Poly((int(cx), int(cy)), (int(ax), int(ay)), int(angle), 0, 360, 20)
            pts = pts.astype(float)
            pts += rng.normal(0, 0.1, pts.shape) * [ax, ay]
        poly = np.round(pts * 16).astype(np.int32)
        thickness = rng.uniform(8, 55)  # a folded shirt to a jumper, compressed
        layer = np.zeros((h, w), np.float32)
        cv2.fillPoly(layer, [poly], thickness, cv2.LINE_8, 4)
        hem = max(1, int(round(rng.uniform(2, 6) / mm)))
        cv2.polylines(layer, [poly], True, thickness * rng.uniform(1.3, 1.8), hem, cv2.LINE_8, 4)
        for _ in range(int(rng.integers(1, 6))):  # creases and seams across the garment
            start = pts[int(rng.integers(len(pts)))]
            end = pts[int(rng.integers(len(pts)))]
            mid = (start + end) / 2 + rng.normal(0, 0.2, 2) * [ax, ay]
            line = np.array([start, mid, end])
            crease = [np.round(line * 16).astype(np.int32)]
            cv2.polylines(field, crease, False, thickness * 0.5, 1, cv2.LINE_8, 4)
        field += layer
    field *= 0.75 + 0.35 * smooth_noise(rng, h, w, 24)
    field *= 1.0 + 0.12 * smooth_noise(rng, h, w, 2.5)  # weave, knit and stuffing: a fine grain
    field = cv2.GaussianBlur(field, (0, 0), 0.6)
    return np.maximum(cv2.resize(field, (cols, rows), interpolation=cv2.INTER_LINEAR), 0.0)
