"""Loading detector models: metadata, sidecar, providers, and refusing models that cannot serve."""

import json

import numpy as np
import pytest

from xrayreview.detection import DEFAULT_MODEL, ModelError, ThreatModel
from xrayreview.detection.spec import parse_imgsz, parse_names
from xrayreview.detection.synthetic_models import constant_model

V8_ROWS = np.zeros((4 + 3, 10), np.float32)
META = {"names": "{0: 'pistol', 1: 'pipe_bomb', 2: 'knife'}", "imgsz": "[64, 64]", "stride": "32",
        "task": "detect"}


def test_names_parse_as_literals_never_code():
    assert parse_names("{0: 'gun', 1: 'knife'}") == ["gun", "knife"]
    assert parse_names("['a', 'b']") == ["a", "b"]
    with pytest.raises(ModelError, match="not a readable list"):
        parse_names("__import__('os').system('true')")
    with pytest.raises(ModelError, match="without gaps"):
        parse_names("{0: 'a', 2: 'b'}")


def test_imgsz_forms():
    assert parse_imgsz("640") == (640, 640)
    assert parse_imgsz("[480, 640]") == (480, 640)
    assert parse_imgsz([320, 320]) == (320, 320)
    with pytest.raises(ModelError):
        parse_imgsz("big")


def test_metadata_gives_classes_categories_and_size(tmp_path):
    model = ThreatModel.load(constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META))
    assert model.classes == ["pistol", "pipe_bomb", "knife"]
    # No sidecar: categories come from the class names.
    assert model.categories == {"pistol": "firearm", "pipe_bomb": "ied_component", "knife": "other"}
    assert model.imgsz == (64, 64)
    assert model.layout == "yolov8"
    assert model.max_batch == 0
    assert len(model.sha256) == 64
    assert model.default_conf == 0.25


def test_sidecar_adds_what_metadata_lacks(tmp_path):
    path = constant_model(tmp_path / "m.onnx", np.zeros((300, 6), np.float32), dynamic_size=True)
    (tmp_path / "m.json").write_text(json.dumps({
        "name": "customs v2", "classes": ["revolver", "battery"], "categories": {"battery": "other"},
        "input": "BGR", "mm_per_px": 4.0, "conf": 0.4, "iou": 0.6, "imgsz": 96, "layout": "end_to_end",
        "whole_scan_pass": True, "whole_scan_min_scale": 0.5, "coarsest_mm_per_px": 3.5,
    }))
    model = ThreatModel.load(path)
    assert model.name == "customs v2"
    assert model.classes == ["revolver", "battery"]
    assert model.categories == {"revolver": "firearm", "battery": "other"}
    assert model.spec.input_convention == "bgr"
    assert model.spec.mm_per_px == 4.0 and model.spec.coarsest_mm_per_px == 3.5
    assert model.default_conf == 0.4
    assert model.imgsz == (96, 96)  # dynamic input: the sidecar's size is the tile size
    assert not model.fixed_size
    assert model.spec.whole_scan_pass and model.spec.whole_scan_min_scale == 0.5


@pytest.mark.parametrize("sidecar, message", [
    ("{not json", "not readable JSON"),
    ('{"categories": {"gun": "weapon"}}', "not one of firearm"),
    ('{"input": "cmyk"}', "input 'cmyk'"),
    ('{"conf": 3}', "conf must be"),
    ('{"whole_scan_min_scale": 2}', "whole_scan_min_scale must be"),
    ('{"mirror_min_scale": -1}', "mirror_min_scale must be"),
    ('{"mirror_min_scale": 0.3}', "needs the YOLOv8 layout"),
    ('{"coarsest_mm_per_px": 0}', "coarsest_mm_per_px must be a positive number"),
    ('{"known_performance": ["finds guns"]}', "known_performance must be text"),
    ('{"known_performance": "%s"}' % ("x" * 601), "at most 600 characters"),
    ('{"layout": "yolov99"}', "layout 'yolov99' is unknown"),
])
def test_bad_sidecar_is_refused_with_reason(tmp_path, sidecar, message):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META)
    (tmp_path / "m.json").write_text(sidecar)
    with pytest.raises(ModelError, match=message):
        ThreatModel.load(path)


def test_not_onnx_is_refused(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"this is a text file pretending to be a model")
    with pytest.raises(ModelError, match="not a usable ONNX model"):
        ThreatModel.load(path)
    with pytest.raises(ModelError, match="no model file"):
        ThreatModel.load(tmp_path / "missing.onnx")


def test_a_model_file_that_cannot_be_read_is_refused_with_reason(tmp_path, monkeypatch):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META)
    original = type(path).read_bytes

    def failing(self):
        if self == path:
            raise OSError(5, "Input/output error")
        return original(self)

    monkeypatch.setattr(type(path), "read_bytes", failing)
    with pytest.raises(ModelError, match="m.onnx cannot be read: Input/output error"):
        ThreatModel.load(path)


def test_class_count_disagreeing_with_names_is_refused(tmp_path):
    path = constant_model(tmp_path / "m.onnx", np.zeros((4 + 80, 100), np.float32), metadata=META)
    with pytest.raises(ModelError, match="room for 80 classes but the model names 3"):
        ThreatModel.load(path)


def test_unknown_output_layout_is_refused(tmp_path):
    path = constant_model(tmp_path / "m.onnx", np.zeros((3, 3), np.float32))
    with pytest.raises(ModelError, match="fits no known layout"):
        ThreatModel.load(path)


def test_wrong_input_rank_is_refused(tmp_path):
    from onnx import TensorProto, helper

    from xrayreview.detection.synthetic_models import _save

    node = helper.make_node("Identity", ["x"], ["y"])
    flat_in = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 100])
    flat_out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 100])
    graph = helper.make_graph([node], "flat", [flat_in], [flat_out])
    with pytest.raises(ModelError, match="input has rank 2"):
        ThreatModel.load(_save(graph, tmp_path / "flat.onnx", None))


def test_ambiguous_output_asks_for_the_layout(tmp_path):
    # [1, 300, 6] with two classes is both an RT-DETR output and an end-to-end one.
    path = constant_model(tmp_path / "m.onnx", np.zeros((300, 6), np.float32),
                          metadata={"names": "{0: 'a', 1: 'b'}"})
    with pytest.raises(ModelError, match="say which in the model's sidecar"):
        ThreatModel.load(path)
    (tmp_path / "m.json").write_text('{"layout": "rtdetr"}')
    assert ThreatModel.load(path).layout == "rtdetr"


def test_asked_provider_that_is_missing_falls_back_to_cpu(tmp_path):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META)
    model = ThreatModel.load(path, providers=["coreml"], threads=1)
    assert model.session.get_providers()[-1] == "CPUExecutionProvider"
    used = model.session.get_providers()
    assert any("coreml" in note for note in model.notes) or "CoreMLExecutionProvider" in used


def test_providers_from_the_environment(tmp_path, monkeypatch):
    from xrayreview.detection.model import PROVIDERS_ENV, choose_providers

    monkeypatch.setenv(PROVIDERS_ENV, "openvino, cpu")
    chosen, notes = choose_providers(None)
    assert chosen[-1] == "CPUExecutionProvider"
    assert notes == [] if "OpenVINOExecutionProvider" in chosen else "openvino" in notes[0]
    assert choose_providers([]) == (["CPUExecutionProvider"], [])


def test_the_shipped_model_tells_the_officer_what_it_was_measured_to_do():
    model = ThreatModel.load(DEFAULT_MODEL)
    known = model.info().known_performance
    assert "synthetic" in known and "not measured on real scans" in known
    assert f"default threshold {model.default_conf:g}" in known  # the figures are at the slider's start
