"""Training results as CSV: one row per finished session, oldest first, for a trainee's history.

The file is what a service files to prove its screeners' detection performance, so numbers
are written plainly (rates as fractions, d′ and A′ to three decimals) and empty cells mean
"not defined" (e.g. no clean scans in the session, so no false-alarm rate). Text that a
spreadsheet would run as a formula (a trainee named "=HYPERLINK(…)") is quoted with a ', as
in the audit's CSV.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from ..decisions.log import LogRecord, damaged_record
from ..reports.cells import spreadsheet_safe
from ..reports.files import replacing
from .records import TRAINING_LOG, TrainingLog

BASE_COLUMNS = ["recorded_at", "trainee", "session", "scans", "threat_events", "hits", "hit_rate",
                "clean_scans", "false_alarms", "false_alarm_rate", "d_prime", "a_prime", "mean_seconds",
                "stray_marks"]


_COUNTS = (("events", "hits"), ("clean", "false_alarms"))  # (total, part of it)
_FIGURES = ("hit_rate", "false_alarm_rate", "d_prime", "a_prime")


def summaries(log: TrainingLog, trainee: str | None = None) -> list[dict[str, Any]]:
    """Session summaries, oldest first; LogUnavailable naming the record when one is malformed.

    Every report and table computes with these numbers, so a record changed outside the
    station (or damaged on disk) is refused here with a message, not met as a traceback or,
    worse, as a score computed from nonsense.
    """
    records = [_checked(log, r) for r in log.records("training_summary")]
    return [r for r in records if trainee is None or r.get("trainee") == trainee]


def export_results_csv(log: TrainingLog, path: str | Path, trainee: str | None = None) -> int:
    """Write the sessions (of one trainee, or everyone) to ``path``; returns the number of rows."""
    rows = summaries(log, trainee)
    categories = sorted({c for r in rows for c in (r.get("per_category") or {})})
    columns = BASE_COLUMNS + [f"{c}_{k}" for c in categories for k in ("hit_rate", "d_prime")]
    with replacing(Path(path), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_safe(c) for c in columns])
        for row in rows:
            overall = row.get("overall") or {}
            cells = [row.get("recorded_at"), row.get("trainee"), row.get("session"), row.get("scans"),
                     overall.get("events"), overall.get("hits"), _num(overall.get("hit_rate")),
                     overall.get("clean"), overall.get("false_alarms"), _num(overall.get("false_alarm_rate")),
                     _num(overall.get("d_prime")), _num(overall.get("a_prime")),
                     _num(row.get("mean_seconds")), row.get("stray_marks")]
            per = row.get("per_category") or {}
            for category in categories:
                rates = per.get(category) or {}
                cells += [_num(rates.get("hit_rate")), _num(rates.get("d_prime"))]
            writer.writerow(["" if c is None else spreadsheet_safe(c) for c in cells])
    return len(rows)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _checked(log: TrainingLog, record: LogRecord) -> dict[str, Any]:
    content = record.content
    problem = _problem(content)
    if problem:
        raise damaged_record(log.path, record.seq, TRAINING_LOG, what="a session's results", detail=problem)
    return content


def _problem(content: dict[str, Any]) -> str | None:
    """What is wrong with a summary's numbers, None when nothing is (missing parts count as empty)."""
    if not _is_number(content.get("mean_seconds"), optional=True):
        return f"mean_seconds is {content.get('mean_seconds')!r}"
    overall = content.get("overall")
    per_category = content.get("per_category")
    if per_category is not None and not isinstance(per_category, dict):
        return f"per_category is {per_category!r}"
    parts = [("overall", overall), *((f"category {c}", v) for c, v in (per_category or {}).items())]
    for name, rates in parts:
        if rates is None and name == "overall":
            continue
        if not isinstance(rates, dict):
            return f"{name} is {rates!r}"
        for total, part in _COUNTS:
            counts = [rates.get(total) or 0, rates.get(part) or 0]
            if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
                return f"{name} has {total}={rates.get(total)!r}, {part}={rates.get(part)!r}"
            if counts[1] > counts[0]:
                return f"{name} has more {part} ({counts[1]}) than {total} ({counts[0]})"
        for key in _FIGURES:
            if not _is_number(rates.get(key), optional=True):
                return f"{name} has {key}={rates.get(key)!r}"
    return None


def _is_number(value: Any, *, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
