"""The viewer's single image item: the latest rendered frame, placed over the region it shows."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .qimage import FrameImage


class FrameItem(QGraphicsItem):
    """Draws one screen-resolution frame at the scene rectangle (scan pixels) it was rendered for.

    Frames are rendered at the view's own scale, so painting is normally a plain blit; only
    while a new frame is pending (e.g. mid-zoom) does Qt have to scale the old one.
    """

    def __init__(self) -> None:
        super().__init__()
        self.frame: FrameImage | None = None
        self.region = QRectF()
        self.setZValue(-1.0)  # overlays (detections, measurements) always sit above the image

    def set_frame(self, frame: FrameImage, region: QRectF) -> None:
        if region != self.region:
            self.prepareGeometryChange()
        self.frame = frame
        self.region = QRectF(region)
        self.update()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self.frame = None
        self.region = QRectF()

    def boundingRect(self) -> QRectF:
        return self.region

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.frame is None:
            return
        device = painter.transform().mapRect(self.region)
        if abs(device.width() - self.frame.width) < 1.0 and abs(device.height() - self.frame.height) < 1.0:
            painter.resetTransform()
            painter.drawImage(QPointF(round(device.x()), round(device.y())), self.frame.image)
        else:
            painter.drawImage(self.region, self.frame.image)
