"""The trainer's library: scans with known content (ground-truth threats, or clean).

An entry is a file (a bundled sample or an import) or a generated scan named by its
generator kind and seed, so a library is a small JSON document, never a copy of the images.
Changes go through ``edit_library``, which asks first whether the account may still make them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..decisions.log import DecisionLog
from ..decisions.permissions import HasRole
from ..scan import Scan, load_scan
from ..scan.loader import starts_as_dicom
from ..scan.pairing import find_pair
from ..scan.sidecar import sidecar_path
from .access import require_builder
from .errors import TrainingError
from .scoring import Threat

T = TypeVar("T")


@dataclass(frozen=True)
class LibraryScan:
    id: str
    path: str | None = None
    generated: dict[str, Any] | None = None  # {"kind": "cargo", "seed": 7, "difficulty": {...}}
    threats: tuple[Threat, ...] = ()  # known threats in the scan as it is; none = clean
    note: str = ""

    @property
    def clean(self) -> bool:
        return not self.threats

    def load(self) -> Scan:
        """The scan itself; ScanError for a missing or broken file, TrainingError without a generator."""
        if self.path:
            return load_scan(self.path)
        if self.generated:
            return _generate(self.generated)
        raise TrainingError(f"Library entry {self.id} names neither a file nor a generated scan.")

    def source_files(self) -> list[Path]:
        """The files ``load`` reads the scan from: its image(s) and sidecar; none for a generated scan.

        Found the way the loader finds them (the energy partner, the sidecar beside it), so a
        digest of these covers everything that makes the scan the trainee sees.
        """
        if not self.path:
            return []
        path = Path(self.path)
        if starts_as_dicom(path):
            return [path, *_dicos_partner(path)]
        pair = find_pair(path)
        images, stem = ([pair[0], pair[1]], pair[2]) if pair else ([path], None)
        sidecar = sidecar_path(images[0], stem)
        return images + ([sidecar] if sidecar is not None else [])

    def digests(self) -> dict[str, str]:
        """SHA-256 of each source file by file name; a file that cannot be read is left out."""
        found = {}
        for path in self.source_files():
            try:
                with path.open("rb") as handle:
                    found[path.name] = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError:
                continue
        return found

    def check_digests(self, recorded: dict[str, str]) -> None:
        """TrainingError naming the first file that is not as ``recorded`` (by ``digests``) any more.

        Keyed by file name, not by full path: a library folder moved whole still matches.
        """
        if not recorded:
            return
        folder = Path(self.path).parent if self.path else Path()
        current = self.digests()
        advice = ("so the ground truth stored with this session may not match the scan any more. Put the "
                  "original file back or ask the trainer to build the session again.")
        for name, digest in sorted(recorded.items()):
            if name not in current:
                raise TrainingError(f"The library file {folder / name} (scan {self.id}) is missing or cannot "
                                    f"be read since this session was built, {advice}")
            if current[name] != digest:
                raise TrainingError(f"The library file {folder / name} (scan {self.id}) changed after this "
                                    f"session was built (its SHA-256 differs), {advice}")
        added = sorted(set(current) - set(recorded))
        if added:  # e.g. a sidecar put beside the scan: it changes what the loader makes of it
            raise TrainingError(f"The library file {folder / added[0]} (scan {self.id}) was added after "
                                f"this session was built and changed what the scan is read from, {advice}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "generated": self.generated, "note": self.note,
                "threats": [threat_to_dict(t) for t in self.threats]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LibraryScan:
        return cls(str(data["id"]), data.get("path"), data.get("generated"),
                   tuple(threat_from_dict(t) for t in data.get("threats") or ()), str(data.get("note", "")))


@dataclass
class Library:
    scans: list[LibraryScan] = field(default_factory=list)

    def clean(self) -> list[LibraryScan]:
        return [s for s in self.scans if s.clean]

    def get(self, scan_id: str) -> LibraryScan:
        for entry in self.scans:
            if entry.id == scan_id:
                return entry
        raise TrainingError(f"The library has no scan {scan_id!r}; was it removed since?")

    def add(self, entry: LibraryScan) -> None:
        if any(s.id == entry.id for s in self.scans):
            raise TrainingError(f"The library already has a scan {entry.id!r}.")
        self.scans.append(entry)

    def remove(self, scan_ids: Iterable[str]) -> int:
        """Take the scans with these ids out; how many went. An id not here is a TrainingError."""
        gone = set(scan_ids)
        missing = gone - {s.id for s in self.scans}
        if missing:
            raise TrainingError(f"The library has no scan {sorted(missing)[0]!r}; was it removed since?")
        before = len(self.scans)
        self.scans = [s for s in self.scans if s.id not in gone]
        return before - len(self.scans)

    def save(self, path: Path) -> None:
        text = json.dumps({"scans": [s.to_dict() for s in self.scans]}, indent=1, ensure_ascii=False)
        partial = path.with_name(path.name + ".partial")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)
        except BaseException:
            # A full disk left a truncated library.json.partial behind for good.
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Library:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls([LibraryScan.from_dict(s) for s in data["scans"]])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TrainingError(f"The training library {path} cannot be read ({exc}).") from exc

    @classmethod
    def of_files(cls, paths: Iterable[Path], threats: dict[str, list[Threat]] | None = None) -> Library:
        """Entries for files, clean unless ``threats`` names their known content (by file name)."""
        threats = threats or {}
        return cls([LibraryScan(Path(p).name, str(p), threats=tuple(threats.get(Path(p).name, ())))
                    for p in paths])


def edit_library(library: Library, path: Path, change: Callable[[Library], T], *, account: HasRole | None,
                 decisions: DecisionLog | None = None) -> T:
    """Make ``change`` to ``library`` and save it to ``path``, if ``account`` may still: what ``change``
    returns.

    Asked as building a session is (``require_builder``), of the station's accounts when
    ``decisions`` is given: a trainer demoted or disabled while the trainer window is open imports,
    adds and removes nothing more (PermissionDenied, AccountRefused; DecisionLogError when the
    accounts cannot be read), and the library and its file stay as they were. ``change`` works on
    a copy, put in place only once it has gone through whole (a TrainingError half-way leaves
    nothing of it). A save that fails (OSError) leaves the change in ``library``, to be saved with
    the next one.
    """
    require_builder(account, decisions=decisions)
    edited = Library(list(library.scans))
    result = change(edited)
    library.scans[:] = edited.scans  # in place: the trainer window's panel and builder share this library
    library.save(path)
    return result


def threat_to_dict(threat: Threat) -> dict[str, Any]:
    box = [round(float(v), 2) for v in threat.box]
    return {"box": box, "category": threat.category, "label": threat.label}


def threat_from_dict(data: dict[str, Any]) -> Threat:
    """ValueError for a box that no mark could ever hit (so no trainee is scored against it)."""
    x1, y1, x2, y2 = (float(v) for v in data["box"])
    if not all(map(math.isfinite, (x1, y1, x2, y2))) or x2 <= x1 or y2 <= y1:
        raise ValueError(f"a threat's box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1, "
                         f"not {data['box']!r}")
    return Threat((x1, y1, x2, y2), str(data["category"]), str(data.get("label", "")))


def clipped_to(threats: list[Threat], width: int, height: int) -> list[Threat]:
    """The threats with their boxes cut to the image, as projected threats' boxes are; ValueError for
    one wholly outside it (the ground truth belongs to another image, or is in another convention)."""
    inside = []
    for threat in threats:
        x1, y1, x2, y2 = threat.box
        box = (max(x1, 0.0), max(y1, 0.0), min(x2, float(width)), min(y2, float(height)))
        if box[2] <= box[0] or box[3] <= box[1]:
            raise ValueError(f"the {threat.label or threat.category} at {list(threat.box)} lies outside "
                             f"the {width}×{height} scan")
        inside.append(Threat(box, threat.category, threat.label))
    return inside


def _dicos_partner(path: Path) -> list[Path]:
    """The other energy's file of a DICOS image, found by its header as the loader finds it."""
    from ..scan.dicos import find_partner, peek  # noqa: PLC0415 - pydicom only for DICOS entries

    header = peek(path, ["StudyInstanceUID", "PatientID", "ImageType", "Rows", "Columns"])
    found = find_partner(header, path) if header is not None else None
    return [found[0]] if found is not None else []


def _generate(spec: dict[str, Any]) -> Scan:
    try:
        from ..synth import generate_scan  # noqa: PLC0415 - the generator loads only when needed
    except ImportError as exc:
        raise TrainingError("Generated training scans need the threat generator (xrayreview.synth).") from exc
    from .staircase import TrainingDifficulty  # noqa: PLC0415

    difficulty = TrainingDifficulty.from_dict(spec.get("difficulty") or {}).for_generator()
    scan, _truth = generate_scan(spec["kind"], int(spec["seed"]), clean=True, difficulty=difficulty)
    return scan
