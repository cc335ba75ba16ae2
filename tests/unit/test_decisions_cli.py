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



def _snapshot(path):
    """Every file under ``path`` (or ``path`` itself) with its bytes; {} when nothing is there."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["yolo", "coco", "tdr"])
def test_a_folder_export_of_no_decisions_is_refused_before_the_folder_is_touched(db, monkeypatch, capsys,
                                                                                tmp_path, fmt):
    # Of nothing, a TDR folder's SHA256SUMS.txt is empty, which `sha256sum -c` rejects, and a data
    # set is empty; making either took the earlier export's finishing file away. A filter that
    # matched nothing (a mistyped date, a misspelt officer) is said instead.
    fresh = tmp_path / f"fresh.{fmt}"
    argv = ["audit", "export", "--db", str(db), "--user", "sam", "--format", fmt, "--decision", "rescan"]
    assert _run(monkeypatch, [*argv, "--out", str(fresh)], "super-pass") == 2
    err = capsys.readouterr().err
    assert "No decisions match the filter; nothing was exported." in err and "Traceback" not in err
    assert not fresh.exists()
    earlier = tmp_path / f"earlier.{fmt}"
    assert _run(monkeypatch, [*argv[:-2], "--out", str(earlier)], "super-pass") == 0  # every decision
    before = _snapshot(earlier)
    assert before
    capsys.readouterr()
    assert _run(monkeypatch, [*argv, "--out", str(earlier)], "super-pass") == 2
    assert "nothing was exported" in capsys.readouterr().err
    assert _snapshot(earlier) == before


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_a_file_export_of_no_decisions_is_written_and_says_so(db, monkeypatch, capsys, tmp_path, fmt):
    # As before: a file of its own that names the filter and shows no decision is what a
    # supervisor files to show that none matched.
    out = tmp_path / f"none.{fmt}"
    argv = ["audit", "export", "--db", str(db), "--user", "sam", "--format", fmt, "--decision", "rescan",
            "--out", str(out)]
    assert _run(monkeypatch, argv, "super-pass") == 0
    assert "0 decision(s) exported" in capsys.readouterr().out
    if fmt == "csv":
        assert out.read_text(encoding="utf-8").count("\n") == 1  # the header
    elif fmt == "json":
        document = json.loads(out.read_text(encoding="utf-8"))
        assert document["decisions"] == [] and document["filter"]["decision"] == "rescan"
    else:
        assert out.read_bytes().startswith(b"%PDF")
