"""Merging detections from overlapping tiles into one set of marks.

Overlapping tiles find the same object twice (NMS per class removes the copy). A tile that
sees only part of an object gives a partial box, which overlaps the whole one poorly by IoU.
Boxes of one class from different tiles are therefore also joined by how much of the smaller
box the other covers (intersection over the smaller area), as sliced-inference tools do.

Only a box that a tile's inner edge cuts can be a part: when neither box of such a pair is
cut, both tiles saw the whole object and the better box stands alone. Joining them grew the
mark to the union of two views of one object, worst with the whole-bag pass, whose shrunk view
boxes small IED parts loosely.

A mark only takes in partners that score at least a share of its own score. Detection runs
at a low floor and the threshold is applied after (the station's slider, `evaluate`'s sweep);
without the share, a faint guess from a neighbouring tile stretches a confident mark far past
the object.
"""

from __future__ import annotations

import cv2
import numpy as np

CUT_COVERAGE = 0.4  # share of the smaller box that must be covered for boxes from two tiles to join
JOIN_SCORE_SHARE = 0.3  # a partner must score at least this share of the mark it joins
# Marks kept per scan, best first: more is noise to an officer, and bounds the merging work.
MAX_DETECTIONS = 1000


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by per-class non-maximum suppression, best score first."""
    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1).astype(np.float64)
    keep = cv2.dnn.NMSBoxesBatched(xywh.tolist(), scores.astype(float).tolist(),
                                   classes.astype(int).tolist(), -1.0, float(iou))
    keep = np.asarray(keep, np.int64).reshape(-1)
    return keep[np.argsort(-scores[keep], kind="stable")]


def coverage(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over the smaller of the two areas, for one box against many."""
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(np.minimum(area, areas), 1e-9)


def merge_tiles(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, sources: np.ndarray,
                iou: float, cut: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NMS per class, then boxes of one class from different tiles (``sources``) that mostly
    cover one another: joined when one of the two is ``cut`` by its tile's edge and the partner
    scores comparably (the partial views NMS cannot pair by IoU), the weaker dropped when
    neither is cut. ``cut`` None counts every box as cut."""
    keep = nms(boxes, scores, classes, iou)[:MAX_DETECTIONS]
    boxes, scores, classes, sources = boxes[keep].copy(), scores[keep], classes[keep], sources[keep]
    cut = np.ones(len(boxes), bool) if cut is None else np.asarray(cut, bool)[keep].copy()
    alive = np.ones(len(boxes), bool)
    for i in range(len(boxes)):  # best score first: the merged mark keeps the best score
        if not alive[i]:
            continue
        while True:
            others = alive & (classes == classes[i]) & (sources != sources[i])
            others[:i + 1] = False  # a better mark has already had its chance to take this one
            idx = np.flatnonzero(others)
            idx = idx[coverage(boxes[i], boxes[idx]) >= CUT_COVERAGE]
            partial = cut[idx] | cut[i]
            alive[idx[~partial]] = False
            join = idx[partial & (scores[idx] >= JOIN_SCORE_SHARE * scores[i])]
            if len(join) == 0:
                break
            group = np.concatenate([[i], join])
            boxes[i, :2] = boxes[group, :2].min(axis=0)
            boxes[i, 2:] = boxes[group, 2:].max(axis=0)
            cut[i] = cut[group].all()
            alive[join] = False
    return boxes[alive], scores[alive], classes[alive]
