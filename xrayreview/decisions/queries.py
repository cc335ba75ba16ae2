"""What a supervisor asks of the log: filtered decisions and the figures about them."""

from __future__ import annotations

import json
import sqlite3
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from .accounts import Account, authorised
from .errors import InvalidRecord, LogUnavailable
from .log import DecisionLog, damaged_record, first_invalid_json, parse_body
from .permissions import require
from .schema import explain
from .vocabulary import REASONS

STRONG_ALARM = 0.8  # a detector score at or above this is a strong alarm


@dataclass
class AuditFilter:
    start: str | None = None  # ISO date or date-time (UTC), inclusive
    end: str | None = None  # ISO date or date-time (UTC), inclusive; a bare date means the whole day
    officer: str | None = None
    decision: str | None = None
    reason: str | None = None
    flagged: bool | None = None  # the detector showed at least one mark
    disagreement: bool | None = None
    include_superseded: bool = False  # decisions later corrected by their officer


@dataclass
class DecisionRow:
    """One logged decision. The fields figures need are pulled out by SQLite; the full record
    is parsed only when something reads ``content`` (a table row on screen, an export)."""

    seq: int
    hash: str
    body: str = field(repr=False)
    officer: str
    decision: str
    opened_at: str
    decided_at: str
    reasons: list[str]
    detector_marks: list[dict[str, Any]]
    superseded_by: int | None = None
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @cached_property
    def content(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def note(self) -> str:
        return self.content["note"]

    @property
    def scan_name(self) -> str:
        files = self.content["scan"]["files"]
        return files[0].replace("\\", "/").rsplit("/", 1)[-1] if files else ""

    @cached_property
    def flagged(self) -> bool:
        return bool(self.detector_marks)

    @cached_property
    def max_score(self) -> float:
        return max((m["score"] for m in self.detector_marks), default=0.0)

    @cached_property
    def disagrees(self) -> bool:
        """Officer and detector disagree: a flagged scan cleared, an unflagged one referred,
        or any detector mark dismissed."""
        if self.flagged and self.decision == "clear":
            return True
        if not self.flagged and self.decision == "refer":
            return True
        return any(m.get("verdict") == "dismissed" for m in self.detector_marks)

    @cached_property
    def duration_s(self) -> float:
        return max(0.0, _seconds(self.decided_at) - _seconds(self.opened_at))


_DAYS: dict[str, int] = {}


def _seconds(stamp: str) -> float:
    """Seconds since year 1 for the log's own UTC stamps, without a full ISO parse per row
    (an audit of 100,000 decisions reads 200,000 of them)."""
    if len(stamp) != 29 or not stamp.endswith("+00:00"):
        moment = datetime.fromisoformat(stamp)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return (moment.toordinal() * 86400.0 + moment.hour * 3600 + moment.minute * 60 + moment.second
                + moment.microsecond / 1e6)
    day = _DAYS.get(stamp[:10])
    if day is None:
        day = _DAYS[stamp[:10]] = date.fromisoformat(stamp[:10]).toordinal()
    return day * 86400.0 + int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + float(stamp[17:23])


@dataclass
class Figures:
    scans: int = 0
    active_hours: int = 0
    scans_per_hour: float = 0.0
    median_decision_s: float | None = None
    referral_rate: float | None = None
    rescan_rate: float | None = None
    agreement_rate: float | None = None  # share of scans where officer and detector agree
    cleared_strong_alarms: list[int] = field(default_factory=list)  # seqs

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load_decisions(log: DecisionLog, flt: AuditFilter | None = None) -> list[DecisionRow]:
    """Decisions matching ``flt``, oldest first, with their corrections and reviews attached."""
    flt = flt or AuditFilter()
    # SQLite parses each body once in C for all the json_extract calls of its row.
    sql = ("SELECT seq, hash, body, json_extract(body, '$.officer'), json_extract(body, '$.decision'), "
           "json_extract(body, '$.opened_at'), json_extract(body, '$.decided_at'), "
           "json_extract(body, '$.reasons'), json_extract(body, '$.detector_marks') "
           "FROM records WHERE kind = 'decision'")
    params: list[Any] = []
    start = _bound(flt.start, end=False) if flt.start else None
    end = _bound(flt.end, end=True) if flt.end else None
    # An empty audit must mean "no such decisions", never "the filter could match nothing".
    if start and end and start > end:
        raise InvalidRecord(f"the period starts ({flt.start}) after it ends ({flt.end})")
    if flt.reason and flt.reason not in REASONS:
        raise InvalidRecord(f"{flt.reason!r} is no reason code; the codes are {', '.join(REASONS)}")
    if start:
        sql += " AND json_extract(body, '$.decided_at') >= ?"
        params.append(start)
    if end:
        sql += " AND json_extract(body, '$.decided_at') <= ?"
        params.append(end)
    if flt.officer:
        sql += " AND json_extract(body, '$.officer') = ? COLLATE NOCASE"
        params.append(flt.officer)
    if flt.decision:
        sql += " AND json_extract(body, '$.decision') = ?"
        params.append(flt.decision)
    rows = [_decision_row(log, *found) for found in _fetch(log, sql + " ORDER BY seq", tuple(params))]
    _attach_corrections_and_reviews(log, rows)
    return [row for row in rows if _matches(row, flt)]


def _fetch(log: DecisionLog, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
    """All rows of a query over record bodies; a body SQLite cannot parse is named, not a traceback."""
    try:
        return log.execute_read(sql, params).fetchall()
    except sqlite3.Error as exc:
        if "json" not in str(exc).lower():
            raise LogUnavailable(explain(exc, log.path, writing=False)) from exc
        raise damaged_record(log.path, first_invalid_json(log)) from exc


def _decision_row(log: DecisionLog, seq: int, digest: str, body: str, officer: Any, decision: Any,
                  opened: Any, decided: Any, reasons: Any, marks: Any) -> DecisionRow:
    """A DecisionRow, checked for what the figures read from it, so a record edited outside the
    station stops the audit with its number instead of a traceback deep in the figures."""
    try:
        row = DecisionRow(seq, digest, body, officer, decision, opened, decided, json.loads(reasons),
                          json.loads(marks))
        if not (isinstance(officer, str) and isinstance(decision, str) and isinstance(row.reasons, list)
                and isinstance(row.detector_marks, list)
                and all(isinstance(m, dict) for m in row.detector_marks)):
            raise TypeError("not a decision the station wrote")
        float(row.max_score)
        float(row.duration_s)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise damaged_record(log.path, seq) from exc
    return row


def _attach_corrections_and_reviews(log: DecisionLog, rows: list[DecisionRow]) -> None:
    by_seq = {row.seq: row for row in rows}
    corrections = _fetch(
        log,
        "SELECT seq, json_extract(body, '$.corrects') FROM records "
        "WHERE kind = 'decision' AND json_extract(body, '$.corrects') IS NOT NULL")
    for seq, corrected in corrections:
        if corrected in by_seq:
            by_seq[corrected].superseded_by = seq
    for seq, body in _fetch(log, "SELECT seq, body FROM records WHERE kind = 'review' ORDER BY seq"):
        review = parse_body(log.path, seq, body)
        if not isinstance(review.get("reviewed_seq"), int):
            raise damaged_record(log.path, seq)
        if review["reviewed_seq"] in by_seq:
            by_seq[review["reviewed_seq"]].reviews.append({"seq": seq, **review})


def _matches(row: DecisionRow, flt: AuditFilter) -> bool:
    if row.superseded_by is not None and not flt.include_superseded:
        return False
    if flt.reason and flt.reason not in row.reasons:
        return False
    if flt.flagged is not None and row.flagged != flt.flagged:
        return False
    return flt.disagreement is None or row.disagrees == flt.disagreement


def _bound(text: str, *, end: bool) -> str:
    """Dates as typed (2026-11-28) become the first or last instant of the day, in UTC."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text).isoformat()
            return day + ("T23:59:59.999+00:00" if end else "T00:00:00.000+00:00")
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidRecord(f"{text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def figures(rows: list[DecisionRow], strong_alarm: float = STRONG_ALARM) -> Figures:
    if not rows:
        return Figures()
    hours = {row.decided_at[:13] for row in rows}
    decisions = [row.decision for row in rows]
    return Figures(
        scans=len(rows),
        active_hours=len(hours),
        scans_per_hour=round(len(rows) / len(hours), 2),
        median_decision_s=round(statistics.median(row.duration_s for row in rows), 2),
        referral_rate=round(decisions.count("refer") / len(rows), 4),
        rescan_rate=round(decisions.count("rescan") / len(rows), 4),
        agreement_rate=round(sum(not row.disagrees for row in rows) / len(rows), 4),
        cleared_strong_alarms=[row.seq for row in rows
                               if row.decision == "clear" and row.max_score >= strong_alarm],
    )


def figures_per_officer(rows: list[DecisionRow], strong_alarm: float = STRONG_ALARM) -> dict[str, Figures]:
    officers: dict[str, list[DecisionRow]] = {}
    for row in rows:
        officers.setdefault(row.officer, []).append(row)
    return {name: figures(officer_rows, strong_alarm) for name, officer_rows in sorted(officers.items())}


def hourly_counts(rows: list[DecisionRow]) -> dict[str, int]:
    """Decisions per clock hour (UTC), 'YYYY-MM-DDTHH' -> count, in time order."""
    counts: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r.decided_at):
        counts[row.decided_at[:13]] = counts.get(row.decided_at[:13], 0) + 1
    return counts


class Audit:
    """The supervisor's access to the log. The role is checked here, in the core, against the
    accounts table on every read it serves: a supervisor demoted or disabled while the audit is
    open is refused from the next read on, not when they sign out."""

    def __init__(self, log: DecisionLog, account: Account) -> None:
        require(account, "audit")
        self.log = log
        self.account = account
        self.check("audit")

    def check(self, action: str = "audit") -> None:
        """PermissionDenied unless the stored account may still do ``action`` (exports ask for
        "export" before they write: the rows they write were read earlier)."""
        authorised(self.log, self.account, action, without_accounts=True)

    def decisions(self, flt: AuditFilter | None = None) -> list[DecisionRow]:
        self.check("audit")
        return load_decisions(self.log, flt)

    def officers(self) -> list[str]:
        self.check("audit")
        rows = self.log.execute_read(
            "SELECT DISTINCT json_extract(body, '$.officer') FROM records WHERE kind = 'decision'")
        return sorted(name for (name,) in rows if name)


def decided_files(log: DecisionLog, after_seq: int = 0) -> tuple[set[str], int]:
    """Scan files decisions were recorded for after record ``after_seq``, and the last seq seen
    (so a queue that refreshes every second reads only what is new)."""
    files: set[str] = set()
    last = after_seq
    # A record damaged or edited outside the station is skipped here, not raised: its scan is
    # offered again (deciding twice loses nothing), the officer's queue keeps moving, and the
    # audit and verify are where the damage is reported.
    for seq, listed in _fetch(
            log, "SELECT seq, CASE WHEN json_valid(body) THEN json_extract(body, '$.scan.files') END "
            "FROM records WHERE kind = 'decision' AND seq > ? ORDER BY seq", (after_seq,)):
        last = seq
        try:
            names = json.loads(listed)
        except (TypeError, ValueError):
            continue
        if isinstance(names, list):
            files.update(name for name in names if isinstance(name, str))
    return files, last
