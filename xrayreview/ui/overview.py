"""The overview strip: the whole scan, small, with a rectangle showing where the viewer looks."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..scan.model import Scan
from .qimage import FrameImage
from .rendering import DisplaySettings, Renderer


class OverviewStrip(QWidget):
    """Click or drag on it to move the viewer there."""

    jump_requested = Signal(QPointF)  # scene (scan pixel) point to centre the viewer on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.scan: Scan | None = None
        self.renderer: Renderer | None = None
        self.settings: DisplaySettings | None = None
        self.frame: FrameImage | None = None
        self.view_rect = QRectF()

    def sizeHint(self) -> QSize:
        return QSize(600, 110)

    def set_scan(self, scan: Scan, renderer: Renderer, settings: DisplaySettings) -> None:
        self.scan, self.renderer, self.settings = scan, renderer, settings
        self._render()

    def clear(self) -> None:
        self.scan = self.renderer = self.frame = None
        self.update()

    def set_settings(self, settings: DisplaySettings) -> None:
        self.settings = settings
        self._render()

    def set_view_rect(self, rect: QRectF) -> None:
        self.view_rect = QRectF(rect)
        self.update()

    def image_rect(self) -> QRectF:
        """Where the scan is drawn inside the widget, keeping its aspect ratio."""
        if self.scan is None:
            return QRectF()
        scale = min(self.width() / self.scan.width, self.height() / self.scan.height)
        w, h = self.scan.width * scale, self.scan.height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _render(self) -> None:
        if self.scan is None or self.renderer is None or self.settings is None:
            return
        target = self.image_rect()
        out = (max(1, round(target.width())), max(1, round(target.height())))
        region = (0, 0, self.scan.width, self.scan.height)
        self.frame = FrameImage(self.renderer.render(self.settings, region=region, out_size=out))
        self.update()

    def to_scene(self, pos: QPointF) -> QPointF:
        target = self.image_rect()
        scale = self.scan.width / target.width()
        return QPointF((pos.x() - target.left()) * scale, (pos.y() - target.top()) * scale)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.scan is not None and event.button() == Qt.MouseButton.LeftButton:
            self.jump_requested.emit(self.to_scene(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.scan is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.jump_requested.emit(self.to_scene(event.position()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(14, 14, 16))
        if self.frame is None or self.scan is None:
            return
        target = self.image_rect()
        painter.drawImage(target, self.frame.image)
        if not self.view_rect.isEmpty():
            scale = target.width() / self.scan.width
            shown = QRectF(target.left() + self.view_rect.left() * scale,
                           target.top() + self.view_rect.top() * scale,
                           self.view_rect.width() * scale, self.view_rect.height() * scale)
            painter.setPen(QPen(QColor(255, 210, 60), 2))
            painter.drawRect(shown.intersected(target.adjusted(1, 1, -1, -1)))
