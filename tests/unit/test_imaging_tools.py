"""The tool vocabulary the toolbar maps to, and the measuring tool."""

from dataclasses import replace

import numpy as np
import pytest

from xrayreview.imaging.display import (
    DEFAULT,
    HIGH_PENETRATION,
    LOW_PENETRATION,
    TOOLS,
    DisplaySettings,
    applicable_tools,
    apply_tool,
    measure,
    with_highlight,
    with_level_width,
    with_window,
)
from xrayreview.imaging.settings import DEFAULT_HIGHLIGHT
from xrayreview.scan import Scan, ScanMetadata


def test_tool_table_has_unique_names_and_shortcuts():
    names = [tool.name for tool in TOOLS]
    shortcuts = [tool.shortcut for tool in TOOLS]
    assert len(set(names)) == len(names)
    assert len(set(shortcuts)) == len(shortcuts)
    assert all(tool.label and tool.tip for tool in TOOLS)


def test_every_tool_gives_valid_settings_and_reset_restores_default():
    settings = DEFAULT
    for tool in TOOLS:
        settings = apply_tool(settings, tool.name)
        assert isinstance(settings, DisplaySettings)
    assert apply_tool(settings, "reset") == DEFAULT


@pytest.mark.parametrize(
    ("tool", "field", "on"),
    [
        ("inverse", "inverse", True),
        ("edge", "edge", True),
        ("local_contrast", "local_contrast", True),
        ("log_filter", "log_filter", True),
        ("organic_only", "strip", "organic"),
        ("inorganic_only", "strip", "inorganic"),
        ("grey", "mode", "grey"),
        ("highlight", "highlight", DEFAULT_HIGHLIGHT),
    ],
)
def test_toggles_switch_on_and_back_off(tool, field, on):
    once = apply_tool(DEFAULT, tool)
    assert getattr(once, field) == on
    assert apply_tool(once, tool) == DEFAULT


def test_strips_replace_each_other():
    organic = apply_tool(DEFAULT, "organic_only")
    assert apply_tool(organic, "inorganic_only").strip == "inorganic"


def test_pseudo_always_selects_colour():
    assert apply_tool(DEFAULT, "pseudo").mode == "pseudo"
    assert apply_tool(replace(DEFAULT, mode="grey"), "pseudo").mode == "pseudo"


@pytest.mark.parametrize(
    ("tool", "preset"), [("high_penetration", HIGH_PENETRATION), ("low_penetration", LOW_PENETRATION)]
)
def test_penetration_presets_set_window_keep_other_tools_and_toggle_back(tool, preset):
    start = replace(DEFAULT, inverse=True, strip="organic")
    applied = apply_tool(start, tool)
    assert (applied.window_low, applied.window_high, applied.gamma) == (
        preset.window_low,
        preset.window_high,
        preset.gamma,
    )
    assert applied.inverse and applied.strip == "organic"
    assert apply_tool(applied, tool) == start


def test_high_penetration_opens_dense_and_low_penetration_stretches_thin():
    assert HIGH_PENETRATION.window_high < 0.5
    assert LOW_PENETRATION.window_low >= 0.3 and LOW_PENETRATION.gamma > 1.0


def test_window_steps_keep_width_and_stay_in_range():
    darker = apply_tool(DEFAULT, "darker")
    assert darker.window_high == 1.0 and darker.window_low == 0.0  # already at the top
    narrow = apply_tool(DEFAULT, "more_contrast")
    assert narrow.window_high - narrow.window_low == pytest.approx(0.8)
    brighter = apply_tool(narrow, "brighter")
    assert brighter.window_high - brighter.window_low == pytest.approx(0.8)
    assert (brighter.window_low, brighter.window_high) == (pytest.approx(0.05), pytest.approx(0.85))
    assert apply_tool(apply_tool(brighter, "brighter"), "brighter").window_low == 0.0
    assert apply_tool(DEFAULT, "denser").gamma > 1.0 > apply_tool(DEFAULT, "lighter").gamma


def test_window_helpers_clamp():
    w = with_window(DEFAULT, 0.7, 0.2)
    assert (w.window_low, w.window_high) == (pytest.approx(0.2), pytest.approx(0.7))
    w = with_window(DEFAULT, -0.5, 0.3)
    assert (w.window_low, w.window_high) == (0.0, pytest.approx(0.3))
    w = with_window(DEFAULT, 0.5, 0.5)
    assert w.window_high - w.window_low == pytest.approx(0.01)
    w = with_level_width(DEFAULT, 0.5, 0.2)
    assert (w.window_low, w.window_high) == (pytest.approx(0.4), pytest.approx(0.6))
    assert with_highlight(DEFAULT, (0.4, 0.1)).highlight == (0.1, 0.4)
    assert with_highlight(DEFAULT, None).highlight is None


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "sepia"},
        {"strip": "metal"},
        {"window_low": 0.6, "window_high": 0.4},
        {"window_high": 1.5},
        {"gamma": 0.0},
        {"highlight": (0.5, 0.2)},
    ],
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        DisplaySettings(**bad)


def test_unknown_tool_is_refused():
    with pytest.raises(ValueError, match="unknown display tool"):
        apply_tool(DEFAULT, "x-ray vision")


def _scan(pitch=None):
    return Scan(
        high=np.zeros((10, 10), np.uint16), full_scale=65535, metadata=ScanMetadata(pixel_pitch_mm=pitch)
    )


def test_measure_in_mm_when_pitch_is_known():
    m = measure(_scan(2.5), (1, 1), (4, 5))
    assert (m.length, m.unit, m.pixels) == (pytest.approx(12.5), "mm", pytest.approx(5.0))
    assert m.label() == "12.5 mm"


def test_measure_in_pixels_without_pitch():
    m = measure(_scan(), (0.0, 0.0), (6.0, 8.0))
    assert (m.length, m.unit) == (pytest.approx(10.0), "px")
    assert m.label() == "10.0 px"


def test_stripping_applies_to_dual_energy_only():
    single = _scan()
    dual = Scan(high=single.high, low=single.high, full_scale=65535)
    assert "organic_only" not in applicable_tools(single) and "edge" in applicable_tools(single)
    assert {tool.name for tool in TOOLS} == applicable_tools(dual)


def test_highlight_band_from_a_list_is_kept_as_a_hashable_tuple():
    settings = DisplaySettings(highlight=[0.1, 0.2])
    assert settings.highlight == (0.1, 0.2) and hash(settings)
