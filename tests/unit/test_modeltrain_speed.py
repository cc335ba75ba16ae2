"""The speed check times the shipped model against a YOLOv8n-shaped yardstick in the same run."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the yardstick needs the optional 'train' extra (PyTorch)")
pytest.importorskip("onnx", reason="export needs onnx")

from xrayreview.modeltrain.classes import CLASSES  # noqa: E402
from xrayreview.modeltrain.export import export_onnx  # noqa: E402
from xrayreview.modeltrain.net import NetConfig, ThreatDetector  # noqa: E402
from xrayreview.modeltrain.speed import speed_against_yardstick  # noqa: E402
from xrayreview.modeltrain.yardstick import NanoYardstick  # noqa: E402


def test_the_yardstick_has_yolov8n_size_and_output_layout() -> None:
    model = NanoYardstick().eval()
    # YOLOv8n: 3.2 M parameters, 8.7 GFLOPs at 640, output [1, 84, 8400].
    assert 3.0e6 < sum(p.numel() for p in model.parameters()) < 3.3e6
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 640, 640)).shape == (1, 84, 8400)


def test_speed_is_read_against_the_yardstick(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    tiny = NetConfig(num_classes=len(CLASSES), widths=(8, 16, 16, 24), depths=(1, 1, 1, 1), neck=16)
    export_onnx(ThreatDetector(tiny).eval(), path)
    figures = speed_against_yardstick(path, repeats=3)
    assert figures["median_ms"] > 0 and figures["yardstick_ms"] > 0
    assert figures["ratio"] == pytest.approx(figures["median_ms"] / figures["yardstick_ms"])
    # A net a fraction of the yardstick's size is faster than it.
    assert figures["ratio"] < 1.0
