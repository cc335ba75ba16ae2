"""Local accounts: roles, scrypt password hashes, lockout; every change is also a chain record.

Passwords: hashlib.scrypt with N=2**17, r=8, p=1 (128 MiB, ~0.27 s per check on this project's CPU),
a 16-byte random salt per password and a 32-byte key, stored as
``scrypt$N$r$p$salt_hex$key_hex`` so the parameters can be raised later without breaking
existing accounts: ``AccountPolicy.scrypt_n`` sets the cost of new hashes, and a stored hash
below it is redone at the account's next sign-in (logs made at the earlier N=2**14 move up so).

Roles and the active flag are read from the table for every account change, decision, review and
audit read (``authorised``), never taken from the ``Account`` the caller holds: one made by hand,
or kept from before a demotion, changes nothing. A change that would leave no active admin is refused.
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
from .names import name_key, typed_name
from .passwords import weakness
from .permissions import ROLES, require

# N=2**17, r=8, p=1 is OWASP's minimum for scrypt: 128 MiB and about 0.27 s per sign-in here.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES = 2**17, 8, 1, 32
# A stored hash asking for more memory or rounds than this is not one the station made (an edited
# file): refused rather than run, as N=2**30 would ask for 128 GiB at sign-in.
MAX_SCRYPT_BYTES, MAX_SCRYPT_P = 2**29, 16


@dataclass(frozen=True)
class AccountPolicy:
    max_failures: int = 5  # failed sign-ins in a row before the account locks
    lockout_s: float = 900.0  # how long it stays locked (an admin can unlock sooner)
    idle_lock_s: float = 300.0  # the station locks after this long without input (the UI enforces it)
    min_password_length: int = 8
    # Cost of new password hashes (None: the module's SCRYPT_N, read when used); weaker stored
    # ones are redone at sign-in.
    scrypt_n: int | None = None

    @property
    def cost(self) -> int:
        return self.scrypt_n or SCRYPT_N


POLICY = AccountPolicy()


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool = True


def hash_password(password: str, *, n: int | None = None, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    n = n or SCRYPT_N
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
        if min(n_, r_, p_) < 1 or p_ > MAX_SCRYPT_P or 128 * n_ * r_ > MAX_SCRYPT_BYTES:
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=n_, r=r_, p=p_,
                             dklen=len(key) // 2, maxmem=256 * n_ * r_ * p_)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), key)


# Checked against on unknown user names so a wrong name costs the same time as a wrong password:
# one per cost, made when an Accounts with that cost is, never during a sign-in.
_DUMMIES: dict[int, str] = {}


def _dummy(n: int) -> str:
    if n not in _DUMMIES:
        _DUMMIES[n] = hash_password(secrets.token_hex(8), n=n)
    return _DUMMIES[n]


def _cost(stored: str) -> int:
    try:
        return int(stored.split("$")[1])
    except (IndexError, ValueError):
        return 0


# The same words for a wrong password and an unknown name, so the sign-in screen does not tell
# whoever stands at the station which names exist. The lock itself is still said (an officer
# must know to call an admin); reaching it costs the owner's account a lock, which is logged.
WRONG_NAME_OR_PASSWORD = "Wrong user name or password."


class Accounts:
    def __init__(self, log: DecisionLog, policy: AccountPolicy | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.log = log
        # Read when made, not bound at import: a test set-up can lower the module's POLICY cost.
        self.policy = policy if policy is not None else POLICY
        self._clock = clock
        _dummy(self.policy.cost)

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
            actor = authorised(writer, by, "manage_accounts")
            return self._insert(writer, username, role, password, by=actor)

    def authenticate(self, username: str, password: str) -> Account:
        """The account, or AuthenticationFailed / AccountLocked; every attempt is logged."""
        now = self._clock()
        with self.log.transaction() as writer:
            row = self._row(writer, username)
            if row is None:
                check_password(password, _dummy(self.policy.cost))
                # Not the name typed: it is often the password, typed into the wrong field,
                # and nothing written to the chain can ever be taken out again.
                self._event(writer, "sign_in_failed", None, None, "unknown user name")
                failure: AuthenticationFailed = AuthenticationFailed(self._wrong())
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
        self._change(by, username, "disabled", "active = 0",
                     refuse_self="an admin cannot disable their own account")

    def set_role(self, by: Account, username: str, role: str) -> None:
        _check_role(role)
        self._change(by, username, f"role set to {role}", "role = ?", (role,))

    def set_password(self, by: Account, username: str, new_password: str) -> None:
        """Admins set anyone's password; everyone may change their own."""
        with self.log.transaction() as writer:
            actor = authorised(writer, by, None)
            # Whose password it is comes from the table's own name, compared exactly: "ольга"
            # lower-cased equals "Ольга", which let one account set the other's password.
            row = self._row(writer, username)
            if row is None or row[0] != actor:
                authorised(writer, by, "manage_accounts")
            name = self._require_row(writer, username)[0]
            _check_password_rules(new_password, self.policy, name)
            writer.conn.execute("UPDATE accounts SET password = ? WHERE username = ?",
                                (hash_password(new_password, n=self.policy.cost), name))
            self._event(writer, "password_changed", name, actor)

    def list(self, by: Account) -> list[Account]:
        require(by, "manage_accounts")
        authorised(self.log, by, "manage_accounts")
        rows = self.log.execute_read("SELECT username, role, active FROM accounts ORDER BY username")
        return [Account(name, role, bool(active)) for name, role, active in rows]

    def usernames(self) -> list[str]:
        """Active user names, for the sign-in list (no roles or hashes)."""
        rows = self.log.execute_read("SELECT username FROM accounts WHERE active = 1 ORDER BY username")
        return [name for (name,) in rows]

    def roster(self) -> list[Account]:
        """Every account's name, role and active flag, disabled ones too, sorted by name.

        Read-only and without a permission check, like ``usernames()``: it serves lists outside
        account management (whom a training session may be offered to), so it gives nothing an
        admin alone may see (no password hashes, no lock state)."""
        rows = self.log.execute_read("SELECT username, role, active FROM accounts ORDER BY username")
        return [Account(str(name), str(role), bool(active)) for name, role, active in rows]

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
            if _cost(stored) < self.policy.cost:  # made at a lower cost: redo it, never lower it
                writer.conn.execute("UPDATE accounts SET password = ? WHERE username = ?",
                                    (hash_password(password, n=self.policy.cost), name))
                self._event(writer, "password_rehashed", name, None, f"scrypt N={self.policy.cost}")
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
        return AuthenticationFailed(self._wrong())

    def _wrong(self) -> str:
        return (f"{WRONG_NAME_OR_PASSWORD} After {self.policy.max_failures} failed sign-ins in a row an "
                f"account is locked for {self.policy.lockout_s / 60:g} min.")

    def _insert(self, writer: Writer, username: str, role: str, password: str, by: str | None) -> Account:
        username = typed_name(username)
        if not username or len(username) > 64 or not username.isprintable():
            raise InvalidRecord("a user name is 1 to 64 printable characters")
        key = name_key(username)
        for (other,) in writer.conn.execute("SELECT username FROM accounts"):
            if name_key(other) == key:
                alike = "" if other == username else f"; {username!r} would read the same in the audit"
                raise InvalidRecord(f"an account named {other!r} exists already{alike}")
        _check_role(role)
        _check_password_rules(password, self.policy, username)
        writer.conn.execute(
            "INSERT INTO accounts(username, role, password, created_at) VALUES (?, ?, ?, ?)",
            (username, role, hash_password(password, n=self.policy.cost),
             self._clock().isoformat(timespec="milliseconds")),
        )
        self._event(writer, "created", username, by, f"role {role}")
        return Account(username, role)

    def _change(self, by: Account, username: str, event: str, assignment: str,
                params: tuple = (), refuse_self: str = "") -> None:
        require(by, "manage_accounts")
        with self.log.transaction() as writer:
            actor = authorised(writer, by, "manage_accounts")
            # The table's own name, not the one typed: "olga " found the row but updated none,
            # while the chain recorded the change as made.
            name = self._require_row(writer, username)[0]
            if refuse_self and name == actor:
                raise InvalidRecord(refuse_self)
            writer.conn.execute(f"UPDATE accounts SET {assignment} WHERE username = ?", (*params, name))
            # Checked after the change, inside its transaction, so every path (a role, a disable,
            # one's own account or another's) is covered: with no active admin left nobody could
            # ever manage accounts again. Raising rolls the change back; no record is written.
            if not writer.conn.execute(
                    "SELECT count(*) FROM accounts WHERE role = 'admin' AND active").fetchone()[0]:
                raise InvalidRecord(f"{name} is the station's only active admin; make another admin first.")
            self._event(writer, event, name, actor)

    def _event(self, writer: Writer, event: str, username: str | None, by: str | None,
               detail: str = "") -> None:
        writer.append("account", {"event": event, "username": username, "by": by, "detail": detail,
                                  "at": self._clock().isoformat(timespec="milliseconds"),
                                  "station": self.log.station_id})

    @staticmethod
    def _row(writer: Writer, username: str) -> tuple | None:
        # Composed form first (what the station stores now), then as typed: a name stored
        # decomposed by an older version stays reachable.
        for name in dict.fromkeys((typed_name(username), username.strip())):
            row = writer.conn.execute(
                "SELECT username, role, password, failures, locked_until, active "
                "FROM accounts WHERE username = ?", (name,)).fetchone()
            if row is not None:
                return row
        return None

    def _require_row(self, writer: Writer, username: str) -> tuple:
        row = self._row(writer, username)
        if row is None:
            raise InvalidRecord(f"no account named {username!r}")
        return row


class AccountRefused(PermissionDenied):
    """The account as the table holds it now (disabled, given another role, or not there at all)
    may not do this, whatever the caller's ``Account`` says: retrying does not help, an admin must
    change the account (or someone allowed must do it)."""


def authorised(source: Writer | DecisionLog, by: Account, action: str | None, *,
               without_accounts: bool = False) -> str:
    """The acting account's stored name, once the table says it is active and its stored role
    may do ``action`` (None: any role); AccountRefused otherwise.

    Given the ``Writer`` of the change it guards, the check and the change commit together: an
    admin's demotion lands either before (refused) or after (the change was allowed when made).
    ``without_accounts``: on a log that holds no account at all (a bench, a library caller; the
    station's first sign-in always makes its admin) there is no table to ask, and ``by``'s own
    role is checked instead.
    """
    read = source.conn.execute if isinstance(source, Writer) else source.execute_read
    row = read("SELECT username, role, active FROM accounts WHERE username = ?", (by.username,)).fetchone()
    if row is None and without_accounts and not read("SELECT count(*) FROM accounts").fetchone()[0]:
        if action is not None:
            require(by, action)
        return by.username
    # Exactly the stored name: the lookup ignores ASCII case, and decisions and reviews carry the
    # caller's spelling, so "OLGA" must not decide as (and apart from) "olga".
    if row is None or row[0] != by.username:
        raise AccountRefused(f"{by.username} is not an account on this station.")
    if not row[2]:
        raise AccountRefused(f"The account {row[0]} is disabled; ask an admin.")
    if action is not None:
        try:
            require(Account(row[0], row[1]), action)
        except PermissionDenied as exc:
            raise AccountRefused(str(exc)) from None
    return row[0]


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


def check_new_password(password: str, username: str, policy: AccountPolicy | None = None) -> None:
    """InvalidRecord when ``password`` breaks the rules for a new password of ``username``: for
    callers that must know before they create anything (the first admin's log)."""
    _check_password_rules(password, policy or POLICY, username)


def _check_password_rules(password: str, policy: AccountPolicy, username: str) -> None:
    if len(password) < policy.min_password_length:
        raise InvalidRecord(f"a password needs at least {policy.min_password_length} characters")
    if name_key(password) == name_key(username):
        raise InvalidRecord("a password must not be the user name")
    reason = weakness(password, username)
    if reason:
        raise InvalidRecord(reason)
