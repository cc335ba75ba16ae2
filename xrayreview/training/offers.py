"""Sessions a trainer built and offers to trainees, kept in the training log.

The plan is stored whole (its scans, projected threats and ground truth) in a chained record,
so what a trainee ran can be shown to be exactly what the trainer built: the session record
of every run carries the offer's number and the plan's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..decisions.log import DecisionLog, LogRecord, damaged_record
from ..decisions.permissions import HasRole
from .access import Trainees, builds_now, may_build, require_builder
from .errors import TrainingError
from .plan import SessionPlan
from .records import TRAINING_LOG, TrainingLog


@dataclass(frozen=True)
class Offer:
    id: int  # the record's number in the training log
    name: str
    plan: SessionPlan
    built_by: str
    trainee: str | None  # None: offered to every trainee
    recorded_at: str

    def open_to(self, account: HasRole | None) -> bool:
        if account is None:
            return False
        return self.offered_to(account.username) or may_build(account)

    def offered_to(self, username: str) -> bool:
        """Offered to this trainee (or to any), as against open to a trainer who manages them all."""
        return self.trainee is None or self.trainee == username

    def describe(self) -> str:
        spec = self.plan.spec
        parts = [f"{spec.scans} scans", f"{spec.threat_share:.0%} with threats",
                 ", ".join(c.replace("_", " ") for c in spec.categories)]
        if spec.known_share and spec.adaptive:
            parts.append(f"{spec.known_share:.0%} of threats from known library scans")
        elif spec.known_share:
            # What the built plan holds: a library with no known threat scans projects every one.
            threat_items = [item for item in self.plan.items if item.threats]
            known = sum(1 for item in threat_items if item.label is None)
            parts.append(f"{known} of {len(threat_items)} threat scans from known library scans")
        parts.append("adaptive" if spec.adaptive else "fixed difficulty")
        parts.append(f"{spec.time_limit_s:g} s per scan" if spec.time_limit_s else "no time limit")
        parts.append("detector help" if spec.detector_help else "no detector help")
        parts.append("feedback" if spec.feedback else "no feedback")
        return " · ".join(parts)


def offer_session(log: TrainingLog, plan: SessionPlan, name: str, by: HasRole | None,
                  trainee: str | None = None, *, trainees: Trainees | None = None) -> Offer:
    """Store a built plan for trainees to run; only a trainer (or admin) may.

    ``trainee`` (None or blank: any trainee) must be one of ``trainees``, the station's accounts
    that take training: a name no account has would keep the session from everyone. Without
    ``trainees`` only "any trainee" is accepted. Callers that build first check the name with
    ``Trainees.check`` before building, as the builder window does. With ``trainees`` read from
    the station's decision log, ``by`` must still be a trainer (or admin) as its accounts hold it now.
    """
    require_builder(by, decisions=trainees.decisions if trainees is not None else None)
    assert by is not None
    name = name.strip() or f"Session of {plan.spec.scans} scans"
    if len(name) > 120:
        raise TrainingError("A session's name is at most 120 characters.")
    trainee = (trainees or Trainees.unknown()).check(trainee)
    content = {"name": name, "built_by": by.username, "trainee": trainee, "plan": plan.to_dict(),
               "fingerprint": plan.fingerprint()}
    seq = log.append("training_plan", content)
    return Offer(seq, name, plan, by.username, trainee, "")


def offers(log: TrainingLog, account: HasRole | None = None, *,
           decisions: DecisionLog | None = None) -> list[Offer]:
    """Stored sessions, newest first; with ``account``, only those it may run or manage.

    With ``decisions`` (the station's decision log) managing them all needs a trainer's role as
    its accounts hold it now: a demoted trainer's list shrinks to what a trainee sees.
    """
    manager = account is not None and builds_now(account, decisions=decisions)
    found = []
    for record in log.records("training_plan"):
        stored = _stored(log, record)
        if account is None or manager or stored.offered_to(account.username):
            found.append(stored)
    return found[::-1]


def find_offer(log: TrainingLog, offer_id: int) -> Offer:
    for candidate in offers(log):
        if candidate.id == offer_id:
            return candidate
    raise TrainingError(f"The training log has no session #{offer_id}.")


def _stored(log: TrainingLog, record: LogRecord) -> Offer:
    body = record.content
    try:
        return Offer(record.seq, str(body["name"]), SessionPlan.from_dict(body["plan"]),
                     str(body["built_by"]), body.get("trainee"), str(body.get("recorded_at", "")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Changed outside the station, damaged, or written by a station that plans differently.
        raise damaged_record(log.path, record.seq, TRAINING_LOG, what="a session a trainer built",
                             detail=f"{type(exc).__name__}: {exc}") from exc
