"""Wires the detector into the station: service, overlay, panel and view, with no logic in the window.

The main window creates one controller, tells it which scan is on screen (``show_scan``) and
shuts it down on close; everything else happens here.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsView

from ..detection import DEFAULT_MODEL, Detection, DetectionResult, ModelInfo
from ..scan.model import Scan
from .detection_overlay import DetectionOverlay, focus_view_on
from .detection_panel import DetectionPanel
from .detection_worker import DetectionService

KEEP_RESULTS = 200  # results remembered per scan id, so going back to a scan shows it at once
UNSTATED_PERFORMANCE = ("Its makers state no measured performance (sidecar known_performance): "
                        "ask them how it was tested before relying on its marks.")


class DetectionController(QObject):
    status_message = Signal(str, int)  # text, milliseconds to show it in the status bar
    result_shown = Signal(int, object)  # scan id, DetectionResult now on screen

    def __init__(self, view: QGraphicsView, panel: DetectionPanel, parent: QObject | None = None,
                 service: DetectionService | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.panel = panel
        self.service = service or DetectionService(self)
        self.overlay = DetectionOverlay(view.scene())
        self.overlay.set_threshold(panel.threshold)
        self.results: OrderedDict[int, DetectionResult] = OrderedDict()
        self.shown: DetectionResult | None = None  # the result whose marks are on screen
        self.model: ModelInfo | None = None
        self.current: tuple[int, Scan] | None = None
        self.auto_run = panel.auto_box.isChecked()
        self._counting_tiles = False  # the status bar shows "Detecting: tile …" for the run on screen

        panel.threshold_changed.connect(self.overlay.set_threshold)
        panel.threshold_changed.connect(self._summarise)
        panel.marks_hidden.connect(self.overlay.set_hidden)
        panel.auto_run_changed.connect(self._set_auto_run)
        panel.run_requested.connect(self.run_now)
        panel.stop_requested.connect(self.stop)
        panel.detection_chosen.connect(self.focus)
        self.service.model_loaded.connect(self._model_loaded)
        self.service.model_failed.connect(self._model_failed)
        self.service.progress.connect(self._progress)
        self.service.result_ready.connect(self._result)
        self.service.failed.connect(self._failed)

    def load_model(self, path: Path | str | None = None, providers: list[str] | None = None) -> bool:
        """Load the given model (default: the shipped one); False when there is no such file."""
        path = Path(path) if path is not None else DEFAULT_MODEL
        if not path.is_file():
            self.panel.set_status(f"No detector model ({path.name} not found); "
                                  "the station works without one.")
            return False
        self.panel.set_status(f"Loading {path.name}…")
        self.service.load_model(path, providers)
        return True

    def show_scan(self, scan_id: int, scan: Scan) -> None:
        """The officer is now looking at this scan: show its marks, or start the detector on it."""
        self.current = (scan_id, scan)
        self._counting_tiles = False  # a count shown for the previous scan says nothing of this one
        self.overlay.set_detections([])
        self.panel.clear()
        self.panel.set_running(False)
        self.shown = None
        if scan_id in self.results:
            self._display(scan_id, self.results[scan_id])
        elif self.auto_run and self.model is not None:
            self.run_now()
        else:
            self.service.cancel()  # whatever ran for the previous scan is no longer wanted

    def run_now(self) -> None:
        if self.current is None:
            return
        if self.model is None:
            self.status_message.emit("No detector model is loaded.", 5000)
            return
        scan_id, scan = self.current
        self.results.pop(scan_id, None)
        self.panel.set_status(f"{self.model.name}: detecting…")
        self.panel.set_running(True)
        self.service.request(scan_id, scan)

    def stop(self) -> None:
        """Drop the run in progress (it ends at its next tile batch); the scan keeps no marks."""
        if not self.service.busy:
            return
        self.service.cancel()
        self.panel.set_running(False)
        self.panel.set_status("Detection stopped; Detect now runs it again.")

    def focus(self, detection: Detection) -> None:
        focus_view_on(self.view, detection.box)

    def current_result(self) -> DetectionResult | None:
        """The detector's result for the scan on screen (what the decision log records)."""
        return self.results.get(self.current[0]) if self.current else None

    def shown_detections(self) -> list[Detection]:
        """The marks the officer can see right now (threshold and hide switch applied)."""
        return self.overlay.visible_detections()

    def shutdown(self) -> None:
        self.service.shutdown()

    def _set_auto_run(self, enabled: bool) -> None:
        self.auto_run = enabled

    def _model_loaded(self, info: ModelInfo) -> None:
        self.model = info
        self.results.clear()
        self.panel.set_threshold(info.default_conf)
        self.panel.set_status(f"Detector: {info.name} ({len(info.classes)} classes)")
        self.panel.set_known_performance(info.known_performance or UNSTATED_PERFORMANCE)
        if self.current is not None and self.auto_run:
            self.run_now()

    def _model_failed(self, message: str) -> None:
        self.model = None
        self.panel.set_known_performance("")
        self.panel.set_status(f"No detector model: {message}")
        self.status_message.emit(f"Detector model refused: {message}", 15000)

    def _progress(self, scan_id: int, done: int, total: int) -> None:
        if self.current and scan_id == self.current[0]:
            self.panel.set_progress(done, total)
            self.status_message.emit(f"Detecting: tile {done} of {total}", 2000)
            self._counting_tiles = True

    def _result(self, scan_id: int, result: DetectionResult) -> None:
        self.results[scan_id] = result
        while len(self.results) > KEEP_RESULTS:
            self.results.popitem(last=False)
        if self.current and scan_id == self.current[0]:
            self._display(scan_id, result)
            if self._counting_tiles:  # the bar must not go on saying "Detecting" once it is done
                # No count here: the panel keeps it, current as the threshold slider moves.
                self.status_message.emit("Detection done", 3000)
            self._counting_tiles = False

    def _display(self, scan_id: int, result: DetectionResult) -> None:
        self.overlay.set_detections(result.detections)
        self.panel.set_detections(result.detections)
        self.shown = result
        self._summarise()
        self.result_shown.emit(scan_id, result)

    def _summarise(self, *_: object) -> None:
        """The panel's one-line summary, counted at the slider's threshold as the marks are."""
        result = self.shown
        if result is None:
            return
        name = self.model.name if self.model else "detector"
        self.panel.set_status(f"{name}: {len(result.above(self.panel.threshold))} mark(s) "
                              f"in {result.elapsed_s:.1f} s ({result.tiles_run} tiles run, "
                              f"{result.tiles_skipped} empty skipped)")

    def _failed(self, scan_id: int, message: str) -> None:
        if not (self.current and scan_id == self.current[0]):
            return  # a run left going for another scan: its failure says nothing of the marks on screen
        self.panel.set_running(False)
        self.panel.set_status(message)
        self.status_message.emit(message, 10000)
