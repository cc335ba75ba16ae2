"""The station's standard rendering: the pseudo-colour image every officer knows.

The detector sees exactly this rendering, so dual-energy, single-energy and 8-bit RGB scans
from other scanners reach the model in one convention. It is the display pipeline's default
view at full resolution (grey for single energy, where the viewer's default is a colour map),
so what the detector sees and what the officer sees at reset are the same pixels.
"""

from __future__ import annotations

import numpy as np

from ..scan.model import Scan
from .colours import BLUE, GREEN, ORANGE, SATURATION_ATTENUATION, class_colour
from .display import Renderer
from .settings import DEFAULT, DisplaySettings
from .tone import BRIGHTNESS_GAMMA

__all__ = [
    "BLUE",
    "BRIGHTNESS_GAMMA",
    "GREEN",
    "ORANGE",
    "SATURATION_ATTENUATION",
    "STANDARD_SINGLE_ENERGY",
    "class_colour",
    "render_standard",
    "standard_settings",
]

STANDARD_SINGLE_ENERGY = DisplaySettings(mode="grey")
BAND_ROWS = 256


def standard_settings(scan: Scan) -> DisplaySettings:
    """The display settings whose full-size render is the standard rendering of ``scan``."""
    return DEFAULT if scan.low is not None or scan.colour is not None else STANDARD_SINGLE_ENERGY


def render_standard(scan: Scan) -> np.ndarray:
    """uint8 RGB (H, W, 3) in the standard pseudo-colour (grey for single energy)."""
    if scan.colour is not None and scan.low is None:
        return scan.colour
    renderer, settings = Renderer(scan), standard_settings(scan)
    rgb = np.empty((scan.height, scan.width, 3), dtype=np.uint8)
    # In row bands: the temporaries stay small (a 27-MP scan would need ~0.4 GB at once).
    for y0 in range(0, scan.height, BAND_ROWS):
        y1 = min(y0 + BAND_ROWS, scan.height)
        rgb[y0:y1] = renderer.render(settings, (0, y0, scan.width, y1), (scan.width, y1 - y0))
    return rgb
