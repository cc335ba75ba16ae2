"""The measuring tool: drag a line over the scan, read its length in mm (or px without a pitch)."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QObject, QPointF, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsSimpleTextItem

from .rendering import measure
from .viewer import ScanView

COLOUR = QColor(255, 230, 0)


class MeasureTool(QObject):
    """Plugged into ``ScanView.interaction`` while measuring; keeps the last line on the scan."""

    measured = Signal(str)  # the length as officers read it, e.g. "412 mm"

    def __init__(self, view: ScanView) -> None:
        super().__init__(view)
        self.view = view
        self.line: QGraphicsLineItem | None = None
        self.label: QGraphicsSimpleTextItem | None = None
        self._start: QPointF | None = None
        self.last_text = ""

    def press(self, point: QPointF) -> None:
        if self.view.scan is None:
            return
        self.clear()
        self._start = self._clamp(point)
        pen = QPen(COLOUR, 2)
        pen.setCosmetic(True)  # the same width on screen at every zoom
        self.line = QGraphicsLineItem(QLineF(self._start, self._start))
        self.line.setPen(pen)
        self.label = QGraphicsSimpleTextItem()
        self.label.setBrush(QBrush(COLOUR))
        font = QFont()
        font.setPointSize(11)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.view.add_overlay(self.line)
        self.view.add_overlay(self.label)

    def move(self, point: QPointF) -> None:
        if self._start is None or self.line is None:
            return
        end = self._clamp(point)
        self.line.setLine(QLineF(self._start, end))
        self._update_label(end)

    def release(self, point: QPointF) -> None:
        if self._start is None:
            return
        self.move(point)
        self._start = None
        self.measured.emit(self.last_text)

    def clear(self) -> None:
        for item in (self.line, self.label):
            if item is not None and item.scene() is not None:
                item.scene().removeItem(item)
        self.line = self.label = None
        self.last_text = ""

    def _update_label(self, end: QPointF) -> None:
        start = self._start
        result = measure(self.view.scan, (start.x(), start.y()), (end.x(), end.y()))
        self.last_text = result.label()
        self.label.setText(self.last_text)
        self.label.setPos(end)

    def _clamp(self, point: QPointF) -> QPointF:
        scan = self.view.scan
        return QPointF(min(max(point.x(), 0.0), scan.width), min(max(point.y(), 0.0), scan.height))

