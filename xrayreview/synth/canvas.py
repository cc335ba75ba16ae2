"""Where a scene's parts add up: attenuation (Σ μ·t, ln units) at the scanner's two energies.

Adding μ·t per material straight into the two channels is the per-material path-length map
folded with Beer–Lambert, without keeping one map per material.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..physics.materials import linear_mu_per_mm
from .shapes import Part, path_length


class Canvas:
    """Attenuation maps for a grid of ``rows`` × ``cols`` pixels whose first pixel sits at
    (row0, col0) of the scan: a whole scan, or one object's own layer."""

    def __init__(
        self,
        rows: int,
        cols: int,
        pitch_mm: float,
        energies_kev: tuple[float, float],
        row0: int = 0,
        col0: int = 0,
    ) -> None:
        self.rows, self.cols, self.row0, self.col0 = rows, cols, row0, col0
        self.pitch = float(pitch_mm)
        self.energies = (float(energies_kev[0]), float(energies_kev[1]))
        self.high = np.zeros((rows, cols), np.float32)
        self.low = np.zeros((rows, cols), np.float32)

    @property
    def clip(self) -> tuple[int, int, int, int]:
        return self.row0, self.col0, self.rows, self.cols

    def mu(self, material: str) -> tuple[np.float32, np.float32]:
        """Linear attenuation per mm at the high and low energy."""
        return (
            np.float32(linear_mu_per_mm(material, self.energies[0])),
            np.float32(linear_mu_per_mm(material, self.energies[1])),
        )

    def add_lengths(
        self, material: str, row0: int, col0: int, lengths: np.ndarray, sign: float = 1.0
    ) -> None:
        """Add a patch of path lengths (mm) of one material placed at scan pixel (row0, col0)."""
        r, c = row0 - self.row0, col0 - self.col0
        h, w = lengths.shape
        top, left = max(r, 0), max(c, 0)
        bottom, right = min(r + h, self.rows), min(c + w, self.cols)
        if bottom <= top or right <= left:
            return
        patch = lengths[top - r : bottom - r, left - c : right - c]
        mu_high, mu_low = self.mu(material)
        if sign < 0:
            mu_high, mu_low = -mu_high, -mu_low
        self.high[top:bottom, left:right] += mu_high * patch
        self.low[top:bottom, left:right] += mu_low * patch

    def add(self, parts: Iterable[Part]) -> None:
        x1, y1 = self.col0 * self.pitch, self.row0 * self.pitch
        x2, y2 = x1 + self.cols * self.pitch, y1 + self.rows * self.pitch
        for part in parts:
            # A cheap sphere test first: a window on a truck misses most of its parts.
            reach = _reach(part)
            cx, cy = part.center[0], part.center[1]
            if cx + reach < x1 or cx - reach > x2 or cy + reach < y1 or cy - reach > y2:
                continue
            found = path_length(part, self.pitch, self.clip)
            if found is not None:
                row0, col0, lengths = found
                self.add_lengths(part.material, row0, col0, lengths, part.sign)

    def add_canvas(self, other: Canvas, weight: float = 1.0) -> None:
        """Fold another layer (same energies and pitch) into this one."""
        r, c = other.row0 - self.row0, other.col0 - self.col0
        top, left = max(r, 0), max(c, 0)
        bottom, right = min(r + other.rows, self.rows), min(c + other.cols, self.cols)
        if bottom <= top or right <= left:
            return
        src = (slice(top - r, bottom - r), slice(left - c, right - c))
        self.high[top:bottom, left:right] += other.high[src] * np.float32(weight)
        self.low[top:bottom, left:right] += other.low[src] * np.float32(weight)

    def clamp(self) -> None:
        """Carved holes may round a hair below zero; no material attenuates negatively."""
        np.maximum(self.high, 0.0, out=self.high)
        np.maximum(self.low, 0.0, out=self.low)

    def visible_box(self, threshold: float,
                    within: np.ndarray | None = None) -> tuple[float, float, float, float] | None:
        """(x1, y1, x2, y2) in scan pixels of where this layer attenuates more than ``threshold``
        (only among the ``within`` pixels, when given)."""
        mask = self.high > threshold
        if within is not None:
            mask &= within
        rows = np.flatnonzero(mask.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(mask.any(axis=0))
        return (
            float(self.col0 + cols[0]),
            float(self.row0 + rows[0]),
            float(self.col0 + cols[-1] + 1),
            float(self.row0 + rows[-1] + 1),
        )


def _reach(part: Part) -> float:
    """A radius around the part's centre that holds all of it (infinite for wires)."""
    if part.kind == "wire":
        return math.inf
    if part.kind == "prism":
        return math.hypot(part.size[0], float(np.abs(part.outline).max()) * 1.5)
    return math.hypot(*part.size)
