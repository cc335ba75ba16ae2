"""Mass attenuation coefficients (cm²/g) and the dual-energy ratios that separate materials.

kV range (baggage): NIST XCOM data through the ``xraydb`` package. MeV range (cargo):
approximate XCOM values tabulated below, interpolated log-log in energy and linearly in
effective Z between tabulated materials. Both regimes use one effective energy per channel.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Nominal source energies at or above this are linac endpoints (cargo), below are tube kVp.
MEV_REGIME_KEV = 1000.0

# XCOM mass attenuation (cm²/g) at 1, 2, 3, 4, 6, 10 MeV.
MEV_ENERGIES_KEV = np.array([1000.0, 2000.0, 3000.0, 4000.0, 6000.0, 10000.0])
MEV_TABLE = {
    "H2O": (7.42, [0.0707, 0.0494, 0.0397, 0.0340, 0.0277, 0.0222]),
    "C": (6.0, [0.0636, 0.0444, 0.0356, 0.0305, 0.0247, 0.0196]),
    "Al": (13.0, [0.0615, 0.0432, 0.0354, 0.0311, 0.0266, 0.0232]),
    "Fe": (26.0, [0.0600, 0.0427, 0.0362, 0.0331, 0.0306, 0.0299]),
    "Cu": (29.0, [0.0590, 0.0421, 0.0360, 0.0332, 0.0312, 0.0309]),
    "Pb": (82.0, [0.0710, 0.0461, 0.0423, 0.0420, 0.0439, 0.0497]),
}

# Where the vendors' colour classes meet, in effective atomic number.
ORGANIC_MAX_Z = 10.0  # below: orange (organic)
MIXED_MAX_Z = 18.0  # below: green (mixed / light inorganic); above: blue (metal)


def effective_energy_kev(nominal_kev: float) -> float:
    """One energy standing for a whole bremsstrahlung spectrum.

    Behind the filtration of a sandwich dual-energy detector a tube's spectrum centres near
    60 % of its kVp; a linac's thick-target spectrum behind container steel hardens to about
    the same share of its endpoint.
    """
    return nominal_kev * 0.6


def _mev_mu(zeff: float, energy_kev: float) -> float:
    """MeV mass attenuation for an effective Z, interpolated through the table."""
    log_e = np.log(energy_kev)
    log_grid = np.log(MEV_ENERGIES_KEV)
    rows = sorted(MEV_TABLE.values(), key=lambda row: row[0])
    zs = np.array([z for z, _ in rows])
    per_material = np.array([np.exp(np.interp(log_e, log_grid, np.log(values))) for _, values in rows])
    return float(np.interp(zeff, zs, per_material))


@lru_cache(maxsize=4096)
def element_mu(z: float, nominal_kev: float) -> float:
    """Mass attenuation (cm²/g) of an element of atomic number ``z`` at a nominal source energy."""
    energy = effective_energy_kev(nominal_kev)
    if nominal_kev >= MEV_REGIME_KEV:
        return _mev_mu(z, energy)
    import xraydb  # noqa: PLC0415 - only the kV regime needs it

    return float(xraydb.mu_elam(int(round(z)), energy * 1000.0))


def zeff_ratio(z: float, high_kev: float, low_kev: float) -> float:
    """Attenuation ratio ln(T_low)/ln(T_high) a material of effective Z shows in this energy pair."""
    return element_mu(z, low_kev) / element_mu(z, high_kev)


def class_boundaries(high_kev: float, low_kev: float) -> tuple[float, float, bool]:
    """Ratios at the organic/mixed and mixed/metal borders, and whether ratio rises with Z.

    In the kV range the photoelectric effect makes the ratio grow with Z; at MeV energies pair
    production makes it fall, so the comparison flips.
    """
    organic = zeff_ratio(ORGANIC_MAX_Z, high_kev, low_kev)
    mixed = zeff_ratio(MIXED_MAX_Z, high_kev, low_kev)
    return organic, mixed, mixed > organic
