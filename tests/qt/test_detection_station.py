"""The detector inside the image station: marks over the viewer, list → view, scan changes."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from xrayreview.detection.synthetic_models import dark_square_model
from xrayreview.ui.main_window import MainWindow
from xrayreview.ui.station import attach_detector


def write_scan(path, squares):
    image = np.full((320, 640, 3), 255, np.uint8)
    image[100:220, 100:540] = 170  # a box of goods
    for x, y in squares:
        image[y:y + 16, x:x + 16] = 0
    cv2.imwrite(str(path), image)
    return path


def test_marks_follow_the_scan_on_screen_and_the_list_leads_the_view(qtbot, driver, tmp_path):
    model = dark_square_model(tmp_path / "squares.onnx")
    (tmp_path / "squares.json").write_text('{"conf": 0.9, "categories": {"dark_square": "firearm"}}')
    first = write_scan(tmp_path / "first.png", [(160, 128)])
    second = write_scan(tmp_path / "second.png", [(480, 176), (32, 32)])
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    controller = attach_detector(window)
    try:
        controller.load_model(model)
        qtbot.waitUntil(lambda: getattr(controller.model, "name", None) == "squares", timeout=20000)
        driver.open(window, first)
        qtbot.waitUntil(lambda: len(controller.shown_detections()) == 1, timeout=20000)
        assert controller.overlay.layer in window.viewer.overlays()
        assert controller.shown_detections()[0].box == (160, 128, 176, 144)
        # The tile count gave way to the outcome: the bar does not say "Detecting" once it is done.
        assert window.statusBar().currentMessage() == "Detection done"

        driver.open(window, second)
        qtbot.waitUntil(lambda: len(controller.shown_detections()) == 2, timeout=20000)
        assert {d.box for d in controller.shown_detections()} == {(480, 176, 496, 192), (32, 32, 48, 48)}

        panel = controller.panel
        item = next(panel.list.item(i) for i in range(panel.list.count())
                    if "dark_square" in panel.list.item(i).text())
        panel.list.itemClicked.emit(item)
        chosen = item.data(Qt.ItemDataRole.UserRole)
        centre = window.viewer.visible_rect().center()
        x1, y1, x2, y2 = chosen.box
        assert abs(centre.x() - (x1 + x2) / 2) < 4 and abs(centre.y() - (y1 + y2) / 2) < 4
        assert window.viewer.zoom() > window.viewer.fit_zoom()
    finally:
        controller.shutdown()
        window.close()


def test_detector_keys_work_with_the_detector_dock_closed(station, qtbot):
    controller = attach_detector(station)
    try:
        station.findChild(QDockWidget, "dock-detector").close()
        assert controller.panel.hide_action in station.view_menu.actions()
        qtbot.keyClick(station.viewer, Qt.Key.Key_V)
        assert controller.panel.hide_box.isChecked()
    finally:
        controller.shutdown()
