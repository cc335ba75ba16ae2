"""A log edited or damaged outside the station: named clearly, never a traceback, never lost."""

import sqlite3

import pytest

from xrayreview.decisions import (
    Account,
    AccountLocked,
    AccountPolicy,
    Accounts,
    Decision,
    DecisionLog,
    LogUnavailable,
    ScanInfo,
    decided_files,
    figures,
    load_decisions,
    now_utc,
    record_decision,
    record_review,
    verify,
)

OFFICER = Account("olga", "officer")
SUPERVISOR = Account("sam", "supervisor")


def _decision(n: int, **changes) -> Decision:
    return Decision(ScanInfo([f"/inbox/scan{n}.tif"], f"{n:064x}", 640, 480), "clear", now_utc(), **changes)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "log.sqlite"
    with DecisionLog(path, station_id="test") as log:
        for n in range(1, 5):
            record_decision(log, OFFICER, _decision(n))
        record_review(log, SUPERVISOR, 1, "agree")
    return path


def _edit_body(path, seq, body):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET body = ? WHERE seq = ?", (body, seq))
    conn.close()


@pytest.mark.parametrize("body", ["not json", "[]", '{"officer": 5}', '{"decision": "clear"}'])
def test_an_edited_decision_is_named_not_a_traceback(db, body):
    _edit_body(db, 2, body)
    assert verify(db).first_break.seq == 2
    with DecisionLog(db) as log:
        for read in (lambda: load_decisions(log), lambda: figures(load_decisions(log)),
                     lambda: record_decision(log, OFFICER, _decision(9, corrects=2))):
            with pytest.raises(LogUnavailable, match="record #2 is damaged or was changed"):
                read()
        if body in ("not json", "[]"):
            with pytest.raises(LogUnavailable, match="record #2"):
                list(log.records())
            with pytest.raises(LogUnavailable, match="record #2"):
                log.record(2)
        # New decisions are still taken, and the queue still knows what was decided around it.
        appended = record_decision(log, OFFICER, _decision(10))
        files, last = decided_files(log)
    assert "/inbox/scan3.tif" in files and "/inbox/scan10.tif" in files and last == appended.seq


def test_an_edited_review_is_named(db):
    _edit_body(db, 5, '{"verdict": "agree"}')
    with DecisionLog(db) as log, pytest.raises(LogUnavailable, match="record #5"):
        load_decisions(log)


@pytest.mark.parametrize("content", [b"x", b"notes\n", b"SQLite"])
def test_a_tiny_file_that_is_not_a_log_is_left_alone(tmp_path, content):
    path = tmp_path / "log.sqlite"
    path.write_bytes(content)
    with pytest.raises(LogUnavailable, match="damaged"):
        DecisionLog(path)
    assert path.read_bytes() == content


def test_an_empty_file_still_becomes_a_new_log(tmp_path):
    path = tmp_path / "log.sqlite"
    path.write_bytes(b"")  # created, then killed before SQLite wrote its header
    with DecisionLog(path) as log:
        record_decision(log, OFFICER, _decision(1))
    assert verify(path).records == 1


@pytest.fixture
def accounts(tmp_path):
    log = DecisionLog(tmp_path / "log.sqlite")
    accounts = Accounts(log, AccountPolicy(min_password_length=4))
    admin = accounts.create_first_admin("ada", "analytical-engine")
    accounts.create(admin, "olga", "officer", "difference-engine")
    yield accounts, admin
    log.close()


def _edit_account(accounts, assignment, value):
    conn = sqlite3.connect(accounts.log.path, isolation_level=None)
    conn.execute(f"UPDATE accounts SET {assignment} = ? WHERE username = 'olga'", (value,))
    conn.close()


def test_an_unreadable_lock_time_keeps_the_account_locked(accounts):
    accounts, admin = accounts
    _edit_account(accounts, "locked_until", "garbage")
    with pytest.raises(AccountLocked, match="damaged lock state"):
        accounts.authenticate("olga", "difference-engine")
    accounts.unlock(admin, "olga")
    assert accounts.authenticate("olga", "difference-engine").username == "olga"


def test_a_lock_time_without_a_zone_is_read_as_utc(accounts):
    accounts, _admin = accounts
    _edit_account(accounts, "locked_until", "2999-01-01T00:00:00")
    with pytest.raises(AccountLocked, match="is locked"):
        accounts.authenticate("olga", "difference-engine")


def test_an_unreadable_failure_count_locks_on_the_next_failure(accounts):
    accounts, _admin = accounts
    _edit_account(accounts, "failures", "many")
    with pytest.raises(AccountLocked, match="now locked"):
        accounts.authenticate("olga", "wrong")
