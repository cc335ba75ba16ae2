"""Running ONNX models the station did not make: odd numbers in the output are dropped, never
drawn; a model that fails or misbehaves on a scan gives a clear error for that scan."""

import json

import cv2
import numpy as np
import pytest
from foreign_models import (
    NAMES,
    V8_ROWS,
    constant_output,
    failing_model,
    fixed_batch_model,
    fixed_batch_unknown_shape_model,
    growing_output_model,
    ramp_scan,
)
from onnx import TensorProto

from xrayreview.cli import main
from xrayreview.detection import ModelError, Options, ThreatModel, detect
from xrayreview.detection.synthetic_models import constant_model

NAN, INF = float("nan"), float("inf")
META = {**NAMES, "imgsz": "[64, 64]"}
E2E = {**NAMES, "end2end": "True"}


def v8_model(tmp_path, anchors):
    """YOLOv8 layout, two classes; ``anchors`` are (cx, cy, w, h, pistol, detonator)."""
    rows = np.array(anchors, np.float32).T
    return ThreatModel.load(constant_model(tmp_path / "m.onnx", rows, metadata=META))


def e2e_model(tmp_path, detections):
    rows = np.zeros((10, 6), np.float32)
    rows[:len(detections)] = detections
    return ThreatModel.load(constant_model(tmp_path / "m.onnx", rows, metadata=E2E))


def marks(model, scan=None, conf=0.3):
    found = detect(model, scan or ramp_scan(), conf=conf).detections
    return sorted((d.label, round(d.score, 3), d.box) for d in found)


GOOD = (20, 30, 10, 12, 0.1, 0.9)  # a detonator at (15..25, 24..36)
GOOD_MARK = ("detonator", 0.9, (15, 24, 25, 36))


@pytest.mark.parametrize("bad", [
    (INF, 40, 10, 10, 0.8, 0.1),      # no place
    (40, 40, INF, 10, 0.8, 0.1),      # was drawn across the whole scan
    (40, 40, 1e30, 10, 0.8, 0.1),     # likewise
    (3e38, 40, 3e38, 10, 0.8, 0.1),   # overflows to inf when turned into corners
    (40, 40, 10, 10, INF, 0.1),       # scored inf: "pistol inf" in the list, Infinity in the JSON
    (40, 40, 10, NAN, 0.8, 0.1),
    (40, 40, -10, 10, 0.8, 0.1),      # negative width
    (1000, 1000, 10, 10, 0.8, 0.1),   # far outside the tile
])
def test_boxes_and_scores_that_are_not_numbers_or_not_boxes_are_dropped(tmp_path, bad):
    assert marks(v8_model(tmp_path, [GOOD, bad])) == [GOOD_MARK]


def test_a_nan_box_does_not_suppress_the_others(tmp_path):
    # RT-DETR layout: the NaN row came first in the NMS and every other box of the scan went with it.
    rows = np.zeros((300, 6), np.float32)
    rows[0] = [0.5, 0.25, 0.25, 0.125, 0.1, 0.8]
    rows[1] = [NAN, 0.2, 0.1, 0.1, 0.9, 0.1]
    path = constant_model(tmp_path / "m.onnx", rows, metadata={**META, "description": "RT-DETR"})
    assert marks(ThreatModel.load(path)) == [("detonator", 0.8, (24, 12, 40, 20))]


@pytest.mark.parametrize("class_id", [NAN, INF, -INF, 1e30, 3e9, -1])
def test_end_to_end_rows_without_a_class_index_are_dropped(tmp_path, class_id):
    # NaN/inf crashed the NMS ("Can't parse 'class_ids'"); -1 is the padding some exports use.
    model = e2e_model(tmp_path, [(5, 6, 25, 30, 0.95, 0), (40, 40, 60, 62, 0.5, class_id)])
    assert marks(model) == [("pistol", 0.95, (5, 6, 25, 30))]


@pytest.mark.parametrize("rows, peak", [
    ([(40, 40, 10, 10, 5.3, -2.0)], "5.3"),
])
def test_scores_above_one_are_refused_as_logits(tmp_path, rows, peak):
    model = v8_model(tmp_path, [GOOD, *rows])
    with pytest.raises(ModelError, match=rf"^m\.onnx gives scores up to {peak}.*0 to 1"):
        detect(model, ramp_scan(), conf=0.3)


def test_yolov5_objectness_times_logits_is_refused(tmp_path):
    rows = np.zeros((1200, 7), np.float32)
    rows[0] = (32, 32, 10, 10, 0.8, 0.5, 0.9)
    rows[1] = (40, 40, 8, 8, 4.0, 3.0, 0.1)
    model = ThreatModel.load(constant_model(tmp_path / "m.onnx", rows, metadata=NAMES))
    with pytest.raises(ModelError, match="scores up to 12"):
        detect(model, ramp_scan(), conf=0.3)


def test_scores_a_hair_above_one_are_kept(tmp_path):
    model = v8_model(tmp_path, [(20, 30, 10, 12, 0.1, 1.0000001)])
    assert marks(model) == [("detonator", 1.0, (15, 24, 25, 36))]


def test_a_run_that_fails_inside_onnxruntime_is_a_model_error(tmp_path, capfd):
    model = ThreatModel.load(failing_model(tmp_path / "broken.onnx"))
    expected = r"^broken\.onnx failed to run: .*Reshape node.*cannot be reshaped"
    with pytest.raises(ModelError, match=expected) as caught:
        detect(model, ramp_scan())
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert "onnxruntime" not in capfd.readouterr().err  # its own log line is not printed over ours


def test_an_output_that_changes_shape_between_runs_is_a_model_error(tmp_path):
    # Probed on a blank image it is [1, 5, 10], YOLOv8 with one class; on a scan it grows to [1, 14, 10].
    model = ThreatModel.load(growing_output_model(tmp_path / "grows.onnx"))
    assert model.layout == "yolov8" and model.classes == ["class0"]
    with pytest.raises(ModelError, match=r"^grows\.onnx gave an output of shape \[1, 14, 10\]"):
        detect(model, ramp_scan())


def test_fewer_outputs_than_images_is_a_model_error(tmp_path):
    # A model that always answers with batch 1: the other tiles of a batch were silently lost.
    path = constant_output(tmp_path / "one.onnx", V8_ROWS[None], TensorProto.FLOAT, META)
    model = ThreatModel.load(path)
    with pytest.raises(ModelError, match=r"^one\.onnx gave 1 result for a batch of 4"):
        detect(model, ramp_scan(100, 100), conf=0.3, options=Options(batch=4, skip_empty=False))


@pytest.mark.parametrize("width, tiles", [(64, 1), (200, 4), (300, 6)])
def test_a_fixed_batch_larger_than_the_tiles_left_is_padded(tmp_path, width, tiles):
    model = ThreatModel.load(fixed_batch_model(tmp_path / "b4.onnx", 4))
    assert model.max_batch == 4
    result = detect(model, ramp_scan(64, width), conf=0.3, options=Options(skip_empty=False))
    assert result.tiles_run == tiles
    assert len(result.detections) == tiles  # one mark per tile, each at its own offset


def test_a_fixed_batch_model_is_probed_with_a_full_batch(tmp_path):
    # Loading runs a model whose output shape is not declared; one blank image was the wrong batch.
    model = ThreatModel.load(fixed_batch_unknown_shape_model(tmp_path / "b4.onnx", 4))
    assert model.out_shape == (4, 6, 1)
    assert detect(model, ramp_scan(), conf=0.3).tiles_run == 1


def write_scans(folder):
    folder.mkdir()
    ramp = np.linspace(60, 230, 64).astype(np.uint8)
    for name in ("a.png", "b.png"):
        cv2.imwrite(str(folder / name), np.repeat(np.repeat(ramp[None, :, None], 64, axis=0), 3, axis=2))


def test_detect_command_reports_a_model_that_fails_on_each_scan(tmp_path, capsys):
    write_scans(tmp_path / "scans")
    model = failing_model(tmp_path / "broken.onnx")
    out = tmp_path / "out.json"
    code = main(["detect", str(tmp_path / "scans"), "--model", str(model), "--json", str(out)])
    assert code == 1  # nothing could be scanned
    report = json.loads(out.read_text())
    assert [entry["error"].split(":")[0] for entry in report["scans"]] == ["broken.onnx failed to run"] * 2
    assert "2 scans, 2 failed" in capsys.readouterr().err


def test_detect_command_goes_on_after_a_scan_the_model_fails_on(tmp_path, capsys, monkeypatch):
    write_scans(tmp_path / "scans")
    path = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META)
    real = ThreatModel.run
    calls = []

    def fails_first(self, batch):
        calls.append(1)
        if len(calls) == 1:
            raise ModelError("m.onnx failed to run: out of memory")
        return real(self, batch)

    monkeypatch.setattr(ThreatModel, "run", fails_first)
    code = main(["detect", str(tmp_path / "scans"), "--model", str(path)])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("a.png: ERROR m.onnx failed to run: out of memory")
    assert lines[1].endswith("b.png: detonator 0.90")


def test_evaluate_stops_with_no_figures_when_the_model_fails_on_a_scan(tmp_path, capsys):
    data = tmp_path / "data"
    write_scans(data)
    (data / "annotations.json").write_text(json.dumps({
        "images": [{"id": i + 1, "file_name": p.name, "width": 64, "height": 64}
                   for i, p in enumerate(sorted(data.glob("*.png")))],
        "annotations": [], "categories": [{"id": 1, "name": "pistol", "supercategory": "firearm"}]}))
    out = tmp_path / "scores.json"
    code = main(["evaluate", "--data", str(data), "--model", str(failing_model(tmp_path / "broken.onnx")),
                 "--json", str(out)])
    assert code == 2 and not out.exists()  # figures without the failed scans would look complete
    error = capsys.readouterr().err
    assert "evaluate stopped, no figures: on " in error and "broken.onnx failed to run" in error
    assert "Traceback" not in error


def test_a_json_report_never_replaces_a_log_or_a_scan(tmp_path, capsys):
    import sqlite3  # noqa: PLC0415

    write_scans(tmp_path / "scans")
    log = tmp_path / "decisions.sqlite"
    with sqlite3.connect(log) as db:
        db.execute("create table t (x)")
    before = log.read_bytes()
    scan = tmp_path / "scans" / "a.png"
    scan_bytes = scan.read_bytes()
    model = constant_model(tmp_path / "m.onnx", V8_ROWS, metadata=META)
    assert main(["detect", str(tmp_path / "scans"), "--model", str(model), "--json", str(log)]) == 2
    assert "SQLite database" in capsys.readouterr().err and log.read_bytes() == before
    code = main(["evaluate", "--data", str(tmp_path / "scans"), "--model", str(model), "--json", str(scan)])
    assert code == 2
    assert "not an earlier JSON export" in capsys.readouterr().err and scan.read_bytes() == scan_bytes
    out = tmp_path / "report.json"
    assert main(["detect", str(tmp_path / "scans"), "--model", str(model), "--json", str(out)]) == 0
    assert main(["detect", str(tmp_path / "scans"), "--model", str(model), "--json", str(out)]) == 0  # again
    assert len(json.loads(out.read_text())["scans"]) == 2
    assert main(["detect", str(tmp_path / "scans"), "--model", str(model), "--threads", "0"]) == 2
