"""The detector's marks over the scan: one layer item holding a box and a label per detection.

Pens are cosmetic (one screen pixel wide at any zoom) and labels ignore the view's scale, so
marks read the same on a 1 MP bag and a 100 MP truck. Each box is drawn in its category colour
over a dark halo, which keeps it visible on orange, green, blue and grey alike.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView

from ..detection import Detection
from .overlay_items import HaloBox, OverlayLayer

# Red for firearms, yellow for IED parts (orange would vanish on organic goods), cyan for the
# rest: all three stand apart from the orange / green / blue of the rendering.
CATEGORY_COLOURS = {"firearm": QColor(255, 40, 40), "ied_component": QColor(255, 222, 0),
                    "other": QColor(0, 229, 255)}
MARKS_Z = 10.0
FOCUS_CONTEXT = 4.0  # a chosen mark fills about a quarter of the view's width or height


def colour_for(category: str) -> QColor:
    return CATEGORY_COLOURS.get(category, CATEGORY_COLOURS["other"])


class MarkItem(HaloBox):
    """One detection: its box in scan pixels in the category colour, with class and confidence."""

    def __init__(self, detection: Detection, parent: QGraphicsItem) -> None:
        super().__init__(detection.box, colour_for(detection.category), parent)
        self.detection = detection
        self.label = self.add_tag(f"{detection.label} {detection.score:.0%}", above=True)
        self.setToolTip(f"{detection.label} ({detection.category.replace('_', ' ')}), "
                        f"confidence {detection.score:.2f}")


class DetectionOverlay:
    """Shows detections on a scene; threshold and hiding change visibility, never re-run the model."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.layer = OverlayLayer(MARKS_Z)
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
