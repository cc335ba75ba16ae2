"""The real materials scenes are built from, and their linear attenuation at a scanner's energies.

kV range: NIST XCOM through ``xraydb`` (mixture rule over the formula). MeV range: the XCOM table
in attenuation.py, normalised per electron (Compton scattering dominates there, so μ/ρ follows
Z/A) and mixed element by element, which keeps hydrogen-rich plastics and water right.
Both use the same effective energy per channel as the station's material classifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .attenuation import MEV_ENERGIES_KEV, MEV_REGIME_KEV, MEV_TABLE, effective_energy_kev


@dataclass(frozen=True)
class Material:
    formula: str  # atom counts, as xraydb parses them
    density: float  # g/cm³ as the object holds it (porous goods lower than the solid)


# Bulk densities: textiles, paper stacks and foods are porous, so lighter than their solids.
MATERIALS: dict[str, Material] = {
    "steel": Material("Fe98C2", 7.85),
    "cast_iron": Material("Fe90C10", 7.2),
    "aluminium": Material("Al", 2.70),
    "copper": Material("Cu", 8.96),
    "brass": Material("Cu65Zn35", 8.50),
    "lead": Material("Pb", 11.34),
    "zinc": Material("Zn", 7.13),
    "water": Material("H2O", 1.00),
    "polyethylene": Material("C2H4", 0.94),
    "polymer": Material("C6H11NO", 1.14),  # nylon / glass-free gun frames, cases
    "polycarbonate": Material("C16H14O3", 1.20),
    "abs": Material("C8H8", 1.05),
    "pvc": Material("C2H3Cl", 1.38),  # cable insulation: chlorine makes it look mixed
    "wood": Material("C6H10O5", 0.60),
    "plywood": Material("C6H10O5", 0.70),
    "paper": Material("C6H10O5", 0.85),
    "cardboard": Material("C6H10O5", 0.25),
    "textile": Material("C6H10O5", 0.30),
    "leather": Material("C5H8O2N", 0.90),
    "rubber": Material("C5H8S0.05", 1.15),
    "foam": Material("C8H8", 0.05),
    "glass": Material("Na2CaSi6O14", 2.50),
    "ceramic": Material("Al2Si2O7", 2.30),
    "silicon": Material("Si", 2.33),
    "fr4": Material("Si1O2.6C3H3", 1.85),  # glass-epoxy circuit board
    "explosive": Material("C3H6N6O6", 1.72),  # RDX-like
    "tnt": Material("C7H5N3O6", 1.65),
    "soap": Material("C18H35NaO2", 1.05),
    "food": Material("C6H12O6H20O10", 0.90),  # sugars in water, packed
    "chocolate": Material("C12H22O11", 1.30),
    "salt": Material("NaCl", 1.20),
    "cosmetic": Material("H2OC1Ca0.05", 1.10),
    "diesel": Material("C12H23", 0.83),
    "battery_core": Material("MnO2Zn", 3.50),  # alkaline cells: MnO2 cathode, zinc anode
    "li_ion_core": Material("LiCoO2C6Cu0.3Al0.3", 2.60),
    "lead_azide": Material("PbN6", 4.70),
    "ferrite": Material("Fe2O3Mn0.3", 4.80),  # transformer and speaker cores
}

# Electrons per nucleon of the MeV table's rows, to normalise them per electron.
_TABLE_Z_OVER_A = {"H2O": 0.5551, "C": 0.4995, "Al": 0.4818, "Fe": 0.4656, "Cu": 0.4564, "Pb": 0.3958}


def material(name: str) -> Material:
    try:
        return MATERIALS[name]
    except KeyError:
        raise ValueError(f"unknown material {name!r}; known: {', '.join(sorted(MATERIALS))}") from None


@lru_cache(maxsize=64)
def _composition(formula: str) -> tuple[tuple[int, float, float], ...]:
    """(Z, mass fraction, Z/A) per element."""
    import xraydb  # noqa: PLC0415 - heavy import, only when a material is first used

    counts = xraydb.chemparse(formula)
    masses = {el: n * xraydb.atomic_mass(el) for el, n in counts.items()}
    total = sum(masses.values())
    rows = []
    for el, mass in masses.items():
        z = xraydb.atomic_number(el)
        rows.append((z, mass / total, z / xraydb.atomic_mass(el)))
    return tuple(rows)


def _mev_per_electron(z: float, energy_kev: float) -> float:
    """XCOM μ/ρ per unit Z/A at an effective energy, interpolated in Z between table rows."""
    log_grid = np.log(MEV_ENERGIES_KEV)
    rows = sorted(MEV_TABLE.items(), key=lambda item: item[1][0])
    zs = np.array([row[0] for _, row in rows])
    values = np.array(
        [
            np.exp(np.interp(np.log(energy_kev), log_grid, np.log(row[1]))) / _TABLE_Z_OVER_A[name]
            for name, row in rows
        ]
    )
    return float(np.interp(z, zs, values))


@lru_cache(maxsize=2048)
def mass_attenuation(name: str, nominal_kev: float) -> float:
    """μ/ρ in cm²/g of a named material at a scanner's nominal energy (kVp, or linac endpoint)."""
    mat = material(name)
    energy = effective_energy_kev(nominal_kev)
    if nominal_kev >= MEV_REGIME_KEV:
        return sum(w * za * _mev_per_electron(z, energy) for z, w, za in _composition(mat.formula))
    import xraydb  # noqa: PLC0415

    return float(xraydb.material_mu(mat.formula, energy * 1000.0, density=1.0))


@lru_cache(maxsize=2048)
def linear_mu_per_mm(name: str, nominal_kev: float) -> float:
    """μ in 1/mm: what one millimetre of the material at its density attenuates (ln units)."""
    return mass_attenuation(name, nominal_kev) * material(name).density / 10.0


def transmission(name: str, thickness_mm: float, nominal_kev: float) -> float:
    """Beer–Lambert: the fraction of the beam a slab of the material lets through."""
    return float(np.exp(-linear_mu_per_mm(name, nominal_kev) * thickness_mm))
