"""Tampering of every kind is found and named; the triggers refuse edits through SQLite."""

import sqlite3

import pytest

from xrayreview.decisions import Account, Decision, DecisionLog, ScanInfo, now_utc, record_decision, verify

OFFICER = Account("olga", "officer")


def _decision(n: int) -> Decision:
    return Decision(ScanInfo([f"/inbox/scan{n}.tif"], f"{n:064x}", 640, 480), "clear", now_utc(),
                    note=f"scan {n}")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "log.sqlite"
    with DecisionLog(path, station_id="test") as log:
        for n in range(1, 7):
            record_decision(log, OFFICER, _decision(n))
    assert verify(path).ok
    return path


def _tamper(path, *statements):
    """What someone with the file and a SQLite shell could do: drop the triggers, then edit."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("DROP TRIGGER records_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.close()


def test_intact_log_verifies_and_reports_its_head(db):
    result = verify(db)
    assert result.ok and result.records == 6 and result.head_seq == 6
    assert "OK: 6 records" in str(result)


def test_triggers_refuse_update_and_delete(db):
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET body = replace(body, 'clear', 'refer') WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM records WHERE seq = 2")
    conn.close()
    assert verify(db).ok


def test_edited_record_is_named(db):
    _tamper(db, "UPDATE records SET body = replace(body, '\"clear\"', '\"refer\"') WHERE seq = 3")
    result = verify(db)
    assert not result.ok
    assert (result.first_break.seq, result.first_break.kind) == (3, "edited")
    assert result.records == 2


def test_deleted_record_is_named(db):
    _tamper(db, "DELETE FROM records WHERE seq = 4")
    assert (verify(db).first_break.seq, verify(db).first_break.kind) == (5, "deleted")


def test_deleted_and_renumbered_record_is_named(db):
    _tamper(db, "DELETE FROM records WHERE seq = 4", "UPDATE records SET seq = seq - 1 WHERE seq > 4")
    broken = verify(db).first_break
    assert (broken.seq, broken.kind) == (4, "deleted")


def test_deleted_first_record_is_named(db):
    _tamper(db, "DELETE FROM records WHERE seq = 1", "UPDATE records SET seq = seq - 1")
    broken = verify(db).first_break
    assert (broken.seq, broken.kind) == (1, "deleted")


def test_reordered_records_are_named(db):
    _tamper(db, "UPDATE records SET seq = 100 WHERE seq = 3", "UPDATE records SET seq = 3 WHERE seq = 4",
            "UPDATE records SET seq = 4 WHERE seq = 100")
    broken = verify(db).first_break
    assert (broken.seq, broken.kind) == (3, "reordered")


def test_inserted_record_is_named_even_with_a_valid_hash(db):
    from xrayreview.decisions.chain import canonical, record_hash

    conn = sqlite3.connect(db)
    prev = conn.execute("SELECT hash FROM records WHERE seq = 2").fetchone()[0]
    conn.close()
    body = canonical({"officer": "mallory", "decision": "clear"})
    forged = record_hash(prev, "decision", body)
    _tamper(db, "UPDATE records SET seq = seq + 100 WHERE seq > 2",
            "UPDATE records SET seq = seq - 99 WHERE seq > 100",
            f"INSERT INTO records(seq, kind, body, prev_hash, hash) VALUES (3, 'decision', '{body}', "
            f"'{prev}', '{forged}')")
    broken = verify(db).first_break
    assert broken.kind == "inserted" and "#3 was inserted" in broken.message


def test_appending_after_a_break_still_detects_it(db):
    _tamper(db, "UPDATE records SET body = replace(body, 'scan 2', 'scan 9') WHERE seq = 2")
    with DecisionLog(db) as log:
        record_decision(log, OFFICER, _decision(7))
        assert log.verify().first_break.seq == 2
