"""Verify's check of the accounts table against the chain's own account records.

The table holds each account's current state outside the chain (failed sign-ins change it all
day), so an edit there (an officer made supervisor, a disabled account active again, an account
added or removed) broke no link. Every change the station makes to a role or the active flag is
also an 'account' record, so replaying those records gives what the table must hold; any other
state was written outside the station. Not covered: password hashes (the chain holds none) and
failure counts or lock times.
"""

from __future__ import annotations

import json
import sqlite3

from .chain import ChainBreak
from .names import nocase

_OUTSIDE = "the accounts table was changed outside the station"


def accounts_break(conn: sqlite3.Connection) -> ChainBreak | None:
    """The first difference between the accounts table and the chain's account records, or None."""
    expected: dict[str, list] = {}  # table key -> [name, role, active, seq of the last record]
    for seq, body in conn.execute("SELECT seq, body FROM records WHERE kind = 'account' ORDER BY seq"):
        try:
            event = json.loads(body)
        except (TypeError, ValueError):
            continue  # not the station's writing; the chain walk has already vouched for the bytes
        if not isinstance(event, dict) or not isinstance(event.get("username"), str):
            continue
        what, detail = str(event.get("event")), str(event.get("detail") or "")
        # Changes name the account as typed in older logs ("OLGA"): the table's NOCASE finds it.
        key = nocase(event["username"])
        if what == "created" and detail.startswith("role "):
            expected[key] = [event["username"], detail[len("role "):], True, seq]
        elif key in expected and what.startswith("role set to "):
            expected[key][1:4:2] = [what[len("role set to "):], seq]
        elif key in expected and what == "disabled":
            expected[key][2:4] = [False, seq]
    for name, role, active in conn.execute("SELECT username, role, active FROM accounts ORDER BY username"):
        known = expected.pop(nocase(name), None)
        if known is None:
            return _break(f"the accounts table holds {name!r} ({role}), an account no record created: "
                          f"{_OUTSIDE}")
        _, logged_role, logged_active, seq = known
        if role != logged_role:
            return _break(f"the accounts table gives {name!r} the role {role}, the log's records "
                          f"(last #{seq}) give {logged_role}: {_OUTSIDE}")
        if bool(active) != logged_active:
            now, logged = ("active" if flag else "disabled" for flag in (active, logged_active))
            return _break(f"the accounts table has {name!r} {now}, the log's records (last #{seq}) have it "
                          f"{logged}: {_OUTSIDE}")
    for name, _role, _active, seq in expected.values():  # created in the chain, gone from the table
        return _break(f"the log created the account {name!r} (#{seq}) but the accounts table no longer "
                      f"holds it: {_OUTSIDE}")
    return None


def _break(message: str) -> ChainBreak:
    return ChainBreak(0, "accounts", message)
