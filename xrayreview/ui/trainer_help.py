"""The detector's marks during training, when the trainer allows them.

Reuses the station's inference thread and marks overlay: the trainee sees what an officer
would, at the model's own default threshold. Without a model the trainee is told so plainly
and looks without help; the session runs the same.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..detection import DEFAULT_MODEL, DetectionResult, ModelInfo
from ..scan.model import Scan
from .detection_overlay import DetectionOverlay
from .detection_worker import DetectionService
from .viewer import ScanView


class DetectorHelp(QObject):
    status = Signal(str)  # what the trainee is told about the detector's help
    marks_shown = Signal(int)  # number of marks drawn on the scan now on screen

    def __init__(self, view: ScanView, model_path: Path | str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.overlay = DetectionOverlay(view.scene())
        self.model: ModelInfo | None = None
        self.message = ""
        self._ids = itertools.count(1)
        self._current: tuple[int, Scan] | None = None
        path = Path(model_path) if model_path is not None else DEFAULT_MODEL
        self.service: DetectionService | None = None
        if not path.is_file():
            self._say(f"Detector help is allowed, but this station has no detector model ({path.name} "
                      "not found): look for yourself.")
            return
        self.service = DetectionService(self, threads=1)
        self.service.model_loaded.connect(self._loaded)
        self.service.model_failed.connect(lambda text: self._say(f"Detector help unavailable: {text}"))
        self.service.result_ready.connect(self._result)
        self.service.failed.connect(lambda _id, text: self._say(f"Detector help: {text}"))
        self._say(f"Loading the detector ({path.name})…")
        self.service.load_model(path)

    @property
    def available(self) -> bool:
        return self.service is not None

    def show_scan(self, scan: Scan) -> None:
        """A new scan is on screen: clear the old marks and run the detector on it."""
        self.overlay.set_detections([])
        self._current = (next(self._ids), scan)
        self._run()

    def stop(self) -> None:
        self._current = None
        if self.service is not None:
            self.service.shutdown()

    def _run(self) -> None:
        if self.service is None or self.model is None or self._current is None:
            return
        scan_id, scan = self._current
        self._say(f"Detector ({self.model.name}) looking…")
        self.service.request(scan_id, scan)

    def _loaded(self, info: ModelInfo) -> None:
        self.model = info
        self.overlay.set_threshold(info.default_conf)
        self._run()

    def _result(self, scan_id: int, result: DetectionResult) -> None:
        if self._current is None or scan_id != self._current[0]:
            return
        self.overlay.set_detections(result.detections)
        shown = len(self.overlay.visible_detections())
        name = self.model.name if self.model else "detector"
        self._say(f"Detector help ({name}): {shown} mark(s). Marks are hints; box the threats yourself.")
        self.marks_shown.emit(shown)

    def _say(self, text: str) -> None:
        self.message = text
        self.status.emit(text)
