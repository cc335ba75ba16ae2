"""Which threat category a class name belongs to, when the model's sidecar does not say.

Customs services bring models trained on public datasets (SIXray, PIDray, OPIXray…) whose class
names differ; a keyword table maps the common names so their marks are coloured and alarmed on.
"""

from __future__ import annotations

import re

from .types import FIREARM, IED_COMPONENT, OTHER

_KEYWORDS: dict[str, tuple[str, ...]] = {
    FIREARM: (
        "gun", "handgun", "pistol", "revolver", "rifle", "shotgun", "firearm", "weapon", "smg",
        "carbine", "bullet", "ammunition", "ammo", "cartridge",
    ),
    IED_COMPONENT: (
        "ied", "bomb", "detonator", "explosive", "battery", "batteries", "power", "wire", "wiring",
        "timer", "circuit", "pcb", "fuse", "grenade", "charge", "cell",
    ),
}


def guess_category(class_name: str) -> str:
    """firearm / ied_component / other from the words in a class name."""
    words = set(re.split(r"[^a-z0-9]+", class_name.lower()))
    joined = class_name.lower()
    for category, keywords in _KEYWORDS.items():
        for keyword in keywords:
            # Whole words for short keywords (so "cell" does not match "cello"), substrings otherwise.
            if keyword in words or (len(keyword) > 4 and keyword in joined):
                return category
    return OTHER
