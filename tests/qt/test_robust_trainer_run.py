"""A trainee's session and the results under trouble: a library file changed mid-session, a
training log that stops taking answers, the time limit running out under an open dialog,
results that cannot be read or written."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from xrayreview.decisions import Account
from xrayreview.training.records import TrainingLog

TRAINER = Account("tina", "trainer")
OFFICER = Account("omar", "officer")





@pytest.fixture
def running(qtbot, open_trainer_window):
    """A trainee's run of a fixed session the trainer built, its first scan on screen."""

    def start(scans=3, share=67, time_limit=60, feedback=True, adaptive=False):
        trainer = open_trainer_window(TRAINER)
        builder = trainer.builder
        builder.scans.setValue(scans)
        builder.share.setValue(share)
        builder.categories["ied_component"].setChecked(False)
        builder.seed.setValue(11)
        builder.time_limit.setValue(time_limit)
        builder.feedback.setChecked(feedback)
        builder.adaptive.setChecked(adaptive)
        with qtbot.waitSignal(builder.offered, timeout=20000) as offered:
            builder.build()
        trainer.close()
        trainee = open_trainer_window(OFFICER)
        with qtbot.waitSignal(trainee.run_started, timeout=5000) as started:
            trainee.run_offer(offered.args[0].id)
        run = started.args[0]
        qtbot.waitUntil(lambda: run.shown is not None, timeout=10000)
        return trainee, run

    return start


def _answers(log_path):
    with TrainingLog(log_path) as log:
        return [r.content for r in log.records("training_answer")]


def test_a_scan_changed_mid_session_stops_it_and_no_key_answers_for_it(qtbot, running, tmp_path):
    trainee, run = running(scans=3)
    qtbot.waitUntil(lambda: not run.jobs.busy, timeout=10000)  # the second scan is built ahead
    for path in (tmp_path / "library").iterdir():
        path.write_bytes(path.read_bytes() + b" ")  # replaced on disk: the plan's SHA-256 differs
    for _ in range(2):
        qtbot.keyClick(run, Qt.Key.Key_C)
        qtbot.keyClick(run, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Session stopped" in trainee.message.text(), timeout=10000)
    assert "changed after this session was built" in run.message.text()
    qtbot.keyClick(run, Qt.Key.Key_R)  # the second scan is still on screen; the third never was
    qtbot.keyClick(run, Qt.Key.Key_Space)
    assert run.session.position == 2 and run.feedback is None
    assert [a["item"]["index"] for a in _answers(tmp_path / "training.sqlite")] == [0, 1]


def _kinds(log_path):
    with TrainingLog(log_path) as log:
        return [r.kind for r in log.records() if r.kind != "training_plan"]


def test_an_answer_the_log_refuses_is_said_kept_and_recorded_once_on_retry(qtbot, running, tmp_path,
                                                                           monkeypatch,
                                                                           refuse_training_records):
    trainee, run = running(scans=2)
    refuse_training_records({"training_answer"})
    qtbot.keyClick(run, Qt.Key.Key_R)
    assert run.waiting_to_record and run.feedback is None
    assert "Your answer (refer) is NOT RECORDED" in run.message.text() and "read-only" in run.message.text()
    assert "NOT RECORDED" in trainee.message.text()
    qtbot.keyClick(run, Qt.Key.Key_C)  # no other answer while this one waits
    qtbot.keyClick(run, Qt.Key.Key_Space)  # the log still refuses: said again, still kept
    assert run.waiting_to_record and run.session.position == 0
    monkeypatch.undo()
    qtbot.keyClick(run, Qt.Key.Key_Space)
    assert not run.waiting_to_record and run.feedback is not None
    assert [a["decision"] for a in _answers(tmp_path / "training.sqlite")] == ["refer"]


def test_a_refused_answer_moves_the_adaptive_staircase_once(qtbot, running, monkeypatch,
                                                            refuse_training_records):
    _trainee, run = running(scans=2, share=100, adaptive=True)
    refuse_training_records({"training_answer"})
    for _ in range(3):  # refused twice, then recorded
        qtbot.keyClick(run, Qt.Key.Key_Space if run.waiting_to_record else Qt.Key.Key_C)
        if _ == 1:
            monkeypatch.undo()
    assert not run.waiting_to_record and run.feedback is not None
    (stair,) = run.session.adaptive.stairs.values()
    assert len(stair.history) == 1  # one answer, one step (a miss: one level down)


def test_a_session_whose_file_is_gone_or_log_refuses_does_not_start(qtbot, open_trainer_window, running,
                                                                    tmp_path, monkeypatch,
                                                                    refuse_training_records):
    trainee, run = running(scans=1, share=0)
    offer = trainee.offers[0].id
    trainee.leave_run()
    refuse_training_records({"training_session"})
    assert trainee.run_offer(offer) is None and "read-only" in trainee.message.text()
    monkeypatch.undo()
    (tmp_path / "library" / "clean_0.png").unlink()
    (tmp_path / "library" / "clean_1.png").unlink()
    assert trainee.run_offer(offer) is None and "missing or cannot be read" in trainee.message.text()
    assert trainee.run is None and trainee.tabs.count() == 2


@pytest.mark.parametrize("refused", ["training_summary", "training_answer"])
def test_a_last_answer_the_log_refuses_is_recorded_once_with_its_score_on_retry(qtbot, running, tmp_path,
                                                                                monkeypatch, refused,
                                                                                refuse_training_records):
    """The last answer and the score are one write: refused together, retried together, recorded once."""
    trainee, run = running(scans=1, share=0)
    refuse_training_records({refused})
    qtbot.keyClick(run, Qt.Key.Key_C)
    assert run.waiting_to_record and "Your answer (clear) is NOT RECORDED" in run.message.text()
    assert run.session.position == 0 and _kinds(tmp_path / "training.sqlite") == ["training_session"]
    qtbot.keyClick(run, Qt.Key.Key_Space)  # still refused: still kept, nothing half-recorded
    assert run.waiting_to_record and _kinds(tmp_path / "training.sqlite") == ["training_session"]
    monkeypatch.undo()
    with qtbot.waitSignal(run.finished, timeout=5000):
        qtbot.keyClick(run, Qt.Key.Key_Space)
        qtbot.keyClick(run, Qt.Key.Key_Space)  # past the feedback
    assert "Hit rate" in run.message.text() and trainee.results.table.rowCount() == 1
    assert _kinds(tmp_path / "training.sqlite") == ["training_session", "training_answer", "training_summary"]


def test_leaving_with_a_refused_answer_says_it_was_not_recorded(qtbot, running, refuse_training_records):
    trainee, run = running(scans=2)
    refuse_training_records({"training_answer"})
    qtbot.keyClick(run, Qt.Key.Key_C)
    trainee.leave_run()
    assert "not recorded" in trainee.message.text() and trainee.run is None


def test_the_time_limit_runs_out_under_an_open_dialog(qtbot, running, tmp_path):
    trainee, run = running(scans=2, time_limit=1)
    trainee.tabs.setCurrentWidget(trainee.results)
    trainee.results._choose("csv")  # the export dialog, modal to the window
    (dialog,) = [d for d in trainee.results.findChildren(QFileDialog) if d.isVisible()]
    with qtbot.waitSignal(run.answered, timeout=5000) as answered:
        pass
    assert answered.args[0].timed_out and "Time ran out" in run.message.text()
    dialog.reject()
    trainee.tabs.setCurrentWidget(trainee.run_page)
    qtbot.keyClick(run, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.shown is not None and run.shown.index == 1, timeout=10000)
    assert [a["timed_out"] for a in _answers(tmp_path / "training.sqlite")] == [True]


def test_results_from_a_damaged_record_are_said_not_shown_empty_or_exported(qtbot, open_trainer_window,
                                                                             tmp_path):
    with TrainingLog(tmp_path / "training.sqlite") as log:  # changed outside the station
        log.append("training_summary", {"trainee": "olga", "mean_seconds": "soon", "overall": {}})
    trainer = open_trainer_window(TRAINER)
    results = trainer.results
    assert "cannot be shown" in results.totals.text() and "record #1" in results.totals.text()
    assert "cannot be shown" in trainer.message.text()
    for kind in ("csv", "pdf"):
        results._export(kind, tmp_path / f"results.{kind}")
        assert "Nothing was exported" in trainer.message.text() and "record #1" in trainer.message.text()
        assert not (tmp_path / f"results.{kind}").exists()


def test_results_exported_onto_a_log_or_a_folder_are_refused(qtbot, open_trainer_window, tmp_path):
    trainer = open_trainer_window(TRAINER)
    log = tmp_path / "training.sqlite"
    before = log.read_bytes()
    trainer.results._export("csv", log)
    assert "is a SQLite database" in trainer.message.text() and log.read_bytes() == before
    trainer.results._export("pdf", tmp_path)
    said = trainer.message.text()
    assert "Nothing was exported" in said and "could not be written" in said
