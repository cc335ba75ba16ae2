"""Tone changes on files that are already a pseudo-colour rendering (8-bit RGB datasets).

Officers read hue as material, so window/gamma/inverse act on each pixel's value (its
brightest channel, as in HSV) and keep its hue and saturation: a per-channel table would turn
organic orange into metal blue under inverse. Each pixel is split into a chroma at full value
and the value itself; the value goes through the tone table and the filters, and the chroma is
scaled by it: the same colour × brightness step as for dual-energy scans.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

# Below this value a pixel's hue is a few counts of noise: its colour fades to grey, so
# inverse does not turn dark speckle into bright colours.
HUE_TRUSTED_FROM = 24


@lru_cache(maxsize=1)
def _saturation_keep() -> np.ndarray:
    values = np.arange(256, dtype=np.float64)
    return np.round(np.clip(values / HUE_TRUSTED_FROM, 0.0, 1.0) * 255.0).astype(np.uint8)


def split_value(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value (h, w) uint8, chroma at full value (h, w, 3) uint8) of an RGB image."""
    rgb = np.ascontiguousarray(rgb)  # OpenCV splits a packed image several times faster than a view
    r, g, b = cv2.split(rgb)
    value = cv2.max(r, cv2.max(g, b))
    # Chroma at full value; black pixels (value 0) have none and become white, i.e. grey.
    chroma = cv2.divide(rgb, cv2.cvtColor(value, cv2.COLOR_GRAY2RGB), scale=255.0)
    # inRange, not compare(value, 0): OpenCV reads a 1×1 image against a scalar as two arrays
    # of different sizes and raises, so a one-pixel colour file could not be toned.
    black = cv2.inRange(value, 0, 0)
    chroma = cv2.max(chroma, cv2.cvtColor(black, cv2.COLOR_GRAY2RGB))
    # Fade the chroma of near-black pixels towards white: 255 − (255 − chroma) · keep.
    keep = cv2.cvtColor(cv2.LUT(value, _saturation_keep()), cv2.COLOR_GRAY2RGB)
    chroma = cv2.bitwise_not(cv2.multiply(cv2.bitwise_not(chroma), keep, scale=1.0 / 255.0))
    return value, chroma


def retone(value: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """RGB with this (already toned) value and ``chroma``'s hue and saturation."""
    return cv2.multiply(chroma, cv2.cvtColor(value, cv2.COLOR_GRAY2RGB), scale=1.0 / 255.0)
