"""Small bar charts for the audit view, painted directly (no charting dependency)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES_COLOURS = (QColor(52, 101, 164), QColor(230, 145, 56))


class BarChart(QWidget):
    """Groups of bars: one label per group, one value per series; values ≥ 0."""

    def __init__(self, title: str, series: tuple[str, ...] = ("",), percent: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.series, self.percent = title, series, percent
        self.groups: list[tuple[str, tuple[float, ...]]] = []
        self.setMinimumSize(260, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(self, groups: list[tuple[str, tuple[float, ...]]]) -> None:
        self.groups = groups
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        painter.setPen(self.palette().text().color())
        title_width = painter.fontMetrics().horizontalAdvance(self.title) + 16
        painter.drawText(QRectF(4, 2, width - 8, 16), Qt.AlignmentFlag.AlignLeft, self.title)
        x = 4.0 + title_width
        for j, name in enumerate(n for n in self.series if n):
            painter.fillRect(QRectF(x, 6, 9, 9), SERIES_COLOURS[j % 2])
            painter.drawText(QRectF(x + 12, 2, width, 16), Qt.AlignmentFlag.AlignLeft, name)
            x += 24 + painter.fontMetrics().horizontalAdvance(name)
        top, bottom, left = 22.0, height - 18.0, 4.0
        peak = 1.0 if self.percent else max((max(v) for _, v in self.groups if v), default=0.0) or 1.0
        painter.drawLine(int(left), int(bottom), int(width - 4), int(bottom))
        if not self.groups:
            painter.drawText(QRectF(0, top, width, bottom - top), Qt.AlignmentFlag.AlignCenter,
                             "no decisions")
            painter.end()
            return
        slot = (width - 8) / len(self.groups)
        bar = slot * 0.8 / max(1, len(self.series))
        for i, (label, values) in enumerate(self.groups):
            x0 = left + i * slot + slot * 0.1
            for j, value in enumerate(values):
                h = (bottom - top) * min(value / peak, 1.0)
                painter.fillRect(QRectF(x0 + j * bar, bottom - h, bar * 0.9, h), SERIES_COLOURS[j % 2])
            if len(self.groups) <= 12 or i % max(1, len(self.groups) // 12) == 0:
                painter.drawText(QRectF(left + i * slot, bottom + 1, slot, 16), Qt.AlignmentFlag.AlignHCenter,
                                 label)
        painter.end()
