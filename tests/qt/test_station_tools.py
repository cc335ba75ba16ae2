"""Operator tools: every tool on its action and shortcut, window/level by drag and sliders."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence

from xrayreview.ui.rendering import DEFAULT, TOOLS, apply_tool

TOOL_NAMES = [tool.name for tool in TOOLS]


def _frame(station) -> np.ndarray:
    return station.viewer.frame_item.frame.array.copy()


def _expected(name: str):
    """What one press from the standard view gives; a step past its range leaves it as it was."""
    try:
        return apply_tool(DEFAULT, name)
    except ValueError:
        return DEFAULT


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_each_tool_changes_the_settings_and_the_picture(qtbot, station, driver, dual_pair, name):
    driver.open(station, *dual_pair)
    before = _frame(station)
    rendered = station.viewer.frames_rendered
    station.tools.actions[name].trigger()
    expected = _expected(name)
    assert station.state.settings == expected
    assert station.viewer.settings == expected and station.overview.settings == expected
    if expected != DEFAULT:
        assert station.viewer.frames_rendered == rendered + 1
        if name not in ("pseudo", "reset"):
            assert not np.array_equal(_frame(station), before), f"{name} left the picture unchanged"
    station.tools.actions["reset"].trigger()
    assert station.state.settings == DEFAULT
    assert np.array_equal(_frame(station), before)


def test_every_tool_has_a_distinct_shortcut_and_a_place(station):
    shortcuts = [action.shortcut() for action in station.tools.actions.values()]
    shortcuts += [action.shortcut() for action in station.view_actions.all()]
    assert all(not s.isEmpty() for s in shortcuts)
    assert len({s.toString() for s in shortcuts}) == len(shortcuts)
    menu_actions = {a for menu in station.menuBar().findChildren(type(station.menuBar().addMenu("x")))
                    for a in menu.actions()}
    assert set(station.tools.actions.values()) <= menu_actions


def test_a_shortcut_applies_its_tool(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    station.viewer.setFocus()
    action = station.tools.actions["inverse"]
    assert action.shortcut() == QKeySequence("I")
    qtbot.keyClick(station.viewer, Qt.Key.Key_I)
    assert station.state.settings.inverse
    assert action.isChecked()


def test_right_drag_sets_window_and_level(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    viewport = station.viewer.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    # Sideways narrows the window, upwards raises the level.
    driver.drag(viewport, centre, centre + QPointF(-200, -100), Qt.MouseButton.RightButton)
    settings = station.state.settings
    assert settings.window_high - settings.window_low < 0.7
    assert settings.window_low > 0.0
    density = station.density
    assert density.window_low.value() == round(settings.window_low * 1000)


def test_density_sliders_drive_the_display(qtbot, station, driver, single_tiff):
    driver.open(station, single_tiff)
    density = station.density
    density.window_low.setValue(200)
    density.window_high.setValue(700)
    density.gamma.setValue(500)
    settings = station.state.settings
    assert (settings.window_low, settings.window_high) == pytest.approx((0.2, 0.7))
    assert settings.gamma == pytest.approx(3.0**0.5)
    density.highlight_on.setChecked(True)
    density.highlight_low.setValue(100)
    density.highlight_high.setValue(300)
    assert station.state.settings.highlight == pytest.approx((0.1, 0.3))
    assert station.tools.actions["highlight"].isChecked()
    station.tools.actions["reset"].trigger()
    assert density.window_low.value() == 0 and not density.highlight_on.isChecked()


def test_material_strips_are_greyed_out_for_single_energy(qtbot, station, driver, single_tiff, dual_pair):
    driver.open(station, single_tiff)
    strips = [station.tools.actions[name] for name in ("organic_only", "inorganic_only")]
    assert not any(action.isEnabled() for action in strips)
    assert all("Needs a dual-energy scan" in action.toolTip() for action in strips)
    assert station.tools.actions["inverse"].isEnabled()
    driver.open(station, *dual_pair)
    assert all(action.isEnabled() for action in strips)
    assert not any("dual-energy" in action.toolTip() for action in strips)
