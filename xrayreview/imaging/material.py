"""Material class per pixel from dual energy: organic, mixed/light inorganic, metal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..physics.attenuation import class_boundaries
from ..scan.model import Scan

# Baggage scanners are most often 140/80 kV; assumed when a dual-energy scan does not say.
DEFAULT_ENERGIES_KEV = (140.0, 80.0)
# Below this attenuation (ln units) the ratio is mostly noise: nothing is there to classify.
MIN_ATTENUATION = 0.05
# Beyond this the beam is gone: impenetrable, no material can be told.
MAX_ATTENUATION = 5.3  # transmission < 0.5 %

ORGANIC, MIXED, METAL, UNKNOWN, IMPENETRABLE = "organic", "mixed", "metal", "none", "impenetrable"


@dataclass(frozen=True)
class MaterialScale:
    """Maps the low/high attenuation ratio onto a continuous class position 0 (organic) … 2 (metal)."""

    organic_ratio: float
    mixed_ratio: float
    rises_with_z: bool

    @classmethod
    def for_scan(cls, scan: Scan) -> MaterialScale:
        meta = scan.metadata
        if meta.energy_high_kev and meta.energy_low_kev:
            high, low = meta.energy_high_kev, meta.energy_low_kev
        else:
            high, low = DEFAULT_ENERGIES_KEV
        return cls(*class_boundaries(high, low))

    def position(self, ratio: np.ndarray) -> np.ndarray:
        """0 at pure organic, 1 at the mixed band centre, 2 at metal; float32."""
        a, b = self.organic_ratio, self.mixed_ratio
        if not self.rises_with_z:
            ratio, a, b = -ratio, -a, -b
        width = b - a
        # Class borders sit at 0.5 and 1.5: organic/mixed at ratio a, mixed/metal at ratio b.
        pos = 0.5 + (ratio - a) / width
        return np.clip(pos, 0.0, 2.0).astype(np.float32)


def attenuations(scan: Scan) -> tuple[np.ndarray, np.ndarray | None]:
    """-ln(T) per channel, float32, with zero counts clamped to the impenetrable limit."""
    floor = np.float32(0.5 / scan.full_scale)  # half a count: zero counts stay finite
    high = -np.log(np.maximum(scan.transmission_high(), floor))
    low_t = scan.transmission_low()
    low = None if low_t is None else -np.log(np.maximum(low_t, floor))
    return high, low


def class_position(scan: Scan) -> np.ndarray | None:
    """Continuous material position per pixel for dual-energy scans, else None."""
    a_high, a_low = attenuations(scan)
    if a_low is None:
        return None
    ratio = a_low / np.maximum(a_high, 1e-6)
    return MaterialScale.for_scan(scan).position(ratio)


def material_at(scan: Scan, x: int, y: int) -> str:
    """The material class of one pixel, for the readout."""
    if scan.low is None:
        return UNKNOWN
    t_high = min(float(scan.high[y, x]) / scan.full_scale, 1.0)
    t_low = min(float(scan.low[y, x]) / scan.full_scale, 1.0)
    a_high = -np.log(max(t_high, 1e-9))
    a_low = -np.log(max(t_low, 1e-9))
    if a_high > MAX_ATTENUATION:
        return IMPENETRABLE
    if a_high < MIN_ATTENUATION:
        return UNKNOWN
    pos = float(MaterialScale.for_scan(scan).position(np.array([a_low / a_high]))[0])
    return ORGANIC if pos < 0.5 else MIXED if pos < 1.5 else METAL
