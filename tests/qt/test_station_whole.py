"""The whole station as `xrayreview` starts it: image window, detector dock and decision desk."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDockWidget

from xrayreview.ui.station import build_station


def test_the_station_wires_detector_and_desk_to_the_scan_on_screen(qtbot, driver, single_tiff, dual_pair):
    window = build_station()
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.findChild(QDockWidget, "dock-detector") is not None
        assert window.findChild(QDockWidget, "dock-decision") is not None
        dialog = window.review.sign_in()
        assert dialog is not None and dialog.isVisible()
        scan = driver.open(window, single_tiff)
        assert window.detection.current == (window.current, scan)
        assert window.review.panel.scan is scan
        second = driver.open(window, *dual_pair)
        qtbot.waitUntil(lambda: window.current_scan() is second)
        assert window.detection.current[1] is second and window.review.panel.scan is second
        toggles = {action.text() for action in window.view_menu.actions()}
        assert {"Detector", "Decision", "Scans"} <= toggles
    finally:
        window.close()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
