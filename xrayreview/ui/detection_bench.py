"""The GUI half of `xrayreview bench detection`: how long the event loop stalls while the worker runs."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ..scan.model import Scan
from .detection_worker import DetectionService
from .stall_meter import StallMeter, spin_until


def measure_stall(model_path: Path, scan: Scan, timeout_s: float = 600.0) -> dict[str, float]:
    """Run the station's detection worker on ``scan`` while a GUI-thread timer records its gaps."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication.instance() or QApplication([])  # held for the run: the worker needs a running Qt
    service = DetectionService()
    loaded: list[object] = []
    service.model_loaded.connect(loaded.append)
    service.model_failed.connect(loaded.append)
    service.load_model(model_path)
    spin_until(lambda: bool(loaded), timeout_s)
    meter = StallMeter()
    results: list[object] = []
    service.result_ready.connect(lambda _id, result: results.append(result))
    service.failed.connect(lambda _id, message: results.append(message))
    meter.start()
    started = time.perf_counter()
    service.request(1, scan)
    spin_until(lambda: bool(results), timeout_s)
    detect_s = time.perf_counter() - started
    meter.stop()
    service.shutdown()
    return {"max_ms": max(meter.gaps, default=float("nan")), "p99_ms": meter.percentile(0.99),
            "detect_s": detect_s}
