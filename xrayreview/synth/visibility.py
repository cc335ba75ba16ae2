"""Whether a hidden threat shows in the scan, and where: the ground truth names only what an
image can support.

A threat counts as seen where it changes the detector signal by more than the noise there:
photon noise of the counts that reach the pixel through everything in the beam, plus the
detector's row-gain spread. Behind a loaded container at MeV energies a thin steel part may
add less than that; no officer and no model can find it, so it gets no box.
"""

from __future__ import annotations

import cv2
import numpy as np

from .canvas import Canvas
from .detector import LOW_COUNT_SHARE, Detector

# A pixel shows the threat when the threat's own attenuation there is this many noise sigmas.
PIXEL_SNR = 2.0
# ...and the threat is seen when at least this many pixels show it at STRONG_SNR: a few pixels
# of clear signal, which is what both screeners and detectors need to notice anything at all.
STRONG_SNR = 4.0
MIN_STRONG_PIXELS = 6


def seen_box(layer: Canvas, scene: Canvas, detector: Detector) -> tuple[float, float, float, float] | None:
    """(x1, y1, x2, y2) in scan pixels of where ``layer`` (one threat's attenuation, already
    folded into ``scene``) shows above the noise; None when it does not show enough to find."""
    r, c = layer.row0 - scene.row0, layer.col0 - scene.col0
    top, left = max(r, 0), max(c, 0)
    bottom, right = min(r + layer.rows, scene.rows), min(c + layer.cols, scene.cols)
    if bottom <= top or right <= left:
        return None
    own = (slice(top - r, bottom - r), slice(left - c, right - c))
    there = (slice(top, bottom), slice(left, right))
    snr = np.zeros((bottom - top, right - left), np.float32)
    for threat, total, share in (
        (layer.high[own], scene.high[there], 1.0),
        (layer.low[own], scene.low[there], LOW_COUNT_SHARE),
    ):
        signal = threat
        if detector.blur_sigma_px > 0:  # thin wires lose contrast in the scintillator's spread
            signal = cv2.GaussianBlur(np.ascontiguousarray(threat), (0, 0), detector.blur_sigma_px)
        counts = detector.air_count * share * np.exp(-np.minimum(total, 30.0))
        sigma = np.sqrt(1.0 / np.maximum(counts, 1e-6) + detector.row_gain_spread**2)
        np.maximum(snr, signal / sigma, out=snr)
    if int(np.count_nonzero(snr >= STRONG_SNR)) < MIN_STRONG_PIXELS:
        return None
    shows = snr >= PIXEL_SNR
    rows = np.flatnonzero(shows.any(axis=1))
    cols = np.flatnonzero(shows.any(axis=0))
    x0, y0 = scene.col0 + left, scene.row0 + top
    return (float(x0 + cols[0]), float(y0 + rows[0]), float(x0 + cols[-1] + 1), float(y0 + rows[-1] + 1))
