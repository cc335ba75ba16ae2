"""The command line never writes an export over the decision log, the training log or a scan.

An output path given by mistake (a typo, shell completion picking the wrong file) must be
refused with a message, leaving that file byte for byte as it was.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, DecisionLog, verify


@pytest.fixture
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with a decision log (admin root, supervisor sam, trainer tina) and a scan."""
    data = tmp_path / "data"
    monkeypatch.setenv("XRAYREVIEW_DATA", str(data))
    with DecisionLog(data / "decisions.sqlite") as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
        accounts.create(admin, "tina", "trainer", "trainer-pass")
    with DecisionLog(data / "training.sqlite") as log:  # the training log is the same kind of file
        log.append("account", {"event": "created"})
    cv2.imwrite(str(tmp_path / "scan.png"), np.full((40, 60), 30000, np.uint16))
    return data


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(argv)


def _export(fmt: str, out: Path) -> list[str]:
    return ["audit", "export", "--user", "sam", "--format", fmt, "--out", str(out)]


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_an_export_onto_the_decision_log_is_refused(station, monkeypatch, capsys, fmt):
    log = station / "decisions.sqlite"
    before = log.read_bytes()
    assert _run(monkeypatch, _export(fmt, log), "super-pass") == 2
    err = capsys.readouterr().err
    assert str(log) in err and "Traceback" not in err
    assert log.read_bytes() == before
    assert verify(log).ok


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_an_export_onto_a_scan_is_refused(station, monkeypatch, capsys, fmt):
    scan = station.parent / "scan.png"
    before = scan.read_bytes()
    assert _run(monkeypatch, _export(fmt, scan), "super-pass") == 2
    assert "scan.png" in capsys.readouterr().err
    assert scan.read_bytes() == before


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_an_earlier_export_is_still_replaced(station, monkeypatch, fmt, tmp_path):
    out = tmp_path / f"audit.{fmt}"
    assert _run(monkeypatch, _export(fmt, out), "super-pass") == 0
    first = out.read_bytes()
    out.write_bytes(first + (b"\n" if fmt != "pdf" else b""))
    assert _run(monkeypatch, _export(fmt, out), "super-pass") == 0
    if fmt == "json":
        assert json.loads(out.read_text())["decisions"] == []


def test_a_refused_export_signs_no_one_in(station, monkeypatch):
    log = station / "decisions.sqlite"
    with DecisionLog(log) as opened:
        records = opened.count()
    assert _run(monkeypatch, _export("csv", station / "training.sqlite"), "super-pass") == 2
    with DecisionLog(log) as opened:
        assert opened.count() == records  # refused before the password was even checked


@pytest.mark.parametrize("option", ["--csv", "--pdf"])
@pytest.mark.parametrize("target", ["decisions.sqlite", "training.sqlite"])
def test_training_results_never_replace_a_log(station, monkeypatch, capsys, option, target):
    path = station / target
    before = path.read_bytes()
    argv = ["training", "results", "--user", "tina", option, str(path)]
    assert _run(monkeypatch, argv, "trainer-pass") == 2
    assert target in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["folder", "missing_folder/anchor.json"])
def test_an_anchor_that_cannot_be_written_is_named(station, monkeypatch, capsys, tmp_path, where):
    (tmp_path / "folder").mkdir()
    assert _run(monkeypatch, ["audit", "verify", "--anchor", str(tmp_path / where)], "") == 2
    err = capsys.readouterr().err
    assert "the anchor file" in err and "Traceback" not in err
    assert not (tmp_path / "missing_folder").exists()


def test_the_anchor_is_written_whole(station, monkeypatch, tmp_path):
    anchor = tmp_path / "anchor.json"
    assert _run(monkeypatch, ["audit", "verify", "--anchor", str(anchor)], "") == 0
    assert set(json.loads(anchor.read_text())) == {"seq", "hash"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("anchor")) == ["anchor.json"]
