"""The detector in the station: worker thread, stale results, responsiveness, marks, panel, controller."""

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from xrayreview.detection import Detection, DetectionResult
from xrayreview.detection.synthetic_models import conv_detector, dark_square_model
from xrayreview.scan import Scan
from xrayreview.ui.detection_controller import DetectionController
from xrayreview.ui.detection_overlay import CATEGORY_COLOURS, DetectionOverlay, focus_view_on
from xrayreview.ui.detection_panel import DetectionPanel
from xrayreview.ui.detection_worker import DetectionService

MARKS = [Detection("pistol", "firearm", 0.9, (10, 10, 60, 40)),
         Detection("detonator", "ied_component", 0.4, (200, 100, 220, 160)),
         Detection("knife", "other", 0.1, (300, 300, 340, 320))]


def textured_scan(height: int, width: int, squares=()) -> Scan:
    # Random 32-px blocks of goods, so no tile is skipped as empty (and none is as dark as a square).
    blocks = np.random.default_rng(0).integers(90, 250, (height // 32 + 1, width // 32 + 1), dtype=np.uint8)
    grey = np.kron(blocks, np.ones((32, 32), np.uint8))[:height, :width]
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    for x, y in squares:
        rgb[y:y + 16, x:x + 16] = 0
    return Scan(high=np.full((height, width), 200, np.uint16), full_scale=255, colour=rgb)


@pytest.fixture
def service(qtbot):
    service = DetectionService(threads=1)
    yield service
    service.shutdown()


def load(qtbot, service, path):
    with qtbot.waitSignal(service.model_loaded, timeout=20000) as blocker:
        service.load_model(path)
    return blocker.args[0]


@pytest.fixture
def view(qtbot):
    view = QGraphicsView()
    scene = QGraphicsScene(view)  # owned by the view, so it lives as long as the view
    scene.setSceneRect(0, 0, 1000, 600)
    view.setScene(scene)
    view.resize(500, 300)
    qtbot.addWidget(view)
    view.show()
    return view


def test_marks_follow_threshold_and_hide_switch_without_rerun(view):
    overlay = DetectionOverlay(view.scene())
    overlay.set_threshold(0.3)
    overlay.set_detections(MARKS)
    assert {d.label for d in overlay.visible_detections()} == {"pistol", "detonator"}
    assert all(mark.pen().isCosmetic() for mark in overlay.marks)
    colours = {mark.detection.category: mark.pen().color() for mark in overlay.marks}
    assert colours == CATEGORY_COLOURS
    overlay.set_threshold(0.05)
    assert len(overlay.visible_detections()) == 3
    overlay.set_hidden(True)
    assert overlay.visible_detections() == [] and not overlay.layer.isVisible()
    overlay.set_hidden(False)
    view.scene().removeItem(overlay.layer)  # as the viewer does when the next scan opens
    overlay.set_detections(MARKS[:1])
    assert overlay.layer.scene() is view.scene() and len(overlay.marks) == 1


def test_panel_filters_the_list_live_and_a_click_focuses_the_view(qtbot, view):
    panel = DetectionPanel()
    qtbot.addWidget(panel)
    panel.set_detections(MARKS)
    panel.set_threshold(0.3)
    assert panel.list.count() == 2
    panel.set_threshold(0.95)
    assert panel.list.count() == 0
    panel.set_threshold(0.3)
    chosen = []
    panel.detection_chosen.connect(chosen.append)
    panel.detection_chosen.connect(lambda d: focus_view_on(view, d.box))
    item = panel.list.item(1)
    rect = panel.list.visualItemRect(item)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [MARKS[1]]
    centre = view.mapToScene(view.viewport().rect().center())
    assert centre.x() == pytest.approx(210, abs=3) and centre.y() == pytest.approx(130, abs=3)
    assert view.transform().m11() > 1.0  # zoomed in: the 20 × 60 px mark fills a quarter of the view


def test_stale_results_are_dropped(qtbot, service, tmp_path):
    path, _ = conv_detector(tmp_path / "net.onnx", imgsz=160, width=32)
    load(qtbot, service, path)
    results = []
    service.result_ready.connect(lambda scan_id, result: results.append(scan_id))
    started = []
    service.progress.connect(lambda scan_id, done, total: started.append(scan_id))
    service.request(1, textured_scan(1200, 2400))
    qtbot.waitUntil(lambda: 1 in started, timeout=20000)  # scan 1 is running
    service.request(2, textured_scan(100, 100, [(40, 40)]))
    qtbot.waitUntil(lambda: results == [2], timeout=30000)
    qtbot.waitUntil(lambda: service.stale_dropped >= 1, timeout=30000)  # scan 1's partial result arrived
    assert results == [2]


def test_ui_stays_responsive_while_detection_runs(qtbot, service, tmp_path, monkeypatch):
    # Behaviour, not timing (stall figures live in `xrayreview bench detection`): the model runs
    # on the worker thread, and the GUI thread keeps handling events while it does.
    import threading

    from xrayreview.ui import detection_worker

    path, _ = conv_detector(tmp_path / "net.onnx", imgsz=320, width=64)
    load(qtbot, service, path)
    detect_threads = []
    real_detect = detection_worker.detect

    def recording_detect(*args, **kwargs):
        detect_threads.append(threading.get_ident())
        return real_detect(*args, **kwargs)

    monkeypatch.setattr(detection_worker, "detect", recording_detect)
    done, handled_while_running = [], []
    service.result_ready.connect(lambda scan_id, result: done.append(result))
    progress = []
    service.progress.connect(lambda scan_id, tiles, total: progress.append(tiles))
    service.request(7, textured_scan(2500, 4000))  # many tiles: seconds of work here
    QTimer.singleShot(0, lambda: handled_while_running.append(not done))
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    assert done[0].tiles_run > 10
    assert detect_threads and threading.get_ident() not in detect_threads
    assert handled_while_running == [True]  # the GUI thread was free before the result came
    assert len(progress) > 1  # and it heard progress along the way


def test_stop_drops_the_run_in_progress(qtbot, tmp_path, view):
    panel = DetectionPanel()
    qtbot.addWidget(panel)
    controller = DetectionController(view, panel)
    try:
        path, _ = conv_detector(tmp_path / "net.onnx", imgsz=160, width=32)
        with qtbot.waitSignal(controller.service.model_loaded, timeout=20000):
            controller.load_model(path)
        ticks = []
        controller.service.progress.connect(lambda *args: ticks.append(args))
        controller.show_scan(3, textured_scan(2000, 4000))
        qtbot.waitUntil(lambda: bool(ticks), timeout=20000)
        assert not panel.stop_button.isHidden()
        panel.stop_button.click()
        assert panel.stop_button.isHidden() and "stopped" in panel.status.text()
        qtbot.waitUntil(lambda: controller.service.stale_dropped >= 1, timeout=30000)
        assert controller.current_result() is None and controller.shown_detections() == []
    finally:
        controller.shutdown()


def test_controller_runs_on_open_caches_and_shows_only_the_current_scan(qtbot, tmp_path, view):
    panel = DetectionPanel()
    qtbot.addWidget(panel)
    controller = DetectionController(view, panel)
    try:
        assert not controller.load_model(tmp_path / "missing.onnx")
        assert "No detector model" in panel.status.text()
        model = dark_square_model(tmp_path / "squares.onnx")
        (tmp_path / "squares.json").write_text('{"conf": 0.9, "categories": {"dark_square": "firearm"}}')
        with qtbot.waitSignal(controller.service.model_loaded, timeout=20000):
            assert controller.load_model(model)
        assert panel.threshold == pytest.approx(0.9)
        first, second = textured_scan(200, 300, [(64, 64)]), textured_scan(200, 300, [(160, 96), (32, 16)])
        controller.show_scan(1, first)
        controller.show_scan(2, second)  # the officer moves on at once
        qtbot.waitUntil(lambda: 2 in controller.results, timeout=20000)
        shown = {d.box for d in controller.shown_detections()}
        assert shown == {(160, 96, 176, 112), (32, 16, 48, 32)}
        assert panel.list.count() == 2
        panel.hide_action.trigger()  # the V key
        assert controller.shown_detections() == [] and panel.hide_box.isChecked()
        panel.hide_box.setChecked(False)
        assert len(controller.shown_detections()) == 2 and not panel.hide_action.isChecked()
        panel.auto_box.setChecked(False)
        controller.show_scan(1, first)  # not run automatically any more
        assert controller.current_result() is None and controller.shown_detections() == []
        with qtbot.waitSignal(controller.result_shown, timeout=20000):
            panel.run_button.click()
        assert {d.box for d in controller.shown_detections()} == {(64, 64, 80, 80)}
        controller.show_scan(2, second)  # back to a scan already done: shown from the cache
        assert len(controller.shown_detections()) == 2
    finally:
        controller.shutdown()


def test_the_panel_says_what_the_model_is_known_to_do_or_that_nobody_said(qtbot, tmp_path, view):
    panel = DetectionPanel()
    qtbot.addWidget(panel)
    controller = DetectionController(view, panel)
    try:
        model = dark_square_model(tmp_path / "squares.onnx")
        (tmp_path / "squares.json").write_text(
            '{"known_performance": "Finds 9 of 10 dark squares,\\n  1 false mark in 20 clean scans."}')
        with qtbot.waitSignal(controller.service.model_loaded, timeout=20000):
            controller.load_model(model)
        assert panel.known_performance.isVisibleTo(panel)
        assert panel.known_performance.text() == "Finds 9 of 10 dark squares, 1 false mark in 20 clean scans."
        (tmp_path / "squares.json").write_text("{}")
        with qtbot.waitSignal(controller.service.model_loaded, timeout=20000):
            controller.load_model(model)
        assert "state no measured performance" in panel.known_performance.text()
        (tmp_path / "squares.json").write_text('{"known_performance": 0.9}')
        with qtbot.waitSignal(controller.service.model_failed, timeout=20000):
            controller.load_model(model)
        assert not panel.known_performance.isVisibleTo(panel)  # no model, nothing to vouch for
        assert "known_performance must be text" in panel.status.text()
    finally:
        controller.shutdown()


def test_summary_counts_marks_at_the_slider_threshold(qtbot):
    scene = QGraphicsScene()
    view = QGraphicsView(scene)
    panel = DetectionPanel()
    qtbot.addWidget(view)
    qtbot.addWidget(panel)
    controller = DetectionController(view, panel)
    scan = Scan(high=np.full((64, 64), 60000, np.uint16), full_scale=65535)
    marks = [Detection("handgun", "firearm", score, (1.0, 1.0, 9.0, 9.0)) for score in (0.1, 0.6)]
    controller.current = (1, scan)
    try:
        controller._result(1, DetectionResult(marks, 0.1, 1, 0))
        panel.set_threshold(0.5)
        assert "1 mark(s)" in panel.status.text()
        panel.set_threshold(0.05)
        assert "2 mark(s)" in panel.status.text()
    finally:
        controller.shutdown()
