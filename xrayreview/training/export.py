"""Training results as CSV: one row per finished session, oldest first, for a trainee's history.

The file is what a service files to prove its screeners' detection performance, so numbers
are written plainly (rates as fractions, d′ and A′ to three decimals) and empty cells mean
"not defined" (e.g. no clean scans in the session, so no false-alarm rate).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from .records import TrainingLog

BASE_COLUMNS = ["recorded_at", "trainee", "session", "scans", "threat_events", "hits", "hit_rate",
                "clean_scans", "false_alarms", "false_alarm_rate", "d_prime", "a_prime", "mean_seconds",
                "stray_marks"]


def summaries(log: TrainingLog, trainee: str | None = None) -> list[dict[str, Any]]:
    records = [r.content for r in log.records("training_summary")]
    return [r for r in records if trainee is None or r.get("trainee") == trainee]


def export_results_csv(log: TrainingLog, path: str | Path, trainee: str | None = None) -> int:
    """Write the sessions (of one trainee, or everyone) to ``path``; returns the number of rows."""
    rows = summaries(log, trainee)
    categories = sorted({c for r in rows for c in (r.get("per_category") or {})})
    columns = BASE_COLUMNS + [f"{c}_{k}" for c in categories for k in ("hit_rate", "d_prime")]
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
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
            writer.writerow(["" if c is None else c for c in cells])
    partial.replace(path)
    return len(rows)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
