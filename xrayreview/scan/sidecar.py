"""Optional JSON next to a scan: pixel pitch, scanner, energies, object id, manifest."""

from __future__ import annotations

import json
import math
from pathlib import Path

from .model import ScanMetadata

KNOWN_KEYS = {
    "pixel_pitch_mm", "scanner", "energy_high_kev", "energy_low_kev", "object_id",
    "container_id", "bag_id", "object_kind", "manifest",
}


def sidecar_path(scan_path: Path, stem: str | None = None) -> Path | None:
    """`scan.tif.json` or `scan.json` beside the scan; `stem` names a pair's common stem."""
    candidates = [scan_path.with_name(scan_path.name + ".json")]
    candidates.append(scan_path.with_name((stem or scan_path.stem) + ".json"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> tuple[ScanMetadata, list[str]]:
    """Metadata and warnings. A broken sidecar never stops a scan from opening."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ScanMetadata(), [f"Sidecar {path.name} could not be read ({exc}); metadata ignored."]
    if not isinstance(data, dict):
        return ScanMetadata(), [f"Sidecar {path.name} is not a JSON object; metadata ignored."]
    warnings: list[str] = []

    def number(key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        # Python's JSON reader takes Infinity and 1e400 (inf): no pitch or energy is infinite.
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf:
            return float(value)
        warnings.append(f"Sidecar {path.name}: {key}={value!r} is not a positive number; ignored.")
        return None

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    metadata = ScanMetadata(
        pixel_pitch_mm=number("pixel_pitch_mm"),
        scanner=text("scanner"),
        energy_high_kev=number("energy_high_kev"),
        energy_low_kev=number("energy_low_kev"),
        object_id=text("object_id") or text("container_id") or text("bag_id"),
        object_kind=text("object_kind"),
        manifest=text("manifest"),
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS},
    )
    return metadata, warnings
