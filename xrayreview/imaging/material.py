"""Material class per pixel from dual energy: organic, mixed/light inorganic, metal."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..physics.attenuation import class_boundaries, zeff_ratio
from ..scan.model import Scan

# Baggage scanners are most often 140/80 kV; assumed when a dual-energy scan does not say.
DEFAULT_ENERGIES_KEV = (140.0, 80.0)
# Below this attenuation (ln units) the ratio is mostly noise: nothing is there to classify.
MIN_ATTENUATION = 0.05
# Beyond this the beam is gone: impenetrable, no material can be told.
MAX_ATTENUATION = 5.3  # transmission < 0.5 %
# When the low-energy channel is this dark its counts are gone and the ratio is only a lower
# bound. In the kV range, where the ratio rises with Z, only dense metal starves the low channel
# while the high one still sees through: shown as metal, as vendors do, not as "mixed".
LOW_STARVED_ATTENUATION = MAX_ATTENUATION

ORGANIC, MIXED, METAL, UNKNOWN, IMPENETRABLE = "organic", "mixed", "metal", "none", "impenetrable"


# Anchors of the class scale in effective Z: pure organic (carbon) and common metal (iron).
ORGANIC_ANCHOR_Z = 6.0
METAL_ANCHOR_Z = 26.0


@dataclass(frozen=True)
class MaterialScale:
    """Maps the low/high attenuation ratio onto a continuous class position 0 (organic) … 2 (metal).

    Piecewise linear through four ratios: carbon at 0, the organic/mixed border at 0.5, the
    mixed/metal border at 1.5 and iron at 2. Anchoring the ends at real materials keeps plastics,
    clothes and explosives at the organic end instead of part-way to mixed.
    """

    organic_ratio: float
    mixed_ratio: float
    rises_with_z: bool
    carbon_ratio: float
    iron_ratio: float

    @classmethod
    @lru_cache(maxsize=64)
    def for_energies(cls, high_kev: float, low_kev: float) -> MaterialScale:
        organic, mixed, rises = class_boundaries(high_kev, low_kev)
        return cls(organic, mixed, rises, zeff_ratio(ORGANIC_ANCHOR_Z, high_kev, low_kev),
                   zeff_ratio(METAL_ANCHOR_Z, high_kev, low_kev))

    @classmethod
    def for_scan(cls, scan: Scan) -> MaterialScale:
        meta = scan.metadata
        if meta.energy_high_kev and meta.energy_low_kev:
            return cls.for_energies(float(meta.energy_high_kev), float(meta.energy_low_kev))
        return cls.for_energies(*DEFAULT_ENERGIES_KEV)

    def position(self, ratio: np.ndarray) -> np.ndarray:
        """0 at carbon, 0.5 / 1.5 at the class borders, 2 at iron; float32."""
        anchors = np.array([self.carbon_ratio, self.organic_ratio, self.mixed_ratio, self.iron_ratio])
        ratio = np.asarray(ratio, dtype=np.float64)
        if not self.rises_with_z:
            ratio, anchors = -ratio, -anchors
        anchors = np.maximum.accumulate(anchors)  # guard: interp needs a rising grid
        return np.interp(ratio, anchors, [0.0, 0.5, 1.5, 2.0]).astype(np.float32)


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
    scale = MaterialScale.for_scan(scan)
    position = scale.position(ratio)
    if scale.rises_with_z:
        position[a_low > LOW_STARVED_ATTENUATION] = 2.0
    return position


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
    scale = MaterialScale.for_scan(scan)
    if scale.rises_with_z and a_low > LOW_STARVED_ATTENUATION:
        return METAL
    pos = float(scale.position(np.array([a_low / a_high]))[0])
    return ORGANIC if pos < 0.5 else MIXED if pos < 1.5 else METAL
