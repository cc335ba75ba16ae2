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
    if array.dtype in _FLOATS:
        return _float_channel(array, _float_peak(array, name), _high_end(array))
    raise _unsupported(array, name)


def to_channel_pair(
    high: np.ndarray, low: np.ndarray, high_name: str, low_name: str
) -> tuple[tuple[np.ndarray, int, np.ndarray | None], tuple[np.ndarray, int, np.ndarray | None]]:
    """Both energies of a dual-energy scan as channels on one common scale.

    Materials are told apart by the ratio of low to high transmission, so the two channels
    must share one scale: float intensities are divided by the pair's common maximum, never
    each by its own, and numbers of different depths are refused rather than compared.
    """
    if not same_depth(high, low):
        what = (f"The two energy images in {high_name}" if high_name == low_name
                else f"The energy pair {high_name} and {low_name}")
        raise ScanError(
            f"{what} differ in bit depth ({high.dtype.name} and {low.dtype.name}), so their "
            "ratio would mean nothing."
        )
    if high.dtype not in _FLOATS:
        return to_channel(high, high_name), to_channel(low, low_name)
    peak = max(_float_peak(high, high_name), _float_peak(low, low_name))
    high_end = max(_high_end(high), _high_end(low))
    return _float_channel(high, peak, high_end), _float_channel(low, peak, high_end)


_FLOATS = (np.float32, np.float64, np.float16)


def same_depth(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two energy images' numbers can be put on one scale (same integers, or floats)."""
    return first.dtype == second.dtype or (first.dtype in _FLOATS and second.dtype in _FLOATS)


def _float_peak(array: np.ndarray, name: str) -> float:
    """The largest value, after refusing what cannot be a transmission or an intensity."""
    if array.dtype not in _FLOATS:
        raise _unsupported(array, name)
    if not np.isfinite(array).all():
        raise ScanError(f"{name} holds pixels that are not numbers (NaN or infinity).")
    low = float(array.min())
    if low < 0:
        raise ScanError(f"{name} holds negative intensities ({low:g}); not a transmission image.")
    return float(array.max())


# A flat-field corrected transmission reads about 1.0 in open air, and photon noise puts some
# air pixels a few per cent above it, a dead or hot detector pixel far above. When all but the
# brightest 0.1 % of pixels stay below this, a float image is read as transmission and clipped at
# 1: dividing by the noisiest pixel would darken every pixel of the scan. Intensities (detector
# counts, keV sums) are in the hundreds or more, far above it.
TRANSMISSION_PEAK_MAX = 1.5
HIGH_END_QUANTILE = 0.999


def _high_end(array: np.ndarray) -> float:
    # Of a sample on large scans: a quantile of every pixel of a 40 ft container costs 0.1 s.
    flat = array.reshape(-1)
    step = max(1, flat.size // 1_000_000)
    return float(np.quantile(flat[::step], HIGH_END_QUANTILE))


def _float_channel(array: np.ndarray, peak: float, high_end: float) -> tuple[np.ndarray, int, np.ndarray]:
    values = array.astype(np.float64)
    if high_end <= TRANSMISSION_PEAK_MAX:
        values = np.minimum(values, 1.0)
        scale = 65535.0
    else:
        scale = 65535.0 / peak
    channel = np.round(values * scale).astype(np.uint16)
    return channel, 65535, array


def _unsupported(array: np.ndarray, name: str) -> ScanError:
    bits = array.dtype.itemsize * 8
    return ScanError(
        f"{name} has {array.dtype.name} pixels ({bits}-bit); the station reads 8- and 16-bit "
        "integer and 32-bit float images."
    )


def luminance(rgb: np.ndarray) -> np.ndarray:
    """uint16 luma of an RGB image, in the image's own scale."""
    return np.round(rgb.astype(np.float32) @ LUMA).astype(np.uint16)


def is_grey_rgb(rgb: np.ndarray) -> bool:
    return bool(np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2]))
