"""From attenuation to the numbers a line-scan detector writes: blur, photon noise, line artefacts.

Counts in air follow the stated air count; photon noise is Poisson, drawn with its normal
approximation (exact enough above a few dozen counts and ten times faster), and exact Poisson
where counts are low so dark regions keep the right speckle.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FULL_SCALE = 65535
# The low-energy layer of a sandwich detector sits behind the high one's filter: fewer counts.
LOW_COUNT_SHARE = 0.6
_LOW_COUNTS = 30.0


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
        transmission = np.exp(-att)
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
    counts = transmission * np.float32(air_count)
    noise = rng.standard_normal(counts.shape, dtype=np.float32)
    noisy = counts + noise * np.sqrt(counts)
    dark = counts < _LOW_COUNTS
    if dark.any():
        noisy[dark] = rng.poisson(counts[dark]).astype(np.float32)
    return noisy * np.float32(1.0 / air_count)
