"""Accounts: scrypt hashes, first admin, lockout, roles from the table, every event in the chain."""

from datetime import UTC, datetime, timedelta

import pytest

from xrayreview.decisions import (
    PERMISSIONS,
    ROLES,
    AccountLocked,
    AccountPolicy,
    Accounts,
    AuthenticationFailed,
    DecisionLog,
    InvalidRecord,
    PermissionDenied,
    allowed,
    check_password,
    hash_password,
)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def setup(tmp_path):
    clock = Clock()
    with DecisionLog(tmp_path / "log.sqlite") as log:
        accounts = Accounts(log, AccountPolicy(max_failures=3, lockout_s=600), clock=clock)
        yield log, accounts, clock


def test_password_hash_is_salted_scrypt_and_checks():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$1024$8$1$") and first != second  # the suite's cheap cost (conftest)
    assert check_password("correct horse", first) and not check_password("correct hors", first)
    assert not check_password("x", "md5$abc") and not check_password("x", "garbage")


def test_first_run_creates_the_admin_once(setup):
    log, accounts, _ = setup
    assert accounts.needs_first_admin()
    admin = accounts.create_first_admin("root", "admin-pass")
    assert admin.role == "admin" and not accounts.needs_first_admin()
    with pytest.raises(PermissionDenied):
        accounts.create_first_admin("eve", "eve-password")
    stored = log.execute_read("SELECT password FROM accounts").fetchone()[0]
    assert "admin-pass" not in stored


def test_only_an_admin_manages_accounts(setup):
    _, accounts, _ = setup
    admin = accounts.create_first_admin("root", "admin-pass")
    officer = accounts.create(admin, "olga", "officer", "officer-pass")
    with pytest.raises(PermissionDenied):
        accounts.create(officer, "otto", "officer", "officer-pass")
    with pytest.raises(PermissionDenied):
        accounts.set_role(officer, "olga", "supervisor")
    with pytest.raises(InvalidRecord):
        accounts.create(admin, "x", "boss", "long-enough")
    with pytest.raises(InvalidRecord):
        accounts.create(admin, "y", "officer", "short")
    accounts.set_password(officer, "olga", "new-officer-pass")  # one's own password
    assert accounts.authenticate("olga", "new-officer-pass").role == "officer"


def test_lockout_after_failures_then_unlock_by_time_or_admin(setup):
    log, accounts, clock = setup
    admin = accounts.create_first_admin("root", "admin-pass")
    accounts.create(admin, "olga", "officer", "officer-pass")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed) as failed:
            accounts.authenticate("olga", "wrong")
        assert not isinstance(failed.value, AccountLocked)
    with pytest.raises(AccountLocked):
        accounts.authenticate("olga", "wrong")
    with pytest.raises(AccountLocked, match="locked"):
        accounts.authenticate("olga", "officer-pass")  # right password, still locked
    clock.now += timedelta(seconds=601)
    assert accounts.authenticate("olga", "officer-pass").username == "olga"
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate("olga", "wrong")
    accounts.unlock(admin, "olga")
    assert accounts.authenticate("olga", "officer-pass")
    accounts.disable(admin, "olga")
    with pytest.raises(AccountLocked, match="disabled"):
        accounts.authenticate("olga", "officer-pass")
    events = [r.content["event"] for r in log.records("account")]
    assert events.count("sign_in_failed") == 4 and "locked" in events and "unlocked" in events
    assert "disabled" in events and log.verify().ok


def test_unknown_user_fails_like_a_wrong_password(setup):
    _, accounts, _ = setup
    accounts.create_first_admin("root", "admin-pass")
    with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
        accounts.authenticate("nobody", "whatever")


def test_permission_table_covers_every_role_and_separates_duties():
    assert set().union(*PERMISSIONS.values()) == set(ROLES)
    assert allowed("officer", "decide") and not allowed("officer", "audit")
    assert allowed("supervisor", "audit") and not allowed("admin", "decide")
    assert allowed("trainer", "run_training") and not allowed("trainer", "audit")
    with pytest.raises(KeyError):
        allowed("officer", "fly")


def test_the_shipped_cost_is_owasps_minimum_and_absurd_stored_costs_are_refused(monkeypatch):
    monkeypatch.undo()  # the shipped cost, not the suite's cheap one
    stored = hash_password("correct horse")
    _, n, r, p, salt, key = stored.split("$")
    assert (int(n), int(r), int(p)) >= (2**17, 8, 1) and check_password("correct horse", stored)
    # An edited file asking for 128 GiB at sign-in is refused, not run.
    assert not check_password("correct horse", f"scrypt${2**30}${r}${p}${salt}${key}")
    assert not check_password("correct horse", f"scrypt${n}${r}$0${salt}${key}")
