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
    # 0.2 % more attenuation behind a dense load (few counts left) is lost in the noise.
    scene, layer = _scene_with(0.002, background=6.0)
    assert seen_box(layer, scene, Detector(air_count=3e4)) is None
    # The same trace in an empty, bright field with many photons shows.
    scene, layer = _scene_with(0.05, background=0.0)
    assert seen_box(layer, scene, Detector(air_count=1e6, row_gain_spread=0.0)) is not None


def test_a_threat_outside_the_scene_window_gets_no_box():
    scene = Canvas(50, 50, 1.0, (80.0, 50.0))
    layer = Canvas(10, 10, 1.0, (80.0, 50.0), row0=200, col0=200)
    layer.high[:] = 1.0
    assert seen_box(layer, scene, Detector()) is None
    assert np.all(scene.high == 0)
