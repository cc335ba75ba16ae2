"""Distances on a scan: millimetres when the pixel pitch is known, pixels otherwise."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..scan.model import Scan

# Lengths from here on are labelled in scientific notation (a pitch of 1e300 gave 300 digits).
LONGEST_PLAIN = 1e9


@dataclass(frozen=True)
class Measurement:
    length: float  # in ``unit``
    unit: str  # "mm" or "px"
    pixels: float  # the same distance in scan pixels

    def label(self) -> str:
        if self.length >= LONGEST_PLAIN:  # only an absurd pitch gets here: keep the label short
            return f"{self.length:.4g} {self.unit}"
        if self.unit == "mm":
            return f"{self.length:.0f} mm" if self.length >= 100 else f"{self.length:.1f} mm"
        return f"{self.length:.1f} px"


def measure(scan: Scan, p0: tuple[float, float], p1: tuple[float, float]) -> Measurement:
    """Straight distance between two points given as (x, y) in scan pixels.

    Millimetres need a finite, positive pixel pitch; otherwise the distance is in pixels.
    Points that are not finite numbers raise ValueError.
    """
    coords = (float(p0[0]), float(p0[1]), float(p1[0]), float(p1[1]))
    if not all(math.isfinite(v) for v in coords):
        raise ValueError(f"measurement points must be finite, not {p0} and {p1}")
    pixels = math.hypot(coords[2] - coords[0], coords[3] - coords[1])
    pitch = scan.metadata.pixel_pitch_mm
    # A sidecar's 1e400 or Infinity parses as inf: that is no pitch, not a length of inf mm.
    if pitch and math.isfinite(pitch) and pitch > 0:
        return Measurement(pixels * pitch, "mm", pixels)
    return Measurement(pixels, "px", pixels)
