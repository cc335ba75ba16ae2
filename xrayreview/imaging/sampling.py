"""Nearest-neighbour sampling of a scan region at a requested size, in time set by that size.

Output pixel centres map linearly onto the region, so zooming in repeats scan pixels (they
stay honest, no interpolated values) and zooming out picks one scan pixel per screen pixel.
An optional margin of output pixels around the region feeds neighbourhood filters; beyond the
scan's edge the edge pixels repeat.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Region = tuple[int, int, int, int]
# Regions on a pyramid level fall between pixels: (x0, y0, x1, y1) as floats.
FloatRegion = tuple[float, float, float, float]
# OpenCV's warp keeps source coordinates in 16-bit integers.
WARP_LIMIT = 32000


def clip_region(region: Region | FloatRegion, width: int, height: int) -> Region:
    """The whole pixels the region touches, clipped to the scan.

    Bounds may come in either order. Fractional bounds widen to the pixels they touch (int()
    truncated them, so a region inside one pixel came out empty). Raises ValueError for bounds
    that are not finite numbers and when no pixel of the scan is covered.
    """
    bounds = tuple(float(v) for v in region)
    if len(bounds) != 4 or not all(math.isfinite(v) for v in bounds):
        raise ValueError(f"region must be four finite numbers (x0, y0, x1, y1), not {region}")
    x0, y0, x1, y1 = bounds
    x0, x1 = max(math.floor(min(x0, x1)), 0), min(math.ceil(max(x0, x1)), width)
    y0, y1 = max(math.floor(min(y0, y1)), 0), min(math.ceil(max(y0, y1)), height)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"region {region} covers no pixel of the {width}×{height} scan")
    return x0, y0, x1, y1


def sample(array: np.ndarray, region: FloatRegion, size: tuple[int, int], margin: int = 0) -> np.ndarray:
    """``array``'s ``region`` at ``size`` = (w, h), plus ``margin`` pixels on every side.

    ``array`` is 2-D or (H, W, C) with C ≤ 4; the result has the same dtype and shape
    (h + 2·margin, w + 2·margin[, C]). It is C-contiguous, except that a region taken at its
    own size comes back as a view (rows strided), which saves a copy at 1:1 zoom.
    """
    x0, y0, x1, y1 = region
    w, h = size
    rw, rh = x1 - x0, y1 - y0
    if (w, h) == (rw, rh) and all(float(v).is_integer() for v in region):
        return _crop(array, (int(x0), int(y0), int(x1), int(y1)), margin)
    sx, sy = rw / w, rh / h
    # Source rows/columns the margin can reach, plus one for rounding.
    mx, my = math.ceil(margin * sx) + 1, math.ceil(margin * sy) + 1
    cx0, cy0 = max(math.floor(x0) - mx, 0), max(math.floor(y0) - my, 0)
    cx1, cy1 = min(math.ceil(x1) + mx, array.shape[1]), min(math.ceil(y1) + my, array.shape[0])
    crop = array[cy0:cy1, cx0:cx1]
    # Inverse map: source = scale · (dst − margin + ½) + origin − ½, relative to the crop.
    ox = x0 - cx0 - 0.5 + sx * (0.5 - margin)
    oy = y0 - cy0 - 0.5 + sy * (0.5 - margin)
    out_w, out_h = w + 2 * margin, h + 2 * margin
    if max(crop.shape[:2]) < WARP_LIMIT:
        matrix = np.array([[sx, 0.0, ox], [0.0, sy, oy]], dtype=np.float64)
        return cv2.warpAffine(
            crop,
            matrix,
            (out_w, out_h),
            flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
    # Scans longer than OpenCV's coordinate range: index arithmetic (slower, same result).
    xs = np.clip(np.floor(sx * np.arange(out_w) + ox + 0.5), 0, crop.shape[1] - 1).astype(np.intp)
    ys = np.clip(np.floor(sy * np.arange(out_h) + oy + 0.5), 0, crop.shape[0] - 1).astype(np.intp)
    return np.ascontiguousarray(crop[ys[:, None], xs[None, :]])


def _crop(array: np.ndarray, region: Region, margin: int) -> np.ndarray:
    """The region at its own size: a view, or with a margin a copy padded by edge pixels."""
    x0, y0, x1, y1 = region
    if margin == 0:
        return array[y0:y1, x0:x1]
    height, width = array.shape[:2]
    cx0, cy0 = max(x0 - margin, 0), max(y0 - margin, 0)
    cx1, cy1 = min(x1 + margin, width), min(y1 + margin, height)
    crop = array[cy0:cy1, cx0:cx1]
    pads = (cy0 - (y0 - margin), (y1 + margin) - cy1, cx0 - (x0 - margin), (x1 + margin) - cx1)
    if not any(pads):
        return np.ascontiguousarray(crop)
    return cv2.copyMakeBorder(crop, *pads, borderType=cv2.BORDER_REPLICATE)
