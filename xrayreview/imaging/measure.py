"""Distances on a scan: millimetres when the pixel pitch is known, pixels otherwise."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..scan.model import Scan


@dataclass(frozen=True)
class Measurement:
    length: float  # in ``unit``
    unit: str  # "mm" or "px"
    pixels: float  # the same distance in scan pixels

    def label(self) -> str:
        if self.unit == "mm":
            return f"{self.length:.0f} mm" if self.length >= 100 else f"{self.length:.1f} mm"
        return f"{self.length:.1f} px"


def measure(scan: Scan, p0: tuple[float, float], p1: tuple[float, float]) -> Measurement:
    """Straight distance between two points given as (x, y) in scan pixels."""
    pixels = math.hypot(float(p1[0]) - float(p0[0]), float(p1[1]) - float(p0[1]))
    pitch = scan.metadata.pixel_pitch_mm
    if pitch and pitch > 0:
        return Measurement(pixels * pitch, "mm", pixels)
    return Measurement(pixels, "px", pixels)
