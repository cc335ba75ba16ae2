"""The progress check's NMS and AP50 (numpy only)."""

from __future__ import annotations

import numpy as np

from xrayreview.modeltrain.val import average_precision, category_groups, evaluate, nms


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
    keep = nms(boxes, np.array([0.5, 0.9, 0.3]))
    assert keep.tolist() == [1, 2]


def test_perfect_detections_score_ap_one_and_misses_lower_it() -> None:
    truth = (np.array([[0, 0, 10, 10], [20, 20, 40, 40]], np.float32), np.array([0, 3]))
    perfect = (truth[0], np.array([0.9, 0.8]), truth[1])
    result = evaluate([perfect], [truth], category_groups())
    assert result == {"firearm": 1.0, "ied_component": 1.0}
    half = (truth[0][:1], np.array([0.9]), truth[1][:1])
    assert np.isnan(evaluate([half], [(truth[0][:1], truth[1][:1])], category_groups())["ied_component"])
    assert evaluate([half], [truth], category_groups())["ied_component"] == 0.0


def test_a_false_alarm_ranked_first_halves_precision_at_the_first_hit() -> None:
    ap = average_precision(np.array([0.9, 0.8]), np.array([False, True]), 1)
    assert ap == 0.5
