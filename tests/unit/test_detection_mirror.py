"""The mirror pass: a small scan is searched as it is and mirrored, and the two outputs averaged."""

import json

import numpy as np
import pytest

from xrayreview.detection import ModelError, Options, ThreatModel, detect
from xrayreview.detection.mirror import mirror_cells
from xrayreview.detection.synthetic_models import constant_model
from xrayreview.scan import Scan, ScanMetadata

CELLS = 8 * 8 + 4 * 4 + 2 * 2  # a 64-px input at strides 8, 16 and 32
LEFT, RIGHT = 2 * 8 + 1, 2 * 8 + 6  # row 2, columns 1 and 6 of the stride-8 grid: mirror cells


def test_mirror_cells_mirror_each_grid_row():
    cells = mirror_cells((64, 64))
    assert len(cells) == CELLS
    assert cells[LEFT] == RIGHT and cells[RIGHT] == LEFT
    assert cells[64] == 64 + 3 and cells[80] == 81  # first cells of the stride-16 and -32 grids
    assert (cells[cells] == np.arange(CELLS)).all()


def model_with(tmp_path, boxes: dict[int, tuple[float, float, float, float, float]],
               sidecar: dict) -> ThreatModel:
    """A one-class YOLOv8-layout model that always outputs ``boxes`` (cell: cx, cy, w, h, score)."""
    rows = np.zeros((5, CELLS), np.float32)
    for cell, values in boxes.items():
        rows[:, cell] = values
    path = constant_model(tmp_path / "m.onnx", rows, metadata={"names": "{0: 'pistol'}", "imgsz": "[64, 64]"})
    (tmp_path / "m.json").write_text(json.dumps({"layout": "yolov8", "resize": "stretch", **sidecar}))
    return ThreatModel.load(path)


def scan(height: int, width: int) -> Scan:
    return Scan(high=np.full((height, width), 200, np.uint16), full_scale=255,
                colour=np.full((height, width, 3), 200, np.uint8), metadata=ScanMetadata())


def marks(result) -> list[tuple[tuple[int, ...], float]]:
    return sorted((tuple(round(v) for v in d.box), round(d.score, 3)) for d in result.detections)


def test_a_view_and_its_mirror_that_agree_keep_their_boxes_and_scores(tmp_path):
    # The same 8-px box left and right: the mirrored run sees each where the other was.
    model = model_with(tmp_path, {LEFT: (12, 20, 8, 8, 0.8), RIGHT: (52, 20, 8, 8, 0.8)},
                       {"mirror_min_scale": 0.3})
    assert marks(detect(model, scan(64, 64), conf=0.1)) == [((8, 16, 16, 24), 0.8), ((48, 16, 56, 24), 0.8)]


def test_only_scans_that_fit_a_tile_closely_enough_are_mirrored(tmp_path):
    # A box in one view only is averaged with an empty cell of the other view: half its score.
    model = model_with(tmp_path, {LEFT: (12, 20, 8, 8, 0.8)}, {"mirror_min_scale": 0.3})
    assert {score for _, score in marks(detect(model, scan(64, 64), conf=0.1))} == {0.4}
    # 64 × 640 fits a tile at 0.1: a container-like scan runs each tile once.
    container = detect(model, scan(64, 640), conf=0.1, options=Options(skip_empty=False))
    assert {score for _, score in marks(container)} == {0.8}
    (tmp_path / "plain").mkdir()
    plain = model_with(tmp_path / "plain", {LEFT: (12, 20, 8, 8, 0.8)}, {})
    assert marks(detect(plain, scan(64, 64), conf=0.1)) == [((8, 16, 16, 24), 0.8)]


def test_the_mirror_pass_needs_the_standard_cells(tmp_path):
    rows = np.zeros((5, 10), np.float32)
    path = constant_model(tmp_path / "m.onnx", rows, metadata={"names": "{0: 'pistol'}", "imgsz": "[64, 64]"})
    (tmp_path / "m.json").write_text('{"layout": "yolov8", "mirror_min_scale": 0.3}')
    with pytest.raises(ModelError, match="needs the YOLOv8 layout with cells at strides 8, 16 and 32"):
        ThreatModel.load(path)
