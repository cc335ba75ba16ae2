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


def standard_settings(scan: Scan) -> DisplaySettings:
    """The display settings whose full-size render is the standard rendering of ``scan``."""
    return DEFAULT if scan.low is not None or scan.colour is not None else STANDARD_SINGLE_ENERGY


def render_standard(scan: Scan) -> np.ndarray:
    """uint8 RGB (H, W, 3) in the standard pseudo-colour (grey for single energy)."""
    if scan.colour is not None and scan.low is None:
        return scan.colour
    full = (0, 0, scan.width, scan.height)
    return Renderer(scan).render(standard_settings(scan), full, (scan.width, scan.height))
