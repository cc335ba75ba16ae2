"""Opening the log file: durability settings, schema migrations by version, readable failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import LogUnavailable

_REFUSE = "SELECT RAISE(ABORT, 'the decision log is append-only: records cannot be {}')"

# One entry per schema version (PRAGMA user_version); never edit a shipped entry, only append.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE records (
            seq INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE)""",
        f"CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN {_REFUSE.format('changed')}; END",
        f"CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN {_REFUSE.format('deleted')}; END",
        # Account state changes (failed sign-ins, lockout) so it is a plain table; every
        # change to it is also appended to the chain as an 'account' record.
        """CREATE TABLE accounts (
            username TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL,
            password TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX records_kind ON records(kind, seq)",
    ],
]


# PRAGMA application_id of each kind of log this code keeps. Both kinds share the records table,
# so without it a mistyped path (`--db training.sqlite`) opened one kind as the other and
# appended records (a sign-in) to the wrong chain. Files made before it was set carry 0 and are
# told apart by the kinds of record they hold, then stamped.
LOG_IDS = {"decision log": 0x58524431, "training log": 0x58525431}  # "XRD1", "XRT1"


class WrongLog(sqlite3.DatabaseError):
    """The file is an xrayreview log of another kind than the one asked for."""


def explain(exc: BaseException, path: Path, name: str = "decision log", *, writing: bool = True) -> str:
    """Turn SQLite's wording into what an officer or an admin can act on. ``writing``: the failure
    met a write, so the message says nothing was recorded (a read or a verify records nothing)."""
    text = str(exc).lower()
    if isinstance(exc, WrongLog):
        recorded = " Nothing was recorded." if writing else ""
        return f"The file {path} is not the {name}: {exc}.{recorded} Check the path."
    if "full" in text:
        what = "the disk holding it is full; free some space"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        what = "it cannot be written (read-only file or folder, or missing); fix the permissions"
    elif "locked" in text or "busy" in text:
        what = "another program holds it locked; close it or wait"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        what = "the file is damaged; restore it from a backup and call an admin"
    elif "newer" in text:
        what = str(exc)
    else:
        what = f"SQLite said: {exc}"
    return f"The {name} ({path}) is unavailable: {what}." + (" Nothing was recorded." if writing else "")


def connect(path: Path, busy_timeout_s: float = 5.0, name: str = "decision log",
            kinds: tuple[str, ...] = ()) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the log; any failure is a LogUnavailable.

    ``kinds``: the record kinds a log called ``name`` holds, for telling an unstamped file's kind."""
    conn = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_foreign_file(path)
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        # FULL: a commit is on disk (WAL fsynced) before we acknowledge the decision.
        conn.execute("PRAGMA synchronous=FULL")
        if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
        _migrate(conn)
        check_kind(conn, name, kinds, stamp=True)
        return conn
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise LogUnavailable(explain(exc, path, name)) from exc


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _refuse_foreign_file(path: Path) -> None:
    """SQLite silently turns a tiny non-database file into a new, empty log; refuse it instead,
    so whatever was at the log's path (or the stub of a log cut short) is left for an admin."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    if head and head != _SQLITE_MAGIC:
        raise sqlite3.DatabaseError("file is not a database")


def connect_read_only(path: Path, busy_timeout_s: float = 5.0, name: str = "decision log",
                      kinds: tuple[str, ...] = ()) -> sqlite3.Connection:
    """For verify and audit: never creates, migrates or changes the file."""
    if not path.is_file():
        raise LogUnavailable(f"The {name} ({path}) does not exist.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s,
                               isolation_level=None)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            conn.close()
            raise sqlite3.DatabaseError("the log was written by a newer xrayreview")
        if version:  # an empty file has no records table yet, and no kind
            check_kind(conn, name, kinds, stamp=False)
        return conn
    except sqlite3.Error as exc:
        raise LogUnavailable(explain(exc, path, name, writing=False)) from exc


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError("the log was written by a newer xrayreview; update this station")
    if version == len(MIGRATIONS):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read inside the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def check_kind(conn: sqlite3.Connection, name: str, kinds: tuple[str, ...], *, stamp: bool) -> None:
    """WrongLog when the file is a log of another kind than ``name``; an unstamped file of the
    right kind is stamped when ``stamp`` (inside migrate's reach: a header field, no record)."""
    wanted = LOG_IDS.get(name, 0)
    found = conn.execute("PRAGMA application_id").fetchone()[0]
    if not wanted or found == wanted:
        return
    others = {number: other for other, number in LOG_IDS.items()}
    if found:
        what = others.get(found, f"a file of another program (application id {found})")
        raise WrongLog(f"it is the station's {what}" if found in others else f"it is {what}")
    if kinds:
        marks = ",".join("?" * len(kinds))
        row = conn.execute(f"SELECT kind FROM records WHERE kind NOT IN ({marks}) LIMIT 1", kinds).fetchone()
        if row is not None:
            raise WrongLog(f"it holds '{row[0]}' records, which a {name} never does")
    if stamp:
        conn.execute(f"PRAGMA application_id = {wanted}")
