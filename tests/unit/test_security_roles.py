"""Roles for decisions, reviews and the audit come from the accounts table at the moment of each
write or read, not from the Account a session got at sign-in: an officer disabled or given another
role mid-shift records nothing more, a supervisor demoted audits, reviews and exports nothing more."""

import pytest

from xrayreview.decisions import (
    Account,
    AccountPolicy,
    Accounts,
    Audit,
    Decision,
    DecisionLog,
    PermissionDenied,
    ScanInfo,
    now_utc,
    record_decision,
    record_review,
    verify,
)

CHEAP = AccountPolicy(scrypt_n=2**10)


@pytest.fixture
def station(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as log:
        accounts = Accounts(log, CHEAP)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
        olga = accounts.authenticate("olga", "officer-pass")
        sam = accounts.authenticate("sam", "super-pass")
        yield log, accounts, admin, olga, sam


def _decision(**kwargs):
    return Decision(ScanInfo(["/inbox/bag.png"], "a" * 64, 10, 10), "clear", now_utc(), **kwargs)


def _revoke(accounts, admin, name, how):
    if how == "disabled":
        accounts.disable(admin, name)
    else:
        accounts.set_role(admin, name, how)


@pytest.mark.parametrize("how, said", [
    ("disabled", "The account olga is disabled; ask an admin."),
    ("trainer", "olga (trainer) may not decide."),
    ("admin", "olga (admin) may not decide."),
])
def test_an_officer_disabled_or_demoted_mid_shift_records_no_more_decisions(station, how, said):
    log, accounts, admin, olga, _ = station
    first = record_decision(log, olga, _decision())
    _revoke(accounts, admin, "olga", how)
    head = log.head()
    with pytest.raises(PermissionDenied) as refused:
        record_decision(log, olga, _decision())
    assert str(refused.value) == said
    with pytest.raises(PermissionDenied):  # nor correct the earlier one
        record_decision(log, olga, _decision(corrects=first.seq))
    assert log.head() == head and log.count("decision") == 1 and verify(log.path).ok


def test_an_officer_given_the_role_back_records_again(station):
    log, accounts, admin, olga, _ = station
    accounts.set_role(admin, "olga", "trainer")
    with pytest.raises(PermissionDenied):
        record_decision(log, olga, _decision())
    accounts.set_role(admin, "olga", "officer")
    assert record_decision(log, olga, _decision()).seq == log.head()[0]


def test_an_account_made_by_hand_decides_nothing_on_a_station_with_accounts(station):
    log, _, _, _, _ = station
    for forged in (Account("ghost", "officer"), Account("root", "officer"), Account("OLGA", "officer")):
        with pytest.raises(PermissionDenied):
            record_decision(log, forged, _decision())
    with pytest.raises(PermissionDenied):
        Audit(log, Account("root", "supervisor"))
    assert log.count("decision") == 0


def test_a_log_without_accounts_takes_the_role_it_is_given(tmp_path):
    # Benches and library callers log without any account: nobody to ask, so the role passed is used.
    with DecisionLog(tmp_path / "bench.sqlite") as log:
        record_decision(log, Account("bench", "officer"), _decision())
        assert Audit(log, Account("sam", "supervisor")).decisions()[0].officer == "bench"
        with pytest.raises(PermissionDenied):
            record_decision(log, Account("tia", "trainer"), _decision())


@pytest.mark.parametrize("how", ["disabled", "officer"])
def test_a_supervisor_demoted_mid_shift_reviews_audits_and_exports_no_more(station, how):
    log, accounts, admin, olga, sam = station
    seq = record_decision(log, olga, _decision()).seq
    audit = Audit(log, sam)
    assert [row.seq for row in audit.decisions()] == [seq] and audit.officers() == ["olga"]
    audit.check("export")
    _revoke(accounts, admin, "sam", how)
    head = log.head()
    with pytest.raises(PermissionDenied):
        record_review(log, sam, seq, "agree")
    for read in (audit.decisions, audit.officers, lambda: audit.check("export"), lambda: Audit(log, sam)):
        with pytest.raises(PermissionDenied):
            read()
    assert log.head() == head and log.count("review") == 0


def test_the_roster_gives_every_account_its_role_and_state_and_nothing_secret(station):
    log, accounts, admin, _, _ = station
    accounts.disable(admin, "olga")
    roster = accounts.roster()
    assert [(a.username, a.role, a.active) for a in roster] == [
        ("olga", "officer", False), ("root", "admin", True), ("sam", "supervisor", True)]
    assert all(set(vars(a)) == {"username", "role", "active"} for a in roster)
    assert accounts.usernames() == ["root", "sam"]  # the sign-in list still shows active names only
