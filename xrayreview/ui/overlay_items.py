"""Building blocks for layers of boxes drawn over a scan (detector marks, threat-report alarms).

Pens are cosmetic (one screen pixel wide at any zoom) and tags ignore the view's scale, so boxes
read the same on a 1 MP bag and a 100 MP truck; a dark halo under each outline keeps it visible
on orange, green, blue and grey alike.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget

HALO = QColor(0, 0, 0, 200)


class OverlayLayer(QGraphicsItem):
    """An empty parent: hiding or removing it hides or removes every box at once."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        pass


class ScreenTag(QGraphicsItem):
    """A line of text on a dark tab at screen size, above or below its anchor point."""

    def __init__(self, text: str, colour: QColor, parent: QGraphicsItem, *,
                 point_size: float = 8.5, above: bool = True) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.text, self.colour = text, colour
        self.font = QFont()
        self.font.setPointSizeF(point_size)
        metrics = QFontMetricsF(self.font)
        height = metrics.height() + 2
        self._rect = QRectF(0, -height if above else 0, metrics.horizontalAdvance(text) + 6, height)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        painter.fillRect(self._rect, HALO)
        painter.setFont(self.font)
        painter.setPen(self.colour)
        painter.drawText(self._rect.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, self.text)


class HaloBox(QGraphicsRectItem):
    """A box in scan pixels: a dark halo under a coloured cosmetic outline."""

    def __init__(self, box: tuple[float, float, float, float], colour: QColor, parent: QGraphicsItem,
                 style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> None:
        x1, y1, x2, y2 = box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1), parent)
        self.colour = colour
        pen = QPen(colour, 2, style)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))

    def add_tag(self, text: str, *, above: bool, point_size: float = 8.5) -> ScreenTag:
        rect = self.rect()
        tag = ScreenTag(text, self.colour, self, point_size=point_size, above=above)
        tag.setPos(QPointF(rect.left(), rect.top() if above else rect.bottom()))
        return tag

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        halo = QPen(HALO, 4)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.drawRect(self.rect())
        painter.setPen(self.pen())
        painter.drawRect(self.rect())
