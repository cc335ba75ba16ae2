"""Neighbourhood filters and overlays on a rendered region (OpenCV, uint8 in and out)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .colours import HIGHLIGHT_COLOUR

# Unsharp mask: blur radius in rendered pixels and how much of the detail is added back.
EDGE_SIGMA = 1.5
EDGE_AMOUNT = 1.2
# CLAHE: contrast limit and roughly how many rendered pixels one tile spans.
CLAHE_CLIP = 2.0
CLAHE_TILE = 96
# Margin (rendered pixels) the neighbourhood filters need to be free of border artefacts.
FILTER_MARGIN = 8


def enhance_edges(rgb: np.ndarray) -> np.ndarray:
    """Unsharp mask: rgb + amount · (rgb − blur), saturated to 0..255."""
    blur = cv2.GaussianBlur(rgb, (0, 0), EDGE_SIGMA)
    return cv2.addWeighted(rgb, 1.0 + EDGE_AMOUNT, blur, -EDGE_AMOUNT, 0.0)


def local_contrast(grey: np.ndarray) -> np.ndarray:
    """CLAHE on a uint8 brightness image."""
    h, w = grey.shape
    tiles = (max(1, round(w / CLAHE_TILE)), max(1, round(h / CLAHE_TILE)))
    return cv2.createCLAHE(clipLimit=CLAHE_CLIP, tileGridSize=tiles).apply(grey)


@lru_cache(maxsize=16)
def band_values(band: tuple[float, float], full_scale: int) -> tuple[int, int] | None:
    """The raw values whose transmission min(v / full_scale, 1) lies in ``band`` (inclusive)."""
    values = np.arange(65536, dtype=np.float64)
    t = np.minimum(values / full_scale, 1.0)
    inside = np.flatnonzero((t >= band[0]) & (t <= band[1]))
    if inside.size == 0:
        return None
    return int(inside[0]), int(inside[-1])


def paint_band(rgb: np.ndarray, raw: np.ndarray, values: tuple[int, int] | None) -> None:
    """Paint, in place, the pixels whose raw value lies in ``values`` in the highlight colour."""
    if values is None:
        return
    mask = cv2.inRange(raw, values[0], values[1])
    cv2.copyTo(_solid(rgb.shape), mask, rgb)


@lru_cache(maxsize=2)
def _solid(shape: tuple[int, ...]) -> np.ndarray:
    # OpenCV's masked copy is ~100x faster than numpy boolean assignment, but wants a full image.
    return np.full(shape, HIGHLIGHT_COLOUR, dtype=np.uint8)
