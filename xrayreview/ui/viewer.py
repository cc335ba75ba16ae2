"""The scan viewer: zoom, pan and a viewport-sized rendering, whatever the scan's size.

Zoomed out (less than one screen pixel per scan pixel), only what is visible plus a margin is
rendered, at the view's own scale, so a redraw costs the same for a 1 MP baggage image and a
100 MP truck. Zoomed in, scan-resolution tiles are kept and enlarged by Qt (see tile_layer),
so zoom and pan steps only render tiles that come into view. Scene coordinates are scan
pixels: overlays (detection boxes, measurements) are added in those units with cosmetic pens.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from ..scan.model import Scan
from .frame_item import FrameItem
from .loupe import Loupe
from .qimage import FrameImage
from .rendering import DEFAULT, DisplaySettings, Renderer
from .tile_layer import TileLayer

# Rendered beyond each edge of the viewport, as a fraction of its size: small pans need no redraw.
# Kept small because every tool change pays for the margin too (0.1 costs 44 % more pixels).
MARGIN = 0.1
MAX_ZOOM = 40.0  # screen pixels per scan pixel
WHEEL_STEP = 1.2  # zoom factor per wheel notch (120 eighths of a degree)
KEY_ZOOM = 1.25
PAN_STEP = 0.15  # of the viewport, per arrow key press


class ScanView(QGraphicsView):
    """Shows one scan; emits where the cursor is and where the view looks."""

    hovered = Signal(int, int)  # scan pixel under the cursor; (-1, -1) off the scan
    view_changed = Signal(QRectF)  # visible scene rectangle, for the overview strip
    window_dragged = Signal(float, float)  # right-drag (dx, dy) as fractions of the viewport
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(18, 18, 20))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.frame_item = FrameItem()
        self.scene().addItem(self.frame_item)
        self.tile_layer = TileLayer()
        self.scene().addItem(self.tile_layer)
        self.scan: Scan | None = None
        self.renderer: Renderer | None = None
        self.settings: DisplaySettings = DEFAULT
        self.loupe_enabled = False
        self.interaction = None  # a tool (e.g. measuring) that takes left-button drags when set
        self._right_drag: QPoint | None = None
        self._frame_key: tuple | None = None
        self.frames_rendered = 0
        self.loupe = Loupe(self.viewport())
        self._hold = 0  # while > 0, view changes do not render (a zoom step moves the view twice)
        # Wheel and trackpad events come in bursts: render once the burst has been taken in.
        self._wheel_refresh = QTimer(self)
        self._wheel_refresh.setSingleShot(True)
        self._wheel_refresh.setInterval(0)
        self._wheel_refresh.timeout.connect(self.refresh)

    # -- what is shown -------------------------------------------------------------------------

    def set_scan(self, scan: Scan, renderer: Renderer, settings: DisplaySettings | None = None) -> None:
        self.clear_overlays()
        self.scan, self.renderer = scan, renderer
        if settings is not None:
            self.settings = settings
        self.scene().setSceneRect(QRectF(0, 0, scan.width, scan.height))
        self._frame_key = None
        self.tile_layer.set_source(renderer, self.settings, scan.width, scan.height)
        self.fit()

    def clear(self) -> None:
        self.clear_overlays()
        self.scan = self.renderer = None
        self.frame_item.clear()
        self.tile_layer.set_source(None, self.settings, 0, 0)
        self._frame_key = None
        self.scene().setSceneRect(QRectF())
        self.viewport().update()

    def set_settings(self, settings: DisplaySettings) -> None:
        self.settings = settings
        self._frame_key = None
        if self.scan is not None:
            self.tile_layer.set_source(self.renderer, settings, self.scan.width, self.scan.height)
        self.refresh()
        if self.loupe.isVisible():
            self.show_loupe(self.viewport().mapFromGlobal(self.cursor().pos()))

    def add_overlay(self, item: QGraphicsItem) -> QGraphicsItem:
        """Put an item over the scan, in scan-pixel coordinates; use cosmetic pens for outlines."""
        self.scene().addItem(item)
        return item

    def overlays(self) -> list[QGraphicsItem]:
        items = self.scene().items()
        own = (self.frame_item, self.tile_layer)
        return [item for item in items if item not in own and item.parentItem() is None]

    def clear_overlays(self) -> None:
        for item in self.overlays():
            self.scene().removeItem(item)

    def set_loupe_enabled(self, enabled: bool) -> None:
        self.loupe_enabled = enabled
        if not enabled:
            self.loupe.hide()

    def show_loupe(self, view_pos: QPoint) -> None:
        if not self.loupe_enabled or self.scan is None or self.renderer is None:
            return
        scene = self.mapToScene(view_pos)
        centre = (scene.x(), scene.y())
        self.loupe.show_at(view_pos, self.scan, self.renderer, self.settings, centre, self.zoom())

    # -- zoom and pan --------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def fit_zoom(self) -> float:
        if self.scan is None:
            return 1.0
        view = self.viewport().size()
        return max(min(view.width() / self.scan.width, view.height() / self.scan.height), 1e-4)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``zoom`` screen px per scan px, keeping the scene point ``anchor`` in place."""
        zoom = min(max(zoom, self.fit_zoom() * 0.5), MAX_ZOOM)
        view_pos = self.mapFromScene(anchor) if anchor is not None else None
        self._hold += 1
        try:
            self.resetTransform()
            self.scale(zoom, zoom)
            if anchor is not None and view_pos is not None:
                shift = self.mapToScene(view_pos) - anchor
                self.centerOn(self.visible_rect().center() - shift)
        finally:
            self._hold -= 1
        self.refresh()
        self.zoom_changed.emit(zoom)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.set_zoom(self.zoom() * factor, anchor)

    def fit(self) -> None:
        if self.scan is None:
            return
        self._hold += 1
        try:
            self.set_zoom(self.fit_zoom())
            self.centerOn(self.scan.width / 2, self.scan.height / 2)
        finally:
            self._hold -= 1
        self.refresh()

    def actual_size(self) -> None:
        self.set_zoom(1.0, self.visible_rect().center())

    def centre_on(self, point: QPointF) -> None:
        self.centerOn(point)
        self.refresh()

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by fractions of the viewport."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx * self.viewport().width()))
        v.setValue(v.value() + round(dy * self.viewport().height()))

    def visible_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    # -- rendering -----------------------------------------------------------------------------

    def needed_region(self) -> tuple[tuple[int, int, int, int], tuple[int, int]] | None:
        """The scan region to render (visible area plus margin) and its size on screen."""
        if self.scan is None:
            return None
        visible = self.visible_rect()
        mx, my = visible.width() * MARGIN, visible.height() * MARGIN
        x0 = max(0, math.floor(visible.left() - mx))
        y0 = max(0, math.floor(visible.top() - my))
        x1 = min(self.scan.width, math.ceil(visible.right() + mx))
        y1 = min(self.scan.height, math.ceil(visible.bottom() + my))
        if x1 <= x0 or y1 <= y0:
            return None
        zoom = self.zoom()
        out = (max(1, round((x1 - x0) * zoom)), max(1, round((y1 - y0) * zoom)))
        return (x0, y0, x1, y1), out

    def uses_tiles(self) -> bool:
        """Zoomed in, unless local contrast is on (it adapts to its whole region: tiles would show seams)."""
        return self.zoom() >= 1.0 and not self.settings.local_contrast

    def refresh(self, force: bool = False) -> None:
        """Bring the picture up to date with the view, rendering only what is missing."""
        if self._hold:
            return
        needed = self.needed_region()
        if needed is None or self.renderer is None:
            return
        visible = self.visible_rect()
        tiled = self.uses_tiles()
        self.tile_layer.setVisible(tiled)
        self.frame_item.setVisible(not tiled)
        if tiled:
            if self.tile_layer.ensure(visible.intersected(self.sceneRect())):
                self.frames_rendered += 1
            self.view_changed.emit(visible)
            return
        have = self.frame_item.region
        covered = have.contains(visible.intersected(self.sceneRect()))
        if not force and self._frame_key == (self.zoom(), self.settings) and covered:
            self.view_changed.emit(visible)
            return
        region, out = needed
        rgb = self.renderer.render(self.settings, region=region, out_size=out)
        x0, y0, x1, y1 = region
        self.frame_item.set_frame(FrameImage(rgb), QRectF(x0, y0, x1 - x0, y1 - y0))
        self._frame_key = (self.zoom(), self.settings)
        self.frames_rendered += 1
        self.view_changed.emit(visible)

    # -- Qt events -----------------------------------------------------------------------------

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.refresh()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self._hold += 1  # until the queued events are in, Qt shows the current picture scaled
            try:
                self.zoom_by(WHEEL_STEP**steps, self.mapToScene(event.position().toPoint()))
            finally:
                self._hold -= 1
            self._wheel_refresh.start()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {Qt.Key.Key_Left: (-PAN_STEP, 0), Qt.Key.Key_Right: (PAN_STEP, 0),
                 Qt.Key.Key_Up: (0, -PAN_STEP), Qt.Key.Key_Down: (0, PAN_STEP)}
        if key in moves:
            self.pan(*moves[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(KEY_ZOOM, self.visible_rect().center())
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / KEY_ZOOM, self.visible_rect().center())
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._right_drag = event.position().toPoint()
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.interaction is not None:
            self.interaction.press(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        scene = self.mapToScene(pos)
        self._emit_hover(scene)
        self.show_loupe(pos)
        if self._right_drag is not None:
            delta = pos - self._right_drag
            self._right_drag = pos
            self.window_dragged.emit(delta.x() / max(1, self.viewport().width()),
                                     delta.y() / max(1, self.viewport().height()))
            event.accept()
            return
        if self.interaction is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.interaction.move(scene)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._right_drag = None
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.interaction is not None:
            self.interaction.release(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        self.hovered.emit(-1, -1)
        self.loupe.hide()
        super().leaveEvent(event)

    def _emit_hover(self, scene: QPointF) -> None:
        x, y = math.floor(scene.x()), math.floor(scene.y())
        if self.scan is not None and 0 <= x < self.scan.width and 0 <= y < self.scan.height:
            self.hovered.emit(x, y)
        else:
            self.hovered.emit(-1, -1)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.backgroundBrush())
