"""The decision log: an append-only, hash-chained SQLite file. One writer path, one verifier."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..paths import data_dir
from .chain import GENESIS, ChainBreak, VerifyResult, canonical, record_hash, verify_rows
from .errors import InvalidRecord, LogUnavailable
from .schema import connect, connect_read_only, explain
from .table_check import accounts_break

RECORD_KINDS = ("decision", "review", "account")


def default_log_path() -> Path:
    return data_dir() / "decisions.sqlite"


def now_utc() -> str:
    """Record times: UTC ISO 8601 to the millisecond, so text order is time order."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Appended:
    """What a committed record got: it is acknowledged only once this exists."""

    seq: int
    hash: str


@dataclass(frozen=True)
class LogRecord:
    seq: int
    kind: str
    content: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class LogLabel:
    """What a file of this format is called in messages, and the command that checks it.

    The training log is opened by this same code, so without its own label an admin would
    be told to verify the decision log while the damage is in another file.
    """

    name: str
    verify_command: str  # with the option that names the file, to which the path is appended
    kinds: tuple[str, ...] = ()  # the record kinds it holds: how a file made before its stamp is told apart

    def verify_advice(self, path: Path) -> str:
        return f"`{self.verify_command} {path}`"


DECISION_LOG = LogLabel("decision log", "xrayreview audit verify --db", RECORD_KINDS)


def damaged_record(path: Path, seq: int | None, label: LogLabel = DECISION_LOG, *, what: str = "",
                   detail: str = "") -> LogUnavailable:
    """The error for a record whose stored content is not what the station writes.

    Only an edit outside the station (the triggers refuse it inside) or a damaged disk gets
    there; naming the record sends the admin to the log's verify command instead of a
    traceback, and the record's own hash keeps proving what happened to it. ``what`` says what
    the record holds, ``detail`` what is wrong with it.
    """
    which = (f"record #{seq}" if seq is not None else "a record") + (f" ({what})" if what else "")
    found = f": {detail}" if detail else ""
    return LogUnavailable(
        f"The {label.name} ({path}) cannot be read: {which} is damaged or was changed outside the "
        f"station{found}. Run {label.verify_advice(path)} and call an admin."
    )


def parse_body(path: Path, seq: int, body: Any, label: LogLabel = DECISION_LOG) -> dict[str, Any]:
    """A record's content; LogUnavailable naming the record when it is not a JSON object."""
    try:
        content = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise damaged_record(path, seq, label) from exc
    if not isinstance(content, dict):
        raise damaged_record(path, seq, label)
    return content


class Writer:
    """Appends inside one open transaction (see DecisionLog.transaction), of the kinds its log holds."""

    def __init__(self, conn: sqlite3.Connection, kinds: tuple[str, ...] = RECORD_KINDS) -> None:
        self.conn = conn
        self.kinds = kinds
        row = conn.execute("SELECT hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        self._prev = row[0] if row else GENESIS

    def append(self, kind: str, content: dict[str, Any]) -> Appended:
        if kind not in self.kinds:
            raise InvalidRecord(f"unknown record kind {kind!r}")
        try:
            body = canonical(content)
        except (TypeError, ValueError) as exc:
            raise InvalidRecord(f"a {kind} record must be plain JSON data: {exc}") from exc
        digest = record_hash(self._prev, kind, body)
        cursor = self.conn.execute(
            "INSERT INTO records(kind, body, prev_hash, hash) VALUES (?, ?, ?, ?)",
            (kind, body, self._prev, digest),
        )
        self._prev = digest
        return Appended(int(cursor.lastrowid), digest)


class DecisionLog:
    """The station's log file. Every public write either commits fully or raises."""

    def __init__(self, path: Path | None = None, *, station_id: str | None = None,
                 busy_timeout_s: float = 5.0, label: LogLabel = DECISION_LOG) -> None:
        self.path = Path(path) if path is not None else default_log_path()
        self.station_id = station_id or socket.gethostname()
        self.label = label
        self.blocked_reason: str | None = None  # last write failure, cleared by the next success
        try:
            self._conn = connect(self.path, busy_timeout_s, label.name, label.kinds)
        except LogUnavailable as exc:
            self.blocked_reason = str(exc)
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """All-or-nothing: records and account changes appended here commit together."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Writer(self._conn, self.label.kinds or RECORD_KINDS)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.blocked_reason = explain(exc, self.path, self.label.name)
            raise LogUnavailable(self.blocked_reason) from exc
        self.blocked_reason = None

    def append(self, kind: str, content: dict[str, Any]) -> Appended:
        with self.transaction() as writer:
            return writer.append(kind, content)

    def head(self) -> tuple[int, str]:
        row = self._read("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return self._read("SELECT count(*) FROM records").fetchone()[0]
        return self._read("SELECT count(*) FROM records WHERE kind = ?", (kind,)).fetchone()[0]

    def records(self, kind: str | None = None, after_seq: int = 0) -> Iterator[LogRecord]:
        sql = "SELECT seq, kind, body, hash FROM records WHERE seq > ?"
        params: tuple[Any, ...] = (after_seq,)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        try:
            for seq, row_kind, body, digest in self._read(sql + " ORDER BY seq", params):
                yield LogRecord(seq, row_kind, parse_body(self.path, seq, body, self.label), digest)
        except sqlite3.Error as exc:  # a page damaged past the first ones fails only when reached
            raise LogUnavailable(explain(exc, self.path, self.label.name, writing=False)) from exc

    def record(self, seq: int) -> LogRecord | None:
        row = self._read("SELECT seq, kind, body, hash FROM records WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            return None
        return LogRecord(row[0], row[1], parse_body(self.path, row[0], row[2], self.label), row[3])

    def verify(self) -> VerifyResult:
        return verify_connection(self._conn, self.path, label=self.label)

    def execute_read(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Read-only SQL for the audit queries; errors become LogUnavailable."""
        return self._read(sql, params)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise LogUnavailable(explain(exc, self.path, self.label.name, writing=False)) from exc


def first_invalid_json(log: DecisionLog) -> int | None:
    """The lowest seq whose body SQLite cannot parse as JSON (None when every body parses)."""
    row = log.execute_read(
        "SELECT seq FROM records WHERE NOT json_valid(body) ORDER BY seq LIMIT 1").fetchone()
    return row[0] if row else None


def verify(path: Path, anchor: tuple[int, str] | None = None, label: LogLabel = DECISION_LOG) -> VerifyResult:
    """Walk the chain of the log at ``path`` without changing the file.

    ``anchor`` is a (seq, hash) noted from an earlier verify and kept off the station: it
    catches what the chain alone cannot, a log cut short or rewritten from some record on.
    """
    conn = connect_read_only(Path(path), name=label.name, kinds=label.kinds)
    try:
        return verify_connection(conn, Path(path), anchor, label)
    finally:
        conn.close()


def _verify_chain(conn: sqlite3.Connection, path: Path,
                  anchor: tuple[int, str] | None, label: LogLabel) -> VerifyResult:
    def find(digest: str) -> int | None:
        row = conn.execute("SELECT seq FROM records WHERE hash = ?", (digest,)).fetchone()
        return row[0] if row else None

    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            return VerifyResult(0, 0, GENESIS, None)  # created but never set up (e.g. killed at start-up)
        rows = conn.execute("SELECT seq, kind, body, prev_hash, hash FROM records ORDER BY seq")
        result = verify_rows(rows, find)
        if anchor is None or not result.ok:
            return result
        seq, digest = anchor
        row = conn.execute("SELECT hash FROM records WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            return VerifyResult(result.records, result.head_seq, result.head_hash, ChainBreak(
                seq, "deleted", f"the log ends at #{result.head_seq} but the anchor noted record #{seq}: "
                "records were removed from the end"))
        if row[0] != digest:
            return VerifyResult(result.records, result.head_seq, result.head_hash, ChainBreak(
                seq, "edited", f"record #{seq} differs from the anchor: the log was rewritten from there on"))
        return result
    except sqlite3.Error as exc:
        raise LogUnavailable(explain(exc, path, label.name, writing=False)) from exc


def verify_connection(conn: sqlite3.Connection, path: Path,
                      anchor: tuple[int, str] | None = None, label: LogLabel = DECISION_LOG) -> VerifyResult:
    """The chain, then the anchor, then the accounts table against the chain's account records."""
    result = _verify_chain(conn, path, anchor, label)
    if not result.ok:
        return result
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            return result
        # A role or active flag edited in the table breaks no link: compared with what the
        # chain's account records say it must be (decisions/table_check.py).
        found = accounts_break(conn)
    except sqlite3.Error as exc:
        raise LogUnavailable(explain(exc, path, label.name, writing=False)) from exc
    return result if found is None else VerifyResult(result.records, result.head_seq, result.head_hash, found)
