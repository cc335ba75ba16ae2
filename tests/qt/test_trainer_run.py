"""A trainee runs a short TIP session end to end: boxes by mouse, decisions by key, feedback, summary."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from xrayreview.training.library import Library
from xrayreview.training.plan import SessionSpec
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession
from xrayreview.training.staircase import LEVELS
from xrayreview.ui.trainer_run import TraineeRun


def _library(tmp_path) -> Library:
    paths = []
    for i in range(2):
        image = np.full((480, 820), 60000, np.uint16)
        image[80:400, 120:700] = 30000
        path = tmp_path / f"clean_{i}.png"
        cv2.imwrite(str(path), image)
        path.with_suffix(".json").write_text('{"pixel_pitch_mm": 2.0}')
        paths.append(path)
    return Library.of_files(paths)


@pytest.fixture
def run(qtbot, tmp_path):
    def make(spec, log=None):
        session = TrainingSession.start(spec, _library(tmp_path), "trainee", log=log)
        widget = TraineeRun(session)
        qtbot.addWidget(widget)
        widget.resize(1000, 600)
        widget.show()
        qtbot.waitExposed(widget)
        made.append(widget)
        return widget
    made = []
    yield make
    for widget in made:
        widget.stop()  # joins the widget's scan-building thread


def _draw(driver, widget, box):
    x1, y1, x2, y2 = box
    viewport = widget.viewer.viewport()
    start = widget.viewer.mapFromScene(x1 + 1, y1 + 1)
    end = widget.viewer.mapFromScene(x2 - 1, y2 - 1)
    driver.drag(viewport, start.toPointF(), end.toPointF(), Qt.MouseButton.LeftButton)


def test_short_session_end_to_end(qtbot, run, driver, tmp_path):
    log = TrainingLog(tmp_path / "training.sqlite")
    spec = SessionSpec(scans=3, threat_share=0.67, seed=11, categories=("firearm",), time_limit_s=60)
    widget = run(spec, log)
    with qtbot.waitSignal(widget.scan_shown, timeout=10000):
        widget.start()
    assert widget.help_label.text() == ""  # detector help is off unless the trainer allows it
    decisions = []
    with qtbot.waitSignal(widget.finished, timeout=20000) as done:
        for index in range(3):
            if index:
                qtbot.waitUntil(lambda: not widget.preparing, timeout=10000)
            item = widget.session.plan.items[widget.session.position]
            if item.threats:
                _draw(driver, widget, item.threats[0].box)
                assert len(widget.marks) == 1  # drawn through the viewer, in scan pixels
                qtbot.keyClick(widget, Qt.Key.Key_R)
                decisions.append("refer")
            else:
                qtbot.keyClick(widget, Qt.Key.Key_C)
                decisions.append("clear")
            assert widget.feedback is not None
            assert "Found" in widget.message.text() or "Correct" in widget.message.text()
            qtbot.keyClick(widget, Qt.Key.Key_Space)
    score = done.args[0]
    assert sorted(decisions) == ["clear", "refer", "refer"]
    assert score.overall.hit_rate == 1.0 and score.overall.false_alarm_rate == 0.0
    assert "Hit rate 100%" in widget.message.text()
    assert [r.kind for r in log.records()][-1] == "training_summary" and log.verify().ok
    log.close()


def test_time_limit_scores_the_scan_as_cleared(qtbot, run):
    widget = run(SessionSpec(scans=1, threat_share=1.0, seed=2, categories=("firearm",), time_limit_s=0.3))
    with qtbot.waitSignal(widget.answered, timeout=8000) as answered:
        widget.start()
    assert answered.args[0].timed_out and answered.args[0].result.hits == (False,)
    assert "Time ran out" in widget.message.text()
    with qtbot.waitSignal(widget.finished, timeout=2000):
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    widget.stop()


def test_backspace_removes_the_last_box(qtbot, run, driver):
    widget = run(SessionSpec(scans=1, threat_share=0.0, seed=3, time_limit_s=None))
    with qtbot.waitSignal(widget.scan_shown, timeout=10000):
        widget.start()
    widget.add_mark([10, 10, 50, 40])
    widget.add_mark([100, 100, 150, 140])
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    assert widget.marks == [(10, 10, 50, 40)]
    qtbot.keyClick(widget, Qt.Key.Key_R)
    assert "False alarm" in widget.message.text()
    widget.stop()


def test_the_next_scan_is_built_while_the_trainee_looks(qtbot, run):
    widget = run(SessionSpec(scans=2, threat_share=0.5, seed=5, categories=("firearm",), time_limit_s=None))
    with qtbot.waitSignal(widget.scan_shown, timeout=10000):
        widget.start()
    qtbot.waitUntil(lambda: widget._ready is not None, timeout=10000)
    qtbot.keyClick(widget, Qt.Key.Key_C)
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    assert not widget.preparing and widget.status.text() == "Scan 2 of 2"  # shown at once
    assert widget.viewer.scan is not None and widget.feedback is None


def test_adaptive_session_raises_difficulty_after_hits(qtbot, run):
    spec = SessionSpec(scans=3, threat_share=1.0, seed=7, categories=("firearm",), adaptive=True,
                       time_limit_s=None, feedback=False)
    widget = run(spec)
    assert widget.session.plan.items == []  # adaptive scans are built one by one, off the GUI thread
    with qtbot.waitSignal(widget.finished, timeout=30000):
        widget.start()
        for _ in range(3):
            qtbot.waitUntil(lambda: not widget.preparing and widget.feedback is None, timeout=10000)
            widget.add_mark(list(widget.session.plan.items[widget.session.position].threats[0].box))
            qtbot.keyClick(widget, Qt.Key.Key_R)
    assert [i.difficulty for i in widget.session.plan.items] == [LEVELS[1], LEVELS[1], LEVELS[2]]
    summary = widget.message.text()
    assert "firearm: 3 of 3 found" in summary and "reached (0–4): firearm 2" in summary


def test_image_tools_work_and_decision_keys_stay_decisions(qtbot, run):
    widget = run(SessionSpec(scans=2, threat_share=0.0, seed=3))
    with qtbot.waitSignal(widget.scan_shown, timeout=10000):
        widget.start()
    qtbot.keyClick(widget, Qt.Key.Key_G)  # the station's Grey tool
    assert widget.viewer.settings.mode == "grey" and widget.tools.actions["grey"].isChecked()
    grey = widget.viewer.settings
    qtbot.keyClick(widget, Qt.Key.Key_H)  # high penetration moves the window
    assert widget.viewer.settings != grey and widget.viewer.settings.mode == "grey"
    assert widget.tools.actions["local_contrast"].shortcut().isEmpty()  # C is "clear" here
    qtbot.keyClick(widget, Qt.Key.Key_C)
    assert widget.feedback is not None and "Correct" in widget.message.text()  # a clean scan, cleared
    assert not widget.viewer.settings.local_contrast
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not widget.preparing and widget.feedback is None, timeout=10000)
    assert widget.viewer.settings.mode == "pseudo"  # the next scan starts in the standard view
    assert widget.display.settings == widget.viewer.settings
