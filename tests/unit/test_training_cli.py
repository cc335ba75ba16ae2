"""`xrayreview training` headless: verify's exit codes, results by role, CSV and PDF."""

import io
import json
import sqlite3

import cv2
import numpy as np
import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, DecisionLog
from xrayreview.training.library import Library
from xrayreview.training.offers import offer_session
from xrayreview.training.plan import SessionSpec, build_plan
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession


@pytest.fixture
def logs(tmp_path, monkeypatch):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    db, training = tmp_path / "decisions.sqlite", tmp_path / "training.sqlite"
    with DecisionLog(db) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "tina", "trainer", "trainer-pass")
        accounts.create(admin, "omar", "officer", "officer-pass")
        trainer = accounts.authenticate("tina", "trainer-pass")
    image = np.full((240, 400), 60000, np.uint16)
    image[40:200, 50:350] = 30000
    cv2.imwrite(str(tmp_path / "clean.png"), image)
    (tmp_path / "clean.json").write_text(json.dumps({"pixel_pitch_mm": 2.0}))
    library = Library.of_files([tmp_path / "clean.png"])
    with TrainingLog(training) as log:
        plan = build_plan(SessionSpec(scans=2, threat_share=0.5, seed=2, categories=("firearm",)), library)
        stored = offer_session(log, plan, "cli", trainer)
        for trainee in ("omar", "olga"):
            session = TrainingSession.from_offer(stored, library, trainee, log=log)
            for item in stored.plan.items:
                session.present(item)
                session.answer("refer" if item.threats else "clear", [t.box for t in item.threats], 4.0)
    return db, training


def _run(monkeypatch, argv, password=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(argv)


def test_verify_exit_codes(logs, monkeypatch, capsys):
    _db, training = logs
    assert _run(monkeypatch, ["training", "verify", "--log", str(training)]) == 0
    assert "OK" in capsys.readouterr().out
    conn = sqlite3.connect(training)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET body = replace(body, '\"refer\"', '\"clear\"') "
                 "WHERE kind = 'training_answer'")
    conn.commit()
    conn.close()
    assert _run(monkeypatch, ["training", "verify", "--log", str(training)]) == 1
    assert _run(monkeypatch, ["training", "verify", "--log", str(training.parent / "none.sqlite")]) == 2


def test_results_by_role_with_exports(logs, monkeypatch, capsys, tmp_path):
    db, training = logs
    base = ["training", "results", "--db", str(db), "--log", str(training)]
    argv = [*base, "--user", "tina", "--csv", str(tmp_path / "all.csv"), "--pdf", str(tmp_path / "all.pdf")]
    assert _run(monkeypatch, argv, "trainer-pass") == 0
    out = capsys.readouterr().out
    assert "omar" in out and "olga" in out and "100%" in out
    assert len((tmp_path / "all.csv").read_text().splitlines()) == 3
    assert (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")
    own = [*base, "--user", "omar", "--csv", str(tmp_path / "own.csv")]
    assert _run(monkeypatch, own, "officer-pass") == 0
    out = capsys.readouterr().out
    assert "omar" in out and "olga" not in out
    assert len((tmp_path / "own.csv").read_text().splitlines()) == 2
    assert _run(monkeypatch, [*base, "--user", "omar", "--trainee", "olga"], "officer-pass") == 2
    assert "only their own" in capsys.readouterr().err
    assert _run(monkeypatch, [*base, "--user", "omar"], "wrong-pass") == 2


@pytest.mark.parametrize("typed, hint", [("omr", "Did you mean omar?"), ("OLGA", "Did you mean olga?"),
                                         ("zed", None)])
def test_results_for_a_trainee_without_any_say_so_with_close_names(logs, monkeypatch, capsys, tmp_path,
                                                                   typed, hint):
    db, training = logs
    argv = ["training", "results", "--db", str(db), "--log", str(training), "--user", "tina",
            "--trainee", typed, "--csv", str(tmp_path / "none.csv")]
    assert _run(monkeypatch, argv, "trainer-pass") == 2
    said = capsys.readouterr()
    assert said.out == "" and not (tmp_path / "none.csv").exists()
    (line,) = said.err.splitlines()
    assert line.startswith(f"error: no training results for {typed!r}")
    assert (hint in line) if hint else "Did you mean" not in line


def test_a_trainee_without_results_is_told_so_and_shown_no_other_name(logs, monkeypatch, capsys):
    db, training = logs
    with DecisionLog(db) as log:
        accounts = Accounts(log)
        accounts.create(accounts.authenticate("root", "admin-pass"), "omer", "officer", "omer-password")
    argv = ["training", "results", "--db", str(db), "--log", str(training), "--user", "omer"]
    assert _run(monkeypatch, [*argv, "--trainee", "omer"], "omer-password") == 2
    err = capsys.readouterr().err
    assert "no training results for 'omer'" in err
    assert "omar" not in err  # a close name, but omar's results are not omer's to see
    assert _run(monkeypatch, argv, "omer-password") == 0  # asked for nobody in particular: an empty table
