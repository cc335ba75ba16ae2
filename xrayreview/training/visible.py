"""Whether a projected threat shows in what the trainee sees.

Placed under the densest clutter, beyond what the beam gets through, a threat changes nothing
on the screen: those pixels render black with it or without it. No trainee can find it, and
scoring it as a miss would be unfair and would corrupt the training record. So a placement is
checked on the station's standard rendering (what the trainee sees at reset), with and without
the threat, inside its ground-truth box (the box the trainee is scored by).

The numbers are the generator's own (synth/visibility.py, which decides whether a generated
threat gets a ground-truth box): one rule for "can be seen" across the station, rather than a
second, looser or stricter, one for training. That rule also asks for a signal-to-noise ratio,
computed from the detector's counts; a library file does not state those, so only its plain
contrast part applies here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..imaging.standard import render_standard
from ..scan import Scan

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Shown:
    """How clearly a projected threat shows: pixels of its box that change clearly, of how many needed."""

    pixels: int
    needed: int

    @property
    def shows(self) -> bool:
        return self.pixels >= self.needed


def shown(clean: Scan, projected: Scan, box: Box) -> Shown:
    """How the threat in ``projected`` (``clean`` with one threat projected in) shows inside ``box``.

    A pixel changes clearly when some colour channel of its standard rendering changes by
    STRONG_LEVELS grey levels or more. The largest channel change, not luminance alone: in
    pseudo-colour a steel part on organic goods may mostly change the hue (orange to blue), and
    a luminance change is never larger than the largest channel change, so it is covered too.
    """
    # The generator loads only when building, like the projection this checks.
    from ..synth.visibility import MIN_STRONG_PIXELS, STRONG_LEVELS  # noqa: PLC0415

    window = _window(box, clean.width, clean.height)
    if window is None:
        return Shown(0, MIN_STRONG_PIXELS)
    before = np.ascontiguousarray(render_standard(_crop(clean, window)))
    after = np.ascontiguousarray(render_standard(_crop(projected, window)))
    # cv2 and three plain maxima: numpy's max over a 3-long last axis took longer than both renders.
    change = cv2.absdiff(after, before)
    largest = np.maximum(np.maximum(change[..., 0], change[..., 1]), change[..., 2])
    return Shown(int(np.count_nonzero(largest >= STRONG_LEVELS)), MIN_STRONG_PIXELS)


def _window(box: Box, width: int, height: int) -> tuple[slice, slice] | None:
    """Rows and columns of every pixel the box touches, cut to the scan; None when none is left."""
    x1, y1, x2, y2 = box
    left, top = max(math.floor(x1), 0), max(math.floor(y1), 0)
    right, bottom = min(math.ceil(x2), width), min(math.ceil(y2), height)
    if right <= left or bottom <= top:
        return None
    return slice(top, bottom), slice(left, right)


def _crop(scan: Scan, window: tuple[slice, slice]) -> Scan:
    """The scan cut to ``window``, for rendering only.

    The standard rendering works pixel by pixel (lookup tables at full resolution, no
    neighbourhood filters at the default settings), so rendering the crop gives the same pixels
    as cropping the full rendering, at the cost of the truth box instead of a whole container.
    """
    return Scan(
        high=scan.high[window],
        low=None if scan.low is None else scan.low[window],
        colour=None if scan.colour is None else scan.colour[window],
        full_scale=scan.full_scale,
        metadata=scan.metadata,
    )
