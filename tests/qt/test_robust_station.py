"""The station under things going wrong: a log that refuses, a file that will not open, a model
that cannot be read or fails on a scan left behind, keys pressed twice. Nothing may be lost or
shown that is no longer true."""

from __future__ import annotations

import errno
import os
import threading

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from xrayreview.decisions import LogUnavailable
from xrayreview.decisions.log import Writer
from xrayreview.detection import ThreatModel
from xrayreview.detection.synthetic_models import dark_square_model
from xrayreview.ui.detection_controller import DetectionController
from xrayreview.ui.detection_panel import DetectionPanel
from xrayreview.ui.review_marks import DrawBox


def _parcel(path, squares=((64, 64),), seed=0):
    """Light goods in 32-px blocks with dark 16-px squares the test model flags."""
    blocks = np.random.default_rng(seed).integers(160, 250, (8, 11), dtype=np.uint8)
    grey = np.kron(blocks, np.ones((32, 32), np.uint8))[:200, :300]
    for x, y in squares:
        grey[y:y + 16, x:x + 16] = 0
    cv2.imwrite(str(path), np.repeat(grey[:, :, None], 3, axis=2))
    return path


def _log_refuses(monkeypatch, error: Exception) -> None:
    def refuse(self, kind, content):  # noqa: ANN001, ARG001
        raise error
    monkeypatch.setattr(Writer, "append", refuse)


@pytest.mark.parametrize("error", [LogUnavailable("the disk holding the log is full."),
                                   OSError(errno.ENOSPC, "No space left on device")],
                         ids=["log-unavailable", "enospc"])
def test_a_refused_decision_is_said_and_the_scan_stays_undecided(qtbot, whole, driver, tmp_path,
                                                                  monkeypatch, error):
    scan = driver.open(whole, _parcel(tmp_path / "a.png"), _parcel(tmp_path / "b.png", seed=1))
    qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    panel, log = whole.review.panel, whole.review.log
    before = log.count("decision")
    _log_refuses(monkeypatch, error)
    whole.activateWindow()
    whole.viewer.setFocus()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    assert panel.unrecorded and panel.message.text().startswith("NOT RECORDED")
    assert "not recorded" in whole.statusBar().currentMessage().lower()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)  # the station stays on it
    assert whole.current_scan() is scan and panel.scan is scan
    monkeypatch.undo()
    assert log.count("decision") == before
    assert any(files[0].name == "a.png" for files in whole.review.queue.pending)


def test_correcting_the_last_decision_waits_for_the_one_the_log_refused(qtbot, whole, driver, tmp_path,
                                                                         monkeypatch):
    driver.open(whole, _parcel(tmp_path / "a.png"), _parcel(tmp_path / "b.png", seed=1))
    qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    panel = whole.review.panel
    panel.decide("clear")
    qtbot.waitUntil(lambda: panel.scan is not None and panel.scan.name == "b.png", timeout=10000)
    held = panel.scan
    _log_refuses(monkeypatch, LogUnavailable("the log is locked."))
    panel.toggle_reason("manifest")
    panel.decide("refer")
    assert panel.unrecorded
    panel.correct_last()  # Shift+Z
    assert panel.scan is held and whole.current_scan() is held and panel.unrecorded
    assert panel.reasons() == ["manifest"] and "not recorded yet" in panel.message.text()


def test_pressing_draw_twice_still_gives_the_pan_back(qtbot, whole, driver, tmp_path):
    driver.open(whole, _parcel(tmp_path / "a.png"))
    whole.activateWindow()
    whole.viewer.setFocus()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_B)
    qtbot.keyClick(whole.viewer, Qt.Key.Key_B)
    centre = whole.viewer.viewport().rect().center()
    driver.drag(whole.viewer.viewport(), centre, centre + QPoint(40, 40), Qt.MouseButton.LeftButton)
    assert len(whole.review.panel.officer_marks) == 1
    assert whole.viewer.interaction is None
    assert whole.viewer.dragMode() == whole.viewer.DragMode.ScrollHandDrag


def test_a_new_scan_does_not_inherit_the_drawing_tool(qtbot, whole, driver, tmp_path):
    driver.open(whole, _parcel(tmp_path / "a.png"), _parcel(tmp_path / "b.png", seed=1))
    qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    whole.activateWindow()
    whole.viewer.setFocus()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_B)
    assert isinstance(whole.viewer.interaction, DrawBox)
    other = next(i for i in whole.scans if i != whole.current)
    whole.scan_list.select(other)
    assert whole.review.panel.scan is whole.scans[other]
    assert whole.viewer.interaction is None
    centre = whole.viewer.viewport().rect().center()
    driver.drag(whole.viewer.viewport(), centre, centre + QPoint(40, 40), Qt.MouseButton.LeftButton)
    assert whole.review.panel.officer_marks == []


def test_next_passes_over_an_inbox_file_that_will_not_open(qtbot, whole, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = _parcel(inbox / "a.png")
    broken = inbox / "b.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n cut off by the scanner")
    last = _parcel(inbox / "c.png", seed=2)
    for age, path in enumerate((first, broken, last)):
        os.utime(path, (1000 + age, 1000 + age))
    desk, panel = whole.review, whole.review.panel
    desk.set_inbox(inbox)
    desk.queue.open_next()
    qtbot.waitUntil(lambda: panel.scan is not None and panel.scan.name == "a.png", timeout=10000)
    with qtbot.waitSignal(whole.loader.failed, timeout=10000):
        panel.decide("clear")  # the desk moves on to b.png, which fails
    assert "could not be opened" in desk.queue.list.item(0).text()
    assert "could not be opened" in desk.queue.list.item(0).toolTip()
    desk.queue.open_next()  # Shift+N
    qtbot.waitUntil(lambda: panel.scan is not None and panel.scan.name == "c.png", timeout=10000)
    panel.decide("clear")
    _parcel(broken, seed=3)  # the scanner writes it again
    os.utime(broken, (1003, 1003))
    desk.queue.refresh()  # the inbox counts a file as ready once two looks agree on it
    desk.queue.open_next()
    qtbot.waitUntil(lambda: panel.scan is not None and panel.scan.name == "b.png", timeout=10000)


@pytest.fixture
def controller(qtbot):
    view = QGraphicsView()
    view.setScene(QGraphicsScene(view))
    qtbot.addWidget(view)
    panel = DetectionPanel()
    qtbot.addWidget(panel)
    controller = DetectionController(view, panel)
    yield controller
    controller.shutdown()


def test_a_model_file_that_cannot_be_read_is_reported_not_left_loading(qtbot, controller, tmp_path,
                                                                        monkeypatch):
    def unreadable(cls, path, **_kwargs):  # noqa: ANN001, ARG001
        raise OSError(errno.EIO, "Input/output error", str(path))
    monkeypatch.setattr(ThreatModel, "load", classmethod(unreadable))
    path = tmp_path / "on-a-share.onnx"
    path.write_bytes(b"not read")
    with qtbot.waitSignal(controller.service.model_failed, timeout=10000):
        controller.load_model(path)
    assert controller.model is None
    status = controller.panel.status.text()
    assert "Loading" not in status and "on-a-share.onnx could not be loaded" in status


def test_a_failure_on_a_scan_left_behind_is_not_shown_over_the_scan_on_screen(qtbot, whole, driver, tmp_path,
                                                                                monkeypatch):
    model = dark_square_model(tmp_path / "squares.onnx")
    (tmp_path / "squares.json").write_text('{"conf": 0.5, "categories": {"dark_square": "firearm"}}')
    detection = whole.detection
    detection.load_model(model)
    qtbot.waitUntil(lambda: detection.model is not None and detection.model.path == str(model), timeout=20000)
    first = driver.open(whole, _parcel(tmp_path / "a.png"))
    first_id = whole.current
    qtbot.waitUntil(lambda: detection.current_result() is not None, timeout=20000)
    summary = detection.panel.status.text()

    started, release = threading.Event(), threading.Event()

    def stuck_then_broken(self, batch):  # noqa: ANN001, ARG001
        started.set()
        release.wait(30)
        raise RuntimeError("the accelerator went away")
    monkeypatch.setattr(ThreatModel, "run", stuck_then_broken)
    try:
        driver.open(whole, _parcel(tmp_path / "b.png", seed=1))
        qtbot.waitUntil(started.is_set, timeout=10000)
        whole.scan_list.select(first_id)  # back to the first scan, whose marks are remembered
        assert whole.current_scan() is first
    finally:
        release.set()
    qtbot.waitUntil(lambda: not detection.service.busy, timeout=20000)
    assert detection.panel.status.text() == summary
    assert "failed" not in whole.statusBar().currentMessage()
    assert [d.box for d in detection.shown_detections()] == [(64, 64, 80, 80)]


def test_a_scan_that_finishes_loading_after_shutdown_is_dropped(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from xrayreview.ui.scan_loader import ScanLoader

    loader = ScanLoader()
    arrived = []
    loader.loaded.connect(lambda request, scan: arrived.append(request))
    loader.failed.connect(lambda request, name, message: arrived.append(request))
    loader.open(_parcel(tmp_path / "late.png"))
    loader.open(tmp_path / "missing.png")
    loader.shutdown()  # waits for the file being read; its result is already queued for this thread
    QApplication.processEvents()
    assert arrived == []
