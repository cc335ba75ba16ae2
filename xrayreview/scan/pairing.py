"""The naming convention that pairs a dual-energy scan's two files.

``NAME_high.EXT`` with ``NAME_low.EXT`` (also ``-high``/``-low``, ``_he``/``_le``, any case).
Opening either file opens the pair.
"""

from __future__ import annotations

import re
from pathlib import Path

_PATTERN = re.compile(r"^(?P<stem>.+?)(?P<sep>[_\-.])(?P<tag>high|low|he|le)$", re.IGNORECASE)
_PARTNER = {"high": "low", "low": "high", "he": "le", "le": "he"}
_IS_HIGH = {"high", "he"}


def split_energy_tag(path: Path) -> tuple[str, str] | None:
    """(common stem, 'high'|'low') when the file name follows the convention."""
    match = _PATTERN.match(path.stem)
    if not match:
        return None
    return match["stem"], "high" if match["tag"].lower() in _IS_HIGH else "low"


def find_pair(path: Path) -> tuple[Path, Path, str] | None:
    """(high file, low file, common stem) when ``path`` has a partner beside it."""
    match = _PATTERN.match(path.stem)
    if not match:
        return None
    tag = match["tag"]
    partner_tag = _PARTNER[tag.lower()]
    if tag.isupper():
        partner_tag = partner_tag.upper()
    elif tag[0].isupper():
        partner_tag = partner_tag.capitalize()
    partner = path.with_name(f"{match['stem']}{match['sep']}{partner_tag}{path.suffix}")
    if not partner.is_file():
        return None
    if tag.lower() in _IS_HIGH:
        return path, partner, match["stem"]
    return partner, path, match["stem"]
