"""The station's standard rendering: the pseudo-colour image every officer knows.

The detector sees exactly this rendering, so dual-energy, single-energy and 8-bit RGB scans
from other scanners reach the model in one convention.
"""

from __future__ import annotations

import numpy as np

from ..scan.model import Scan
from .material import MAX_ATTENUATION, attenuations, class_position

# Vendor convention: orange organic, green mixed, blue metal (RGB, 0..1).
ORANGE = np.array([1.00, 0.62, 0.20], dtype=np.float32)
GREEN = np.array([0.30, 0.80, 0.30], dtype=np.float32)
BLUE = np.array([0.20, 0.45, 1.00], dtype=np.float32)
# Attenuation (ln units) at which a colour reaches full saturation; thinner things look paler.
SATURATION_ATTENUATION = 1.2
# Brightness follows transmission through this gamma so thick goods stay readable.
BRIGHTNESS_GAMMA = 0.55


def class_colour(position: np.ndarray) -> np.ndarray:
    """Blend orange → green → blue along the class position (0..2); (..., 3) float32."""
    t = position[..., None]
    first = ORANGE + (GREEN - ORANGE) * np.clip(t, 0.0, 1.0)
    return first + (BLUE - GREEN) * np.clip(t - 1.0, 0.0, 1.0)


def render_standard(scan: Scan) -> np.ndarray:
    """uint8 RGB (H, W, 3) in the standard pseudo-colour (grey for single energy)."""
    if scan.colour is not None and scan.low is None:
        return scan.colour
    a_high, _ = attenuations(scan)
    brightness = np.exp(-a_high * BRIGHTNESS_GAMMA)
    brightness[a_high > MAX_ATTENUATION] = 0.0
    position = class_position(scan)
    if position is None:
        grey = np.round(brightness * 255.0).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    saturation = np.clip(a_high / SATURATION_ATTENUATION, 0.0, 1.0)[..., None]
    colour = 1.0 - saturation * (1.0 - class_colour(position))
    rgb = colour * brightness[..., None] * 255.0
    return np.round(rgb).astype(np.uint8)
