"""Display tools' values on hand-made arrays, and regions rendered at other sizes."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from xrayreview.imaging.colours import HIGHLIGHT_COLOUR
from xrayreview.imaging.display import DEFAULT, DisplaySettings, Renderer
from xrayreview.imaging.sampling import WARP_LIMIT, sample
from xrayreview.imaging.tone import BRIGHTNESS_GAMMA, palette
from xrayreview.scan import Scan

GREY = DisplaySettings(mode="grey")


def _single(values, full_scale=65535):
    return Scan(high=np.asarray(values, dtype=np.uint16), full_scale=full_scale)


def _full(renderer, settings):
    scan = renderer.scan
    return renderer.render(settings, (0, 0, scan.width, scan.height), (scan.width, scan.height))


def _grey_at(scan, settings):
    """Rendered brightness of each pixel of a one-row scan."""
    rgb = _full(Renderer(scan), replace(settings, mode="grey"))
    assert np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    return rgb[0, :, 0].astype(int)


def test_window_maps_its_ends_to_black_and_white():
    # full_scale 1000 makes transmissions exact decimals.
    scan = _single([[100, 200, 400, 600, 800, 1000]], full_scale=1000)
    grey = _grey_at(scan, replace(GREY, window_low=0.2, window_high=0.6))
    assert grey.tolist()[:2] == [0, 0]
    assert grey[2] == round(0.5**BRIGHTNESS_GAMMA * 255)  # the middle of the window, standard curve
    assert grey.tolist()[3:] == [255, 255, 255]


def test_gamma_darkens_mid_tones_and_keeps_ends():
    scan = _single([[200, 400, 600]], full_scale=1000)
    settings = replace(GREY, window_low=0.2, window_high=0.6)
    plain, dense = _grey_at(scan, settings), _grey_at(scan, replace(settings, gamma=2.0))
    assert dense[1] == round(0.5 ** (BRIGHTNESS_GAMMA * 2.0) * 255) < plain[1]
    assert (dense[0], dense[2]) == (0, 255)


def test_inverse_is_the_negative():
    scan = _single([[0, 50, 300, 700, 1000]], full_scale=1000)
    assert np.array_equal(_grey_at(scan, replace(GREY, inverse=True)), 255 - _grey_at(scan, GREY))


def test_default_brightness_follows_transmission_and_impenetrable_is_black():
    scan = _single([[0, 3, 10, 500, 1000]], full_scale=1000)
    grey = _grey_at(scan, GREY)
    assert grey[0] == 0 and grey[1] == 0  # below 0.5 % transmission: nothing got through
    assert grey[2] == round(0.01**BRIGHTNESS_GAMMA * 255)
    assert grey[3] == round(0.5**BRIGHTNESS_GAMMA * 255)
    assert grey[4] == 255


def test_log_filter_is_linear_in_attenuation():
    # ln T spaced evenly between 0.01 and 1 must come out evenly spaced in grey.
    t = np.array([0.01, 0.1, 1.0])
    scan = _single([np.round(t * 10000)], full_scale=10000)
    grey = _grey_at(scan, replace(GREY, window_low=0.01, log_filter=True))
    assert grey[0] == 0 and grey[2] == 255
    assert abs(grey[1] - 127.5) <= 1


def test_single_energy_pseudo_colour_map_keeps_dense_dark_and_air_bright():
    lut = palette("pseudo").astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(lut[::8]) > 0)  # lightness rises through the map
    scan = _single([[0, 20000, 65535]])
    rgb = _full(Renderer(scan), DEFAULT)
    assert not np.array_equal(rgb[0, 1, 0], rgb[0, 1, 2])  # coloured, not grey
    assert rgb[0, 2].sum() > rgb[0, 1].sum() > rgb[0, 0].sum()


def test_highlight_marks_exactly_the_band():
    values = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    scan = _single(values)
    rgb = _full(Renderer(scan), replace(GREY, highlight=(0.1, 0.3)))
    t = values / 65535.0
    inside = (t >= 0.1) & (t <= 0.3)
    marked = np.all(rgb == HIGHLIGHT_COLOUR, axis=2)
    assert np.array_equal(marked, inside)


def test_highlight_band_ends_are_inclusive_on_exact_values():
    scan = _single([[50, 51, 52, 100, 101]], full_scale=255)
    rgb = _full(Renderer(scan), replace(GREY, highlight=(51 / 255, 100 / 255)))
    assert np.all(rgb[0] == HIGHLIGHT_COLOUR, axis=1).tolist() == [False, True, True, True, False]


def _random_scan(shape=(40, 60), seed=0):
    rng = np.random.default_rng(seed)
    return _single(rng.integers(0, 65536, shape))


def test_zoom_in_repeats_scan_pixels_exactly():
    renderer = Renderer(_random_scan())
    native = renderer.render(GREY, (5, 6, 15, 11), (10, 5))
    zoomed = renderer.render(GREY, (5, 6, 15, 11), (40, 20))
    assert np.array_equal(zoomed, np.repeat(np.repeat(native, 4, axis=0), 4, axis=1))


def test_zoom_out_shows_block_averages():
    rng = np.random.default_rng(1)
    blocks = rng.integers(0, 65536, (32, 48)).astype(np.uint16)
    scan = _single(np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1))
    zoomed_out = Renderer(scan).render(GREY, (0, 0, 96, 64), (48, 32))
    assert np.array_equal(zoomed_out, _full(Renderer(_single(blocks)), GREY))


@pytest.mark.parametrize(
    ("region", "size"),
    [
        ((0, 0, 60, 40), (13, 7)),
        ((3, 4, 9, 30), (200, 11)),
        ((0, 0, 60, 40), (60, 40)),
        ((10, 10, 11, 11), (5, 3)),
    ],
)
@pytest.mark.parametrize(
    "settings", [DEFAULT, GREY, DisplaySettings(edge=True, local_contrast=True, highlight=(0.2, 0.4))]
)
def test_render_returns_contiguous_rgb_of_the_requested_size(region, size, settings):
    rgb = Renderer(_random_scan()).render(settings, region, size)
    assert rgb.shape == (size[1], size[0], 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous


def test_region_is_clipped_to_the_scan():
    renderer = Renderer(_random_scan())
    assert np.array_equal(
        renderer.render(GREY, (-5, -5, 20, 10), (20, 10)), renderer.render(GREY, (0, 0, 20, 10), (20, 10))
    )


@pytest.mark.parametrize(("region", "size"), [((100, 100, 200, 200), (10, 10)), ((0, 0, 10, 10), (0, 5))])
def test_impossible_requests_raise_value_error(region, size):
    with pytest.raises(ValueError):
        Renderer(_random_scan()).render(GREY, region, size)


def test_edge_filter_has_no_border_artefacts():
    renderer = Renderer(_random_scan((80, 80)))
    settings = replace(GREY, edge=True)
    part = renderer.render(settings, (20, 20, 50, 50), (30, 30))
    whole = renderer.render(settings, (10, 10, 60, 60), (50, 50))
    assert np.array_equal(part, whole[10:40, 10:40])
    assert not np.array_equal(part, renderer.render(GREY, (20, 20, 50, 50), (30, 30)))


def test_local_contrast_spreads_a_narrow_histogram():
    rng = np.random.default_rng(2)
    scan = _single(rng.integers(30000, 32000, (64, 64)))
    flat, spread = _full(Renderer(scan), GREY), _full(Renderer(scan), replace(GREY, local_contrast=True))
    assert spread[..., 0].std() > 2 * flat[..., 0].std()


def test_sampling_beyond_opencv_coordinate_range_matches_the_formula():
    width = WARP_LIMIT + 1000
    ramp = np.tile(np.arange(width, dtype=np.uint16), (4, 1))
    out = sample(ramp, (0, 0, width, 4), (width // 33, 4))
    expected = np.floor(33 * (np.arange(width // 33) + 0.5)).astype(np.uint16)
    assert np.array_equal(out[0], expected)
    small = ramp[:, :3300]
    assert np.array_equal(sample(small, (0, 0, 3300, 4), (100, 4))[0], expected[:100])


def test_colour_file_keeps_its_colours_and_grey_is_its_luma():
    rng = np.random.default_rng(3)
    colour = rng.integers(0, 256, (20, 30, 3)).astype(np.uint8)
    luma = np.round(colour.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint16)
    scan = Scan(high=luma, full_scale=255, colour=colour)
    renderer = Renderer(scan)
    shown = _full(renderer, DEFAULT)
    assert np.array_equal(shown, colour)
    shown[:] = 0  # the render is a copy: painting on it leaves the scan alone
    assert colour.any()
    assert np.array_equal(_full(renderer, GREY)[..., 1], luma.astype(np.uint8))


def _hsv(rgb):
    return cv2.cvtColor(np.asarray(rgb, np.uint8).reshape(1, -1, 3), cv2.COLOR_RGB2HSV)[0].astype(int)


def test_colour_file_tools_change_brightness_and_keep_material_hue():
    # orange (organic), green (mixed), blue (metal) as public datasets draw them
    colour = np.array([[[230, 140, 40], [60, 180, 60], [40, 90, 220]]], np.uint8)
    scan = Scan(high=colour.mean(axis=2).astype(np.uint16), full_scale=255, colour=colour)
    renderer = Renderer(scan)
    before = _hsv(colour)
    for settings in (replace(DEFAULT, inverse=True), replace(DEFAULT, window_high=0.5, gamma=0.7)):
        after = _hsv(_full(renderer, settings))
        assert np.all(np.abs(after[:, 0] - before[:, 0]) <= 3), settings  # same hue
    inverted = _hsv(_full(renderer, replace(DEFAULT, inverse=True)))
    assert np.all(np.abs(inverted[:, 2] - (255 - before[:, 2])) <= 1)  # value inverted


def test_colour_file_local_contrast_keeps_size():
    colour = cv2.cvtColor(
        np.random.default_rng(4).integers(0, 256, (20, 30)).astype(np.uint8), cv2.COLOR_GRAY2RGB
    )
    scan = Scan(high=colour[..., 0].astype(np.uint16), full_scale=255, colour=colour)
    assert _full(Renderer(scan), replace(DEFAULT, local_contrast=True, edge=True)).shape == (20, 30, 3)


def test_tiny_scan_zoomed_far_out_still_renders():
    rgb = Renderer(_random_scan((20, 20))).render(DEFAULT, (0, 0, 20, 20), (2, 1))
    assert rgb.shape == (1, 2, 3)


def test_two_threads_rendering_one_scan_get_the_same_pixels():
    import threading

    rng = np.random.default_rng(7)
    high = rng.integers(1000, 65536, (600, 700)).astype(np.uint16)
    scan = Scan(high=high, low=(high * 0.8).astype(np.uint16), full_scale=65535)
    expected = Renderer(scan).render(DEFAULT, (0, 0, 700, 600), (175, 150))
    shared, results = Renderer(scan), []

    def work():
        results.append(shared.render(DEFAULT, (0, 0, 700, 600), (175, 150)))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and all(np.array_equal(r, expected) for r in results)


def test_single_energy_colour_map_is_the_palette_of_the_grey_view():
    renderer = Renderer(_random_scan())
    for settings in (DEFAULT, replace(DEFAULT, window_low=0.3, gamma=1.7, inverse=True)):
        grey = _full(renderer, replace(settings, mode="grey"))[..., 0]
        assert np.array_equal(_full(renderer, settings), palette("pseudo")[grey])


@pytest.mark.parametrize("region", [(0, 0, 10, 8), (5, 6, 20, 18), (50, 30, 60, 40), (0, 0, 60, 40)])
@pytest.mark.parametrize("margin", [0, 3])
def test_sampling_at_own_size_pads_with_edge_pixels_like_the_warp(region, margin):
    array = np.random.default_rng(9).integers(0, 65536, (40, 60)).astype(np.uint16)
    x0, y0, x1, y1 = region
    padded = np.pad(array, margin, mode="edge")
    expected = padded[y0 : y1 + 2 * margin, x0 : x1 + 2 * margin]
    assert np.array_equal(sample(array, region, (x1 - x0, y1 - y0), margin), expected)
    # Shifting by a fraction of a pixel takes the warp path, which must agree.
    shifted = (x0 + 1e-6, y0 + 1e-6, x1 + 1e-6, y1 + 1e-6)
    assert np.array_equal(sample(array, shifted, (x1 - x0, y1 - y0), margin), expected)
