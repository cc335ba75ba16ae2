"""Ground truth names only threats the scan shows above its noise."""

import numpy as np

from xrayreview.synth.canvas import Canvas
from xrayreview.synth.detector import Detector
from xrayreview.synth.visibility import seen_box


def _scene_with(threat_attenuation: float, background: float) -> tuple[Canvas, Canvas]:
    scene = Canvas(100, 100, 1.0, (80.0, 50.0))
    scene.high[:] = scene.low[:] = background
    layer = Canvas(10, 20, 1.0, (80.0, 50.0), row0=40, col0=30)
    layer.high[2:8, 3:17] = layer.low[2:8, 3:17] = threat_attenuation
    scene.add_canvas(layer)
    return scene, layer


def test_a_clear_threat_gets_the_box_where_it_shows():
    scene, layer = _scene_with(0.5, background=1.0)
    box = seen_box(layer, scene, Detector(air_count=3e4, blur_sigma_px=0.0))
    assert box == (33.0, 42.0, 47.0, 48.0)


def test_a_threat_below_the_noise_gets_no_box():
    # Half a percent more attenuation behind a dense load (few counts left) is lost in the noise.
    scene, layer = _scene_with(0.3, background=4.5)
    assert seen_box(layer, scene, Detector(air_count=3e2)) is None
    # The same in a bright field with many photons shows.
    scene, layer = _scene_with(0.3, background=0.5)
    assert seen_box(layer, scene, Detector(air_count=1e5, row_gain_spread=0.0)) is not None


def test_a_faint_threat_that_changes_a_grey_level_or_two_gets_no_box():
    scene, layer = _scene_with(0.02, background=0.5)  # well above the noise, ~1.5 grey levels
    assert seen_box(layer, scene, Detector(air_count=1e7, row_gain_spread=0.0)) is None


def test_a_threat_inside_goods_the_beam_does_not_get_through_gets_no_box():
    scene, layer = _scene_with(1.0, background=6.0)  # black in the rendering with or without it
    assert seen_box(layer, scene, Detector(air_count=1e7, row_gain_spread=0.0)) is None


def test_a_threat_outside_the_scene_window_gets_no_box():
    scene = Canvas(50, 50, 1.0, (80.0, 50.0))
    layer = Canvas(10, 10, 1.0, (80.0, 50.0), row0=200, col0=200)
    layer.high[:] = 1.0
    assert seen_box(layer, scene, Detector()) is None
    assert np.all(scene.high == 0)


def test_only_the_body_counts_when_a_lead_trails_from_it():
    scene, layer = _scene_with(0.5, background=1.0)
    body = np.zeros((layer.rows, layer.cols), bool)
    body[2:8, 3:9] = True  # the rest of the strip is a lead wire
    detector = Detector(air_count=3e4, blur_sigma_px=0.0)
    assert seen_box(layer, scene, detector, body=body) == (33.0, 42.0, 40.0, 48.0)  # one px of edge reach
    hidden = np.zeros_like(body)
    hidden[0, 0] = True  # a body that does not show: the lead alone is no threat
    assert seen_box(layer, scene, detector, body=hidden) is None
