"""Opening scans: files, pairs, drops, bad input, the scan list, metadata and remembered layout."""

from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from xrayreview.ui.main_window import MainWindow


def test_metadata_and_scan_list_show_the_open_scan(qtbot, station, driver, single_tiff):
    scan = driver.open(station, single_tiff)
    assert station.scan_list.count() == 1
    assert "truck.tif" in station.scan_list.item(0).text()
    shown = dict(station.metadata.items())
    assert shown["Object"] == "MSCU1234565"
    assert shown["Pixel pitch"] == "4 mm"
    assert shown["Manifest"] == "machine parts"
    assert shown["Size"].startswith(f"{scan.width} × {scan.height}")
    assert "truck.tif" in station.windowTitle()


def test_a_selected_pair_opens_as_one_dual_energy_scan(qtbot, station, driver, dual_pair):
    scan = driver.open(station, *dual_pair)
    qtbot.wait(50)  # give a wrongly queued second load the chance to arrive
    assert station.scan_list.count() == 1 and scan.is_dual_energy
    assert "DE" in station.scan_list.item(0).text()
    view = station.viewer
    pos = view.mapFromScene(QPointF(300.5, 200.5))
    driver.mouse(view.viewport(), "move", QPointF(pos))
    x, y = int(view.mapToScene(pos).x()), int(view.mapToScene(pos).y())
    text = station.readout.text()
    assert f"raw {int(scan.high[y, x])} / {int(scan.low[y, x])}" in text
    assert any(word in text for word in ("organic", "mixed", "metal"))


def test_switching_between_open_scans(qtbot, station, driver, single_tiff, dual_pair):
    first = driver.open(station, single_tiff)
    station.open_paths([dual_pair[0]])
    qtbot.waitUntil(lambda: station.scan_list.count() == 2)
    second = station.current_scan()
    assert second is not first and second.is_dual_energy  # the newly opened scan is shown
    station.scan_list.setCurrentRow(0)
    assert station.current_scan() is first and station.viewer.scan is first


def test_loading_happens_off_the_gui_thread(qtbot, station, driver, single_tiff, monkeypatch):
    from xrayreview.ui import scan_loader

    threads = []
    real = scan_loader.load_scan

    def recording(path):
        threads.append(threading.get_ident())  # current_thread() would leave a dummy Thread behind
        return real(path)

    monkeypatch.setattr(scan_loader, "load_scan", recording)
    driver.open(station, single_tiff)
    assert threads and threads[0] != threading.main_thread().ident


def test_a_bad_file_gives_a_message_and_the_station_keeps_working(qtbot, station, driver, tmp_path,
                                                                   single_tiff):
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    with qtbot.waitSignal(station.loader.failed, timeout=10000):
        station.open_paths([empty])
    box = station.last_error_box
    assert isinstance(box, QMessageBox) and box.isVisible() and not box.isModal()
    assert "empty" in box.text() and "0 bytes" in box.text()
    assert "empty.tif" in station.statusBar().currentMessage()
    assert station.scan_list.count() == 0 and station.viewer.scan is None
    box.close()
    scan = driver.open(station, single_tiff)
    assert station.viewer.scan is scan


def test_garbage_with_a_scan_extension_is_refused(qtbot, station, tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"this is a text file, not a picture" * 10)
    with qtbot.waitSignal(station.loader.failed, timeout=10000) as signal:
        station.open_paths([fake])
    assert signal.args[1] == "fake.png"
    station.last_error_box.close()


def test_dropping_files_opens_them(qtbot, station, single_tiff):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(single_tiff))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    station.dropEvent(event)
    qtbot.waitUntil(lambda: station.current_scan() is not None, timeout=10000)
    assert station.current_scan().name == "truck.tif"


def test_window_geometry_and_docks_are_remembered(qtbot, station_data):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # inside the offscreen screen (800 × 600)
    details = first.findChild(QDockWidget, "dock-details")
    details.hide()
    first.close()
    assert (station_data / "station.ini").is_file()

    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    try:
        assert second.size().width() == 700 and second.size().height() == 500
        assert not second.findChild(QDockWidget, "dock-details").isVisible()
        assert second.findChild(QDockWidget, "dock-overview").isVisible()
    finally:
        second.close()


def test_closing_leaves_no_worker_or_window_behind(qtbot, driver, single_tiff):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    driver.open(window, single_tiff)
    window.close()
    assert not window.loader._thread.isRunning()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_run_station_opens_the_given_files_and_returns_when_closed(qtbot, single_tiff):
    from PySide6.QtCore import QTimer

    from xrayreview.app import run_station

    seen = []

    def close_when_loaded() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows and windows[0].current_scan() is not None:
            seen.append(windows[0].current_scan().name)
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_loaded)

    QTimer.singleShot(0, close_when_loaded)
    assert run_station([single_tiff]) == 0
    assert seen == ["truck.tif"]


def test_without_files_the_station_opens_the_bundled_samples(monkeypatch, tmp_path):
    from xrayreview import app

    (tmp_path / "bag_high.tif").write_bytes(b"x")
    (tmp_path / "bag_low.tif").write_bytes(b"x")
    (tmp_path / "bag.json").write_text("{}")
    (tmp_path / "README.md").write_text("samples")
    (tmp_path / "a.png").write_bytes(b"x")
    monkeypatch.setattr(app, "SAMPLES_DIR", tmp_path)
    found = app.bundled_samples()
    assert [p.name for p in found] == ["a.png", "bag_high.tif", "bag_low.tif"]
    monkeypatch.setattr(app, "SAMPLES_DIR", tmp_path / "missing")
    assert app.bundled_samples() == []


def test_only_the_most_recent_scans_stay_open(qtbot, station, driver, single_tiff, monkeypatch):
    from xrayreview.ui import main_window

    monkeypatch.setattr(main_window, "MAX_OPEN_SCANS", 3)
    monkeypatch.setattr(main_window, "MAX_RENDERERS", 2)
    first = driver.open(station, single_tiff)
    closed = []
    station.scan_closed.connect(closed.append)
    for i in range(4):  # other files: the same file opened again shows the scan already open
        copy = single_tiff.with_name(f"truck-{i}.tif")
        copy.write_bytes(single_tiff.read_bytes())
        station.open_paths([copy])
        qtbot.waitUntil(lambda: not station.loader.pending)
    assert len(station.scans) == 3 and station.scan_list.count() == 3
    assert len(closed) == 2 and first not in station.scans.values()  # the oldest went first
    assert station.current == max(station.scans)  # the newest is on screen
    for scan_id in station.scan_list.scan_ids():
        station.scan_list.select(scan_id)
    assert len(station.renderers) == 2
    shown = station.current
    station.close_scan(shown)
    assert shown in station.scans  # the scan on screen is never closed under the officer
