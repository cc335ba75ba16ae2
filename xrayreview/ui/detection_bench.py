"""The GUI half of `xrayreview bench detection`: how long the event loop stalls while the worker runs."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from ..scan.model import Scan
from .detection_worker import DetectionService
from .stall_meter import StallMeter


def measure_stall(model_path: Path, scan: Scan, timeout_s: float = 600.0) -> dict[str, float]:
    """Run the station's detection worker on ``scan`` while a GUI-thread timer records its gaps."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    service = DetectionService()
    loaded: list[object] = []
    service.model_loaded.connect(loaded.append)
    service.model_failed.connect(loaded.append)
    service.load_model(model_path)
    _wait(app, lambda: bool(loaded), timeout_s)
    meter = StallMeter()
    results: list[object] = []
    service.result_ready.connect(lambda _id, result: results.append(result))
    service.failed.connect(lambda _id, message: results.append(message))
    meter.start()
    started = time.perf_counter()
    service.request(1, scan)
    _wait(app, lambda: bool(results), timeout_s)
    detect_s = time.perf_counter() - started
    meter.stop()
    service.shutdown()
    return {"max_ms": max(meter.gaps, default=float("nan")), "p99_ms": meter.percentile(0.99),
            "detect_s": detect_s}


def _wait(app: QApplication, done, timeout_s: float) -> None:
    """Spin a real event loop (as the station's would) until ``done()`` or the timeout."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(10)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    check.start()
    if not done():
        loop.exec()
    check.stop()
