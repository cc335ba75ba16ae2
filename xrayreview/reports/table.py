"""One flat row per decision: what the CSV and the PDF table show."""

from __future__ import annotations

from typing import Any

from ..decisions.queries import DecisionRow

COLUMNS = (
    "seq", "decided_at", "opened_at", "duration_s", "officer", "station", "scan", "scan_files",
    "scan_sha256", "object_id", "model", "model_sha256", "threshold", "decision", "reasons", "note",
    "detector_marks", "max_score", "confirmed", "dismissed", "officer_marks", "flagged", "disagrees",
    "superseded_by", "reviews", "hash",
)


def flat_row(row: DecisionRow) -> dict[str, Any]:
    content = row.content
    model = content.get("model") or {}
    marks = content["detector_marks"]
    return {
        "seq": row.seq, "decided_at": row.decided_at, "opened_at": row.opened_at,
        "duration_s": round(row.duration_s, 1), "officer": row.officer, "station": content.get("station", ""),
        "scan": row.scan_name, "scan_files": ";".join(content["scan"]["files"]),
        "scan_sha256": content["scan"]["sha256"],
        "object_id": content["scan"].get("metadata", {}).get("object_id", ""),
        "model": model.get("name", ""), "model_sha256": model.get("sha256", ""),
        "threshold": model.get("threshold", ""), "decision": row.decision, "reasons": ";".join(row.reasons),
        "note": row.note, "detector_marks": len(marks), "max_score": round(row.max_score, 3),
        "confirmed": sum(m.get("verdict") == "confirmed" for m in marks),
        "dismissed": sum(m.get("verdict") == "dismissed" for m in marks),
        "officer_marks": len(content["officer_marks"]), "flagged": row.flagged, "disagrees": row.disagrees,
        "superseded_by": row.superseded_by or "",
        "reviews": ";".join(f"{r['reviewer']}:{r['verdict']}" for r in row.reviews), "hash": row.hash,
    }
