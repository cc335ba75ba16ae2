"""Local accounts: roles, scrypt password hashes, lockout; every change is also a chain record.

Passwords: hashlib.scrypt with N=2**14, r=8, p=1 (16 MiB, ~50 ms per check on a laptop core),
a 16-byte random salt per password and a 32-byte key, stored as
``scrypt$N$r$p$salt_hex$key_hex`` so the parameters can be raised later without breaking
existing accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import AccountLocked, AuthenticationFailed, InvalidRecord, PermissionDenied
from .log import DecisionLog, Writer
from .permissions import ROLES, require

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES = 2**14, 8, 1, 32


@dataclass(frozen=True)
class AccountPolicy:
    max_failures: int = 5  # failed sign-ins in a row before the account locks
    lockout_s: float = 900.0  # how long it stays locked (an admin can unlock sooner)
    idle_lock_s: float = 300.0  # the station locks after this long without input (the UI enforces it)
    min_password_length: int = 8


POLICY = AccountPolicy()


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool = True


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_KEY_BYTES,
                         maxmem=256 * n * r * p)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        n_, r_, p_ = int(n), int(r), int(p)
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=n_, r=r_, p=p_,
                             dklen=len(key) // 2, maxmem=256 * n_ * r_ * p_)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), key)


# Checked against on unknown user names so a wrong name costs the same time as a wrong password.
_DUMMY = hash_password(secrets.token_hex(8))


class Accounts:
    def __init__(self, log: DecisionLog, policy: AccountPolicy = POLICY,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.log = log
        self.policy = policy
        self._clock = clock

    def needs_first_admin(self) -> bool:
        return self.log.execute_read("SELECT count(*) FROM accounts").fetchone()[0] == 0

    def create_first_admin(self, username: str, password: str) -> Account:
        """Only on a station without any account: whoever sets it up becomes its admin."""
        with self.log.transaction() as writer:
            if writer.conn.execute("SELECT count(*) FROM accounts").fetchone()[0]:
                raise PermissionDenied("The station already has accounts; ask an admin to add yours.")
            return self._insert(writer, username, "admin", password, by=None)

    def create(self, by: Account, username: str, role: str, password: str) -> Account:
        require(by, "manage_accounts")
        with self.log.transaction() as writer:
            if self._row(writer, username) is not None:
                raise InvalidRecord(f"an account named {username!r} exists already")
            return self._insert(writer, username, role, password, by=by.username)

    def authenticate(self, username: str, password: str) -> Account:
        """The account, or AuthenticationFailed / AccountLocked; every attempt is logged."""
        now = self._clock()
        with self.log.transaction() as writer:
            row = self._row(writer, username)
            if row is None:
                check_password(password, _DUMMY)
                self._event(writer, "sign_in_failed", username, None, "unknown user name")
                failure: AuthenticationFailed = AuthenticationFailed("Wrong user name or password.")
            else:
                name, role, stored, failures, locked_until, active = row
                failure = self._check(writer, row, password, now)
                if failure is None:
                    self._event(writer, "signed_in", name, None)
                    return Account(name, role, bool(active))
        raise failure

    def unlock(self, by: Account, username: str) -> None:
        self._change(by, username, "unlocked", "failures = 0, locked_until = NULL")

    def disable(self, by: Account, username: str) -> None:
        if by.username.lower() == username.lower():
            raise InvalidRecord("an admin cannot disable their own account")
        self._change(by, username, "disabled", "active = 0")

    def set_role(self, by: Account, username: str, role: str) -> None:
        _check_role(role)
        self._change(by, username, f"role set to {role}", "role = ?", (role,))

    def set_password(self, by: Account, username: str, new_password: str) -> None:
        """Admins set anyone's password; everyone may change their own."""
        if by.username.lower() != username.lower():
            require(by, "manage_accounts")
        _check_password_rules(new_password, self.policy)
        with self.log.transaction() as writer:
            self._require_row(writer, username)
            writer.conn.execute("UPDATE accounts SET password = ? WHERE username = ?",
                                (hash_password(new_password), username))
            self._event(writer, "password_changed", username, by.username)

    def list(self, by: Account) -> list[Account]:
        require(by, "manage_accounts")
        rows = self.log.execute_read("SELECT username, role, active FROM accounts ORDER BY username")
        return [Account(name, role, bool(active)) for name, role, active in rows]

    def usernames(self) -> list[str]:
        """Active user names, for the sign-in list (no roles or hashes)."""
        rows = self.log.execute_read("SELECT username FROM accounts WHERE active = 1 ORDER BY username")
        return [name for (name,) in rows]

    def _check(self, writer: Writer, row: tuple, password: str, now: datetime) -> AuthenticationFailed | None:
        name, _role, stored, failures, locked_until, active = row
        if not active:
            self._event(writer, "sign_in_refused", name, None, "account disabled")
            return AccountLocked(f"The account {name} is disabled; ask an admin.")
        until = _lock_time(locked_until)
        if until is None:
            # Only an edit outside the station writes a lock time it cannot read: stay locked.
            self._event(writer, "sign_in_refused", name, None, "lock state unreadable")
            return AccountLocked(f"The account {name} has a damaged lock state; ask an admin to unlock it.")
        if until > now:
            self._event(writer, "sign_in_refused", name, None, "account locked")
            minutes = max(1, round((until - now).total_seconds() / 60))
            return AccountLocked(f"The account {name} is locked after too many failed sign-ins; "
                                 f"try again in {minutes} min or ask an admin to unlock it.")
        if check_password(password, stored):
            if failures or locked_until:
                writer.conn.execute(
                    "UPDATE accounts SET failures = 0, locked_until = NULL WHERE username = ?", (name,))
            return None
        # A count edited into something else is read as one short of the lockout, not as zero.
        failures = failures + 1 if isinstance(failures, int) else self.policy.max_failures
        if failures >= self.policy.max_failures:
            until = (now + timedelta(seconds=self.policy.lockout_s)).isoformat(timespec="seconds")
            writer.conn.execute("UPDATE accounts SET failures = 0, locked_until = ? WHERE username = ?",
                                (until, name))
            self._event(writer, "locked", name, None, f"{failures} failed sign-ins")
            return AccountLocked(f"Wrong password. The account {name} is now locked for "
                                 f"{self.policy.lockout_s / 60:g} min.")
        writer.conn.execute("UPDATE accounts SET failures = ? WHERE username = ?", (failures, name))
        self._event(writer, "sign_in_failed", name, None, "wrong password")
        left = self.policy.max_failures - failures
        return AuthenticationFailed(
            f"Wrong user name or password ({left} attempt(s) before the account locks).")

    def _insert(self, writer: Writer, username: str, role: str, password: str, by: str | None) -> Account:
        username = username.strip()
        if not username or len(username) > 64 or not username.isprintable():
            raise InvalidRecord("a user name is 1 to 64 printable characters")
        _check_role(role)
        _check_password_rules(password, self.policy)
        writer.conn.execute(
            "INSERT INTO accounts(username, role, password, created_at) VALUES (?, ?, ?, ?)",
            (username, role, hash_password(password), self._clock().isoformat(timespec="milliseconds")),
        )
        self._event(writer, "created", username, by, f"role {role}")
        return Account(username, role)

    def _change(self, by: Account, username: str, event: str, assignment: str,
                params: tuple = ()) -> None:
        require(by, "manage_accounts")
        with self.log.transaction() as writer:
            self._require_row(writer, username)
            writer.conn.execute(f"UPDATE accounts SET {assignment} WHERE username = ?", (*params, username))
            self._event(writer, event, username, by.username)

    def _event(self, writer: Writer, event: str, username: str, by: str | None, detail: str = "") -> None:
        writer.append("account", {"event": event, "username": username, "by": by, "detail": detail,
                                  "at": self._clock().isoformat(timespec="milliseconds"),
                                  "station": self.log.station_id})

    @staticmethod
    def _row(writer: Writer, username: str) -> tuple | None:
        return writer.conn.execute(
            "SELECT username, role, password, failures, locked_until, active "
            "FROM accounts WHERE username = ?",
            (username.strip(),),
        ).fetchone()

    def _require_row(self, writer: Writer, username: str) -> tuple:
        row = self._row(writer, username)
        if row is None:
            raise InvalidRecord(f"no account named {username!r}")
        return row


_NOT_LOCKED = datetime.min.replace(tzinfo=UTC)


def _lock_time(value: object) -> datetime | None:
    """When a lock ends (long past when there is none); None when the stored value is unreadable."""
    if value is None or value == "":
        return _NOT_LOCKED
    try:
        until = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return until.replace(tzinfo=UTC) if until.tzinfo is None else until


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidRecord(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _check_password_rules(password: str, policy: AccountPolicy) -> None:
    if len(password) < policy.min_password_length:
        raise InvalidRecord(f"a password needs at least {policy.min_password_length} characters")
