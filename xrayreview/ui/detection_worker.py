"""The inference worker: one long-lived thread owns the model; the GUI thread only sends requests.

Each request carries the scan id and a generation number. When the officer moves on, the
generation goes up: the worker skips queued requests that are already stale, stops between
tile batches of the one running (a ``session.run`` itself cannot be interrupted), and the
service drops any result of an older generation that still arrives.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..detection import ModelError, ThreatModel, detect
from ..detection.model import cpu_threads_for_ui
from ..scan.model import Scan

# The station asks for everything above this and filters live with the confidence slider.
SCORE_FLOOR = 0.05


class _Generation:
    """The newest request's number, read by the worker thread between tile batches."""

    def __init__(self) -> None:
        self.value = 0


class _InferenceWorker(QObject):
    model_loaded = Signal(object)  # ModelInfo
    model_failed = Signal(str)
    progress = Signal(int, int, int, int)  # scan id, generation, tiles done, tiles total
    finished = Signal(int, int, object)  # scan id, generation, DetectionResult
    failed = Signal(int, int, str)

    def __init__(self, generation: _Generation, threads: int) -> None:
        super().__init__()
        self._generation = generation
        self._threads = threads
        self.model: ThreatModel | None = None

    @Slot(object, object)
    def load_model(self, path: object, providers: object) -> None:
        try:
            self.model = ThreatModel.load(Path(str(path)), providers=providers,  # type: ignore[arg-type]
                                          threads=self._threads)
        except ModelError as exc:
            self.model = None
            self.model_failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - an I/O error reading the file must not leave "Loading…" up
            self.model = None
            name = Path(str(path)).name
            self.model_failed.emit(f"{name} could not be loaded ({type(exc).__name__}: {exc})")
        else:
            self.model_loaded.emit(self.model.info())

    @Slot(int, int, object, float)
    def run(self, scan_id: int, generation: int, scan: Scan, conf: float) -> None:
        if generation != self._generation.value:
            return  # the officer has moved on before this one started
        if self.model is None:
            self.failed.emit(scan_id, generation, "No detector model is loaded.")
            return
        try:
            result = detect(
                self.model, scan, conf=conf,
                progress=lambda done, total: self.progress.emit(scan_id, generation, done, total),
                should_stop=lambda: generation != self._generation.value,
            )
        except Exception as exc:  # noqa: BLE001 - a model failing on one scan must not end the thread
            message = f"The detector failed on this scan ({type(exc).__name__}: {exc})"
            self.failed.emit(scan_id, generation, message)
            return
        self.finished.emit(scan_id, generation, result)


class DetectionService(QObject):
    """Send scans with ``request``; only results of the newest request reach ``result_ready``."""

    model_loaded = Signal(object)  # ModelInfo
    model_failed = Signal(str)
    progress = Signal(int, int, int)  # scan id, tiles done, tiles total
    result_ready = Signal(int, object)  # scan id, DetectionResult
    failed = Signal(int, str)
    _load = Signal(object, object)
    _run = Signal(int, int, object, float)

    def __init__(self, parent: QObject | None = None, threads: int | None = None) -> None:
        super().__init__(parent)
        self._generation = _Generation()
        self._thread = QThread()
        self._thread.setObjectName("detector")
        self._worker = _InferenceWorker(self._generation, threads or cpu_threads_for_ui())
        self._worker.moveToThread(self._thread)
        self._load.connect(self._worker.load_model)
        self._run.connect(self._worker.run)
        self._worker.model_loaded.connect(self.model_loaded)
        self._worker.model_failed.connect(self.model_failed)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self.running: int | None = None  # scan id of the request in flight
        self.stale_dropped = 0

    def load_model(self, path: Path | str, providers: list[str] | None = None) -> None:
        """Load (or replace) the model on the worker thread; ``model_loaded``/``model_failed`` tell."""
        self._load.emit(str(path), providers)

    def request(self, scan_id: int, scan: Scan, conf: float = SCORE_FLOOR) -> int:
        """Detect on ``scan``; any earlier request becomes stale. Returns the request's generation."""
        self._generation.value += 1
        self.running = scan_id
        self._run.emit(scan_id, self._generation.value, scan, float(conf))
        return self._generation.value

    def cancel(self) -> None:
        """Discard what is running or queued (the run in progress ends at its next tile batch)."""
        self._generation.value += 1
        self.running = None

    @property
    def busy(self) -> bool:
        return self.running is not None

    def shutdown(self) -> None:
        self.cancel()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def _current(self, generation: int) -> bool:
        if generation == self._generation.value:
            return True
        self.stale_dropped += 1
        return False

    def _on_progress(self, scan_id: int, generation: int, done: int, total: int) -> None:
        if generation == self._generation.value:
            self.progress.emit(scan_id, done, total)

    def _on_finished(self, scan_id: int, generation: int, result: object) -> None:
        if self._current(generation):
            self.running = None
            self.result_ready.emit(scan_id, result)

    def _on_failed(self, scan_id: int, generation: int, message: str) -> None:
        if self._current(generation):
            self.running = None
            self.failed.emit(scan_id, message)
