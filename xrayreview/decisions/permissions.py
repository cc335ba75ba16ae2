"""Who may do what, as a table: the core checks it on every write and every audit read."""

from __future__ import annotations

from typing import Protocol

from .errors import PermissionDenied

ROLES = ("officer", "supervisor", "trainer", "admin")

# An admin manages accounts but does not decide or audit: separation of duties.
PERMISSIONS: dict[str, frozenset[str]] = {
    "decide": frozenset({"officer", "supervisor"}),
    "audit": frozenset({"supervisor"}),
    "review": frozenset({"supervisor"}),
    "export": frozenset({"supervisor"}),
    "verify": frozenset({"supervisor", "admin"}),
    "manage_accounts": frozenset({"admin"}),
    "run_training": frozenset({"trainer"}),
    "take_training": frozenset({"officer", "supervisor", "trainer"}),
}


class HasRole(Protocol):
    username: str
    role: str


def allowed(role: str, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in PERMISSIONS[action]


def require(account: HasRole | None, action: str) -> None:
    """Raise PermissionDenied unless ``account`` may do ``action``."""
    if account is None:
        raise PermissionDenied(f"Sign in first: '{action}' needs an account.")
    if not allowed(account.role, action):
        raise PermissionDenied(f"{account.username} ({account.role}) may not {action.replace('_', ' ')}.")
