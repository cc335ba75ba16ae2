"""An officer reviews scans by keyboard alone; the log holds exactly what the panel showed."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from xrayreview.decisions import Account, DecisionLog, ModelInfo
from xrayreview.scan import load_scan
from xrayreview.ui.rendering import Renderer
from xrayreview.ui.review_panel import ReviewPanel
from xrayreview.ui.viewer import ScanView

PISTOL = {"label": "pistol", "category": "firearm", "score": 0.91, "box": [500, 150, 560, 250]}
WIRE = {"label": "wire", "category": "ied_component", "score": 0.41, "box": [200, 100, 260, 140]}


@pytest.fixture
def desk(qtbot, tmp_path, single_tiff):
    log = DecisionLog(tmp_path / "log.sqlite", station_id="lane-2")
    window = QWidget()
    layout = QHBoxLayout(window)
    viewer = ScanView()
    panel = ReviewPanel()
    layout.addWidget(viewer, 3)
    layout.addWidget(panel, 1)
    qtbot.addWidget(window)
    window.resize(1100, 600)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    scan = load_scan(single_tiff)
    viewer.set_scan(scan, Renderer(scan))
    viewer.setFocus()
    panel.attach_viewer(viewer)
    panel.set_log(log, Account("olga", "officer"))
    yield panel, viewer, scan, log
    log.close()


def keys(qtbot, widget, *sequence):
    for key in sequence:
        modifier = Qt.KeyboardModifier.NoModifier
        if isinstance(key, tuple):
            modifier, key = key
        qtbot.keyClick(widget, key, modifier)


SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_clear_is_one_key_and_acknowledged_after_commit(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.start(scan)
    with qtbot.waitSignal(panel.decided) as signal:
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_C))
    seq, decision = signal.args
    record = log.record(seq).content
    assert decision == "clear" and record["decision"] == "clear" and record["officer"] == "olga"
    assert record["scan"]["sha256"] == scan.sha256 and "recorded" in panel.message.text()
    assert panel.scan is None  # the panel is idle until the next scan


def test_full_review_by_keyboard(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.start(scan, [PISTOL, WIRE], ModelInfo("reference", "f" * 64, 0.35))
    assert len(viewer.overlays()) == 2
    keys(qtbot, viewer, Qt.Key.Key_Y, Qt.Key.Key_X)  # confirm the pistol, dismiss the wire
    keys(qtbot, viewer, Qt.Key.Key_B)  # draw an own mark on the scan
    centre = viewer.mapFromScene(300, 200)
    viewer.interaction.press(viewer.mapToScene(centre))
    viewer.interaction.move(viewer.mapToScene(centre.x() + 40, centre.y() + 30))
    viewer.interaction.release(viewer.mapToScene(centre.x() + 40, centre.y() + 30))
    keys(qtbot, viewer, Qt.Key.Key_K)  # other -> firearm
    keys(qtbot, viewer, Qt.Key.Key_W)
    assert panel.note.hasFocus()
    qtbot.keyClicks(panel.note, "Yx pistol under seat")  # letters in the note are text, not keys
    keys(qtbot, panel.note, Qt.Key.Key_Return)
    assert viewer.hasFocus()
    keys(qtbot, viewer, (SHIFT, Qt.Key.Key_R))  # refer: waits for a reason
    assert panel.pending == "refer"
    with qtbot.waitSignal(panel.decided) as signal:
        keys(qtbot, viewer, Qt.Key.Key_F1)  # suspected firearm: commits
    record = log.record(signal.args[0]).content
    assert record["decision"] == "refer" and record["reasons"] == ["firearm"]
    assert [m["verdict"] for m in record["detector_marks"]] == ["confirmed", "dismissed"]
    assert record["officer_marks"][0]["category"] == "firearm"
    assert record["note"] == "Yx pistol under seat" and record["model"]["threshold"] == 0.35
    assert len(viewer.overlays()) == 0 and log.verify().ok


def test_failing_log_blocks_and_keeps_the_decision(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.start(scan, [PISTOL])
    keys(qtbot, viewer, Qt.Key.Key_Y, Qt.Key.Key_F3)
    log._conn.execute("PRAGMA query_only = ON")  # the log turns read-only
    with qtbot.waitSignal(panel.blocked) as signal:
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_U))
    assert "NOT RECORDED" in signal.args[0] and "cannot be written" in panel.message.text()
    assert panel.scan is scan and panel.reasons() == ["manifest"]
    assert panel.detector_marks[0]["verdict"] == "confirmed" and log.count() == 0
    log._conn.execute("PRAGMA query_only = OFF")  # fixed: the same key records it
    with qtbot.waitSignal(panel.decided):
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_U))
    assert log.count() == 1


def test_an_admin_cannot_decide(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.set_log(log, Account("root", "admin"))
    panel.start(scan)
    with qtbot.waitSignal(panel.blocked):
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_C))
    assert "may not decide" in panel.message.text() and log.count() == 0


def test_verdicts_survive_a_threshold_change(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.start(scan)
    model = ModelInfo("reference", "f" * 64, 0.35)
    panel.set_detections([PISTOL, WIRE], model)
    keys(qtbot, viewer, Qt.Key.Key_Y)  # pistol confirmed
    panel.set_detections([PISTOL], ModelInfo("reference", "f" * 64, 0.5))  # threshold raised: wire gone
    assert [m["verdict"] for m in panel.detector_marks] == ["confirmed"]
    panel.set_detections([PISTOL, WIRE], model)  # lowered again: the wire waits for a verdict
    assert [m["verdict"] for m in panel.detector_marks] == ["confirmed", None] and panel.current_mark == 1


def test_shift_z_corrects_the_last_decision_as_a_new_record(qtbot, desk):
    panel, viewer, scan, log = desk
    panel.start(scan, [PISTOL])
    keys(qtbot, viewer, Qt.Key.Key_X, (SHIFT, Qt.Key.Key_C))  # dismissed and cleared: a mistake
    with qtbot.waitSignal(panel.correction_started):
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_Z))
    assert panel.scan is scan and panel.detector_marks[0]["verdict"] == "dismissed"
    keys(qtbot, viewer, Qt.Key.Key_Y)
    with qtbot.waitSignal(panel.decided) as signal:
        keys(qtbot, viewer, (SHIFT, Qt.Key.Key_R), Qt.Key.Key_F1)
    record = log.record(signal.args[0]).content
    assert record["corrects"] == 1 and record["decision"] == "refer"
    assert log.record(1).content["decision"] == "clear" and log.verify().ok
