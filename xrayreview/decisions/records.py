"""What an officer's decision and a supervisor's review hold, checked before they are written.

Marks are plain dicts so the log never depends on the detector's classes:
``{"label", "category", "score", "box": [x1, y1, x2, y2], "verdict"}`` for the detector's
marks (verdict ``confirmed``/``dismissed``/None when the officer left it), and
``{"label", "category", "box"}`` for the officer's own. Boxes are in scan pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scan.model import Scan
from .errors import InvalidRecord
from .vocabulary import DECISIONS, MARK_CATEGORIES, REASONS, REVIEW_VERDICTS, VERDICTS


@dataclass
class ModelInfo:
    name: str
    sha256: str
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "threshold": float(self.threshold)}


@dataclass
class ScanInfo:
    files: list[str]
    sha256: str
    width: int
    height: int
    source_format: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_scan(cls, scan: Scan) -> ScanInfo:
        meta = scan.metadata
        metadata = {
            "pixel_pitch_mm": meta.pixel_pitch_mm, "scanner": meta.scanner,
            "energy_high_kev": meta.energy_high_kev, "energy_low_kev": meta.energy_low_kev,
            "object_id": meta.object_id, "object_kind": meta.object_kind, "manifest": meta.manifest,
            "dual_energy": scan.is_dual_energy,
        }
        return cls([str(Path(p).resolve()) for p in scan.source], scan.sha256, scan.width, scan.height,
                   scan.source_format, {k: v for k, v in metadata.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return {"files": list(self.files), "sha256": self.sha256, "width": int(self.width),
                "height": int(self.height), "format": self.source_format, "metadata": _plain(self.metadata)}


@dataclass
class Decision:
    """One officer's decision on one scan, as it will be logged."""

    scan: ScanInfo
    decision: str
    opened_at: str
    reasons: list[str] = field(default_factory=list)
    note: str = ""
    model: ModelInfo | None = None
    detector_marks: list[dict[str, Any]] = field(default_factory=list)
    officer_marks: list[dict[str, Any]] = field(default_factory=list)
    corrects: int | None = None  # seq of the decision this one replaces

    def to_content(self, officer: str, station: str, decided_at: str) -> dict[str, Any]:
        self.validate()
        return {
            "officer": officer, "station": station, "opened_at": self.opened_at, "decided_at": decided_at,
            "scan": self.scan.to_dict(), "model": self.model.to_dict() if self.model else None,
            "detector_marks": [_detector_mark(m) for m in self.detector_marks],
            "officer_marks": [_officer_mark(m) for m in self.officer_marks],
            "decision": self.decision, "reasons": sorted(set(self.reasons)), "note": self.note.strip(),
            "corrects": self.corrects,
        }

    def validate(self) -> None:
        if self.decision not in DECISIONS:
            raise InvalidRecord(f"decision must be one of {', '.join(DECISIONS)}, not {self.decision!r}")
        unknown = [r for r in self.reasons if r not in REASONS]
        if unknown:
            raise InvalidRecord(f"unknown reason code(s): {', '.join(map(str, unknown))}")
        if not self.scan.files or not self.scan.sha256:
            raise InvalidRecord("a decision needs the scan's file(s) and SHA-256")
        if self.model is not None and not 0.0 <= self.model.threshold <= 1.0:
            raise InvalidRecord("the detector threshold must be between 0 and 1")
        if self.corrects is not None and (not isinstance(self.corrects, int) or self.corrects < 1):
            raise InvalidRecord("'corrects' must be the number of an earlier record")


def review_content(reviewed_seq: int, verdict: str, note: str, reviewer: str, at: str) -> dict[str, Any]:
    if verdict not in REVIEW_VERDICTS:
        raise InvalidRecord(f"review verdict must be one of {', '.join(REVIEW_VERDICTS)}")
    return {"reviewed_seq": int(reviewed_seq), "verdict": verdict, "note": note.strip(),
            "reviewer": reviewer, "at": at}


def _box(mark: dict[str, Any]) -> list[float]:
    box = mark.get("box")
    try:
        x1, y1, x2, y2 = (float(v) for v in box)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"a mark's box must be four numbers [x1, y1, x2, y2], not {box!r}") from exc
    if not all(map(math.isfinite, (x1, y1, x2, y2))) or x2 <= x1 or y2 <= y1:
        raise InvalidRecord(f"a mark's box must have x2 > x1 and y2 > y1: {box!r}")
    return [round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)]


def _category(mark: dict[str, Any]) -> str:
    category = mark.get("category") or "other"
    if category not in MARK_CATEGORIES:
        raise InvalidRecord(f"mark category must be one of {', '.join(MARK_CATEGORIES)}, not {category!r}")
    return category


def _detector_mark(mark: dict[str, Any]) -> dict[str, Any]:
    verdict = mark.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise InvalidRecord(f"a detector mark's verdict must be confirmed, dismissed or none: {verdict!r}")
    score = float(mark.get("score", 0.0))
    return {"label": str(mark.get("label", "")), "category": _category(mark), "score": round(score, 4),
            "box": _box(mark), "verdict": verdict}


def _officer_mark(mark: dict[str, Any]) -> dict[str, Any]:
    return {"label": str(mark.get("label") or mark.get("category") or "other"),
            "category": _category(mark), "box": _box(mark)}


def _plain(value: Any) -> Any:
    """Metadata may hold numpy scalars or paths; the log stores plain JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
