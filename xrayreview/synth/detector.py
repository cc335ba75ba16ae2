"""From attenuation to the numbers a line-scan detector writes: blur, photon noise, line artefacts.

Counts in air follow the stated air count; photon noise is Poisson, drawn with its normal
approximation (mean and variance both equal to the count; the skew it misses only matters
below a few dozen counts, where the image is black anyway). Drawing hundreds of thousands of
normal numbers per image is the slowest step, so images take their unit normals from a fixed
bank at offsets drawn from the scan's own generator: still deterministic per seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FULL_SCALE = 65535
# The low-energy layer of a sandwich detector sits behind the high one's filter: fewer counts.
LOW_COUNT_SHARE = 0.6
_BANK_SIZE = 1 << 21
_bank: np.ndarray | None = None


def _unit_normals(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` standard normal float32 numbers, as bank slices at random offsets."""
    global _bank
    if _bank is None:
        _bank = np.random.default_rng(20261128).standard_normal(_BANK_SIZE, dtype=np.float32)
    chunk = _BANK_SIZE // 2
    if count <= chunk:
        start = int(rng.integers(0, _BANK_SIZE - count))
        return _bank[start : start + count]
    out = np.empty(count, np.float32)
    for first in range(0, count, chunk):
        n = min(chunk, count - first)
        start = int(rng.integers(0, _BANK_SIZE - n))
        out[first : first + n] = _bank[start : start + n]
    return out


@dataclass(frozen=True)
class Detector:
    air_count: float = 3e4  # photons per pixel in air, high-energy channel
    blur_sigma_px: float = 0.7  # scintillator and focal-spot spread
    noise: bool = True
    line_artefacts: bool = True
    row_gain_spread: float = 0.003  # detector elements (image rows) differ in gain
    column_flicker: float = 0.0  # per-pulse output of a linac (image columns); 0 for tubes


def expose(
    high_att: np.ndarray, low_att: np.ndarray, detector: Detector, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """uint16 transmission images (air = 65535) from the two attenuation maps."""
    out = []
    row_gain = col_gain = None
    if detector.noise and detector.line_artefacts:
        rows, cols = high_att.shape
        row_gain = 1.0 + rng.normal(0.0, detector.row_gain_spread, rows).astype(np.float32)
        if rng.random() < 0.3:  # a weak detector element: a streak along the scan
            row_gain[rng.integers(rows)] *= np.float32(rng.uniform(0.9, 0.97))
        if detector.column_flicker > 0:
            col_gain = 1.0 + rng.normal(0.0, detector.column_flicker, cols).astype(np.float32)
    for att, share in ((high_att, 1.0), (low_att, LOW_COUNT_SHARE)):
        transmission = cv2.exp(-att)
        if detector.blur_sigma_px > 0:
            transmission = cv2.GaussianBlur(transmission, (0, 0), detector.blur_sigma_px)
        if detector.noise:
            transmission = _photon_noise(transmission, detector.air_count * share, rng)
        if row_gain is not None:
            transmission *= row_gain[:, None]
        if col_gain is not None:
            transmission *= col_gain[None, :]
        scaled = np.clip(transmission * FULL_SCALE + 0.5, 0, FULL_SCALE)
        out.append(scaled.astype(np.uint16))
    return out[0], out[1]


def _photon_noise(transmission: np.ndarray, air_count: float, rng: np.random.Generator) -> np.ndarray:
    """Transmission with the noise of its photon count (normal approximation of Poisson)."""
    counts = transmission * np.float32(air_count)
    noise = _unit_normals(counts.size, rng).reshape(counts.shape)
    noisy = counts + noise * cv2.sqrt(np.maximum(counts, 0))
    return noisy * np.float32(1.0 / air_count)
