"""The log keeps every acknowledged decision and refuses clearly when it cannot."""

import os
import sqlite3

import pytest

from xrayreview.decisions import (
    Account,
    Decision,
    DecisionLog,
    InvalidRecord,
    LogUnavailable,
    ModelInfo,
    PermissionDenied,
    ScanInfo,
    now_utc,
    record_decision,
    record_review,
    verify,
)
from xrayreview.decisions.killtest import kill_loop
from xrayreview.decisions.schema import MIGRATIONS

OFFICER = Account("olga", "officer")
SUPERVISOR = Account("sam", "supervisor")


def _decision(**changes) -> Decision:
    fields = dict(scan=ScanInfo(["/inbox/a.tif"], "a" * 64, 640, 480), decision="refer", opened_at=now_utc(),
                  reasons=["firearm"], model=ModelInfo("reference", "b" * 64, 0.35),
                  detector_marks=[{"label": "pistol", "category": "firearm", "score": 0.91,
                                   "box": [10, 20, 50, 60], "verdict": "confirmed"}],
                  officer_marks=[{"category": "ied_component", "box": [100, 100, 120, 130]}])
    fields.update(changes)
    return Decision(**fields)


@pytest.fixture
def log(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-3") as opened:
        yield opened


def test_a_decision_holds_everything_the_audit_needs(log):
    appended = record_decision(log, OFFICER, _decision(note="  pistol in the spare tyre "))
    content = log.record(appended.seq).content
    assert content["officer"] == "olga" and content["station"] == "lane-3"
    assert content["scan"]["sha256"] == "a" * 64 and content["model"]["threshold"] == 0.35
    assert content["detector_marks"][0]["verdict"] == "confirmed"
    assert content["officer_marks"][0]["category"] == "ied_component"
    assert content["note"] == "pistol in the spare tyre" and content["decided_at"] >= content["opened_at"]


def test_log_is_wal_with_full_sync_and_current_schema(log):
    conn = log._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.parametrize("bad", [
    dict(decision="maybe"), dict(reasons=["bored"]),
    dict(officer_marks=[{"category": "firearm", "box": [5, 5, 1, 1]}]),
    dict(officer_marks=[{"category": "knife", "box": [1, 1, 5, 5]}]),
    dict(detector_marks=[{"label": "x", "category": "other", "score": 0.5, "box": [1, 1, 5, 5],
                          "verdict": "perhaps"}]),
])
def test_bad_decisions_are_refused_and_nothing_is_written(log, bad):
    with pytest.raises(InvalidRecord):
        record_decision(log, OFFICER, _decision(**bad))
    assert log.count() == 0


def test_roles_are_enforced_in_the_core(log):
    with pytest.raises(PermissionDenied):
        record_decision(log, Account("ann", "admin"), _decision())
    with pytest.raises(PermissionDenied):
        record_decision(log, Account("tia", "trainer"), _decision())
    first = record_decision(log, OFFICER, _decision())
    with pytest.raises(PermissionDenied):
        record_review(log, OFFICER, first.seq, "agree")
    with pytest.raises(PermissionDenied, match="only their own"):
        record_decision(log, Account("otto", "officer"), _decision(decision="clear", corrects=first.seq))
    assert log.count() == 1


def test_corrections_and_reviews_are_new_records(log):
    first = record_decision(log, OFFICER, _decision())
    fix = record_decision(log, OFFICER, _decision(decision="rescan", reasons=["quality"], corrects=first.seq))
    review = record_review(log, SUPERVISOR, fix.seq, "agree", "fine")
    assert [r.kind for r in log.records()] == ["decision", "decision", "review"]
    assert log.record(first.seq).content["decision"] == "refer"
    assert log.record(review.seq).content["reviewed_seq"] == fix.seq
    with pytest.raises(InvalidRecord):
        record_review(log, SUPERVISOR, review.seq, "agree")
    assert log.verify().ok


def test_full_disk_blocks_the_decision_and_keeps_the_log(log):
    record_decision(log, OFFICER, _decision())
    pages = log._conn.execute("PRAGMA page_count").fetchone()[0]
    log._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    with pytest.raises(LogUnavailable, match="disk .* is full"):
        record_decision(log, OFFICER, _decision(note="x" * 20000))
    assert log.blocked_reason and "Nothing was recorded" in log.blocked_reason
    assert log.count() == 1 and log.verify().ok
    log._conn.execute(f"PRAGMA max_page_count = {pages * 100}")  # space freed: decisions resume
    record_decision(log, OFFICER, _decision(note="x" * 20000))
    assert log.blocked_reason is None and log.count() == 2


def test_read_only_log_blocks_new_decisions(log):
    record_decision(log, OFFICER, _decision())
    log._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(LogUnavailable, match="cannot be written"):
        record_decision(log, OFFICER, _decision())
    assert log.count() == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_file_blocks_new_decisions(tmp_path):
    path = tmp_path / "log.sqlite"
    with DecisionLog(path) as log:
        record_decision(log, OFFICER, _decision())
    path.chmod(0o444)
    with DecisionLog(path) as log, pytest.raises(LogUnavailable):
        record_decision(log, OFFICER, _decision())


def test_locked_log_blocks_with_a_clear_message(tmp_path):
    path = tmp_path / "log.sqlite"
    DecisionLog(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with DecisionLog(path, busy_timeout_s=0.05) as log, pytest.raises(LogUnavailable, match="locked"):
            record_decision(log, OFFICER, _decision())
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_corrupt_file_is_refused_clearly(tmp_path):
    path = tmp_path / "log.sqlite"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(LogUnavailable, match="damaged"):
        DecisionLog(path)
    with pytest.raises(LogUnavailable):
        verify(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "log.sqlite"
    DecisionLog(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(LogUnavailable, match="newer"):
        DecisionLog(path)


def test_kill_9_loses_no_acknowledged_decision(tmp_path):
    report = kill_loop(tmp_path / "log.sqlite", kills=4, max_delay_s=0.3)
    assert report.kills == 4 and report.acknowledged > 0
    assert report.lost == 0 and report.chain_breaks == []
    assert report.records >= report.acknowledged
