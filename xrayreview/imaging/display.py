"""The display pipeline the viewer calls: a scan region at screen size, with the officer's tools.

Cost depends on the output size, not the scan's: the region is sampled (nearest) to at most
the output size first, then one table lookup turns raw numbers into colour. When zoomed in the
region is rendered at its own resolution (filters then work on scan pixels) and enlarged last,
pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..scan.model import Scan
from . import filters
from .dual import STRIP_FADE, MaterialCoder, colour_table, encode_scan
from .material import material_at
from .measure import Measurement, measure
from .sampling import Region, clip_region, sample
from .settings import (
    DEFAULT,
    HIGH_PENETRATION,
    LOW_PENETRATION,
    TOOLS,
    DisplaySettings,
    Tool,
    apply_tool,
    with_highlight,
    with_level_width,
    with_window,
)
from .tone import brightness_lut, channel_lut, palette

__all__ = [
    "DEFAULT",
    "HIGH_PENETRATION",
    "LOW_PENETRATION",
    "TOOLS",
    "DisplaySettings",
    "Measurement",
    "PixelInfo",
    "Renderer",
    "Tool",
    "apply_tool",
    "measure",
    "with_highlight",
    "with_level_width",
    "with_window",
]


@dataclass(frozen=True)
class PixelInfo:
    """What the readout shows for one scan pixel."""

    x: int
    y: int
    raw: tuple[float | int, ...]  # the file's own number(s): (high,), (high, low) or (r, g, b)
    transmission: tuple[float, ...]  # per energy channel, 0..1
    material: str | None  # dual energy: organic / mixed / metal / none / impenetrable

    def label(self) -> str:
        raw = " / ".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in self.raw)
        text = f"x {self.x}  y {self.y}   raw {raw}   T " + " / ".join(f"{t:.3f}" for t in self.transmission)
        return text + (f"   {self.material}" if self.material else "")


def _packed_palette(mode: str) -> np.ndarray:
    rgb = palette(mode).astype(np.uint32)
    return (rgb[:, 0] | (rgb[:, 1] << 8) | (rgb[:, 2] << 16) | np.uint32(0xFF000000)).astype(np.uint32)


def _unpack(packed: np.ndarray) -> np.ndarray:
    """uint32 R,G,B,x little-endian pixels → C-contiguous uint8 (h, w, 3)."""
    rgba = packed.view(np.uint8).reshape(*packed.shape, 4)
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB)


class Renderer:
    """Renders regions of one scan; keeps what does not depend on the settings."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.rendered_file = scan.colour is not None and scan.low is None
        self._coder = MaterialCoder(scan) if scan.low is not None else None
        self._codes: np.ndarray | None = None
        self._palettes = {mode: _packed_palette(mode) for mode in ("pseudo", "grey")}

    @property
    def codes(self) -> np.ndarray | None:
        """Dual-energy colour codes of the whole scan (computed on first use)."""
        if self._coder is not None and self._codes is None:
            self._codes = encode_scan(self.scan, self._coder)
        return self._codes

    def render(self, settings: DisplaySettings, region: Region, out_size: tuple[int, int]) -> np.ndarray:
        """C-contiguous uint8 (h, w, 3) RGB of ``region`` = (x0, y0, x1, y1) at ``out_size`` = (w, h).

        The region is clipped to the scan and then stretched to ``out_size``.
        """
        scan = self.scan
        region = clip_region(region, scan.width, scan.height)
        out_w, out_h = int(out_size[0]), int(out_size[1])
        if out_w < 1 or out_h < 1:
            raise ValueError(f"output size must be at least 1×1, not {out_size}")
        x0, y0, x1, y1 = region
        work = (min(out_w, x1 - x0), min(out_h, y1 - y0))
        margin = filters.FILTER_MARGIN if settings.needs_margin else 0
        if self.rendered_file:
            rgb = self._render_colour_file(settings, region, work, margin)
        elif scan.low is not None:
            rgb = self._render_dual(settings, region, work, margin)
        else:
            rgb = self._render_single(settings, region, work, margin)
        if settings.edge:
            rgb = filters.enhance_edges(rgb)
        if margin:
            rgb = np.ascontiguousarray(rgb[margin:-margin, margin:-margin])
        if settings.highlight is not None:
            values = filters.band_values(settings.highlight, scan.full_scale)
            filters.paint_band(rgb, sample(scan.high, region, work), values)
        if work != (out_w, out_h):
            rgb = sample(rgb, (0, 0, work[0], work[1]), (out_w, out_h))
        return rgb

    def _brightness(self, settings: DisplaySettings, high: np.ndarray, rendered: bool) -> np.ndarray:
        grey = brightness_lut(settings, self.scan.full_scale, rendered=rendered)[high]
        return filters.local_contrast(grey) if settings.local_contrast else grey

    def _render_single(self, settings: DisplaySettings, region: Region, work, margin: int) -> np.ndarray:
        grey = self._brightness(settings, sample(self.scan.high, region, work, margin), False)
        if settings.mode == "grey":
            return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
        return _unpack(self._palettes["pseudo"][grey])

    def _render_dual(self, settings: DisplaySettings, region: Region, work, margin: int) -> np.ndarray:
        codes = sample(self.codes, region, work, margin)
        grey = self._brightness(settings, sample(self.scan.high, region, work, margin), False)
        grey_rgb = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
        packed = colour_table(settings.strip)[codes] if settings.mode == "pseudo" or settings.strip else None
        if settings.mode == "pseudo":
            rgb = cv2.multiply(_unpack(packed), grey_rgb, scale=1.0 / 255.0)
        else:
            rgb = grey_rgb
        if settings.strip:
            faded = packed.view(np.uint8).reshape(*packed.shape, 4)[..., 3].astype(bool)
            filters.fade(rgb, faded, STRIP_FADE)
        return rgb

    def _render_colour_file(self, settings: DisplaySettings, region: Region, work, margin: int) -> np.ndarray:
        if settings.mode == "grey":
            grey = self._brightness(settings, sample(self.scan.high, region, work, margin), True)
            return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
        rgb = cv2.LUT(sample(self.scan.colour, region, work, margin), channel_lut(settings))
        return filters.local_contrast_rgb(rgb) if settings.local_contrast else rgb

    def pixel_info(self, x: int, y: int) -> PixelInfo | None:
        """Readout for scan pixel (x, y); None when the point is outside the scan."""
        scan = self.scan
        x, y = int(x), int(y)
        if not (0 <= x < scan.width and 0 <= y < scan.height):
            return None
        channels = [scan.high] if scan.low is None else [scan.high, scan.low]
        transmission = tuple(min(float(c[y, x]) / scan.full_scale, 1.0) for c in channels)
        material = material_at(scan, x, y) if scan.low is not None else None
        return PixelInfo(x, y, scan.raw_value(x, y), transmission, material)
