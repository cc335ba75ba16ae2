"""The review's marks on the viewer: detector marks coloured by the officer's verdict, the
officer's own boxes, and the drag that draws one. Scene units are scan pixels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

# Unreviewed marks stand out most; dismissed ones fade but stay visible for context.
COLOURS = {
    None: QColor(255, 60, 60),
    "confirmed": QColor(255, 200, 0),
    "dismissed": QColor(150, 150, 150),
    "officer": QColor(0, 220, 255),
}


class MarkItem(QGraphicsRectItem):
    """One box with a caption; the pen is cosmetic so it stays 2 px at any zoom."""

    def __init__(self, box: list[float], caption: str, colour: QColor, current: bool = False) -> None:
        x1, y1, x2, y2 = box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1))
        pen = QPen(colour, 3 if current else 2, Qt.PenStyle.DashLine if current else Qt.PenStyle.SolidLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.caption = _Caption(caption, colour, self)
        self.caption.setPos(x1, y1)
        self.setZValue(10)

    def caption_below(self) -> None:
        """Put the caption under the box's corner: above it the detector overlay has its own tag."""
        self.caption.below = True
        self.caption.prepareGeometryChange()
        self.caption.setPos(self.rect().left(), self.rect().bottom())


class _Caption(QGraphicsSimpleTextItem):
    """Text on a dark plate above the box's corner, readable on air-white and on dense black."""

    def __init__(self, text: str, colour: QColor, parent: QGraphicsItem) -> None:
        super().__init__(text, parent)
        self.setBrush(colour)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.below = False  # under its anchor rather than above it

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        text = super().boundingRect()
        return text.translated(0, 0 if self.below else -text.height()).adjusted(-2, -1, 2, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ANN001
        painter.fillRect(self.boundingRect(), QColor(0, 0, 0, 170))
        if not self.below:
            painter.translate(0, -super().boundingRect().height())
        super().paint(painter, option, widget)


def detector_caption(mark: dict[str, Any], index: int) -> str:
    verdict = {"confirmed": " ✓", "dismissed": " ✗"}.get(mark.get("verdict") or "", "")
    return f"{index + 1}. {mark.get('label', '')} {float(mark.get('score', 0)):.2f}{verdict}"


def mark_items(detector_marks: list[dict[str, Any]], officer_marks: list[dict[str, Any]],
               current: int | None = None) -> list[MarkItem]:
    """Graphics items for a review (or a logged decision, shown as it was)."""
    items = [MarkItem(m["box"], detector_caption(m, i), COLOURS.get(m.get("verdict"), COLOURS[None]),
                      current == i) for i, m in enumerate(detector_marks)]
    items += [MarkItem(m["box"], f"own: {m.get('category', 'other')}", COLOURS["officer"])
              for m in officer_marks]
    return items


class DrawBox:
    """A viewer interaction (press/move/release in scene coordinates) that draws one box."""

    MIN_SIZE = 2.0  # scan pixels; smaller drags are slips, not marks

    def __init__(self, add_item: Callable[[QGraphicsItem], QGraphicsItem],
                 finished: Callable[[list[float]], None]) -> None:
        self._add_item = add_item
        self._finished = finished
        self._start: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None

    def press(self, point: QPointF) -> None:
        self._start = point
        self._rubber = QGraphicsRectItem(QRectF(point, point))
        pen = QPen(COLOURS["officer"], 1, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        self._add_item(self._rubber)

    def move(self, point: QPointF) -> None:
        if self._start is not None and self._rubber is not None:
            self._rubber.setRect(QRectF(self._start, point).normalized())

    def release(self, point: QPointF) -> None:
        if self._start is None:
            return
        rect = QRectF(self._start, point).normalized()
        if self._rubber is not None and self._rubber.scene() is not None:
            self._rubber.scene().removeItem(self._rubber)
        self._start = self._rubber = None
        if rect.width() >= self.MIN_SIZE and rect.height() >= self.MIN_SIZE:
            self._finished([rect.left(), rect.top(), rect.right(), rect.bottom()])
