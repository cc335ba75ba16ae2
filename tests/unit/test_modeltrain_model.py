"""The reference detector's network, assigner and loss, on small synthetic tensors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")

from xrayreview.modeltrain.assign import assign, box_iou_pairwise  # noqa: E402
from xrayreview.modeltrain.classes import CATEGORY, CLASSES, LABEL_TO_CLASS, class_index  # noqa: E402
from xrayreview.modeltrain.loss import detection_loss, giou  # noqa: E402
from xrayreview.modeltrain.net import (  # noqa: E402
    NetConfig,
    ThreatDetector,
    anchor_points,
    distances_to_boxes,
)

TINY = NetConfig(num_classes=len(CLASSES), widths=(8, 16, 16, 24), depths=(1, 1, 1, 1), neck=16)


def test_every_generator_label_maps_to_a_class_with_a_category() -> None:
    for label in ("pistol", "revolver", "rifle", "shotgun", "smg", "gun_part", "pipe_bomb", "detonator",
                  "battery", "wiring", "timer", "circuit_board", "explosive_charge"):
        assert CLASSES[class_index(label)] == LABEL_TO_CLASS[label]
    assert {CATEGORY[c] for c in CLASSES} == {"firearm", "ied_component"}
    assert class_index("umbrella") is None


def test_output_has_one_row_per_cell_of_the_three_grids() -> None:
    model = ThreatDetector(TINY).eval()
    logits, distances = model(torch.rand(2, 3, 128, 96))
    cells = sum((128 // s) * (96 // s) for s in (8, 16, 32))
    assert logits.shape == (2, cells, len(CLASSES))
    assert distances.shape == (2, cells, 4)
    assert bool((distances > 0).all())
    points, strides = anchor_points(128, 96)
    assert points.shape == (cells, 2) and strides.shape == (cells,)
    # First cell of the stride-8 grid is centred at (4, 4); the last one belongs to stride 32.
    assert points[0].tolist() == [4.0, 4.0] and strides[-1].item() == 32.0


def test_distances_become_boxes_around_the_cell() -> None:
    boxes = distances_to_boxes(torch.tensor([[10.0, 20.0]]), torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
    assert boxes.tolist() == [[9.0, 18.0, 13.0, 24.0]]


def test_giou_is_one_for_equal_boxes_and_negative_for_far_apart_ones() -> None:
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    assert giou(a, a).item() == pytest.approx(1.0, abs=1e-5)
    assert giou(a, torch.tensor([[20.0, 20.0, 30.0, 30.0]])).item() < 0
    assert box_iou_pairwise(a, a).item() == pytest.approx(1.0, abs=1e-5)


def test_a_two_pixel_wide_detonator_still_gets_positive_cells() -> None:
    points, strides = anchor_points(64, 64)
    gt = torch.tensor([[[30.0, 10.0, 32.0, 40.0]]])
    predicted = torch.cat([points - 4.0, points + 4.0], 1).unsqueeze(0)
    scores = torch.full((1, len(points), len(CLASSES)), 0.01)
    result = assign(scores, predicted, points, strides, gt, torch.tensor([[3]]), torch.tensor([[True]]))
    assert int(result.foreground.sum()) > 0
    assert bool((result.target_scores[result.foreground].argmax(-1) == 3).all())
    assert bool((result.target_boxes[result.foreground] == gt[0, 0]).all())


def test_padding_threats_are_ignored_and_a_clean_tile_has_no_positives() -> None:
    points, strides = anchor_points(64, 64)
    boxes = torch.cat([points - 4.0, points + 4.0], 1).unsqueeze(0)
    scores = torch.full((1, len(points), len(CLASSES)), 0.5)
    result = assign(scores, boxes, points, strides, torch.zeros(1, 2, 4), torch.zeros(1, 2, dtype=torch.long),
                    torch.tensor([[False, False]]))
    assert not bool(result.foreground.any()) and float(result.target_scores.sum()) == 0.0


def test_class_weights_scale_only_the_positives_of_their_class() -> None:
    torch.manual_seed(0)
    model = ThreatDetector(TINY)
    images = torch.rand(1, 3, 64, 64)
    gt, classes = torch.tensor([[[8.0, 16.0, 48.0, 28.0]]]), torch.tensor([[3]])
    valid = torch.ones(1, 1, dtype=torch.bool)
    points, strides = anchor_points(64, 64)
    logits, distances = model(images)

    def class_loss(weights: list[float] | None) -> float:
        vector = None if weights is None else torch.tensor(weights)
        return detection_loss(logits, distances, points, strides, gt, classes, valid, vector)[1]["cls"]

    plain = class_loss(None)
    assert class_loss([1.0] * len(CLASSES)) == pytest.approx(plain)
    absent = [1.0] * len(CLASSES)
    absent[0] = 3.0  # no handgun in this tile: nothing of it to weigh
    assert class_loss(absent) == pytest.approx(plain)
    present = [1.0] * len(CLASSES)
    present[3] = 3.0  # the detonator's positive cells count three times
    assert class_loss(present) > plain * 1.05


def test_a_few_steps_learn_to_find_a_bright_bar() -> None:
    torch.manual_seed(0)
    model = ThreatDetector(TINY)
    images = torch.rand(2, 3, 64, 64) * 0.1
    images[0, :, 16:28, 8:48] = 0.9
    images[1, :, 30:60, 40:46] = 0.9
    gt = torch.tensor([[[8.0, 16.0, 48.0, 28.0]], [[40.0, 30.0, 46.0, 60.0]]])
    classes = torch.tensor([[1], [3]])
    valid = torch.ones(2, 1, dtype=torch.bool)
    points, strides = anchor_points(64, 64)
    optimizer = torch.optim.AdamW(model.parameters(), 1e-2)
    losses = []
    for _ in range(40):
        logits, distances = model(images)
        loss, parts = detection_loss(logits, distances, points, strides, gt, classes, valid)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        assert parts["positives"] > 0
    # One step's loss jumps by a quarter either way at this learning rate, and by how much
    # differs between CPUs' kernels: the median of the last ten says whether it learnt.
    assert float(np.median(losses[-10:])) < 0.25 * losses[0]
