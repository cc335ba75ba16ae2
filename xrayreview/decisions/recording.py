"""Writing an officer's decision or a supervisor's review: permission, checks, one commit.

The role is read from the accounts table inside the write's own transaction, not taken from the
session's Account: an officer disabled or demoted mid-shift records nothing more from that moment.
"""

from __future__ import annotations

from .accounts import Account, authorised
from .errors import InvalidRecord, PermissionDenied
from .log import Appended, DecisionLog, damaged_record, now_utc, parse_body
from .permissions import require
from .records import Decision, review_content


def record_decision(log: DecisionLog, officer: Account, decision: Decision) -> Appended:
    """Commit one decision; it is acknowledged only when this returns (LogUnavailable otherwise).

    A correction is a new decision whose ``corrects`` names the earlier one; officers correct
    only their own decisions, the earlier record stays as it was.
    """
    require(officer, "decide")
    content = decision.to_content(officer.username, log.station_id, now_utc())
    with log.transaction() as writer:
        authorised(writer, officer, "decide", without_accounts=True)
        if decision.corrects is not None:
            row = writer.conn.execute("SELECT kind, body FROM records WHERE seq = ?",
                                      (decision.corrects,)).fetchone()
            if row is None or row[0] != "decision":
                raise InvalidRecord(f"record #{decision.corrects} is not a decision; nothing to correct")
            earlier = parse_body(log.path, decision.corrects, row[1]).get("officer")
            if not isinstance(earlier, str):
                raise damaged_record(log.path, decision.corrects)
            # Exactly the same name: an officer's Account carries the stored name, and lower()
            # folds letters SQLite does not, so "ольга" could correct the decisions of "Ольга".
            if earlier != officer.username:
                raise PermissionDenied("An officer can correct only their own decisions.")
        return writer.append("decision", content)


def record_review(log: DecisionLog, supervisor: Account, reviewed_seq: int, verdict: str,
                  note: str = "") -> Appended:
    """A supervisor's finding on a decision, appended beside it (the decision is never edited)."""
    require(supervisor, "review")
    content = review_content(reviewed_seq, verdict, note, supervisor.username, now_utc())
    with log.transaction() as writer:
        authorised(writer, supervisor, "review", without_accounts=True)
        row = writer.conn.execute("SELECT kind FROM records WHERE seq = ?", (reviewed_seq,)).fetchone()
        if row is None or row[0] != "decision":
            raise InvalidRecord(f"record #{reviewed_seq} is not a decision")
        return writer.append("review", content)
