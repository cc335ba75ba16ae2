"""The whole station as `xrayreview` starts it: image window, detector dock and decision desk."""

from __future__ import annotations

import pytest
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


def _bag_with_report(tmp_path):
    """A DICOS bag and an operator's threat report about it, side by side in one folder."""
    import sys
    from pathlib import Path

    from xrayreview.reports.tdr import write_operator_tdr
    from xrayreview.scan import load_scan

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
    from dicos_factory import dx_dataset, gradient, write

    path = write(dx_dataset(gradient((120, 200))), tmp_path / "bag.dcs")
    report = tmp_path / "bag-report.dcs"
    write_operator_tdr(report, scan=load_scan(path), decision="refer", officer="A",
                       marks=[{"box": [20, 20, 80, 60], "category": "firearm", "label": "pistol"}],
                       decided_at="2026-11-28T10:00:00+00:00")
    return path, report


@pytest.fixture
def station(qtbot):
    window = build_station()
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_a_dicos_scan_shows_the_alarms_of_its_threat_report(station, driver, tmp_path):
    path, _ = _bag_with_report(tmp_path)
    driver.open(station, path)
    overlay = station.scanner_alarms
    assert len(overlay.items) == 1 and overlay.layer.isVisible()
    assert overlay.layer in station.viewer.overlays()
    assert "alarm" in station.statusBar().currentMessage()
    station.scanner_alarms_action.trigger()
    assert not overlay.layer.isVisible()


def test_opening_a_threat_report_opens_the_scan_it_is_about(station, driver, tmp_path):
    path, report = _bag_with_report(tmp_path)
    scan = driver.open(station, report)
    assert scan.source[0] == path
    assert len(station.scanner_alarms.items) == 1


SHARED = __import__("xrayreview.paths", fromlist=["REPO_ROOT"]).REPO_ROOT.parent / "shared"


def test_real_scans_and_dicos_files_open_and_render(qtbot, driver):
    real = sorted((SHARED / "real-scans").glob("*.[pj][np]g"))
    dicos = sorted(p for p in (SHARED / "dicos").glob("*.dcs") if "tdr" not in p.stem.lower().split("_")[-1]
                   and not p.stem.startswith("V03_TDR"))
    if not real and not dicos:
        pytest.skip(f"third-party sample scans not present under {SHARED} (never committed)")
    window = build_station()
    qtbot.addWidget(window)
    window.show()
    try:
        window.open_paths(real + dicos)
        qtbot.waitUntil(lambda: not window.loader.pending, timeout=30000)
        assert len(window.scans) == len(real) + len(dicos)
        for scan_id, scan in window.scans.items():
            window.scan_list.select(scan_id)
            frame = window.viewer.frame_item.frame if not window.viewer.uses_tiles() else None
            assert window.viewer.scan is scan
            assert frame is not None or window.viewer.tile_layer.tiles, scan.name
        with_tdr = [i for i, s in window.scans.items() if s.name == "V03_DXwithTDR_dx.dcs"]
        if with_tdr:
            window.scan_list.select(with_tdr[0])
            assert window.scanner_alarms.items, "the scanner's own report should show its alarm"
    finally:
        window.close()
