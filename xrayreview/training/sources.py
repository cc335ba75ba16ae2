"""Where the trainer's library comes from: bundled samples, generated scans, imported files.

The library is a small JSON file in the station's data folder. A new station starts with the
bundled samples and a handful of generated cargo and baggage scans, so a trainer can build a
session at once. Known content comes from the scan's sidecar (``"threats": [{"box", "category",
"label"}]``, as the generator writes it); a scan without one is taken as clean only when the
trainer says so, because projecting a threat into a scan that already hides one would make
the ground truth wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..paths import SAMPLES_DIR, data_dir
from ..scan import Scan, ScanError, load_scan
from ..scan.pairing import split_energy_tag
from ..scan.sidecar import read_sidecar, sidecar_path
from .errors import TrainingError
from .library import Library, LibraryScan, clipped_to, threat_from_dict
from .scoring import Threat
from .staircase import LEVELS

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".dcs", ".dcm"}
GENERATED_KINDS = ("baggage", "cargo")
# A fresh library: this many generated scans of each kind, at the middle difficulty.
STARTER_GENERATED = 3


def default_library_path() -> Path:
    return data_dir() / "training_library.json"


def open_library(path: Path | None = None) -> Library:
    """The station's library, or a starter one (samples + generated scans) when there is none yet."""
    path = Path(path) if path is not None else default_library_path()
    if path.is_file():
        return Library.load(path)
    library = Library(bundled_samples() + [generated_entry(kind, seed) for kind in GENERATED_KINDS
                                           for seed in range(1, STARTER_GENERATED + 1)])
    return library


def bundled_samples(folder: Path = SAMPLES_DIR) -> list[LibraryScan]:
    """The shipped samples with their known content; a pair's low-energy file is not an entry."""
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES):
        tag = split_energy_tag(path)
        if tag is not None and tag[1] == "low":
            continue
        threats = sidecar_threats(path)
        if threats is None:
            continue  # content unknown: a sample without truth cannot score anyone
        entries.append(LibraryScan(f"sample:{path.relative_to(folder).as_posix()}", str(path),
                                   threats=tuple(threats), note="bundled sample"))
    return entries


def generated_entry(kind: str, seed: int, level: int = 2) -> LibraryScan:
    """A clean scan the generator makes from ``seed`` (nothing is stored but the recipe)."""
    if kind not in GENERATED_KINDS:
        raise TrainingError(f"The generator makes {' or '.join(GENERATED_KINDS)} scans, not {kind!r}.")
    difficulty = LEVELS[min(max(level, 0), len(LEVELS) - 1)].to_dict()
    return LibraryScan(f"generated:{kind}:{seed}", generated={"kind": kind, "seed": int(seed),
                                                             "difficulty": difficulty},
                       note=f"generated {kind}, load density {difficulty['density']:.2f}")


def import_scan(path: Path | str, *, clean: bool = False) -> tuple[LibraryScan, Scan]:
    """A library entry for a scan file the trainer brings, checked by loading it.

    Known content comes from the sidecar's ``threats``; without them the trainer must say the
    scan is clean (``clean=True``), else TrainingError explains what is missing.
    """
    path = Path(path)
    try:
        scan = load_scan(path)
    except ScanError as exc:
        raise TrainingError(f"{path.name} cannot be added to the library: {exc}") from exc
    threats = _threats_of(scan.metadata.extra.get("threats"), path)
    if threats is None:
        if not clean:
            raise TrainingError(f"{path.name} has no ground truth (no 'threats' in its sidecar JSON); "
                                "add it as a clean scan only if you know it holds no threat.")
        threats = []
    try:
        # A box reaching past the image could never be covered by a trainee's mark: always a miss.
        threats = clipped_to(threats, scan.width, scan.height)
    except ValueError as exc:
        raise TrainingError(f"The ground truth in {path.name}'s sidecar is wrong: {exc}.") from exc
    entry = LibraryScan(f"import:{path.name}", str(path.resolve()), threats=tuple(threats), note="imported")
    return entry, scan


def sidecar_threats(path: Path) -> list[Threat] | None:
    """The threats a scan file's sidecar names ([] for a scan known to be clean), None if unknown.

    Reads only the sidecar, so listing the samples never decodes their images.
    """
    tag = split_energy_tag(path)
    found = sidecar_path(path, tag[0] if tag else None)
    if found is None:
        return None
    metadata, _warnings = read_sidecar(found)
    try:
        return _threats_of(metadata.extra.get("threats"), path)
    except TrainingError:
        return None


def unique_id(library: Library, wanted: str) -> str:
    taken = {s.id for s in library.scans}
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted} ({number})" in taken:
        number += 1
    return f"{wanted} ({number})"


def describe(entry: LibraryScan) -> dict[str, Any]:
    """What the library table shows for an entry: source, content, the file or recipe."""
    source = entry.id.split(":", 1)[0] if ":" in entry.id else "file"
    if entry.clean:
        content = "clean"
    else:
        categories = sorted({t.category.replace("_", " ") for t in entry.threats})
        content = f"{len(entry.threats)} threat(s): {', '.join(categories)}"
    recipe = entry.generated or {}
    where = entry.path or ", ".join(f"{k}={v}" for k, v in recipe.items() if k != "difficulty")
    return {"id": entry.id, "source": source, "content": content, "where": where, "note": entry.note}


def _threats_of(value: Any, path: Path) -> list[Threat] | None:
    if value is None:
        return None
    try:
        return [threat_from_dict(t) for t in value]
    except (KeyError, TypeError, ValueError) as exc:
        raise TrainingError(f"The ground truth in {path.name}'s sidecar is malformed ({exc}).") from exc
