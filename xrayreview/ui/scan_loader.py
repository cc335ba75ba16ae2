"""Opening scans off the GUI thread: one long-lived worker thread, results as plain objects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..scan.errors import ScanError
from ..scan.loader import load_scan
from ..scan.pairing import find_pair

if TYPE_CHECKING:  # names for annotations only: pydicom is loaded on the worker thread, when needed
    from ..scan.model import Scan
    from ..scan.tdr import ThreatReport


def group_for_opening(paths: list[Path]) -> list[Path]:
    """One path per scan: both files of a dual-energy pair open as one scan."""
    seen: set[tuple[Path, Path]] = set()
    groups = []
    for path in paths:
        pair = find_pair(path)
        if pair is not None:
            key = (pair[0].resolve(), pair[1].resolve())
            if key in seen:
                continue
            seen.add(key)
        groups.append(path)
    return groups


class _Worker(QObject):
    loaded = Signal(int, object)  # request id, Scan
    failed = Signal(int, str, str)  # request id, file name, message for the officer
    reports_found = Signal(int, object)  # request id, list of ThreatReport lying beside a DICOS scan

    @Slot(int, object)
    def load(self, request: int, path: Path) -> None:
        try:
            target, opened_report = _open_target(path)
            scan = load_scan(target)
        except ScanError as exc:
            self.failed.emit(request, path.name, str(exc))
        except Exception as exc:  # noqa: BLE001 - a broken file must never take the station down
            message = f"{path.name} could not be opened ({type(exc).__name__}: {exc})."
            self.failed.emit(request, path.name, message)
        else:
            # Before the scan, so both show together.
            self.reports_found.emit(request, _reports_beside(scan, opened_report))
            self.loaded.emit(request, scan)


def _open_target(path: Path) -> tuple[Path, ThreatReport | None]:
    """The file to load for ``path`` and the threat report read on the way (a report opened)."""
    from ..scan.tdr import open_target  # noqa: PLC0415 - pydicom loads on this thread, not at start-up

    return open_target(path)


def _reports_beside(scan: Scan, opened_report: ThreatReport | None = None) -> list[ThreatReport]:
    """DICOS threat reports next to the scan that refer to it; a broken one never stops the scan.

    The report the officer opened was read to find the scan: it is passed on, not read again.
    """
    from ..scan.tdr import find_reports  # noqa: PLC0415 - pydicom loads only when a scan needs it

    try:
        return find_reports(scan, [opened_report] if opened_report is not None else [])
    except Exception:  # noqa: BLE001 - the alarms are extra; the scan itself opened fine
        return []


class ScanLoader(QObject):
    """Queue files with ``open``; ``loaded``/``failed`` arrive on the GUI thread."""

    loaded = Signal(int, object)
    failed = Signal(int, str, str)
    file_failed = Signal(object)  # the Path asked for, for parts that keep lists of files (the queue)
    reports_found = Signal(int, object)
    _request = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("scan-loader")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.load)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.failed.connect(self._on_failed)
        self._worker.reports_found.connect(self.reports_found)
        self._thread.start()
        self._next = 0
        self.pending: set[int] = set()
        self._paths: dict[int, Path] = {}
        self._shut = False

    def open(self, path: Path) -> int:
        self._next += 1
        self.pending.add(self._next)
        self._paths[self._next] = Path(path)
        self._request.emit(self._next, Path(path))
        return self._next

    def _on_loaded(self, request: int, scan: object) -> None:
        if self._shut:  # queued before the shutdown: a closed window must not show it or detect on it
            return
        self.pending.discard(request)
        self._paths.pop(request, None)
        self.loaded.emit(request, scan)

    def _on_failed(self, request: int, name: str, message: str) -> None:
        if self._shut:
            return
        self.pending.discard(request)
        path = self._paths.pop(request, None)
        self.failed.emit(request, name, message)
        if path is not None:
            self.file_failed.emit(path)

    def shutdown(self) -> None:
        """Finish the file being read, drop the rest, and wait for the thread to end."""
        self._shut = True
        if self._thread.isRunning():
            self._thread.requestInterruption()
            self._thread.quit()
            self._thread.wait()
