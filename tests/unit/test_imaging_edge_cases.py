"""The display pipeline on unusual scans and requests: tiny, huge, degenerate, non-finite."""

import math
import tracemalloc
import warnings
from dataclasses import replace

import numpy as np
import pytest

from xrayreview.imaging.display import DEFAULT, TOOLS, DisplaySettings, Renderer, apply_tool, measure
from xrayreview.scan import Scan, ScanMetadata

GREY = DisplaySettings(mode="grey")
INF, NAN = float("inf"), float("nan")


def _full(renderer, settings):
    scan = renderer.scan
    return renderer.render(settings, (0, 0, scan.width, scan.height), (scan.width, scan.height))


def _colour_scan(colour):
    colour = np.ascontiguousarray(colour, dtype=np.uint8)
    return Scan(high=colour.max(axis=2).astype(np.uint16), full_scale=255, colour=colour)


def _every_tool_state():
    """The settings after each tool in turn, starting from the default view."""
    settings, states = DEFAULT, []
    for tool in TOOLS:
        settings = apply_tool(settings, tool.name)
        states.append(settings)
    return states


# -- colour (8-bit RGB) files ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (2, 1), (4, 1)])
def test_tiny_colour_file_renders_like_the_same_colour_in_a_larger_file(shape):
    # A one-pixel RGB image made OpenCV read its split as "array op scalar" and raise.
    pixel = np.array([200, 100, 50], np.uint8)
    tiny = Renderer(_colour_scan(np.broadcast_to(pixel, (*shape, 3))))
    larger = Renderer(_colour_scan(np.broadcast_to(pixel, (8, 8, 3))))
    h, w = shape
    for settings in [*_every_tool_state(), replace(DEFAULT, inverse=True)]:
        got = tiny.render(settings, (0, 0, w, h), (w, h))
        assert np.array_equal(got, larger.render(settings, (0, 0, w, h), (w, h))), settings


def test_colour_file_tool_render_of_a_small_view_costs_what_the_view_needs():
    # Tone tools on an RGB file used to split the whole scan into value and chroma on first
    # use: a 200 × 100 view of a long colour scan allocated several times the scan's size.
    colour = np.random.default_rng(0).integers(0, 256, (6000, 1000, 3), dtype=np.uint8)
    renderer = Renderer(_colour_scan(colour))
    tracemalloc.start()
    try:
        renderer.render(replace(DEFAULT, inverse=True), (0, 0, 200, 100), (200, 100))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The value/chroma cache is reserved whole (4/3 of the colour) but filled only where viewed;
    # beyond it, temporaries must stay small. Splitting the whole scan took over 5× the colour.
    assert peak < colour.nbytes * (4 / 3 + 1 / 2)


def test_colour_file_views_agree_wherever_the_split_is_computed():
    colour = np.random.default_rng(1).integers(0, 256, (700, 90, 3), dtype=np.uint8)
    settings = replace(DEFAULT, inverse=True, edge=True, window_high=0.8)
    whole = _full(Renderer(_colour_scan(colour)), settings)
    renderer = Renderer(_colour_scan(colour))
    for y0, y1 in ((250, 262), (500, 700), (0, 300), (255, 257)):
        assert np.array_equal(renderer.render(settings, (0, y0, 90, y1), (90, y1 - y0)), whole[y0:y1])


# -- dual energy --------------------------------------------------------------------------------


@pytest.mark.parametrize("energies", [(140.0, 80.0), (6000.0, 4000.0)])
@pytest.mark.parametrize("strip", [None, "organic", "inorganic"])
def test_impenetrable_pixels_have_no_material_colour_even_inverted(energies, strip):
    # Nothing got through the high channel, so the low channel's numbers (noise, or a
    # starved detector) tell no material: the negative shows white, not orange or blue.
    lows = [0, 1, 300, 32767, 65535]
    scan = Scan(
        high=np.zeros((1, len(lows)), np.uint16),
        low=np.array([lows], np.uint16),
        full_scale=65535,
        metadata=ScanMetadata(energy_high_kev=energies[0], energy_low_kev=energies[1]),
    )
    renderer = Renderer(scan)
    assert {renderer.pixel_info(x, 0).material for x in range(len(lows))} == {"impenetrable"}
    assert not _full(renderer, replace(DEFAULT, strip=strip)).any()  # black, as before
    assert np.all(_full(renderer, replace(DEFAULT, strip=strip, inverse=True)) == 255)


@pytest.mark.parametrize(
    ("high", "low"),
    [(30000, 60000), (30000, 30000), (30000, 0), (0, 30000), (65535, 0), (0, 0), (1, 65535)],
    ids=["low>high", "low==high", "low=0", "high=0", "air/low=0", "both 0", "one count"],
)
def test_degenerate_dual_energy_pairs_render_without_warnings(high, low):
    scan = Scan(high=np.full((3, 4), high, np.uint16), low=np.full((3, 4), low, np.uint16), full_scale=65535)
    renderer = Renderer(scan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for settings in _every_tool_state():
            rgb = renderer.render(settings, (0, 0, 4, 3), (9, 5))
            assert rgb.shape == (5, 9, 3)
            assert np.all(rgb == rgb[0, 0])  # a constant scan stays constant through every tool
        assert renderer.pixel_info(0, 0).material is not None


# -- tone -----------------------------------------------------------------------------------------


def test_inverse_of_constant_images():
    for value, expected in ((65535, 0), (0, 255), (30000, 255 - round((30000 / 65535) ** 0.35 * 255))):
        scan = Scan(high=np.full((5, 7), value, np.uint16), full_scale=65535)
        assert np.all(_full(Renderer(scan), replace(GREY, inverse=True)) == expected), value


def test_window_narrower_than_any_float_step_is_a_threshold_without_warnings():
    # A denormal width made (t − low) / width overflow to inf, with a numpy warning per redraw.
    scan = Scan(high=np.array([[0, 1, 2, 65535]], np.uint16), full_scale=65535)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grey = _full(Renderer(scan), replace(GREY, window_low=0.0, window_high=5e-324))
    assert grey[0, :, 0].tolist() == [0, 0, 0, 255]  # 1 and 2 counts lie below the impenetrable cut


def test_window_level_of_a_ramp_in_an_8bit_grey_file():
    # 8-bit grey files keep their own curve: a window 0.2..0.6 is a straight ramp between.
    scan = Scan(high=np.arange(256, dtype=np.uint16)[None, :], full_scale=255)
    grey = _full(Renderer(scan), replace(GREY, window_low=0.2, window_high=0.6))[0, :, 0].astype(int)
    t = np.arange(256) / 255
    exact = np.clip((t - 0.2) / 0.4, 0, 1) * 255
    assert np.all(np.abs(grey - exact) <= 0.5 + 1e-9)  # the nearest grey (either one at a tie)


# -- regions and output sizes ------------------------------------------------------------------


def _ramp_scan():
    return Scan(high=(np.arange(12 * 10, dtype=np.uint16) * 500).reshape(10, 12), full_scale=65535)


@pytest.mark.parametrize(
    "region", [(NAN, 0, 5, 5), (0, 0, INF, 5), (-INF, 0, 5, 5), (0, 0, 5, -INF), (0, NAN, 5, 5)]
)
def test_non_finite_regions_are_refused_with_value_error(region):
    with pytest.raises(ValueError, match="finite"):
        Renderer(_ramp_scan()).render(GREY, region, (5, 5))


@pytest.mark.parametrize("size", [(NAN, 5), (5, INF), (-INF, 5)])
def test_non_finite_output_sizes_are_refused_with_value_error(size):
    with pytest.raises(ValueError, match="output size"):
        Renderer(_ramp_scan()).render(GREY, (0, 0, 5, 5), size)


def test_a_region_inside_one_pixel_shows_that_pixel():
    # Truncating the bounds turned (2.25, 3.25)-(2.75, 3.75) into an empty region, refused as
    # "outside the scan" although it lies inside pixel (2, 3).
    renderer = Renderer(_ramp_scan())
    pixel = renderer.render(GREY, (2, 3, 3, 4), (4, 4))
    assert np.array_equal(renderer.render(GREY, (2.25, 3.25, 2.75, 3.75), (4, 4)), pixel)


def test_fractional_bounds_cover_every_pixel_they_touch():
    renderer = Renderer(_ramp_scan())
    expected = renderer.render(GREY, (0, 1, 4, 5), (4, 4))
    assert np.array_equal(renderer.render(GREY, (0.2, 1.5, 3.1, 4.9), (4, 4)), expected)


@pytest.mark.parametrize(("region", "size"), [((0, 0, 0, 5), (5, 5)), ((12, 0, 20, 5), (5, 5)),
                                              ((-5, -5, 0, 0), (5, 5)), ((0, 0, 5, 5), (0, 5))])
def test_empty_or_outside_requests_are_refused(region, size):
    with pytest.raises(ValueError):
        Renderer(_ramp_scan()).render(GREY, region, size)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (2, 2)])
@pytest.mark.parametrize("kind", ["single", "dual", "grey8"])
def test_tiny_scans_render_every_tool_at_any_zoom(shape, kind):
    rng = np.random.default_rng(3)
    high = rng.integers(0, 65536, shape).astype(np.uint16)
    if kind == "grey8":
        scan = Scan(high=high // 257, full_scale=255)
    else:
        scan = Scan(high=high, low=high // 2 if kind == "dual" else None, full_scale=65535)
    renderer = Renderer(scan)
    h, w = shape
    for settings in _every_tool_state():
        for out in ((1, 1), (w, h), (400, 300)):
            rgb = renderer.render(settings, (0, 0, w, h), out)
            assert rgb.shape == (out[1], out[0], 3) and rgb.flags.c_contiguous


# -- readout and measurement -------------------------------------------------------------------


@pytest.mark.parametrize("point", [(NAN, 0), (0, INF), (-INF, -INF), (-0.5, 0), (0, -0.25), (12.0, 0)])
def test_points_off_the_scan_have_no_readout(point):
    # int() truncated -0.5 to pixel 0 and raised OverflowError for infinity.
    assert Renderer(_ramp_scan()).pixel_info(*point) is None


def test_fractional_points_read_the_pixel_they_fall_in():
    assert Renderer(_ramp_scan()).pixel_info(3.9, 2.5).raw == (int(_ramp_scan().high[2, 3]),)


def _pitch_scan(pitch):
    return Scan(high=np.zeros((4, 4), np.uint16), full_scale=65535,
                metadata=ScanMetadata(pixel_pitch_mm=pitch))


@pytest.mark.parametrize("pitch", [None, 0.0, -2.0, INF, NAN])
def test_measure_falls_back_to_pixels_without_a_usable_pitch(pitch):
    m = measure(_pitch_scan(pitch), (0, 0), (3, 4))
    assert (m.length, m.unit, m.label()) == (5.0, "px", "5.0 px")


def test_measure_with_a_huge_pitch_keeps_a_short_label():
    m = measure(_pitch_scan(1e300), (0, 0), (3, 4))
    assert m.unit == "mm" and m.length == pytest.approx(5e300)
    assert len(m.label()) < 20 and math.isclose(float(m.label().split()[0]), 5e300, rel_tol=1e-3)


@pytest.mark.parametrize("points", [((NAN, 0), (1, 1)), ((0, 0), (INF, 1))])
def test_measure_refuses_points_that_are_not_numbers(points):
    with pytest.raises(ValueError, match="finite"):
        measure(_pitch_scan(2.0), *points)
