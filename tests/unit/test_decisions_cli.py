"""`xrayreview audit` headless: verify's exit code, a supervisor's stats and export, refusals."""

import io
import json
import sqlite3

import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, Decision, DecisionLog, ScanInfo, now_utc, record_decision


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    path = tmp_path / "log.sqlite"
    with DecisionLog(path) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        olga = accounts.authenticate("olga", "officer-pass")
        for decision in ("clear", "refer"):
            reasons = ["manifest"] if decision == "refer" else []
            record_decision(log, olga, Decision(ScanInfo(["/inbox/a.tif"], "e" * 64, 10, 10), decision,
                                                now_utc(), reasons=reasons))
    return path


def _run(monkeypatch, argv, password=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(argv)


def test_verify_exit_codes(db, monkeypatch, capsys):
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db)]) == 0
    assert "OK:" in capsys.readouterr().out
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET body = replace(body, 'refer', 'clear') WHERE kind = 'decision'")
    conn.commit()
    conn.close()
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db)]) == 1
    assert "BROKEN at record" in capsys.readouterr().out
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db.parent / "none.sqlite")]) == 2


def test_supervisor_stats_and_export(db, monkeypatch, capsys, tmp_path):
    assert _run(monkeypatch, ["audit", "stats", "--db", str(db), "--user", "sam"], "super-pass") == 0
    out = capsys.readouterr().out
    assert "ALL" in out and "50.0%" in out
    out_file = tmp_path / "refer.json"
    argv = ["audit", "export", "--db", str(db), "--user", "sam", "--format", "json", "--out", str(out_file),
            "--decision", "refer"]
    assert _run(monkeypatch, argv, "super-pass") == 0
    document = json.loads(out_file.read_text())
    assert [d["decision"] for d in document["decisions"]] == ["refer"]
    # The file names the log state it came from: a copy handed on can be checked against the log.
    with DecisionLog(db) as log:
        head = log.verify()
    assert document["log"]["head_hash"] == head.head_hash and document["log"]["intact"] is True


def test_officer_and_wrong_password_are_refused(db, monkeypatch, capsys):
    assert _run(monkeypatch, ["audit", "stats", "--db", str(db), "--user", "olga"], "officer-pass") == 2
    assert "may not audit" in capsys.readouterr().err
    assert _run(monkeypatch, ["audit", "stats", "--db", str(db), "--user", "sam"], "nope") == 2
    assert "Wrong user name or password" in capsys.readouterr().err


def test_anchor_catches_a_log_cut_short(db, monkeypatch, capsys, tmp_path):
    anchor = tmp_path / "anchor.json"
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db), "--anchor", str(anchor)]) == 0
    head = json.loads(anchor.read_text())["seq"]
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER records_no_delete")
    conn.execute("DELETE FROM records WHERE seq = ?", (head,))  # the chain alone still verifies
    conn.commit()
    conn.close()
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db)]) == 0
    assert _run(monkeypatch, ["audit", "verify", "--db", str(db), "--anchor", str(anchor)]) == 1
    assert "removed from the end" in capsys.readouterr().out


def test_accounts_command_sets_up_a_station(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "new.sqlite")
    assert _run(monkeypatch, ["accounts", "init", "root", "--db", db], "admin-pass") == 0
    assert _run(monkeypatch, ["accounts", "init", "eve", "--db", db], "eve-password") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("admin-pass\nofficer-pass\n"))
    assert main(["accounts", "add", "olga", "--role", "officer", "--admin", "root", "--db", db]) == 0
    assert _run(monkeypatch, ["accounts", "list", "--admin", "root", "--db", db], "admin-pass") == 0
    assert "olga" in capsys.readouterr().out
    assert _run(monkeypatch, ["accounts", "list", "--admin", "olga", "--db", db], "officer-pass") == 2
    assert "may not manage accounts" in capsys.readouterr().err
