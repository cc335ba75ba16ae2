"""Loading ONNX models the station did not make: each one that cannot serve is refused with one
line that names the file and says what is wrong, never a traceback and never a silent misreading."""

import json

import numpy as np
import onnx
import pytest
from foreign_models import (
    NAMES,
    V8_ROWS,
    constant_output,
    external_weights_model,
    ramp_scan,
    sequence_output,
)
from onnx import TensorProto, helper

from xrayreview.detection import ModelError, ThreatModel, detect
from xrayreview.detection.spec import parse_imgsz, parse_names
from xrayreview.detection.synthetic_models import _save, constant_model


@pytest.mark.parametrize("value, elem_type, kind", [
    (V8_ROWS[None].astype(np.int64), TensorProto.INT64, "tensor(int64)"),
    (V8_ROWS[None] > 0.5, TensorProto.BOOL, "tensor(bool)"),
    (np.full((1, 6, 1), "a", dtype=object), TensorProto.STRING, "tensor(string)"),
])
def test_an_output_that_is_not_float_is_refused(tmp_path, value, elem_type, kind):
    # Integer or boolean "scores" would be decoded into marks of score 0 or 1; strings crashed the run.
    path = constant_output(tmp_path / "m.onnx", value, elem_type, NAMES)
    with pytest.raises(ModelError, match=rf"^m\.onnx's output is {kind.replace('(', '.').replace(')', '.')}"):
        ThreatModel.load(path)


def test_a_float16_output_is_decoded(tmp_path):
    path = constant_output(tmp_path / "m.onnx", V8_ROWS[None].astype(np.float16), TensorProto.FLOAT16,
                           {**NAMES, "imgsz": "[64, 64]"})
    found = detect(ThreatModel.load(path), ramp_scan(), conf=0.3).detections
    assert [(d.label, d.box) for d in found] == [("detonator", (15, 24, 25, 36))]


def test_a_sequence_output_is_refused(tmp_path):
    with pytest.raises(ModelError, match=r"^m\.onnx's output is seq\(tensor\(float\)\)"):
        ThreatModel.load(sequence_output(tmp_path / "m.onnx"))


@pytest.mark.parametrize("rows, message", [
    (np.zeros((100, 3), np.float32), "fits no known layout"),
    (np.zeros((4 + 5, 100), np.float32), "room for 5 classes but the model names 2"),
])
def test_layout_refusals_name_the_model_file(tmp_path, rows, message):
    path = constant_model(tmp_path / "odd.onnx", rows, metadata=NAMES)
    with pytest.raises(ModelError, match=rf"^odd\.onnx: .*{message}"):
        ThreatModel.load(path)


def test_sidecar_and_metadata_refusals_name_the_model_file(tmp_path):
    path = constant_model(tmp_path / "odd.onnx", V8_ROWS, metadata={"names": "pistol, detonator"})
    with pytest.raises(ModelError, match=r"^odd\.onnx: the model's 'names' metadata"):
        ThreatModel.load(path)
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=NAMES)
    (tmp_path / "m.json").write_text("{broken")
    with pytest.raises(ModelError, match=r"^m\.onnx: the model's sidecar m\.json is not readable JSON"):
        ThreatModel.load(path)


def test_a_deeply_nested_sidecar_is_refused(tmp_path):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=NAMES)
    (tmp_path / "m.json").write_text("[" * 100_000)
    with pytest.raises(ModelError, match="not readable JSON"):
        ThreatModel.load(path)


@pytest.mark.parametrize("text", ["-" * 200_000 + "1", "[" * 100_000])
def test_metadata_too_deep_to_parse_is_refused(text):
    with pytest.raises(ModelError, match="not a size"):
        parse_imgsz(text)
    with pytest.raises(ModelError, match=r"not a readable list of classes \(\w"):
        parse_names(text)


@pytest.mark.parametrize("value", ["0", "-64", "True", "[64, 0]", "[64, 1.5]", "100000", 0, [64, True]])
def test_imgsz_that_is_no_tile_size_is_refused(value):
    # 0 or 1 px tiles meant millions of runs over a container scan; 100000 px a 112 GiB batch.
    with pytest.raises(ModelError, match="imgsz"):
        parse_imgsz(value)


def test_imgsz_from_metadata_is_checked_before_the_model_is_probed(tmp_path):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata={**NAMES, "imgsz": "100000"},
                          dynamic_size=True)
    with pytest.raises(ModelError, match=r"^m\.onnx: imgsz"):
        ThreatModel.load(path)


def test_a_huge_fixed_input_is_refused(tmp_path):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, imgsz=(64, 20_000), metadata=NAMES)
    with pytest.raises(ModelError, match=r"m\.onnx's input is 20000 px wide"):
        ThreatModel.load(path)


def test_a_stride_of_zero_is_ignored(tmp_path):
    # It divided by zero when the tiles were laid out on a scan larger than one tile.
    meta = {**NAMES, "imgsz": "[64, 64]", "stride": "0"}
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=meta)
    model = ThreatModel.load(path)
    assert model.spec.stride == 32
    assert len(detect(model, ramp_scan(64, 200), conf=0.3).detections) >= 1


@pytest.mark.parametrize("scan_pitch, sidecar_pitch", [(4.0, 0.004), (0.001, 4.0)])
def test_a_pitch_stated_wrongly_is_refused_not_resampled_1000_times(tmp_path, scan_pitch, sidecar_pitch):
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata={**NAMES, "imgsz": "[64, 64]"})
    (tmp_path / "m.json").write_text(json.dumps({"mm_per_px": sidecar_pitch}))
    scan = ramp_scan()
    scan.metadata.pixel_pitch_mm = scan_pitch
    with pytest.raises(ModelError, match=r"^m\.onnx would resample this scan .*check the scan's pixel pitch"):
        detect(ThreatModel.load(path), scan, conf=0.3)


@pytest.mark.parametrize("sidecar, message", [
    ({"whole_scan_pass": "no"}, "whole_scan_pass must be true or false"),
    ({"mm_per_px": float("inf")}, "mm_per_px must be a positive number"),
    ({"coarsest_mm_per_px": float("nan")}, "coarsest_mm_per_px must be a positive number"),
    ({"imgsz": [64, True]}, "imgsz"),
])
def test_sidecar_values_of_the_wrong_kind_are_refused(tmp_path, sidecar, message):
    # "no" was read as true; Infinity shrank every scan to one pixel.
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=NAMES)
    (tmp_path / "m.json").write_text(json.dumps(sidecar))
    with pytest.raises(ModelError, match=message):
        ThreatModel.load(path)


def test_a_folder_is_not_taken_for_a_missing_file(tmp_path):
    (tmp_path / "models.onnx").mkdir()
    with pytest.raises(ModelError, match="models.onnx is a folder, not an ONNX model file"):
        ThreatModel.load(tmp_path / "models.onnx")


def test_a_truncated_model_is_refused(tmp_path):
    whole = constant_model(tmp_path / "whole.onnx", V8_ROWS, metadata=NAMES).read_bytes()
    (tmp_path / "cut.onnx").write_bytes(whole[:len(whole) // 2])
    with pytest.raises(ModelError, match=r"^cut\.onnx is not a usable ONNX model"):
        ThreatModel.load(tmp_path / "cut.onnx")


def test_weights_in_a_separate_file_are_refused_with_what_to_do(tmp_path):
    # onnxruntime's own message spoke of a path "escaping the working directory" under the current folder.
    path = external_weights_model(tmp_path / "m.onnx")
    with pytest.raises(ModelError, match=r"m\.onnx keeps its weights in a separate file.*one file"):
        ThreatModel.load(path)


def test_an_input_fixed_in_height_only_keeps_that_height(tmp_path):
    # [batch, 3, 64, width]: tiles were 640 × 640 (the default for a dynamic size), which every run refused.
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=NAMES)
    model = onnx.load(str(path))
    model.graph.input[0].type.tensor_type.shape.dim[3].dim_param = "width"
    onnx.save(model, str(path))
    loaded = ThreatModel.load(path)
    assert loaded.imgsz == (64, 640)
    assert len(detect(loaded, ramp_scan(64, 100), conf=0.3).detections) == 1


@pytest.mark.parametrize("shape, elem_type, message", [
    ([1, 4, 64, 64], TensorProto.FLOAT, "input has 4 channels"),
    ([1, 64, 64, 3], TensorProto.FLOAT, "input has 64 channels"),  # channels last
    ([1, 3, 64, 64], TensorProto.UINT8, "takes tensor.uint8.; only float image inputs"),
])
def test_inputs_the_station_cannot_feed_are_refused(tmp_path, shape, elem_type, message):
    nodes = [helper.make_node("Constant", [], ["output0"], value=helper.make_tensor(
        "v", TensorProto.FLOAT, [1, 6, 1], V8_ROWS.ravel().tolist()))]
    graph = helper.make_graph(nodes, "m", [helper.make_tensor_value_info("images", elem_type, shape)],
                              [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 1])])
    with pytest.raises(ModelError, match=rf"^m\.onnx's {message}|^m\.onnx {message}"):
        ThreatModel.load(_save(graph, tmp_path / "m.onnx", NAMES))


def test_grey_and_non_square_inputs_are_fed_as_they_ask(tmp_path):
    grey = ThreatModel.load(constant_model(tmp_path / "grey.onnx", V8_ROWS, channels=1, metadata=NAMES))
    assert grey.channels == 1 and len(detect(grey, ramp_scan(), conf=0.3).detections) == 1
    wide = ThreatModel.load(constant_model(tmp_path / "wide.onnx", V8_ROWS, imgsz=(48, 80), metadata=NAMES))
    assert wide.imgsz == (48, 80)
    assert [d.box for d in detect(wide, ramp_scan(48, 80), conf=0.3).detections] == [(15, 24, 25, 36)]


@pytest.mark.parametrize("rows, metadata", [
    (np.zeros((0, 6), np.float32), {}),  # end-to-end, nothing found
    (np.zeros((84, 0), np.float32), {"names": repr({i: f"c{i}" for i in range(80)})}),  # YOLOv8, no anchors
])
def test_an_output_with_no_rows_finds_nothing(tmp_path, rows, metadata):
    model = ThreatModel.load(constant_model(tmp_path / "m.onnx", rows, metadata=metadata))
    assert detect(model, ramp_scan(), conf=0.3).detections == []


def test_the_first_of_two_outputs_is_decoded(tmp_path):
    value = helper.make_tensor("v", TensorProto.FLOAT, [1, 6, 1], V8_ROWS.ravel().tolist())
    nodes = [helper.make_node("Constant", [], ["output0"], value=value),
             helper.make_node("Constant", [], ["extra"],
                              value=helper.make_tensor("e", TensorProto.FLOAT, [2], [0, 1]))]
    outputs = [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 1]),
               helper.make_tensor_value_info("extra", TensorProto.FLOAT, [2])]
    images = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])
    graph = helper.make_graph(nodes, "m", [images], outputs)
    model = ThreatModel.load(_save(graph, tmp_path / "m.onnx", NAMES))
    assert [d.label for d in detect(model, ramp_scan(), conf=0.3).detections] == ["detonator"]
