"""Physics-based generator of cargo and baggage scans with threats, and threat image projection.

Scenes are 3-D posed primitives of real materials, projected with Beer–Lambert at the scanner's
two energies, with photon noise and detector blur. Everything follows from the seed.
"""

from .generate import generate_scan, generate_tile
from .placement import Difficulty, GroundTruth
from .threats import THREAT_CATEGORIES
from .tip import project_threat

__all__ = [
    "THREAT_CATEGORIES",
    "Difficulty",
    "GroundTruth",
    "generate_scan",
    "generate_tile",
    "project_threat",
]
