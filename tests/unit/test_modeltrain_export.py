"""The exported reference model: YOLOv8 layout, metadata and sidecar the station reads."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")
pytest.importorskip("onnx", reason="export needs onnx")
import onnxruntime as ort  # noqa: E402

from xrayreview.modeltrain.classes import CLASSES  # noqa: E402
from xrayreview.modeltrain.export import IMAGE_SIZE, export_onnx, sidecar, write_sidecar  # noqa: E402
from xrayreview.modeltrain.net import NetConfig, ThreatDetector, anchor_points, distances_to_boxes  # noqa: E402

TINY = NetConfig(num_classes=len(CLASSES), widths=(8, 16, 16, 24), depths=(1, 1, 1, 1), neck=16)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[ThreatDetector, Path]:
    torch.manual_seed(1)
    model = ThreatDetector(TINY).eval()
    path = tmp_path_factory.mktemp("model") / "threat-detector.onnx"
    export_onnx(model, path)
    write_sidecar(path.with_suffix(".json"), sidecar(confidence=0.3))
    return model, path


def test_output_is_yolov8_layout_with_boxes_in_pixels(exported: tuple[ThreatDetector, Path]) -> None:
    model, path = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).random((2, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    (output,) = session.run(None, {"images": image})
    cells = sum((IMAGE_SIZE // s) ** 2 for s in (8, 16, 32))
    assert output.shape == (2, 4 + len(CLASSES), cells)
    with torch.no_grad():
        logits, distances = model(torch.from_numpy(image))
    points, _ = anchor_points(IMAGE_SIZE, IMAGE_SIZE)
    boxes = distances_to_boxes(points, distances)[0].numpy()
    centre_x = (boxes[:, 0] + boxes[:, 2]) / 2
    width = boxes[:, 2] - boxes[:, 0]
    np.testing.assert_allclose(output[0, 0], centre_x, atol=1e-2)
    np.testing.assert_allclose(output[0, 2], width, atol=1e-2)
    np.testing.assert_allclose(output[0, 4:].T, torch.sigmoid(logits[0]).numpy(), atol=1e-4)


def test_metadata_names_imgsz_stride_task(exported: tuple[ThreatDetector, Path]) -> None:
    _, path = exported
    meta = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).get_modelmeta()
    custom = meta.custom_metadata_map
    assert ast.literal_eval(custom["names"]) == dict(enumerate(CLASSES))
    assert ast.literal_eval(custom["imgsz"]) == [IMAGE_SIZE, IMAGE_SIZE]
    assert custom["stride"] == "32" and custom["task"] == "detect"
    side = json.loads(path.with_suffix(".json").read_text())
    assert side["classes"] == list(CLASSES) and side["input"] == "rgb"
    assert set(side["categories"].values()) == {"firearm", "ied_component"}


def test_the_station_engine_loads_the_export(exported: tuple[ThreatDetector, Path]) -> None:
    model_module = pytest.importorskip("xrayreview.detection.model", reason="detection engine not present")
    _, path = exported
    loaded = model_module.ThreatModel.load(path)
    assert loaded.classes == list(CLASSES)
    assert loaded.categories["handgun"] == "firearm" and loaded.categories["detonator"] == "ied_component"
    assert loaded.default_conf == pytest.approx(0.3)
    # Bags get the whole-scan pass (a long gun is often wider than a tile); containers do not.
    assert loaded.spec.whole_scan_pass and loaded.spec.whole_scan_min_scale == pytest.approx(0.3)
    # Coarse container scans are enlarged; bags (about 1 mm a pixel) are not.
    assert loaded.spec.coarsest_mm_per_px == pytest.approx(3.5) and loaded.spec.mm_per_px is None


def test_mirrored_export_sees_a_tile_and_its_mirror_image_alike(exported: tuple[ThreatDetector, Path],
                                                                tmp_path: Path) -> None:
    model, plain_path = exported
    path = tmp_path / "mirrored.onnx"
    export_onnx(model, path, mirror=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    plain = ort.InferenceSession(str(plain_path), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(2).random((1, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    mirror = np.ascontiguousarray(image[..., ::-1])
    (output,) = session.run(None, {"images": image})
    (output_of_mirror,) = session.run(None, {"images": mirror})
    # Cell by cell: the mirror cell of the mirrored tile holds the same scores and a mirrored box.
    order = []
    start = 0
    for stride in (8, 16, 32):
        n = IMAGE_SIZE // stride
        order.append(start + np.arange(n * n).reshape(n, n)[:, ::-1].ravel())
        start += n * n
    cells = np.concatenate(order)
    np.testing.assert_allclose(output[0, 4:], output_of_mirror[0, 4:, cells].T, atol=1e-5)
    np.testing.assert_allclose(output[0, 0], IMAGE_SIZE - output_of_mirror[0, 0, cells], atol=1e-2)
    np.testing.assert_allclose(output[0, 1:4], output_of_mirror[0, 1:4, cells].T, atol=1e-2)
    # ...and each cell's scores are the mean of the plain model's two views.
    (first,) = plain.run(None, {"images": image})
    (second,) = plain.run(None, {"images": mirror})
    np.testing.assert_allclose(output[0, 4:], (first[0, 4:] + second[0, 4:, cells].T) / 2, atol=1e-5)
