"""Which files in a folder are scans, with a dual-energy pair counted once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..scan.pairing import find_pair

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".tif", ".tiff", ".dcs", ".dcm", ".dicom"}


def scan_files(paths: Iterable[Path]) -> list[Path]:
    """Files given, plus every scan file directly in each folder given; the low file of a pair is left out
    (opening the high file opens both)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES))
        else:
            found.append(path)
    result: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        pair = find_pair(path) if path.exists() else None
        key = pair[0].resolve() if pair else path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(pair[0] if pair else path)
    return result
