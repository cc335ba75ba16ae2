"""The trainer's core against bad input: malformed ground truth, a damaged training log, bad targets."""

import errno
import io
import json
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, DecisionLog
from xrayreview.decisions.errors import DecisionLogError
from xrayreview.reports.files import ExportError
from xrayreview.training.errors import TrainingError
from xrayreview.training.export import export_results_csv, summaries
from xrayreview.training.library import Library
from xrayreview.training.offers import offers
from xrayreview.training.plan import SessionSpec
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession
from xrayreview.training.sources import import_scan

SUMMARY = {"session": 1, "trainee": "omar", "scans": 2, "mean_seconds": 3.0, "stray_marks": 0,
           "overall": {"events": 1, "hits": 1, "clean": 1, "false_alarms": 0, "hit_rate": 1.0,
                       "false_alarm_rate": 0.0, "d_prime": 1.35, "a_prime": 1.0},
           "per_category": {"firearm": {"events": 1, "hits": 1, "clean": 1, "false_alarms": 0,
                                        "hit_rate": 1.0, "false_alarm_rate": 0.0, "d_prime": 1.35,
                                        "a_prime": 1.0}}}


def _scan(tmp_path: Path, name: str, threats: list | None) -> Path:
    image = np.full((100, 200), 60000, np.uint16)
    image[20:80, 20:180] = 20000
    path = tmp_path / f"{name}.png"
    cv2.imwrite(str(path), image)
    if threats is not None:
        path.with_suffix(".json").write_text(json.dumps({"threats": threats}))
    return path


@pytest.mark.parametrize("box", [[50, 40, 30, 20], [1, 2, 3], ["a", 1, 2, 3], [500, 500, 600, 600]])
def test_ground_truth_no_mark_could_hit_is_refused(tmp_path, box):
    path = _scan(tmp_path, "bag", [{"box": box, "category": "firearm", "label": "pistol"}])
    with pytest.raises(TrainingError, match="bag.png's sidecar"):
        import_scan(path)


def test_ground_truth_past_the_edge_is_cut_to_the_scan_and_can_be_hit(tmp_path):
    path = _scan(tmp_path, "bag", [{"box": [150, 60, 400, 300], "category": "firearm", "label": "pistol"}])
    entry, _scan_ = import_scan(path)
    assert entry.threats[0].box == (150.0, 60.0, 200.0, 100.0)
    library = Library([entry, Library.of_files([_scan(tmp_path, "clean", None)]).scans[0]])
    spec = SessionSpec(scans=1, threat_share=1.0, known_share=1.0, categories=("firearm",))
    session = TrainingSession.start(spec, library, "omar")
    session.next_scan()
    assert session.answer("refer", [(150, 60, 200, 100)], 3.0).result.hits == (True,)


def test_a_library_file_with_an_impossible_box_is_refused(tmp_path):
    stored = tmp_path / "library.json"
    stored.write_text(json.dumps({"scans": [{"id": "a", "path": "a.png",
                                             "threats": [{"box": [5, 5, 5, 9], "category": "firearm"}]}]}))
    with pytest.raises(TrainingError, match="library.json cannot be read"):
        Library.load(stored)


@pytest.mark.parametrize("change", [
    {"overall": {**SUMMARY["overall"], "events": "many"}},
    {"overall": {**SUMMARY["overall"], "hits": 5}},
    {"overall": {**SUMMARY["overall"], "clean": -1}},
    {"overall": [1, 1]},
    {"per_category": "firearm"},
    {"per_category": {"firearm": {**SUMMARY["per_category"]["firearm"], "d_prime": "high"}}},
    {"mean_seconds": "slow"},
])
def test_a_malformed_session_summary_is_named_not_a_traceback(tmp_path, change):
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_summary", SUMMARY)
        log.append("training_summary", {**SUMMARY, **change})
        with pytest.raises(DecisionLogError, match=r"training\.sqlite\) cannot be read: record #2"):
            summaries(log)
        with pytest.raises(DecisionLogError, match="record #2"):
            export_results_csv(log, tmp_path / "results.csv")
    assert not (tmp_path / "results.csv").exists()


def test_summaries_without_optional_parts_still_read(tmp_path):
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_summary", {"trainee": "omar", "overall": None})
        log.append("training_summary", SUMMARY)
        assert [r["trainee"] for r in summaries(log)] == ["omar", "omar"]


def test_a_malformed_stored_session_is_named_not_a_traceback(tmp_path):
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_plan", {"name": "n", "built_by": "tina", "trainee": None,
                                     "plan": {"spec": {"scans": 1, "colour": "newer station"}, "items": []}})
        with pytest.raises(DecisionLogError, match="record #1 .*a session a trainer built"):
            offers(log)


def test_results_command_reports_a_damaged_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    db, training = tmp_path / "decisions.sqlite", tmp_path / "training.sqlite"
    with DecisionLog(db) as decisions:
        accounts = Accounts(decisions)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "tina", "trainer", "trainer-pass")
    with TrainingLog(training) as log:
        log.append("training_summary", SUMMARY)
    conn = sqlite3.connect(training)  # an edit outside the station, as an attacker or a bad disk makes it
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET body = replace(body, '\"hits\":1', '\"hits\":\"1\"')")
    conn.commit()
    conn.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("trainer-pass\n"))
    argv = ["training", "results", "--db", str(db), "--log", str(training), "--user", "tina",
            "--pdf", str(tmp_path / "r.pdf")]
    assert main(argv) == 2
    assert "record #1 (a session's results) is damaged" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_results_csv_to_a_missing_folder_and_to_a_full_disk(tmp_path, monkeypatch):
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_summary", SUMMARY)
        target = tmp_path / "new" / "results.csv"
        assert export_results_csv(log, target) == 1 and target.read_text().startswith("recorded_at")
        before = target.read_bytes()

        def full(*_args, **_kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("csv.writer", lambda handle: type("W", (), {"writerow": full})())
        with pytest.raises(ExportError, match="results.csv could not be written: No space left"):
            export_results_csv(log, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.csv"]


def test_a_library_save_that_fails_leaves_no_partial_file(tmp_path, monkeypatch):
    from xrayreview.training.library import LibraryScan  # noqa: PLC0415

    library = Library([LibraryScan("bag-7", generated={"kind": "baggage", "seed": 7})])
    target = tmp_path / "library.json"
    real_write = Path.write_text

    def full_disk(self, text, *args, **kwargs):
        real_write(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        library.save(target)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
