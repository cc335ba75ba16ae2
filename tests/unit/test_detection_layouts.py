"""Each output layout decoded from a real ONNX model run by onnxruntime, through `detect`."""

import numpy as np
import pytest

from xrayreview.detection import Detection, ThreatModel, detect
from xrayreview.detection.synthetic_models import constant_model
from xrayreview.detection.tiling import to_batch
from xrayreview.scan import Scan

NAMES = {"names": "{0: 'pistol', 1: 'detonator'}", "imgsz": "[64, 64]"}


def grey_scan(height: int = 64, width: int = 64) -> Scan:
    # A gradient, so no tile counts as empty background.
    ramp = np.linspace(60, 230, width).astype(np.uint8)
    rgb = np.repeat(np.repeat(ramp[None, :, None], height, axis=0), 3, axis=2)
    return Scan(high=np.full((height, width), 200, np.uint16), full_scale=255, colour=rgb)


def run(tmp_path, rows, metadata=NAMES, **kwargs) -> tuple[ThreatModel, list[Detection]]:
    path = constant_model(tmp_path / "m.onnx", np.array(rows, np.float32), metadata=metadata, **kwargs)
    model = ThreatModel.load(path)
    return model, detect(model, grey_scan(), conf=0.3).detections


def test_yolov8_columns_are_boxes_then_class_scores(tmp_path):
    # Three anchors: a detonator at (20, 30), a pistol below threshold, a pistol at (50, 10).
    rows = [[20, 40, 50], [30, 40, 10], [10, 8, 6], [12, 8, 4],
            [0.1, 0.2, 0.7], [0.9, 0.1, 0.2]]
    model, found = run(tmp_path, rows)
    assert model.layout == "yolov8"
    found = sorted(found, key=lambda d: -d.score)
    assert [(d.label, d.category) for d in found] == [("detonator", "ied_component"), ("pistol", "firearm")]
    assert found[0].box == pytest.approx((15, 24, 25, 36))
    assert found[0].score == pytest.approx(0.9)
    assert found[1].box == pytest.approx((47, 8, 53, 12))


def test_yolov5_score_is_objectness_times_class(tmp_path):
    rows = [[32, 32, 10, 10, 0.8, 0.5, 0.9],   # detonator 0.72
            [10, 10, 4, 4, 0.2, 1.0, 0.0],     # objectness too low
            [50, 50, 6, 6, 0.9, 0.3, 0.1]]     # pistol 0.27 < 0.3
    model, found = run(tmp_path, rows * 400)  # many anchors, as a real YOLOv5 output has
    assert model.layout == "yolov5"
    assert len(found) == 1
    assert found[0].label == "detonator"
    assert found[0].score == pytest.approx(0.72)
    assert found[0].box == pytest.approx((27, 27, 37, 37))


def test_end_to_end_rows_are_final_boxes(tmp_path):
    rows = np.zeros((300, 6), np.float32)
    rows[0] = [5, 6, 25, 30, 0.95, 0]
    rows[1] = [40, 40, 60, 62, 0.5, 1]
    rows[2] = [0, 0, 10, 10, 0.1, 1]
    model, found = run(tmp_path, rows, metadata={"names": "{0: 'pistol', 1: 'detonator'}", "end2end": "True"})
    assert model.layout == "end_to_end"
    assert {(d.label, d.box) for d in found} == {("pistol", (5, 6, 25, 30)), ("detonator", (40, 40, 60, 62))}


def test_rtdetr_boxes_are_normalised_to_the_input(tmp_path):
    rows = np.zeros((300, 4 + 2), np.float32)
    rows[0] = [0.5, 0.25, 0.25, 0.125, 0.1, 0.8]
    model, found = run(tmp_path, rows, metadata={**NAMES, "description": "Ultralytics RT-DETR-l"})
    assert model.layout == "rtdetr"
    assert model.resize == "stretch"
    assert len(found) == 1
    assert found[0].label == "detonator"
    assert found[0].box == pytest.approx((24, 12, 40, 20))


def test_fixed_batch_model_runs_one_tile_at_a_time(tmp_path):
    rows = [[20], [30], [10], [12], [0.1], [0.9]]
    model = ThreatModel.load(constant_model(tmp_path / "m.onnx", np.array(rows, np.float32), metadata=NAMES,
                                            dynamic_batch=False))
    assert model.max_batch == 1
    result = detect(model, grey_scan(64, 200), conf=0.3)
    assert result.tiles_run == 4
    # Every tile reports a box at (15..25, 24..36) of its own; each lands in the scan at its offset.
    assert len(result.detections) == 4


def test_dynamic_input_size_runs_at_the_tile_size(tmp_path):
    rows = [[20], [30], [10], [12], [0.1], [0.9]]
    model = ThreatModel.load(constant_model(tmp_path / "m.onnx", np.array(rows, np.float32),
                                            metadata={**NAMES, "imgsz": "[96, 96]"}, dynamic_size=True))
    assert model.imgsz == (96, 96)
    assert len(detect(model, grey_scan(80, 80), conf=0.3).detections) == 1


def test_input_conventions():
    image = np.zeros((2, 2, 3), np.uint8)
    image[..., 0] = 255  # pure red
    rgb = to_batch([image], (2, 2), "rgb", 3)
    bgr = to_batch([image], (2, 2), "bgr", 3)
    grey = to_batch([image], (2, 2), "grey", 1)
    assert rgb.shape == (1, 3, 2, 2) and rgb[0, 0].min() == 1.0 and rgb[0, 2].max() == 0.0
    assert bgr[0, 2].min() == 1.0 and bgr[0, 0].max() == 0.0
    assert grey.shape == (1, 1, 2, 2) and grey[0, 0, 0, 0] == pytest.approx(0.299)
