"""The list of open scans; kept apart from the window so it can grow into a review queue."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..scan.model import Scan

_FILES = Qt.ItemDataRole.UserRole + 1  # the scan's files, resolved: how a file opened again is recognised


class ScanList(QListWidget):
    scan_chosen = Signal(int)  # the id the window gave the scan

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentItemChanged.connect(self._current_changed)

    def add_scan(self, scan_id: int, scan: Scan) -> int:
        """List ``scan`` and return ``scan_id``; a scan whose files are listed already is not added again,
        and the id listed for them is returned instead."""
        files = _resolved(scan.source)
        for listed in files:
            known = self.holding(listed)
            if known is not None:
                return known
        kind = "DE" if scan.is_dual_energy else "RGB" if scan.colour is not None else "SE"
        item = QListWidgetItem(f"{scan.name}  [{kind} {scan.width}×{scan.height}]")
        item.setData(Qt.ItemDataRole.UserRole, scan_id)
        item.setData(_FILES, files)
        item.setToolTip("\n".join(str(p) for p in scan.source))
        self.addItem(item)
        return scan_id

    def holding(self, path: Path) -> int | None:
        """The id of the listed scan read from ``path`` (either file of a dual-energy pair), if any."""
        wanted = str(Path(path).resolve())
        for row in range(self.count()):
            if wanted in (self.item(row).data(_FILES) or ()):
                return self.item(row).data(Qt.ItemDataRole.UserRole)
        return None

    def select(self, scan_id: int) -> None:
        for row in range(self.count()):
            if self.item(row).data(Qt.ItemDataRole.UserRole) == scan_id:
                self.setCurrentRow(row)
                return

    def remove_scan(self, scan_id: int) -> None:
        for row in range(self.count()):
            if self.item(row).data(Qt.ItemDataRole.UserRole) == scan_id:
                self.blockSignals(True)  # removing a row must not show another scan
                self.takeItem(row)
                self.blockSignals(False)
                return

    def scan_ids(self) -> list[int]:
        return [self.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.count())]

    def _current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.scan_chosen.emit(current.data(Qt.ItemDataRole.UserRole))


def _resolved(paths: tuple[Path, ...]) -> list[str]:
    return [str(Path(p).resolve()) for p in paths]
