"""The audit table as a model: rows are formatted only when Qt paints them, so a filter that
returns 100,000 decisions does not build a million cell objects."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ..decisions import DecisionRow
from ..reports.table import flat_row

COLUMNS = ("seq", "decided_at", "officer", "scan", "decision", "reasons", "detector_marks", "max_score",
           "disagrees", "duration_s", "note", "reviews")

_Index = QModelIndex | QPersistentModelIndex


class DecisionTable(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DecisionRow] = []
        self._cache: dict[int, dict[str, Any]] = {}

    def set_rows(self, rows: list[DecisionRow]) -> None:
        self.beginResetModel()
        self.rows, self._cache = rows, {}
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].replace("_", " ")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        flat = self._cache.get(index.row())
        if flat is None:
            flat = self._cache[index.row()] = flat_row(self.rows[index.row()])
        column = COLUMNS[index.column()]
        if column == "max_score" and not flat["detector_marks"]:
            return ""
        value = flat[column]
        if value is True:
            return "yes"
        if value is False:
            return ""
        text = str(value)
        return text[:19].replace("T", " ") if column == "decided_at" else text
