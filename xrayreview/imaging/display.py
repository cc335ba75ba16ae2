"""The display pipeline the viewer calls: a scan region at screen size, with the officer's tools.

Cost depends on the output size, not the scan's: the region is sampled (nearest) to at most
the output size first, from the pyramid level nearest the screen's scale when zoomed out
(box-averaged, pyramid.py), then table lookups turn raw numbers into colour (tone.py for
brightness, dual.py for material colour). When zoomed in the region is rendered at its own
resolution (filters then work on scan pixels) and enlarged last, pixel for pixel.

Pipeline per redraw: sample → brightness table (window, gamma, log, inverse) → local contrast
and edge filters on the brightness → colour (material table × brightness for dual energy,
colour map or grey for single energy, chroma × value for RGB files) → highlight band → enlarge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..scan.model import Scan
from . import filters
from .dual import MaterialCoder, colour_table
from .material import material_at
from .measure import Measurement, measure
from .pyramid import Level, Pyramid
from .rendered import retone
from .sampling import FloatRegion, Region, clip_region, sample
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
    "applicable_tools",
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
    # True for files that are already a rendering (RGB): "transmission" is then their luma.
    rendering: bool = False

    def label(self) -> str:
        raw = " / ".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in self.raw)
        level = "luma" if self.rendering else "T"
        text = f"x {self.x}  y {self.y}   raw {raw}   {level} " + " / ".join(
            f"{t:.3f}" for t in self.transmission
        )
        return text + (f"   {self.material}" if self.material else "")


_IDENTITY = np.arange(256, dtype=np.uint8)
Offset = np.ndarray | None  # the strip fade's additive part, None without stripping
DUAL_ENERGY_TOOLS = frozenset({"organic_only", "inorganic_only"})


def applicable_tools(scan: Scan) -> frozenset[str]:
    """Names of the tools that change what this scan looks like (the UI can disable the rest)."""
    names = {tool.name for tool in TOOLS}
    return frozenset(names if scan.low is not None else names - DUAL_ENERGY_TOOLS)


def _packed_palette(mode: str) -> np.ndarray:
    """The palette as uint32 R,G,B,x so one gather colours a pixel."""
    rgb = palette(mode).astype(np.uint32)
    return (rgb[:, 0] | (rgb[:, 1] << 8) | (rgb[:, 2] << 16) | np.uint32(0xFF000000)).astype(np.uint32)


@dataclass(frozen=True)
class _View:
    """Where one render samples from: a pyramid level, the region on it, the work size."""

    level: Level
    region: FloatRegion
    work: tuple[int, int]
    margin: int

    def sample(self, array: np.ndarray) -> np.ndarray:
        return sample(array, self.region, self.work, self.margin)

    def rows(self) -> tuple[float, float]:
        """The level rows sampling can read, margin included (for the per-band caches)."""
        y0, y1 = self.region[1], self.region[3]
        reach = self.margin * (y1 - y0) / self.work[1] + 1
        return y0 - reach, y1 + reach


# Lookups use np.take: about twice as fast as fancy indexing for uint16 indices into a table.


def _unpack(packed: np.ndarray) -> np.ndarray:
    """uint32 R,G,B,x little-endian pixels → C-contiguous uint8 (h, w, 3)."""
    return cv2.cvtColor(packed.view(np.uint8).reshape(*packed.shape, 4), cv2.COLOR_RGBA2RGB)


class Renderer:
    """Renders regions of one scan; keeps what does not depend on the settings."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.rendered_file = scan.colour is not None and scan.low is None
        self._coder = MaterialCoder.for_scan(scan) if scan.low is not None else None
        self._pyramid = Pyramid(scan)
        self._palette = _packed_palette("pseudo")
        self._folded: tuple[np.ndarray, np.ndarray] | None = None  # (brightness table, its colours)
        # Dual energy: the last view's material colour, so a window/gamma change skips the codes.
        self._last_colour: tuple[tuple, np.ndarray, Offset] | None = None

    def render(self, settings: DisplaySettings, region: Region, out_size: tuple[int, int]) -> np.ndarray:
        """C-contiguous uint8 (h, w, 3) RGB of ``region`` = (x0, y0, x1, y1) at ``out_size`` = (w, h).

        The region is widened to whole scan pixels, clipped to the scan and then stretched to
        ``out_size``. Non-finite numbers, or a region or size with nothing in it, raise ValueError.
        """
        scan = self.scan
        region = clip_region(region, scan.width, scan.height)
        if not all(math.isfinite(float(v)) for v in out_size):  # int() raised OverflowError
            raise ValueError(f"output size must be finite, not {out_size}")
        out_w, out_h = int(out_size[0]), int(out_size[1])
        if out_w < 1 or out_h < 1:
            raise ValueError(f"output size must be at least 1×1, not {out_size}")
        x0, y0, x1, y1 = region
        # Zoomed in, render at the scan's own resolution and enlarge last.
        work = (min(out_w, x1 - x0), min(out_h, y1 - y0))
        level = self._pyramid.for_scale(min((x1 - x0) / work[0], (y1 - y0) / work[1]))
        margin = filters.FILTER_MARGIN if settings.needs_margin else 0
        view = _View(level, tuple(v / level.scale for v in region), work, margin)
        high = view.sample(level.high)
        if self.rendered_file:
            rgb = self._render_colour_file(settings, view, high)
        elif scan.low is not None:
            rgb = self._render_dual(settings, view, high)
        else:
            rgb = self._render_single(settings, high)
        if margin:
            rgb = np.ascontiguousarray(rgb[margin:-margin, margin:-margin])
            high = high[margin:-margin, margin:-margin]
        if settings.highlight is not None:
            filters.paint_band(rgb, high, filters.band_values(settings.highlight, scan.full_scale))
        if work != (out_w, out_h):
            rgb = sample(rgb, (0, 0, work[0], work[1]), (out_w, out_h))
        return rgb

    def _brightness(self, settings: DisplaySettings, high: np.ndarray, rendered: bool) -> np.ndarray:
        """uint8 brightness; the neighbourhood filters act here, before any colour."""
        lut = brightness_lut(settings, self.scan.full_scale, rendered=rendered)
        return self._filtered(settings, np.take(lut, high))

    @staticmethod
    def _filtered(settings: DisplaySettings, grey: np.ndarray) -> np.ndarray:
        if settings.local_contrast:
            grey = filters.local_contrast(grey)
        if settings.edge:
            grey = filters.enhance_edges(grey)
        return grey

    def _render_single(self, settings: DisplaySettings, high: np.ndarray) -> np.ndarray:
        # 8-bit grey files are display images already (datasets, exports), not scanner counts:
        # they keep their own tone curve, like 8-bit colour files.
        rendered = self.scan.full_scale == 255
        if settings.mode == "pseudo" and not (settings.local_contrast or settings.edge):
            # Without filters the colour map folds into the brightness table: one lookup per pixel.
            lut = brightness_lut(settings, self.scan.full_scale, rendered=rendered)
            if self._folded is None or self._folded[0] is not lut:
                self._folded = (lut, self._palette[lut])
            return _unpack(np.take(self._folded[1], high))
        grey = self._brightness(settings, high, rendered)
        if settings.mode == "grey":
            return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
        return _unpack(np.take(self._palette, grey))

    def _render_dual(self, settings: DisplaySettings, view: _View, high: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(self._brightness(settings, high, False), cv2.COLOR_GRAY2RGB)
        if settings.mode == "grey" and settings.strip is None:
            return grey
        colour, offset = self._material_colour(settings, view)
        rgb = cv2.multiply(colour, grey, scale=1.0 / 255.0)
        return rgb if offset is None else cv2.add(rgb, offset)

    def _material_colour(self, settings: DisplaySettings, view: _View) -> tuple[np.ndarray, Offset]:
        """Material colour (and strip offset) of the view, kept while only the tone changes."""
        key = (view.level.k, view.region, view.work, view.margin, settings.mode, settings.strip)
        cached = self._last_colour
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        codes = view.level.codes(self._coder, *view.rows())
        packed = np.take(colour_table(settings.mode, settings.strip), view.sample(codes))
        rgba = packed.view(np.uint8).reshape(*packed.shape, 4)
        colour = cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB)
        offset = cv2.cvtColor(cv2.extractChannel(rgba, 3), cv2.COLOR_GRAY2RGB) if settings.strip else None
        self._last_colour = (key, colour, offset)
        return colour, offset

    def _render_colour_file(self, settings: DisplaySettings, view: _View, high: np.ndarray) -> np.ndarray:
        if settings.mode == "grey":
            return cv2.cvtColor(self._brightness(settings, high, True), cv2.COLOR_GRAY2RGB)
        lut = channel_lut(settings)
        if np.array_equal(lut, _IDENTITY) and not (settings.local_contrast or settings.edge):
            return view.sample(view.level.colour).copy()  # a copy: overlays must not paint the scan
        # As for dual energy: tone and filters on a one-channel brightness (the value), then colour.
        value, chroma = view.level.value_chroma(*view.rows())
        return retone(self._filtered(settings, cv2.LUT(view.sample(value), lut)), view.sample(chroma))

    def pixel_info(self, x: float, y: float) -> PixelInfo | None:
        """Readout for the scan pixel point (x, y) falls in; None when it is outside the scan."""
        scan = self.scan
        # floor, not int(): -0.5 lies off the scan (int() read pixel 0), and infinity has no pixel.
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        x, y = math.floor(x), math.floor(y)
        if not (0 <= x < scan.width and 0 <= y < scan.height):
            return None
        channels = [scan.high] if scan.low is None else [scan.high, scan.low]
        transmission = tuple(min(float(c[y, x]) / scan.full_scale, 1.0) for c in channels)
        material = material_at(scan, x, y) if scan.low is not None else None
        return PixelInfo(x, y, scan.raw_value(x, y), transmission, material, self.rendered_file)
