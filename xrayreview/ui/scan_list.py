"""The list of open scans; kept apart from the window so it can grow into a review queue."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..scan.model import Scan


class ScanList(QListWidget):
    scan_chosen = Signal(int)  # the id the window gave the scan

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentItemChanged.connect(self._current_changed)

    def add_scan(self, scan_id: int, scan: Scan) -> None:
        kind = "DE" if scan.is_dual_energy else "RGB" if scan.colour is not None else "SE"
        item = QListWidgetItem(f"{scan.name}  [{kind} {scan.width}×{scan.height}]")
        item.setData(Qt.ItemDataRole.UserRole, scan_id)
        item.setToolTip("\n".join(str(p) for p in scan.source))
        self.addItem(item)

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
