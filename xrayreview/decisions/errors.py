"""The few ways the decision log refuses: each one a type the UI can show as a clear message."""

from __future__ import annotations


class DecisionLogError(Exception):
    """Anything the decision log or the accounts refuse."""


class LogUnavailable(DecisionLogError):
    """The log cannot take (or show) records: full disk, read-only, locked or damaged file.

    New decisions are blocked until it is fixed; nothing is recorded half-way.
    """


class InvalidRecord(DecisionLogError, ValueError):
    """A decision, review or account change that does not make sense (unknown decision, bad box …)."""


class PermissionDenied(DecisionLogError):
    """The signed-in account's role may not do this."""


class AuthenticationFailed(DecisionLogError):
    """Wrong user name or password."""


class AccountLocked(AuthenticationFailed):
    """Too many failed sign-ins, or the account was disabled."""
