"""The viewer: zoom, pan, viewport-sized frames, readout, loupe, overview and measuring."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsRectItem

from xrayreview.ui import viewer as viewer_module


def test_opening_a_scan_renders_one_viewport_sized_frame(qtbot, station, driver, single_tiff):
    scan = driver.open(station, single_tiff)
    view = station.viewer
    assert view.scan is scan
    frame = view.frame_item.frame
    assert frame is not None
    viewport = view.viewport().size()
    # A frame never needs more pixels than the viewport plus its margins, whatever the scan size.
    limit = 1 + 2 * viewer_module.MARGIN
    assert frame.width <= viewport.width() * limit + 2 and frame.height <= viewport.height() * limit + 2
    assert frame.image.width() == frame.width and not frame.image.isNull()


def test_zoom_keys_fit_and_actual_size(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    fit = view.zoom()
    assert fit == view.fit_zoom()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert abs(view.zoom() - fit * viewer_module.KEY_ZOOM) < 1e-9
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert abs(view.zoom() - fit) < 1e-9
    station.view_actions.actual.trigger()
    assert view.zoom() == 1.0
    station.view_actions.fit.trigger()
    assert view.zoom() == fit


def test_wheel_zoom_keeps_the_point_under_the_cursor(qtbot, station, driver, single_tiff):
    from PySide6.QtCore import QPoint as QP
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    driver.open(station, single_tiff)
    view = station.viewer
    view.set_zoom(4.0, QPointF(600, 200))  # the scan overflows the view both ways, so it can follow
    start_zoom = view.zoom()
    cursor = QPointF(view.viewport().width() * 0.3, view.viewport().height() * 0.4)
    before = view.mapToScene(cursor.toPoint())
    rendered = view.frames_rendered
    for _ in range(2):  # one burst of two notches back: more of the scan comes into view
        event = QWheelEvent(cursor, view.viewport().mapToGlobal(cursor), QP(), QP(0, -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)
    assert abs(view.zoom() - start_zoom / viewer_module.WHEEL_STEP**2) < 1e-6
    after = view.mapToScene(cursor.toPoint())
    tolerance = 2 / view.zoom() + 1
    assert abs(after.x() - before.x()) < tolerance and abs(after.y() - before.y()) < tolerance
    assert view.frames_rendered == rendered  # nothing rendered while the burst is coming in
    qtbot.waitUntil(lambda: not view._wheel_refresh.isActive())
    assert view.frames_rendered <= rendered + 1  # one burst, at most one rendering pass
    layer = view.tile_layer
    xs, ys = layer.tile_range(view.visible_rect())
    assert all((x, y) in layer.tiles for x in xs for y in ys)


def test_zoomed_out_small_pans_reuse_the_frame(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    view.set_zoom(0.9, QPointF(600, 200))
    assert not view.uses_tiles() and view.frame_item.isVisible()
    start = view.visible_rect()
    rendered = view.frames_rendered
    view.pan(viewer_module.MARGIN / 2, 0.0)
    assert view.visible_rect().left() > start.left()
    assert view.frames_rendered == rendered  # still inside the rendered margin: nothing to render
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.visible_rect().left() > start.left() + start.width() * viewer_module.PAN_STEP
    assert view.frames_rendered == rendered + 1
    assert view.frame_item.region.contains(view.visible_rect().intersected(view.sceneRect()))


def test_zoomed_in_steps_render_only_new_tiles(qtbot, station, driver, single_tiff):
    from xrayreview.ui.tile_layer import TILE

    driver.open(station, single_tiff)
    view = station.viewer
    layer = view.tile_layer
    view.set_zoom(4.0, QPointF(300, 200))
    assert view.uses_tiles() and layer.isVisible() and not view.frame_item.isVisible()
    xs, ys = layer.tile_range(view.visible_rect())
    assert all((x, y) in layer.tiles for x in xs for y in ys)
    before = layer.tiles_rendered
    view.zoom_by(1.25, view.visible_rect().center())  # zooming in shows fewer tiles: all kept
    assert layer.tiles_rendered == before
    start = view.visible_rect()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.visible_rect().left() > start.left()
    assert layer.tiles_rendered - before <= len(ys)  # at most the column that came into view
    moved = view.visible_rect()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.visible_rect().top() > moved.top()
    # A new setting makes every kept tile stale; only the visible ones are rendered again.
    before = layer.tiles_rendered
    station.tools.actions["inverse"].trigger()
    xs, ys = layer.tile_range(view.visible_rect())
    assert layer.tiles_rendered - before == len(xs) * len(ys) and len(layer.tiles) == len(xs) * len(ys)
    tile = layer.tiles[(xs[0], ys[0])]
    assert tile.width() <= TILE and tile.height() <= TILE


def test_left_drag_pans(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    view.set_zoom(3.0, QPointF(600, 200))
    before = view.visible_rect().center()
    driver.drag(view.viewport(), QPointF(400, 300), QPointF(250, 300), Qt.MouseButton.LeftButton)
    after = view.visible_rect().center()
    assert after.x() > before.x() + 30  # dragging the image left shows what lies to the right


def test_pixel_readout_shows_the_raw_value(qtbot, station, driver, single_tiff):
    scan = driver.open(station, single_tiff)
    view = station.viewer
    target = QPointF(530.5, 200.5)  # inside the dense bar
    pos = view.mapFromScene(target)
    driver.mouse(view.viewport(), "move", QPointF(pos))
    x, y = int(view.mapToScene(pos).x()), int(view.mapToScene(pos).y())
    text = station.readout.text()
    assert f"x {x}  y {y}" in text
    assert f"raw {int(scan.high[y, x])}" in text
    view.leaveEvent(None)
    assert station.readout.text() == ""


def test_loupe_follows_the_cursor(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    assert not view.loupe.isVisible()
    station.view_actions.loupe.trigger()
    here, there = view.mapFromScene(QPointF(300, 150)), view.mapFromScene(QPointF(700, 250))
    driver.mouse(view.viewport(), "move", QPointF(here))
    assert view.loupe.isVisible() and view.loupe.frame is not None
    first = view.loupe.pos()
    driver.mouse(view.viewport(), "move", QPointF(there))
    assert view.loupe.pos() != first
    assert not view.loupe.geometry().contains(there)  # never hides what is under the cursor
    station.view_actions.loupe.trigger()
    assert not view.loupe.isVisible()


def test_overview_click_moves_the_view(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    view.set_zoom(4.0, QPointF(100, 100))
    overview = station.overview
    target = overview.image_rect()
    click = QPointF(target.left() + target.width() * 0.8, target.top() + target.height() * 0.5)
    driver.mouse(overview, "press", click, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
    centre = view.visible_rect().center()
    assert abs(centre.x() - 0.8 * 1200) < 15 and abs(centre.y() - 200) < 15
    assert abs(overview.view_rect.center().x() - centre.x()) < 1


def test_measuring_in_mm_with_a_known_pitch(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    view.set_zoom(1.0, QPointF(600, 200))
    station.view_actions.measure.trigger()
    start, end = view.mapFromScene(QPointF(500, 150)), view.mapFromScene(QPointF(800, 150))
    with qtbot.waitSignal(station.view_actions.measure_tool.measured) as signal:
        driver.drag(view.viewport(), QPointF(start), QPointF(end), Qt.MouseButton.LeftButton)
    assert signal.args == [f"{300 * driver.pitch_mm:.0f} mm"]
    assert station.view_actions.measure_tool.line in view.overlays()
    assert "mm" in station.statusBar().currentMessage()
    station.view_actions.measure.trigger()
    assert station.view_actions.measure_tool.line is None


def test_measuring_in_pixels_without_a_pitch(qtbot, station, driver, dual_pair):
    driver.open(station, *dual_pair)
    view = station.viewer
    view.set_zoom(1.0, QPointF(600, 200))
    station.view_actions.measure.trigger()
    start, end = view.mapFromScene(QPointF(100, 100)), view.mapFromScene(QPointF(100, 140))
    driver.drag(view.viewport(), QPointF(start), QPointF(end), Qt.MouseButton.LeftButton)
    assert station.view_actions.measure_tool.last_text == "40.0 px"


def test_overlays_live_in_scan_pixels(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    view = station.viewer
    box = QGraphicsRectItem(500, 150, 60, 100)
    pen = QPen(Qt.GlobalColor.red, 2)
    pen.setCosmetic(True)
    box.setPen(pen)
    view.add_overlay(box)
    assert view.overlays() == [box]
    view.set_zoom(5.0, QPointF(530, 200))
    assert view.mapFromScene(QPointF(530, 200)) == view.mapFromScene(box.rect().center())
    view.clear_overlays()
    assert view.overlays() == []


def test_a_long_session_of_signals_keeps_python_intact(qtbot, station, driver, single_tiff):
    """PySide6 6.12.0 lost a reference to True per signal emit; the station then aborted mid-shift."""
    import sys

    driver.open(station, single_tiff)
    viewport = station.viewer.viewport()
    before = sys.getrefcount(True)
    for i in range(3000):  # each move emits `hovered`; more moves than True had references to lose
        driver.mouse(viewport, "move", QPointF(100 + i % 300, 120))
    assert sys.getrefcount(True) >= before - 50
