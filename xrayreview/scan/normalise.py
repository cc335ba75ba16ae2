"""Turn decoded arrays into a Scan's uint16 channels without losing the raw numbers."""

from __future__ import annotations

import numpy as np

from .errors import ScanError

# ITU-R BT.601 luma weights: what "brightness" of a pseudo-colour rendering means.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_channel(array: np.ndarray, name: str) -> tuple[np.ndarray, int, np.ndarray | None]:
    """(uint16 channel, full scale, raw array when uint16 cannot hold it exactly)."""
    if array.dtype == np.uint8:
        return array.astype(np.uint16), 255, None
    if array.dtype == np.uint16:
        return np.ascontiguousarray(array), 65535, None
    if array.dtype in (np.float32, np.float64, np.float16):
        finite = np.isfinite(array)
        if not finite.all():
            raise ScanError(f"{name} holds pixels that are not numbers (NaN or infinity).")
        low, high = float(array.min()), float(array.max())
        if low < 0:
            raise ScanError(f"{name} holds negative intensities ({low:g}); not a transmission image.")
        # Floats in [0, 1] are transmissions; larger floats are intensities scaled by their maximum.
        scale = 65535.0 if high <= 1.0 else 65535.0 / high
        channel = np.round(array.astype(np.float64) * scale).astype(np.uint16)
        return channel, 65535, array
    bits = array.dtype.itemsize * 8
    raise ScanError(
        f"{name} has {array.dtype.name} pixels ({bits}-bit); the station reads 8- and 16-bit "
        "integer and 32-bit float images."
    )


def luminance(rgb: np.ndarray) -> np.ndarray:
    """uint16 luma of an RGB image, in the image's own scale."""
    return np.round(rgb.astype(np.float32) @ LUMA).astype(np.uint16)


def is_grey_rgb(rgb: np.ndarray) -> bool:
    return bool(np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2]))
