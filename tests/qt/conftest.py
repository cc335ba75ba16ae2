"""Fixtures for the station's Qt tests: real scan files in tmp_path and a window that always closes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile

SCAN_W, SCAN_H = 1200, 400
PITCH_MM = 4.0


def _scene(seed: int) -> np.ndarray:
    """Transmission in 0..1: air at the edges, a box of goods and a dense bar."""
    rng = np.random.default_rng(seed)
    t = np.full((SCAN_H, SCAN_W), 0.95, dtype=np.float32)
    t[80:320, 200:1000] = 0.45
    t[150:250, 500:560] = 0.05
    t += rng.normal(0, 0.01, t.shape).astype(np.float32)
    return np.clip(t, 0.0, 1.0)


@pytest.fixture(autouse=True)
def station_data(tmp_path, monkeypatch) -> Path:
    """Settings and the log go to tmp_path, never to the officer's data folder."""
    folder = tmp_path / "station-data"
    monkeypatch.setenv("XRAYREVIEW_DATA", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_threads_left():
    before = set(threading.enumerate())
    yield
    # Python threads only: a QThread that ran Python code shows as a _DummyThread forever
    # (Python cannot tell when it ends); the station's own QThreads are checked by their tests.
    left = [t for t in threading.enumerate()
            if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)]
    assert left == [], f"threads left running: {left}"


@pytest.fixture(autouse=True)
def no_windows_left(request):
    """The station's own tests leave no window or message box on screen."""
    yield
    if not request.module.__name__.startswith("test_station"):
        return
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert shown == [], f"windows left open: {shown}"


@pytest.fixture(autouse=True)
def close_anyway():
    """A modal question nobody answers would hang the run. Tests that end while the station holds
    a refused decision (pytest-qt closes windows before fixtures end) answer "close anyway" here;
    tests about the question answer it themselves."""
    from PySide6.QtWidgets import QMessageBox

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Close)
        yield


@pytest.fixture
def single_tiff(tmp_path) -> Path:
    """A 16-bit single-energy TIFF with a sidecar giving the pixel pitch."""
    path = tmp_path / "truck.tif"
    tifffile.imwrite(path, np.round(_scene(1) * 60000).astype(np.uint16))
    sidecar = {"pixel_pitch_mm": PITCH_MM, "scanner": "Test linac", "object_id": "MSCU1234565",
               "manifest": "machine parts"}
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path


@pytest.fixture
def dual_pair(tmp_path) -> tuple[Path, Path]:
    """A dual-energy pair named by the convention (bag_high.png / bag_low.png, 16-bit).

    Low-energy attenuation is the high one times a ratio typical of each class at 140/80 kV:
    organic goods on the left, a steel plate on the right.
    """
    t_high = _scene(2)
    t_high[100:300, 1050:1150] = 0.35
    ratio = np.full(t_high.shape, 1.2, dtype=np.float32)  # organic
    ratio[:, 1000:] = 4.5  # metal
    t_low = np.exp(np.log(np.maximum(t_high, 1e-6)) * ratio)
    high, low = tmp_path / "bag_high.png", tmp_path / "bag_low.png"
    cv2.imwrite(str(high), np.round(t_high * 60000).astype(np.uint16))
    cv2.imwrite(str(low), np.round(t_low * 60000).astype(np.uint16))
    return high, low


@pytest.fixture
def station(qtbot):
    """The main window, shown offscreen; closed (workers joined, settings saved) afterwards."""
    from xrayreview.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def open_and_wait(qtbot, window, *paths: Path):
    """Open files through the station's own path and wait until the first one is on screen."""
    before = len(window.scans)
    window.open_paths(list(paths))
    qtbot.waitUntil(lambda: len(window.scans) > before and window.current is not None, timeout=10000)
    return window.current_scan()


def mouse(widget, kind: str, pos, button=None, buttons=None) -> None:
    """Deliver one mouse event straight to a widget (offscreen platforms drop synthetic moves)."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QCursor, QMouseEvent
    from PySide6.QtWidgets import QApplication

    types = {"press": QEvent.Type.MouseButtonPress, "move": QEvent.Type.MouseMove,
             "release": QEvent.Type.MouseButtonRelease}
    button = button or Qt.MouseButton.NoButton
    buttons = buttons if buttons is not None else Qt.MouseButton.NoButton
    local = QPointF(pos)
    # Keep Qt's idea of the cursor in step, so it never decides the pointer left the widget.
    QCursor.setPos(widget.mapToGlobal(local).toPoint())
    event = QMouseEvent(types[kind], local, widget.mapToGlobal(local), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget, start, end, button, steps: int = 5) -> None:
    from PySide6.QtCore import QPointF

    mouse(widget, "press", start, button, button)
    for i in range(1, steps + 1):
        t = i / steps
        point = QPointF(start.x() + (end.x() - start.x()) * t, start.y() + (end.y() - start.y()) * t)
        mouse(widget, "move", point, None, button)
    mouse(widget, "release", end, button, None)


class StationDriver:
    """The helpers above as a fixture, so test modules need no imports from conftest."""

    pitch_mm = PITCH_MM

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot

    def open(self, window, *paths: Path):
        return open_and_wait(self.qtbot, window, *paths)

    mouse = staticmethod(mouse)
    drag = staticmethod(drag)


@pytest.fixture
def driver(qtbot) -> StationDriver:
    return StationDriver(qtbot)


@pytest.fixture
def officer(station_data):
    """An officer account signed in on a fresh log in tmp_path (with the admin that made it)."""
    from xrayreview.decisions import Accounts, DecisionLog, default_log_path

    with DecisionLog(default_log_path()) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        return accounts.authenticate("olga", "officer-pass")


@pytest.fixture
def whole(qtbot, officer):
    """The whole station, shown, with the officer signed in."""
    from xrayreview.ui.station import build_station

    window = build_station()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.review.set_account(officer)
    yield window
    window.review.set_inbox(None)
    window.close()


@pytest.fixture
def trainer_paths(tmp_path) -> dict[str, Path]:
    """Where a trainer window keeps things: two clean scans in tmp_path/library, their library
    file, and a training log path."""
    from library_scans import write_library_scan  # noqa: PLC0415

    from xrayreview.training.library import Library  # noqa: PLC0415

    folder = tmp_path / "library"
    folder.mkdir()
    scans = [write_library_scan(folder / f"clean_{i}.png", 28000 + 3000 * i) for i in range(2)]
    library = tmp_path / "library.json"
    Library.of_files(scans).save(library)
    return {"log_path": tmp_path / "training.sqlite", "library_path": library}


@pytest.fixture
def open_trainer_window(qtbot, trainer_paths):
    """make(account, **extra) opens a trainer window on trainer_paths; each is closed at the end."""
    from xrayreview.ui.trainer_window import TrainerWindow  # noqa: PLC0415

    made = []

    def make(account, **extra):
        window = TrainerWindow(account, **{**trainer_paths, **extra})
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()  # joins the worker threads, closes the training log


@pytest.fixture
def queue(qtbot, tmp_path):
    """The officer's queue on an empty inbox folder and a real log: (widget, inbox, log)."""
    from xrayreview.decisions import DecisionLog  # noqa: PLC0415
    from xrayreview.ui.review_queue import ReviewQueue  # noqa: PLC0415

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    log = DecisionLog(tmp_path / "log.sqlite")
    widget = ReviewQueue(settle_s=1.0)
    qtbot.addWidget(widget)
    widget.set_log(log)
    widget.set_inbox(inbox)
    widget.show()
    qtbot.waitUntil(lambda: not widget._looking)  # the first look, on the queue's thread
    yield widget, inbox, log
    widget.set_inbox(None)
    log.close()
