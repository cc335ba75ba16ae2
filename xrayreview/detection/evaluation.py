"""Scoring a detector against ground truth: AP per class, recall and false alarms, image-level rates.

AP follows the COCO convention (101-point interpolated precision envelope, greedy matching by
score); AP50:95 averages IoU thresholds 0.50, 0.55 … 0.95. A scan "alarms" when any detection
of a threat category passes the operating threshold. Scores by object size use COCO's areas and
its rule for the objects of other sizes: a detection that finds one of them, or that is itself of
another size and finds nothing, is left out rather than counted as a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IOU_THRESHOLDS = np.round(np.arange(0.5, 0.96, 0.05), 2)
RECALL_POINTS = np.linspace(0, 1, 101)
# A mark that overlaps a threat this much points the officer at it, though it may box only its
# densest part: "marked" counts those, beside recall's IoU 0.5.
MARK_IOU = 0.1
# COCO's object sizes by box area in image pixels: small under 32², medium under 96².
SIZES = {"small": (0.0, 32.0**2), "medium": (32.0**2, 96.0**2), "large": (96.0**2, float("inf"))}


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
    marked: float = float("nan")  # share of truths a mark at the threshold overlaps by MARK_IOU


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
    return _match(truths, detections, iou, np.ones(len(truths), bool))[0]


def _match(truths: list[Box], detections: list[Box], iou: float,
           counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hit, left out) per detection, best score first: a hit claims a counted truth; a detection
    that finds none but claims a truth not ``counted`` is left out, neither hit nor false alarm."""
    hits = np.zeros(len(detections), bool)
    left_out = np.zeros(len(detections), bool)
    by_image: dict[int, list[int]] = {}
    for i, t in enumerate(truths):
        by_image.setdefault(t.image, []).append(i)
    claimed = np.zeros(len(truths), bool)
    for d_index, det in enumerate(detections):
        candidates = np.array(by_image.get(det.image, []), int)
        if not candidates.size:
            continue
        overlaps = iou_matrix(np.array([det.box]), np.array([truths[i].box for i in candidates]))[0]
        for wanted, outcome in ((True, hits), (False, left_out)):
            open_ = (counted[candidates] == wanted) & ~claimed[candidates]
            if open_.any() and overlaps[open_].max() >= iou:
                claimed[candidates[open_][int(overlaps[open_].argmax())]] = True
                outcome[d_index] = True
                break
    return hits, left_out


def _area(box: tuple[float, float, float, float]) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _sized(truths: list[Box], ordered: list[Box], iou: float,
           size: tuple[float, float] | None) -> tuple[np.ndarray, int]:
    """Hits among the detections that count (best score first) and the truths that count, for
    objects of ``size`` (area range) or all."""
    if size is None:
        return match(truths, ordered, iou), len(truths)
    low, high = size
    counted = np.array([low <= _area(t.box) < high for t in truths], bool)
    hits, left_out = _match(truths, ordered, iou, counted)
    other_size = np.array([not low <= _area(d.box) < high for d in ordered], bool)
    keep = ~(left_out | (other_size & ~hits))
    return hits[keep], int(counted.sum())


def average_precision(truths: list[Box], detections: list[Box], iou: float,
                      size: tuple[float, float] | None = None) -> float:
    """COCO-style AP for one key at one IoU threshold, of objects of ``size`` (an area range, see
    SIZES) or all; NaN when there is nothing to find."""
    ordered = sorted(detections, key=lambda d: -d.score)
    hits, found = _sized(truths, ordered, iou, size)
    if not found:
        return float("nan")
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    recall = tp / found
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
                                       float((~hits).sum()) / max(images, 1), marked(key_truths, operating)))
    return result


def marked(truths: list[Box], detections: list[Box]) -> float:
    """Share of ``truths`` that some detection overlaps by at least MARK_IOU (NaN without truths)."""
    if not truths:
        return float("nan")
    by_image: dict[int, list[tuple[float, float, float, float]]] = {}
    for det in detections:
        by_image.setdefault(det.image, []).append(det.box)
    pointed = 0
    for truth in truths:
        boxes = by_image.get(truth.image)
        if boxes and iou_matrix(np.array([truth.box]), np.array(boxes)).max() >= MARK_IOU:
            pointed += 1
    return pointed / len(truths)


def score_by_size(truths: list[Box], detections: list[Box], threshold: float,
                  keys: tuple[str, ...]) -> dict[str, dict[str, dict[str, float]]]:
    """For each of ``keys`` and each of SIZES: truths, AP50 and recall at ``threshold`` (IoU 0.5)."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    for key in keys:
        key_truths = [t for t in truths if t.key == key]
        key_dets = sorted((d for d in detections if d.key == key), key=lambda d: -d.score)
        operating = [d for d in key_dets if d.score >= threshold]
        table[key] = {}
        for name, size in SIZES.items():
            hits, found = _sized(key_truths, operating, 0.5, size)
            table[key][name] = {"truths": found,
                                "ap50": average_precision(key_truths, key_dets, 0.5, size),
                                "recall": hits.sum() / found if found else float("nan")}
    return table


def image_rates(threat_truth: list[bool], alarmed: list[bool]) -> ImageRates:
    """Hit rate over images holding a threat, false-alarm rate over clean images."""
    truth = np.array(threat_truth, bool)
    alarm = np.array(alarmed, bool)
    return ImageRates(int(truth.sum()), int((~truth).sum()), int((truth & alarm).sum()),
                      int((~truth & alarm).sum()))
