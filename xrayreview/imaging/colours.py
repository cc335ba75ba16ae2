"""The vendors' material colours: orange organic, green mixed, blue metal."""

from __future__ import annotations

import numpy as np

# RGB, 0..1.
ORANGE = np.array([1.00, 0.62, 0.20], dtype=np.float32)
GREEN = np.array([0.30, 0.80, 0.30], dtype=np.float32)
BLUE = np.array([0.20, 0.45, 1.00], dtype=np.float32)
# Attenuation (ln units) at which a colour reaches full saturation; thinner things look paler.
SATURATION_ATTENUATION = 1.2
# Density highlight: a colour no material class uses, so marked pixels cannot be misread.
HIGHLIGHT_COLOUR = (255, 0, 255)


def class_colour(position: np.ndarray) -> np.ndarray:
    """Blend orange → green → blue along the class position (0..2); (..., 3) float32."""
    t = position[..., None]
    first = ORANGE + (GREEN - ORANGE) * np.clip(t, 0.0, 1.0)
    return first + (BLUE - GREEN) * np.clip(t - 1.0, 0.0, 1.0)
