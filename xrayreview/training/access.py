"""Who may do what in training, on top of the station's permission table.

A trainer builds sessions and sees every trainee's results. An admin may too: setting up a
station's training is part of setting up the station (the issue names both), though an admin
takes no training. Everyone allowed to take training (officers, supervisors, trainers) runs
the sessions offered to them and sees only their own results. The checks live here, not only
on screen, so the headless command and the trainer window refuse the same things.
"""

from __future__ import annotations

from typing import Any

from ..decisions.errors import PermissionDenied
from ..decisions.permissions import HasRole, allowed
from .export import summaries
from .records import TrainingLog


def may_build(account: HasRole | None) -> bool:
    return account is not None and (allowed(account.role, "run_training") or account.role == "admin")


def may_take(account: HasRole | None) -> bool:
    return account is not None and allowed(account.role, "take_training")


def require_builder(account: HasRole | None) -> None:
    if account is None:
        raise PermissionDenied("Sign in first: building training sessions needs a trainer's account.")
    if not may_build(account):
        raise PermissionDenied(f"{account.username} ({account.role}) may not build training sessions "
                               "or see other trainees' results; a trainer may.")


def require_trainee(account: HasRole | None) -> None:
    if account is None:
        raise PermissionDenied("Sign in first: a training session is scored under your account.")
    if not may_take(account):
        raise PermissionDenied(f"{account.username} ({account.role}) does not take training sessions.")


def visible_summaries(log: TrainingLog, account: HasRole | None,
                      trainee: str | None = None) -> list[dict[str, Any]]:
    """Session results the account may see: everyone's (or ``trainee``'s) for a trainer, else its own."""
    if may_build(account):
        return summaries(log, trainee)
    require_trainee(account)
    assert account is not None
    if trainee is not None and trainee != account.username:
        raise PermissionDenied(f"{account.username} may see only their own training results.")
    return summaries(log, account.username)


def visible_trainees(log: TrainingLog, account: HasRole | None) -> list[str]:
    """Names with results the account may look at, for the results view's choice of trainee."""
    return sorted({str(r.get("trainee")) for r in visible_summaries(log, account)})
