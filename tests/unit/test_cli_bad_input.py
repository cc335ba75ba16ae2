"""The command line and start-up on bad input: a one-line message, a non-zero exit, no traceback,
nothing else changed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, DecisionLog

REPO = Path(__file__).resolve().parents[2]


def _xrayreview(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xrayreview", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err, err


def test_a_data_folder_that_is_a_file_is_named(tmp_path, monkeypatch, capsys):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("notes")
    monkeypatch.setenv("XRAYREVIEW_DATA", str(not_a_folder))
    assert main(["audit", "verify"]) == 2
    err = capsys.readouterr().err
    assert str(not_a_folder) in err and "XRAYREVIEW_DATA" in err
    assert not_a_folder.read_text() == "notes"


def test_a_data_folder_that_cannot_be_made_is_named(tmp_path, monkeypatch, capsys):
    def refuse(self, *args, **kwargs):  # what a read-only disk does (chmod is no obstacle to root)
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "ro" / "data"))
    monkeypatch.setattr(Path, "mkdir", refuse)
    assert main(["accounts", "list", "--admin", "root"]) == 2
    err = capsys.readouterr().err
    assert "data folder" in err and str(tmp_path / "ro" / "data") in err and "Permission denied" in err


def test_helper_modules_are_not_listed_as_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    assert "unavailable" not in listed and "args" not in listed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland displays are a Linux matter")
def test_the_station_without_a_display_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XRAYREVIEW_DATA"] = str(tmp_path / "data")
    done = _xrayreview([], env, tmp_path)
    assert done.returncode == 2  # Qt alone aborts the process (SIGABRT, core dump)
    assert "display" in done.stderr and "QT_QPA_PLATFORM=offscreen" in done.stderr


def test_the_station_on_a_bad_data_folder_stops_before_it_starts(tmp_path):
    (tmp_path / "data").write_text("")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XRAYREVIEW_DATA=str(tmp_path / "data"))
    done = _xrayreview(["open"], env, tmp_path)
    assert done.returncode == 2
    _no_traceback(done.stderr)
    assert "XRAYREVIEW_DATA" in done.stderr


def test_open_names_a_missing_file_before_the_station_starts(tmp_path, monkeypatch, capsys):
    started = []
    monkeypatch.setattr("xrayreview.app.run_station", lambda paths: started.append(paths) or 0)
    assert main(["open", str(tmp_path / "typo.tif")]) == 2
    assert "typo.tif" in capsys.readouterr().err
    assert started == []


def test_an_os_error_in_any_command_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    scan = next((REPO / "assets" / "samples").rglob("*.png"), None)
    if scan is None:
        pytest.skip("no bundled PNG sample")
    assert main(["detect", str(scan), "--json", str(tmp_path)]) != 0  # --json onto a folder
    err = capsys.readouterr().err
    _no_traceback(err)
    assert str(tmp_path) in err


@pytest.fixture
def station(tmp_path, monkeypatch):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    log = tmp_path / "data" / "decisions.sqlite"
    with DecisionLog(log) as opened:
        accounts = Accounts(opened)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
    return log


@pytest.mark.parametrize("argv", [["audit", "stats", "--user", "sam"],
                                  ["accounts", "list", "--admin", "root"],
                                  ["training", "results", "--user", "sam"]])
def test_no_password_on_stdin_is_not_a_failed_sign_in(station, monkeypatch, capsys, argv):
    (station.parent / "training.sqlite").write_bytes(station.read_bytes())
    with DecisionLog(station) as log:
        records = log.count()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script run with < /dev/null
    assert main(argv) == 2
    assert "password" in capsys.readouterr().err
    with DecisionLog(station) as log:
        assert log.count() == records  # five such runs would otherwise lock the account


def test_accounts_on_a_mistyped_log_creates_nothing(station, monkeypatch, capsys, tmp_path):
    typo = tmp_path / "dcisions" / "decisions.sqlite"
    monkeypatch.setattr("sys.stdin", io.StringIO("admin-pass\n"))
    assert main(["accounts", "list", "--admin", "root", "--db", str(typo)]) == 2
    assert str(typo) in capsys.readouterr().err
    assert not typo.parent.exists()


@pytest.mark.parametrize("args, named", [
    (["--pitch", "nan"], "--pitch"), (["--pitch", "inf"], "--pitch"), (["--seed", "-1"], "--seed"),
])
def test_synth_refuses_impossible_numbers(tmp_path, capsys, args, named):
    out = tmp_path / "out"
    assert main(["synth", "--scene", "baggage", "--count", "1", "--out", str(out), *args]) == 2
    assert named in capsys.readouterr().err
    assert not out.exists()


def test_synth_onto_a_file_or_nowhere(tmp_path, capsys, monkeypatch):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    assert main(["synth", "--scene", "baggage", "--count", "1", "--out", str(a_file)]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert a_file.read_text() == "keep"


@pytest.mark.parametrize("argv", [
    ["synth", "--scene", "baggage", "--count", "1", "--out", ""],
    ["audit", "verify", "--anchor", ""],
    ["audit", "export", "--user", "sam", "--format", "csv", "--out", ""],
    ["bench", "--out", "", "log"],
    ["training", "results", "--user", "sam", "--csv", ""],
])
def test_an_empty_path_is_not_the_current_folder(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:  # argparse's own refusal: usage and one error line
        main(argv)
    assert stopped.value.code == 2
    assert "empty path" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_synth_stopped_half_way_leaves_only_whole_scans(tmp_path, monkeypatch, capsys, failure):
    from xrayreview.synth import export

    real_write = export.write_tiff
    calls = []

    def write_then_fail(path, image):
        calls.append(path)
        if len(calls) == 3:  # the second scan's low image (its first TIFF), half written
            path.write_bytes(b"II*\x00 half")
            raise failure
        real_write(path, image)

    monkeypatch.setattr(export, "write_tiff", write_then_fail)
    out = tmp_path / "out"
    rc = main(["synth", "--scene", "baggage", "--count", "3", "--out", str(out)])
    assert rc == (130 if isinstance(failure, KeyboardInterrupt) else 2)
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "1 of 3" in err and "annotations.json" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "baggage_000000.json", "baggage_000000_high.tif", "baggage_000000_low.tif"]


def test_synth_stopped_between_moves_leaves_no_high_image_without_its_partners(tmp_path, monkeypatch, capsys):
    from xrayreview.commands import synth

    out = tmp_path / "out"
    out.mkdir()
    (out / "annotations.json").write_text('{"images": []}')  # an earlier, finished run's truth
    real_os, moved = synth.os, []

    def stop_after_the_first(source, target):
        if moved:
            raise KeyboardInterrupt  # as if killed between the first and the second move
        moved.append(target)
        real_os.replace(source, target)

    class CommandsOs:  # the command's own moves only; the writers' renames stay real
        def __getattr__(self, name):
            return stop_after_the_first if name == "replace" else getattr(real_os, name)

    monkeypatch.setattr(synth, "os", CommandsOs())
    assert main(["synth", "--scene", "baggage", "--count", "2", "--out", str(out)]) == 130
    names = sorted(p.name for p in out.iterdir())
    assert names == ["baggage_000000.json"]  # the sidecar moved first; no high image without its low
    assert "annotations.json not written" in capsys.readouterr().err


def test_bench_refuses_a_file_as_its_folder_and_unknown_suites(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    assert main(["bench", "--out", str(a_file), "log"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert main(["bench", "--out", str(tmp_path / "new"), "nosuchsuite"]) == 2
    assert "nosuchsuite" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_accounts_init_with_a_refused_password_leaves_no_log(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    db = tmp_path / "log.sqlite"
    assert main(["accounts", "init", "ada", "--db", str(db)]) == 2
    assert "at least" in capsys.readouterr().err
    assert not db.exists()  # a second init, with a good password, starts clean
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["accounts", "init", "ada", "--db", str(db)]) == 0
