"""Who may do what in training, on top of the station's permission table.

A trainer builds sessions and sees every trainee's results. An admin may too: setting up a
station's training is part of setting up the station (the issue names both), though an admin
takes no training. Everyone allowed to take training (officers, supervisors, trainers) runs
the sessions offered to them and sees only their own results. The checks live here, not only
on screen, so the headless command and the trainer window refuse the same things.

Given the station's decision log (``decisions``), the checks also ask its accounts table, as
decisions and the audit do (``authorised``): a trainer demoted or disabled while the trainer
window is open builds, offers and sees nothing more, and a trainee disabled mid-session records
no more answers. Without one (scripts, a trainer window opened alone) the role the caller holds
is all there is to check.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..decisions.accounts import Account, AccountRefused, Accounts, authorised
from ..decisions.errors import DecisionLogError, PermissionDenied
from ..decisions.log import DecisionLog
from ..decisions.names import name_key, typed_name
from ..decisions.permissions import HasRole, allowed
from .errors import TrainingError
from .export import summaries
from .records import TrainingLog

# Building is "run_training" (a trainer's); an admin builds too, and the admin's is the role that
# manages accounts. As actions rather than role names, so the stored role is asked the same way
# through ``authorised``.
BUILD_ACTIONS = ("run_training", "manage_accounts")


def may_build(account: HasRole | None) -> bool:
    return account is not None and any(allowed(account.role, action) for action in BUILD_ACTIONS)


def may_take(account: HasRole | None) -> bool:
    return account is not None and allowed(account.role, "take_training")


def require_builder(account: HasRole | None, *, decisions: DecisionLog | None = None) -> None:
    """PermissionDenied unless ``account`` may build sessions and see every trainee's results; with
    ``decisions``, also unless the station's accounts table still says so now (AccountRefused)."""
    if account is None:
        raise PermissionDenied("Sign in first: building training sessions needs a trainer's account.")
    if not may_build(account):
        raise PermissionDenied(f"{account.username} ({account.role}) may not build training sessions "
                               "or see other trainees' results; a trainer may.")
    if decisions is None:
        return
    # Gone, renamed or disabled: said in authorised's own words.
    authorised(decisions, _as_account(account), None, without_accounts=True)
    for action in BUILD_ACTIONS:
        try:
            authorised(decisions, _as_account(account), action, without_accounts=True)
            return
        except PermissionDenied:
            continue
    raise AccountRefused(f"The station's accounts no longer give {account.username} a trainer's role: "
                         f"{account.username} may not build training sessions or see other trainees' "
                         "results now; ask an admin.")


def require_trainee(account: HasRole | None, *, decisions: DecisionLog | None = None) -> None:
    """PermissionDenied unless ``account`` takes training; with ``decisions``, also unless the
    station's accounts table still says so now (AccountRefused)."""
    if account is None:
        raise PermissionDenied("Sign in first: a training session is scored under your account.")
    if not may_take(account):
        raise PermissionDenied(f"{account.username} ({account.role}) does not take training sessions.")
    if decisions is not None:
        authorised(decisions, _as_account(account), "take_training", without_accounts=True)


def results_scope(account: HasRole | None, trainee: str | None = None, *,
                  decisions: DecisionLog | None = None) -> str | None:
    """Whose results ``account`` may read when it asks for ``trainee``'s (None: everyone's):
    anyone's for a trainer, else only its own; PermissionDenied otherwise.

    A trainer demoted since the window opened is refused, not quietly given their own results
    under a heading that says everyone's."""
    if may_build(account):
        require_builder(account, decisions=decisions)
        return trainee
    require_trainee(account, decisions=decisions)
    assert account is not None
    if trainee is not None and trainee != account.username:
        raise PermissionDenied(f"{account.username} may see only their own training results.")
    return account.username


def visible_summaries(log: TrainingLog, account: HasRole | None, trainee: str | None = None, *,
                      decisions: DecisionLog | None = None) -> list[dict[str, Any]]:
    """Session results the account may see: everyone's (or ``trainee``'s) for a trainer, else its own."""
    return summaries(log, results_scope(account, trainee, decisions=decisions))


def visible_trainees(log: TrainingLog, account: HasRole | None, *,
                     decisions: DecisionLog | None = None) -> list[str]:
    """Names with results the account may look at, for the results view's choice of trainee."""
    return sorted({str(r.get("trainee")) for r in visible_summaries(log, account, decisions=decisions)})


def builds_now(account: HasRole | None, *, decisions: DecisionLog | None = None) -> bool:
    """Whether ``account`` may manage every session now (a trainer's, as ``require_builder``).
    Accounts that cannot be read raise (DecisionLogError) rather than answer either way."""
    try:
        require_builder(account, decisions=decisions)
    except PermissionDenied:
        return False
    return True


def _as_account(account: HasRole) -> Account:
    # authorised takes the station's Account; callers here may hold any object with a name and role.
    return account if isinstance(account, Account) else Account(account.username, account.role)


@dataclass(frozen=True)
class StationAccount:
    """An account as the accounts table holds it: enough to tell who may be offered a session."""

    username: str
    role: str
    active: bool = True


class Trainees:
    """Whom a session may be offered to: the station's active accounts whose role takes training.

    A session offered to a name no such account has is offered to nobody, and nothing ever tells
    the trainer why the trainee does not see it; so the name is checked here, before anything is
    built or stored, for the builder window and any other caller alike. The accounts are read
    each time they are asked for, so one made or disabled while the trainer window is open counts
    at once. Without readable accounts (no decision log, or one that cannot be read) a session can
    still be offered to any trainee, never to a name that cannot be checked.

    ``decisions`` is the decision log they come from (None for a fixed set or none): the trainer
    window asks it, through the checks above, whether its account may still build or answer.
    """

    def __init__(self, read: Callable[[], Iterable[StationAccount]] | None, unavailable: str = "",
                 decisions: DecisionLog | None = None) -> None:
        self._read = read
        self._unavailable = unavailable or "the station's accounts are not available here"
        self.decisions = decisions

    @classmethod
    def of(cls, accounts: Iterable[HasRole]) -> Trainees:
        """A fixed set of accounts, all active (scripts and tests)."""
        fixed = [StationAccount(a.username, a.role, bool(getattr(a, "active", True))) for a in accounts]
        return cls(lambda: fixed)

    @classmethod
    def from_log(cls, decisions: DecisionLog) -> Trainees:
        """The accounts in the decision log, read when asked (the table the sign-in checks)."""
        accounts = Accounts(decisions)

        def read() -> list[StationAccount]:
            # With the role, unlike the sign-in list: an admin takes no training.
            return [StationAccount(a.username, a.role, a.active) for a in accounts.roster()]

        return cls(read, decisions=decisions)

    @classmethod
    def unknown(cls, why: str = "") -> Trainees:
        """No accounts to check against: only "any trainee"."""
        return cls(None, why)

    def names(self) -> list[str]:
        """Names a session may be offered to, sorted; TrainingError when they cannot be read."""
        return sorted(a.username for a in self._accounts() if a.active and may_take(a))

    def check(self, trainee: str | None) -> str | None:
        """The account name to offer a session to (None: any trainee), or TrainingError saying why not.

        The stored name is the account's own, so a name typed in another case or Unicode form
        that reads the same reaches the account it means.
        """
        typed = typed_name(trainee or "")
        if not typed:
            return None
        accounts = self._accounts()
        same = [a for a in accounts if a.username == typed] or [
            a for a in accounts if name_key(a.username) == name_key(typed)]
        if same:
            account = same[0]
            if not account.active:
                raise TrainingError(f"The account {account.username} is disabled, so it would never see "
                                    "a session offered to it.")
            if not may_take(account):
                raise TrainingError(f"{account.username} ({account.role}) does not take training sessions; "
                                    "offer the session to an officer, supervisor or trainer.")
            return account.username
        eligible = sorted(a.username for a in accounts if a.active and may_take(a))
        close = difflib.get_close_matches(typed, eligible, n=3, cutoff=0.6) or difflib.get_close_matches(
            typed.casefold(), eligible, n=3, cutoff=0.6)
        hint = (f" Did you mean {' or '.join(close)}?" if close
                else " Choose a name from the list, or offer it to any trainee.")
        raise TrainingError(f"No trainee named {typed!r} on this station: a session offered to that name "
                            f"would reach nobody.{hint}")

    def known(self) -> bool:
        """Whether there are accounts to check against (False: only "any trainee")."""
        return self._read is not None

    def _accounts(self) -> list[StationAccount]:
        if self._read is None:
            raise TrainingError(f"A session can be offered only to any trainee: {self._unavailable}, so "
                                "a trainee's name cannot be checked.")
        try:
            return list(self._read())
        except DecisionLogError as exc:
            raise TrainingError(f"A session can be offered only to any trainee until the station's "
                                f"accounts can be read again ({exc})") from exc
