"""Halved copies of a scan for zoomed-out views, built on first use.

A screen pixel that covers several scan pixels shows their average (each level is a 2×2 box
average of the one above, as a coarser detector would see), and sampling from the level
nearest the screen's scale keeps a redraw's cost set by the screen, not the scan. Level 0 is
the scan itself. Dual-energy colour codes are kept per level and filled in row bands as
views first need them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import cv2
import numpy as np

from ..scan.model import Scan
from .dual import MaterialCoder
from .rendered import split_value

# Levels stop once the smaller side would drop below this many pixels.
SMALLEST_SIDE = 16
BAND_ROWS = 256


def _halve(array: np.ndarray) -> np.ndarray:
    h, w = array.shape[:2]
    even = array[: h - h % 2, : w - w % 2]
    return cv2.resize(even, (even.shape[1] // 2, even.shape[0] // 2), interpolation=cv2.INTER_AREA)


class Level:
    """One resolution of a scan: channels 2**k times smaller than the scan on each side."""

    def __init__(self, k: int, high: np.ndarray, low: np.ndarray | None, colour: np.ndarray | None) -> None:
        self.k, self.high, self.low, self.colour = k, high, low, colour
        self.scale = 2**k
        self._codes: np.ndarray | None = None
        self._value_chroma: tuple[np.ndarray, np.ndarray] | None = None
        # Row bands filled so far: a level holds either codes (dual energy) or value/chroma (RGB).
        self._done = np.zeros(-(-high.shape[0] // BAND_ROWS), dtype=bool)
        # The viewer and a worker (the detector, an export) may render the same scan at once.
        self._lock = threading.Lock()

    @property
    def width(self) -> int:
        return int(self.high.shape[1])

    @property
    def height(self) -> int:
        return int(self.high.shape[0])

    def _missing_bands(self, y0: float, y1: float) -> Iterator[slice]:
        """Row bands of y0..y1 not filled yet; call with the lock held.

        Each band counts as filled once the caller's loop body for it has run (a failure
        part-way leaves it to be filled next time).
        """
        first = max(int(y0), 0) // BAND_ROWS
        last = -(-min(int(np.ceil(y1)), self.height) // BAND_ROWS)
        for band in np.flatnonzero(~self._done[first:last]) + first:
            yield slice(int(band) * BAND_ROWS, (int(band) + 1) * BAND_ROWS)
            self._done[band] = True

    def codes(self, coder: MaterialCoder, y0: float, y1: float) -> np.ndarray:
        """The level's colour code image, guaranteed encoded for rows y0..y1."""
        assert self.low is not None
        with self._lock:
            if self._codes is None:
                self._codes = np.empty(self.high.shape, dtype=np.uint16)
            for rows in self._missing_bands(y0, y1):
                self._codes[rows] = coder.encode(self.high[rows], self.low[rows])
        return self._codes

    def value_chroma(self, y0: float, y1: float) -> tuple[np.ndarray, np.ndarray]:
        """An RGB level split into value and chroma (see rendered.py), guaranteed for rows y0..y1.

        In row bands as views need them, like the codes: splitting a long colour scan whole
        for a small view took seconds and several times the scan's size in temporaries.
        """
        assert self.colour is not None
        with self._lock:
            if self._value_chroma is None:
                self._value_chroma = (np.empty(self.high.shape, np.uint8),
                                      np.empty(self.colour.shape, np.uint8))
            value, chroma = self._value_chroma
            for rows in self._missing_bands(y0, y1):
                value[rows], chroma[rows] = split_value(self.colour[rows])
        return self._value_chroma

    def halved(self) -> Level:
        low = None if self.low is None else _halve(self.low)
        colour = None if self.colour is None else _halve(self.colour)
        return Level(self.k + 1, _halve(self.high), low, colour)


class Pyramid:
    def __init__(self, scan: Scan) -> None:
        colour = scan.colour if scan.low is None else None
        self._levels = [Level(0, scan.high, scan.low, colour)]
        self._lock = threading.Lock()
        self.deepest = 0
        side = min(scan.width, scan.height)
        while side // 2 >= SMALLEST_SIDE:
            side //= 2
            self.deepest += 1

    def for_scale(self, scale: float) -> Level:
        """The coarsest level still at least as fine as ``scale`` scan pixels per screen pixel."""
        k = int(np.floor(np.log2(scale))) if scale >= 2.0 else 0
        return self.level(min(k, self.deepest))

    def level(self, k: int) -> Level:
        with self._lock:
            while len(self._levels) <= k:
                self._levels.append(self._levels[-1].halved())
            return self._levels[k]
