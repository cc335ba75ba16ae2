"""Output layouts of standard detector exports, and how to decode each one.

The layout is chosen by data: every entry of ``LAYOUTS`` says which output shapes it fits,
which words in the model's metadata name it, and how to decode it. Adding a layout is adding
an entry, not another branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .types import ModelError

# A decoder turns one image's output (2-D) into boxes x1,y1,x2,y2 in model-input pixels,
# scores and class indices, keeping only scores >= conf.
Decoded = tuple[np.ndarray, np.ndarray, np.ndarray]
Decoder = Callable[[np.ndarray, float, tuple[int, int]], Decoded]


@dataclass(frozen=True)
class Layout:
    name: str
    shape: str  # for messages
    fits: Callable[[int, int, int | None], bool]  # (rows, cols, class count or None)
    class_count: Callable[[int, int], int | None]  # the class count the shape implies
    decode: Decoder
    resize: str  # how the exporter fed images: "letterbox" or "stretch"
    hints: tuple[str, ...]  # words in metadata that name this architecture
    typical_rows: tuple[int, int]  # tie-breaker between shape-alike layouts


def _empty() -> Decoded:
    return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)


def _cxcywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    half = b[:, 2:4] / 2
    return np.concatenate([b[:, 0:2] - half, b[:, 0:2] + half], axis=1)


def _best_class(class_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = class_scores.argmax(axis=1)
    return class_scores[np.arange(len(ids)), ids], ids


def decode_yolov8(out: np.ndarray, conf: float, size: tuple[int, int]) -> Decoded:
    """[4+nc, N]: cx, cy, w, h, then one score per class."""
    scores = out[4:].max(axis=0)
    keep = scores >= conf
    if not keep.any():
        return _empty()
    rows = out[:, keep].T
    score, ids = _best_class(rows[:, 4:])
    return _cxcywh_to_xyxy(rows[:, :4]), score, ids


def decode_yolov5(out: np.ndarray, conf: float, size: tuple[int, int]) -> Decoded:
    """[N, 5+nc]: cx, cy, w, h, objectness, then class scores; score = objectness × class."""
    keep = out[:, 4] >= conf
    if not keep.any():
        return _empty()
    rows = out[keep]
    score, ids = _best_class(rows[:, 5:] * rows[:, 4:5])
    keep = score >= conf
    return _cxcywh_to_xyxy(rows[keep, :4]), score[keep], ids[keep]


def decode_end_to_end(out: np.ndarray, conf: float, size: tuple[int, int]) -> Decoded:
    """[K, 6]: x1, y1, x2, y2, score, class, NMS already done by the model.

    Rows whose class is no index (NaN, infinite, negative: the padding some exports use, or past
    what an int32 holds) are dropped: cast to int they became garbage labels and broke the NMS.
    """
    cls = out[:, 5]
    rows = out[(out[:, 4] >= conf) & (cls >= 0) & (cls < 2**31)]  # NaN fails every comparison
    return rows[:, :4].copy(), rows[:, 4].copy(), rows[:, 5].astype(np.int64)


def decode_rtdetr(out: np.ndarray, conf: float, size: tuple[int, int]) -> Decoded:
    """[K, 4+nc]: cx, cy, w, h normalised to 0..1 of the (stretched) input, then class scores."""
    score, ids = _best_class(out[:, 4:])
    keep = score >= conf
    boxes = _cxcywh_to_xyxy(out[keep, :4]) * np.array([size[1], size[0], size[1], size[0]], np.float32)
    return boxes, score[keep], ids[keep]


LAYOUTS: tuple[Layout, ...] = (
    Layout("yolov8", "[batch, 4+classes, anchors]",
           fits=lambda r, c, nc: r == 4 + nc if nc else 5 <= r < c,
           class_count=lambda r, c: r - 4, decode=decode_yolov8, resize="letterbox",
           hints=("yolov8", "yolo11", "yolov9", "yolo12"), typical_rows=(5, 1000)),
    Layout("yolov5", "[batch, anchors, 5+classes]",
           fits=lambda r, c, nc: c == 5 + nc if nc else 6 <= c < r,
           class_count=lambda r, c: c - 5, decode=decode_yolov5, resize="letterbox",
           hints=("yolov5", "yolov7"), typical_rows=(1000, 10**7)),
    Layout("end_to_end", "[batch, detections, 6]",
           fits=lambda r, c, nc: c == 6,
           class_count=lambda r, c: None, decode=decode_end_to_end, resize="letterbox",
           hints=("yolov10", "yolo26", "end2end", "nms"), typical_rows=(1, 1000)),
    Layout("rtdetr", "[batch, queries, 4+classes] (normalised)",
           fits=lambda r, c, nc: c == 4 + nc if nc else 5 <= c < r,
           class_count=lambda r, c: c - 4, decode=decode_rtdetr, resize="stretch",
           hints=("rt-detr", "rtdetr", "detr"), typical_rows=(1, 1000)),
)
BY_NAME = {layout.name: layout for layout in LAYOUTS}


def pick_layout(shape: tuple[int, ...], class_count: int | None, *, named: str | None = None,
                hints: str = "", end_to_end: bool = False) -> Layout:
    """The layout that fits an output shape [batch, rows, cols]; ModelError when none or unclear."""
    if len(shape) != 3:
        raise ModelError(f"the model's output has shape {list(shape)}; a detector's output is "
                         f"[batch, rows, columns] ({'; '.join(lay.shape for lay in LAYOUTS)})")
    rows, cols = int(shape[1]), int(shape[2])
    if named is not None:
        if named not in BY_NAME:
            raise ModelError(f"layout {named!r} is unknown; known: {', '.join(BY_NAME)}")
        layout = BY_NAME[named]
        if not layout.fits(rows, cols, class_count):
            raise ModelError(f"the output {list(shape)} does not fit layout {named} {layout.shape}"
                             + (f" with {class_count} classes" if class_count else ""))
        return layout
    candidates = [lay for lay in LAYOUTS if lay.fits(rows, cols, class_count)]
    if not candidates:
        loose = [lay for lay in LAYOUTS if class_count and lay.fits(rows, cols, None)]
        if loose:
            implied = loose[0].class_count(rows, cols)
            raise ModelError(f"the output {list(shape)} has room for {implied} classes but the model "
                             f"names {class_count}; the class names and the model disagree")
        raise ModelError(f"the output {list(shape)} fits no known layout "
                         f"({'; '.join(lay.shape for lay in LAYOUTS)})")
    if len(candidates) > 1:
        text = hints.lower()
        named_by_hint = [lay for lay in candidates if any(h in text for h in lay.hints)]
        if end_to_end and BY_NAME["end_to_end"] in candidates:
            named_by_hint = [BY_NAME["end_to_end"]]
        if len(named_by_hint) == 1:
            return named_by_hint[0]
        typical = [lay for lay in candidates if lay.typical_rows[0] <= rows < lay.typical_rows[1]]
        if len(typical) == 1:
            return typical[0]
        raise ModelError(f"the output {list(shape)} could be {' or '.join(lay.name for lay in candidates)}; "
                         "say which in the model's sidecar (\"layout\": ...)")
    return candidates[0]
