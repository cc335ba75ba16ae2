"""Quick held-out check during training: decode, NMS and AP50 per class and per category.

The published figures come from `xrayreview evaluate`; this only tracks progress and picks
the confidence threshold to ship, on validation seeds the training never draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .classes import CATEGORY, CLASSES

IOU_MATCH = 0.5


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression, best first."""
    order = np.argsort(-scores)
    keep: list[int] = []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        tl = np.maximum(boxes[i, :2], boxes[rest, :2])
        br = np.minimum(boxes[i, 2:], boxes[rest, 2:])
        inter = np.clip(br - tl, 0, None).prod(1)
        overlap = inter / (areas[i] + areas[rest] - inter + 1e-9)
        order = rest[overlap < iou]
    return np.asarray(keep, np.int64)


def predict(model: Any, images: Any, min_score: float = 0.01,
            max_det: int = 100) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(boxes, scores, classes) per image from a torch model and uint8 [B, 3, H, W] images."""
    import torch  # noqa: PLC0415  (the metrics below work without torch)

    from .net import anchor_points, distances_to_boxes  # noqa: PLC0415

    device = next(model.parameters()).device
    with torch.no_grad():
        logits, distances = model(images.to(device).float() / 255.0)
    points, _ = anchor_points(images.shape[2], images.shape[3], device)
    boxes = distances_to_boxes(points, distances).float().cpu().numpy()
    scores = logits.float().sigmoid().cpu().numpy()
    results = []
    for b in range(len(images)):
        cell, cls = np.nonzero(scores[b] >= min_score)
        s = scores[b][cell, cls]
        if len(s) > 2000:
            top = np.argsort(-s)[:2000]
            cell, cls, s = cell[top], cls[top], s[top]
        bx = boxes[b][cell]
        # Class-aware NMS in one pass: shift each class's boxes far apart.
        keep = nms(bx + cls[:, None] * 10_000.0, s)[:max_det]
        results.append((bx[keep], s[keep], cls[keep]))
    return results


def average_precision(scores: np.ndarray, hits: np.ndarray, positives: int) -> float:
    """Area under the interpolated precision-recall curve (all points)."""
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores)
    tp = np.cumsum(hits[order])
    fp = np.cumsum(~hits[order])
    recall = tp / positives
    precision = tp / np.maximum(tp + fp, 1e-9)
    recall = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    precision = np.concatenate([[1.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum((recall[1:] - recall[:-1]) * precision[1:]))


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    tl = np.maximum(box[:2], others[:, :2])
    br = np.minimum(box[2:], others[:, 2:])
    inter = np.clip(br - tl, 0, None).prod(1)
    area = (box[2:] - box[:2]).prod()
    areas = (others[:, 2:] - others[:, :2]).prod(1)
    return inter / (area + areas - inter + 1e-9)


def evaluate(predictions: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
             truths: list[tuple[np.ndarray, np.ndarray]], group: dict[int, str]) -> dict[str, float]:
    """AP50 per group (class or category name) over a set of images."""
    names = sorted(set(group.values()))
    result: dict[str, float] = {}
    for name in names:
        all_scores, all_hits, positives = [], [], 0
        for (boxes, scores, classes), (gt_boxes, gt_classes) in zip(predictions, truths, strict=True):
            mine = np.array([group[int(c)] == name for c in classes], bool)
            gt_mine = np.array([group[int(c)] == name for c in gt_classes], bool)
            gts = gt_boxes[gt_mine] if len(gt_boxes) else np.zeros((0, 4))
            positives += len(gts)
            used = np.zeros(len(gts), bool)
            for i in np.argsort(-scores[mine]) if mine.any() else []:
                box = boxes[mine][i]
                hit = False
                if len(gts):
                    overlap = _iou(box, gts)
                    overlap[used] = 0
                    j = int(np.argmax(overlap))
                    if overlap[j] >= IOU_MATCH:
                        used[j] = hit = True
                all_scores.append(scores[mine][i])
                all_hits.append(hit)
        result[name] = average_precision(np.asarray(all_scores), np.asarray(all_hits, bool), positives)
    return result


def class_groups() -> dict[int, str]:
    return dict(enumerate(CLASSES))


def category_groups() -> dict[int, str]:
    return {i: CATEGORY[name] for i, name in enumerate(CLASSES)}
