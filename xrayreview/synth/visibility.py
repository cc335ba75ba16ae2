"""Whether a hidden threat shows in the scan, and where: the ground truth names only what an
image can support.

A pixel shows the threat when the threat changes that pixel of the standard rendering (what
the officer and the model see) by a few grey levels, and by more than the noise there:
photon noise of the counts that reach the pixel through everything in the beam, plus the
detector's row-gain spread. Behind a loaded container at MeV energies, or inside goods the
beam does not get through, a threat may change nothing that can be seen; no officer and no
model can find it, so it gets no box.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..imaging.settings import DEFAULT
from ..imaging.tone import tone_curve
from .canvas import Canvas
from .detector import Detector

# A pixel shows the threat when the rendering changes by this many grey levels (of 255) and by
# this many noise sigmas...
PIXEL_LEVELS, PIXEL_SNR = 4.0, 2.0
# ...and the threat is seen when at least MIN_STRONG_PIXELS change clearly: a small patch of
# plain contrast, which is what both screeners and detectors need to notice anything at all.
STRONG_LEVELS, STRONG_SNR = 10.0, 4.0
MIN_STRONG_PIXELS = 8


def seen_box(layer: Canvas, scene: Canvas, detector: Detector,
             body: np.ndarray | None = None) -> tuple[float, float, float, float] | None:
    """(x1, y1, x2, y2) in scan pixels of where ``layer`` (one threat's attenuation, already
    folded into ``scene``) shows; None when it does not show enough to be found. With ``body``
    (bool, layer-sized) only the threat's body counts: leads trailing from it do not."""
    r, c = layer.row0 - scene.row0, layer.col0 - scene.col0
    top, left = max(r, 0), max(c, 0)
    bottom, right = min(r + layer.rows, scene.rows), min(c + layer.cols, scene.cols)
    if bottom <= top or right <= left:
        return None
    threat = np.ascontiguousarray(layer.high[top - r : bottom - r, left - c : right - c])
    total = scene.high[top:bottom, left:right]
    if detector.blur_sigma_px > 0:  # thin wires lose contrast in the scintillator's spread
        threat = cv2.GaussianBlur(threat, (0, 0), detector.blur_sigma_px)
    without = np.maximum(total - threat, 0.0)
    levels = 255.0 * np.abs(_brightness(total) - _brightness(without))
    counts = detector.air_count * np.exp(-np.minimum(total, 30.0))
    sigma = np.sqrt(1.0 / np.maximum(counts, 1e-6) + detector.row_gain_spread**2)
    snr = threat / sigma
    inside: np.ndarray | bool = True
    if body is not None:
        # The body's edge spreads as far as the blur does.
        reach = 1 + int(np.ceil(2.0 * detector.blur_sigma_px))
        grown = cv2.dilate(body.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        inside = grown[top - r : bottom - r, left - c : right - c].astype(bool)
    strong = (levels >= STRONG_LEVELS) & (snr >= STRONG_SNR) & inside
    if int(np.count_nonzero(strong)) < MIN_STRONG_PIXELS:
        return None
    shows = (levels >= PIXEL_LEVELS) & (snr >= PIXEL_SNR) & inside
    rows = np.flatnonzero(shows.any(axis=1))
    cols = np.flatnonzero(shows.any(axis=0))
    x0, y0 = scene.col0 + left, scene.row0 + top
    return (float(x0 + cols[0]), float(y0 + rows[0]), float(x0 + cols[-1] + 1), float(y0 + rows[-1] + 1))


def _brightness(attenuation: np.ndarray) -> np.ndarray:
    """The standard rendering's brightness 0..1 for a high-energy attenuation: the display's own
    tone curve at its default settings (black beyond the impenetrable limit)."""
    return tone_curve(np.exp(-attenuation), DEFAULT, rendered=False, floor=0.0)
