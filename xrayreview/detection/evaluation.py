"""Scoring a detector against ground truth: AP per class, recall and false alarms, image-level rates.

AP follows the COCO convention (101-point interpolated precision envelope, greedy matching by
score); AP50:95 averages IoU thresholds 0.50, 0.55 … 0.95. A scan "alarms" when any detection
of a threat category passes the operating threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IOU_THRESHOLDS = np.round(np.arange(0.5, 0.96, 0.05), 2)
RECALL_POINTS = np.linspace(0, 1, 101)


@dataclass(frozen=True)
class Box:
    """A ground-truth object or a detection on one image, keyed by class or category."""

    image: int
    key: str
    box: tuple[float, float, float, float]
    score: float = 1.0


@dataclass
class KeyScore:
    key: str
    truths: int
    ap50: float
    ap50_95: float
    recall: float  # at the operating threshold, IoU 0.5
    false_alarms_per_image: float


@dataclass
class ImageRates:
    threat_images: int
    clean_images: int
    hits: int
    false_alarms: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.threat_images if self.threat_images else float("nan")

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean_images if self.clean_images else float("nan")


@dataclass
class Scores:
    per_key: list[KeyScore] = field(default_factory=list)

    @property
    def mean_ap50(self) -> float:
        scored = [k.ap50 for k in self.per_key if k.truths]
        return float(np.mean(scored)) if scored else float("nan")

    @property
    def mean_ap50_95(self) -> float:
        scored = [k.ap50_95 for k in self.per_key if k.truths]
        return float(np.mean(scored)) if scored else float("nan")


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def match(truths: list[Box], detections: list[Box], iou: float) -> np.ndarray:
    """True for each detection (in the given order, best score first) that finds an unclaimed truth."""
    hits = np.zeros(len(detections), bool)
    by_image: dict[int, list[int]] = {}
    for i, t in enumerate(truths):
        by_image.setdefault(t.image, []).append(i)
    claimed = np.zeros(len(truths), bool)
    for d_index, det in enumerate(detections):
        candidates = by_image.get(det.image, [])
        if not candidates:
            continue
        overlaps = iou_matrix(np.array([det.box]), np.array([truths[i].box for i in candidates]))[0]
        overlaps[claimed[candidates]] = -1
        best = int(overlaps.argmax())
        if overlaps[best] >= iou:
            claimed[candidates[best]] = True
            hits[d_index] = True
    return hits


def average_precision(truths: list[Box], detections: list[Box], iou: float) -> float:
    """COCO-style AP for one key at one IoU threshold; NaN when there is nothing to find."""
    if not truths:
        return float("nan")
    ordered = sorted(detections, key=lambda d: -d.score)
    hits = match(truths, ordered, iou)
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    recall = tp / len(truths)
    precision = tp / np.maximum(tp + fp, 1e-9)
    # Precision envelope: the best precision at any recall at least as high.
    envelope = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    sampled = []
    for r in RECALL_POINTS:
        index = np.searchsorted(recall, r, side="left")
        sampled.append(envelope[index] if index < len(envelope) else 0.0)
    return float(np.mean(sampled))


def score(truths: list[Box], detections: list[Box], images: int, threshold: float) -> Scores:
    """Per-key AP50, AP50:95, recall and false alarms per image at the operating threshold."""
    keys = sorted({t.key for t in truths} | {d.key for d in detections})
    result = Scores()
    for key in keys:
        key_truths = [t for t in truths if t.key == key]
        key_dets = [d for d in detections if d.key == key]
        aps = [average_precision(key_truths, key_dets, float(iou)) for iou in IOU_THRESHOLDS]
        operating = sorted((d for d in key_dets if d.score >= threshold), key=lambda d: -d.score)
        hits = match(key_truths, operating, 0.5)
        recall = hits.sum() / len(key_truths) if key_truths else float("nan")
        result.per_key.append(KeyScore(key, len(key_truths), aps[0], float(np.mean(aps)), float(recall),
                                       float((~hits).sum()) / max(images, 1)))
    return result


def image_rates(threat_truth: list[bool], alarmed: list[bool]) -> ImageRates:
    """Hit rate over images holding a threat, false-alarm rate over clean images."""
    truth = np.array(threat_truth, bool)
    alarm = np.array(alarmed, bool)
    return ImageRates(int(truth.sum()), int((~truth).sum()), int((truth & alarm).sum()),
                      int((~truth & alarm).sum()))
