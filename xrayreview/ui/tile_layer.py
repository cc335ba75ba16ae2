"""Scan-resolution tiles for zoomed-in viewing: Qt enlarges them, panning renders only new tiles.

At one screen pixel per scan pixel or more, a frame rendered at screen resolution would have to
be rebuilt for every zoom step and every pan past its margin. Tiles rendered once at the scan's
own resolution are instead kept (per display settings) and enlarged by Qt with nearest-neighbour
scaling, so scan pixels stay honest squares and a zoom or pan step costs a blit.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .qimage import FrameImage
from .rendering import DisplaySettings, Renderer

TILE = 256  # scan pixels per tile side
MAX_TILES = 160  # about 40 MB of tiles: several screens' worth of panning kept ready


class TileLayer(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.setZValue(-1.0)  # under every overlay
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # paint only what is exposed
        self.renderer: Renderer | None = None
        self.settings: DisplaySettings | None = None
        self.size = (0, 0)
        self.tiles: OrderedDict[tuple[int, int], QPixmap] = OrderedDict()
        self.tiles_rendered = 0

    def set_source(self, renderer: Renderer | None, settings: DisplaySettings,
                   width: int, height: int) -> None:
        """New scan or new settings: every kept tile is stale."""
        if renderer is not self.renderer or (width, height) != self.size:
            self.prepareGeometryChange()
        self.renderer, self.settings, self.size = renderer, settings, (width, height)
        self.tiles.clear()
        self.update()

    def tile_range(self, visible: QRectF) -> tuple[range, range]:
        width, height = self.size
        tx0, ty0 = max(0, math.floor(visible.left() / TILE)), max(0, math.floor(visible.top() / TILE))
        tx1 = min(math.ceil(width / TILE), math.ceil(visible.right() / TILE))
        ty1 = min(math.ceil(height / TILE), math.ceil(visible.bottom() / TILE))
        return range(tx0, tx1), range(ty0, ty1)

    def ensure(self, visible: QRectF) -> int:
        """Render the tiles ``visible`` needs that are not kept yet; returns how many were rendered."""
        if self.renderer is None or self.settings is None:
            return 0
        xs, ys = self.tile_range(visible)
        rendered = 0
        for ty in ys:
            for tx in xs:
                key = (tx, ty)
                if key in self.tiles:
                    self.tiles.move_to_end(key)
                    continue
                self.tiles[key] = self._render(tx, ty)
                rendered += 1
        while len(self.tiles) > max(MAX_TILES, len(xs) * len(ys)):
            self.tiles.popitem(last=False)
        if rendered:
            self.tiles_rendered += rendered
            self.update(visible)
        return rendered

    def _render(self, tx: int, ty: int) -> QPixmap:
        width, height = self.size
        x0, y0 = tx * TILE, ty * TILE
        x1, y1 = min(x0 + TILE, width), min(y0 + TILE, height)
        rgb = self.renderer.render(self.settings, region=(x0, y0, x1, y1), out_size=(x1 - x0, y1 - y0))
        return QPixmap.fromImage(FrameImage(rgb).image)  # converted once to the screen's own format

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        xs, ys = self.tile_range(option.exposedRect)
        for ty in ys:
            for tx in xs:
                pixmap = self.tiles.get((tx, ty))
                if pixmap is not None:
                    painter.drawPixmap(QRectF(tx * TILE, ty * TILE, pixmap.width(), pixmap.height()),
                                       pixmap, QRectF(pixmap.rect()))
