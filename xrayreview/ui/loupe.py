"""The magnifier loupe: a round-cornered window onto the scan that follows the cursor."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ..scan.model import Scan
from .qimage import FrameImage
from .rendering import DisplaySettings, Renderer

SIZE = 220  # screen pixels
MAGNIFICATION = 3.0  # relative to the viewer's zoom
MIN_SCALE = 2.0  # screen pixels per scan pixel, so the loupe always magnifies something


class Loupe(QWidget):
    """A child of the viewer's viewport (never a top-level window) drawn beside the cursor."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedSize(SIZE, SIZE)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.frame: FrameImage | None = None
        self.hide()

    def show_at(self, view_pos: QPoint, scan: Scan, renderer: Renderer, settings: DisplaySettings,
                centre: tuple[float, float], view_zoom: float) -> None:
        """Magnify around scan point ``centre``; place the loupe off the cursor, inside the view."""
        scale = max(view_zoom * MAGNIFICATION, MIN_SCALE)
        half = SIZE / scale / 2
        cx, cy = centre
        x0, y0 = max(0, math.floor(cx - half)), max(0, math.floor(cy - half))
        x1, y1 = min(scan.width, math.ceil(cx + half)), min(scan.height, math.ceil(cy + half))
        if x1 <= x0 or y1 <= y0:
            self.hide()
            return
        out = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
        self.frame = FrameImage(renderer.render(settings, region=(x0, y0, x1, y1), out_size=out))
        # Where the region's corner falls relative to the centre, so the cursor's pixel is mid-loupe.
        self._offset = QPoint(round(SIZE / 2 - (cx - x0) * scale), round(SIZE / 2 - (cy - y0) * scale))
        self.move(self._place(view_pos))
        self.show()
        self.raise_()
        self.update()

    def _place(self, view_pos: QPoint) -> QPoint:
        parent = self.parentWidget().rect()
        gap = 24
        x = view_pos.x() + gap if view_pos.x() + gap + SIZE <= parent.width() else view_pos.x() - gap - SIZE
        y = min(max(0, view_pos.y() - SIZE // 2), max(0, parent.height() - SIZE))
        return QPoint(max(0, x), y)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(10, 10, 12))
        if self.frame is not None:
            painter.drawImage(self._offset, self.frame.image)
        painter.setPen(QPen(QColor(255, 200, 60, 160), 1))
        c = SIZE // 2
        painter.drawLine(c - 8, c, c + 8, c)
        painter.drawLine(c, c - 8, c, c + 8)
        painter.setPen(QPen(QColor(200, 200, 200), 2))
        painter.drawRect(QRect(1, 1, SIZE - 2, SIZE - 2))
