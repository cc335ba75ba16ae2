"""The vendors' material colours: orange organic, green mixed, blue metal."""

from __future__ import annotations

import numpy as np

# RGB, 0..1.
ORANGE = np.array([1.00, 0.62, 0.20], dtype=np.float32)
GREEN = np.array([0.30, 0.80, 0.30], dtype=np.float32)
BLUE = np.array([0.20, 0.45, 1.00], dtype=np.float32)
# Attenuation (ln units) at which a colour reaches full saturation; thinner things look paler.
SATURATION_ATTENUATION = 0.7
# Density highlight: a colour no material class uses, so marked pixels cannot be misread.
HIGHLIGHT_COLOUR = (255, 0, 255)


# Half-width (in class position) of the blend across a class border: each class keeps its own
# colour through most of its band, as on vendors' screens, and borders do not jump.
BORDER_BLEND = 0.2


def _step(position: np.ndarray, border: float) -> np.ndarray:
    t = np.clip((position - border) / (2 * BORDER_BLEND) + 0.5, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def class_colour(position: np.ndarray) -> np.ndarray:
    """Orange, green or blue by class position (0..2), blended only near the borders; (..., 3)."""
    position = np.asarray(position, dtype=np.float32)
    first = ORANGE + (GREEN - ORANGE) * _step(position, 0.5)[..., None]
    return first + (BLUE - GREEN) * _step(position, 1.5)[..., None]
