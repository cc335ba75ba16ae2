"""The detector's marks over the scan: one layer item holding a box and a label per detection.

Pens are cosmetic (one screen pixel wide at any zoom) and labels ignore the view's scale, so
marks read the same on a 1 MP bag and a 100 MP truck. Each box is drawn in its category colour
over a dark halo, which keeps it visible on orange, green, blue and grey alike.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QWidget

from ..detection import Detection

# Red for firearms, yellow for IED parts (orange would vanish on organic goods), cyan for the
# rest: all three stand apart from the orange / green / blue of the rendering.
CATEGORY_COLOURS = {"firearm": QColor(255, 40, 40), "ied_component": QColor(255, 222, 0),
                    "other": QColor(0, 229, 255)}
HALO = QColor(0, 0, 0, 200)
MARKS_Z = 10.0
FOCUS_CONTEXT = 4.0  # a chosen mark fills about a quarter of the view's width or height


def colour_for(category: str) -> QColor:
    return CATEGORY_COLOURS.get(category, CATEGORY_COLOURS["other"])


class _Layer(QGraphicsItem):
    """An empty parent: hiding or removing it hides or removes every mark at once."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setZValue(MARKS_Z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        pass


class _Label(QGraphicsItem):
    """Class and confidence on a dark tab at the box's top-left corner, at screen size."""

    def __init__(self, text: str, colour: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.text = text
        self.colour = colour
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        metrics = QFontMetricsF(self.font)
        height = metrics.height() + 2
        self._rect = QRectF(0, -height, metrics.horizontalAdvance(text) + 6, height)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        painter.fillRect(self._rect, HALO)
        painter.setFont(self.font)
        painter.setPen(self.colour)
        painter.drawText(self._rect.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, self.text)


class MarkItem(QGraphicsRectItem):
    """One detection: its box in scan pixels, a halo under a coloured cosmetic outline, and a label."""

    def __init__(self, detection: Detection, parent: QGraphicsItem) -> None:
        x1, y1, x2, y2 = detection.box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1), parent)
        self.detection = detection
        self.colour = colour_for(detection.category)
        pen = QPen(self.colour, 2)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.label = _Label(f"{detection.label} {detection.score:.0%}", self.colour, self)
        self.label.setPos(QPointF(x1, y1))
        self.setToolTip(f"{detection.label} ({detection.category.replace('_', ' ')}), "
                        f"confidence {detection.score:.2f}")

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        halo = QPen(HALO, 4)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.drawRect(self.rect())
        painter.setPen(self.pen())
        painter.drawRect(self.rect())


class DetectionOverlay:
    """Shows detections on a scene; threshold and hiding change visibility, never re-run the model."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.layer = _Layer()
        self.marks: list[MarkItem] = []
        self.threshold = 0.25
        self.hidden = False

    def set_detections(self, detections: list[Detection]) -> None:
        self.clear()
        if self.layer.scene() is None:  # the viewer clears its overlays when a new scan opens
            self.scene.addItem(self.layer)
        for detection in sorted(detections, key=lambda d: d.score):  # best drawn last, on top
            mark = MarkItem(detection, self.layer)
            mark.setVisible(detection.score >= self.threshold)
            self.marks.append(mark)
        self.layer.setVisible(not self.hidden)

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        for mark in self.marks:
            mark.setVisible(mark.detection.score >= threshold)

    def set_hidden(self, hidden: bool) -> None:
        self.hidden = hidden
        self.layer.setVisible(not hidden)

    def visible_detections(self) -> list[Detection]:
        if self.hidden:
            return []
        return [mark.detection for mark in self.marks if mark.isVisible()]

    def clear(self) -> None:
        for mark in self.marks:
            mark.setParentItem(None)
            if mark.scene() is not None:
                mark.scene().removeItem(mark)
        self.marks = []


def focus_view_on(view: QGraphicsView, box: tuple[float, float, float, float]) -> None:
    """Centre the view on a box and zoom so it fills about 1/FOCUS_CONTEXT of the view."""
    x1, y1, x2, y2 = box
    centre = QPointF((x1 + x2) / 2, (y1 + y2) / 2)
    viewport = view.viewport().size()
    width, height = max(x2 - x1, 8.0), max(y2 - y1, 8.0)
    zoom = min(viewport.width() / (width * FOCUS_CONTEXT), viewport.height() / (height * FOCUS_CONTEXT))
    set_zoom = getattr(view, "set_zoom", None)
    if callable(set_zoom):  # the station's viewer renders only what is visible and must know
        set_zoom(zoom)
    else:
        view.resetTransform()
        view.scale(zoom, zoom)
    centre_on = getattr(view, "centre_on", None)
    if callable(centre_on):
        centre_on(centre)
    else:
        view.centerOn(centre)
