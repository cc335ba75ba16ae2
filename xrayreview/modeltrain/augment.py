"""Augmentation of standard renderings, aimed at carrying over to real scanners.

Real stations differ from our generator in palette tuning, gamma, resolution, sharpness and
compression (public datasets are JPEG), so each training tile is shifted along those axes.
Works on uint8 RGB (H, W, 3) and boxes [K, 4] (x1, y1, x2, y2 px); returns new arrays.
"""

from __future__ import annotations

import cv2
import numpy as np

# Drop a box when less than this share of it survives a crop: a sliver of a gun is not a gun.
MIN_VISIBLE = 0.45
MIN_SIDE_PX = 2.0


def flip_rotate(image: np.ndarray, boxes: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random flips and 90-degree turns: scanners show belts either way round."""
    h, w = image.shape[:2]
    boxes = boxes.copy()
    if rng.random() < 0.5:
        image = image[:, ::-1]
        boxes[:, [0, 2]] = w - boxes[:, [2, 0]]
    if rng.random() < 0.5:
        image = image[::-1]
        boxes[:, [1, 3]] = h - boxes[:, [3, 1]]
    if rng.random() < 0.5:  # transpose = rotate 90 and flip; with the flips above all 8 turns occur
        image = image.transpose(1, 0, 2)
        boxes = boxes[:, [1, 0, 3, 2]]
    return np.ascontiguousarray(image), boxes


def rescale(image: np.ndarray, boxes: np.ndarray, rng: np.random.Generator, size: int,
            low: float = 0.6, high: float = 1.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zoom by a random factor, then crop or pad back to ``size``.

    Stands in for pixel pitches the generator did not use. Returns the image, the kept boxes
    and the indices of the kept boxes.
    """
    factor = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    h, w = image.shape[:2]
    focus = boxes[int(rng.integers(len(boxes)))] if len(boxes) and rng.random() < 0.7 else None
    if focus is not None:
        # A crop smaller than the tile zooms out only as far as the threat it centres on needs;
        # small cargo threats keep their size.
        longest = float(max(focus[2] - focus[0], focus[3] - focus[1], 1.0))
        factor = min(factor, 0.9 * size / longest) if longest * factor > 0.9 * size else factor
    new_h, new_w = max(1, round(h * factor)), max(1, round(w * factor))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    image = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    boxes = boxes * factor
    # Mostly air; sometimes the grey that letterboxing detectors pad with.
    canvas = np.full((size, size, 3), 255 if rng.random() < 0.8 else 114, np.uint8)
    # Place so that the crop window or the padding position is random.
    lo_x, hi_x = min(0, size - new_w), max(0, size - new_w)
    lo_y, hi_y = min(0, size - new_h), max(0, size - new_h)
    if focus is not None:
        # Most crops centre on a threat: a crop of empty background teaches little.
        box = focus * factor
        lo_x, hi_x = _window(lo_x, hi_x, box[0], box[2], size)
        lo_y, hi_y = _window(lo_y, hi_y, box[1], box[3], size)
    off_x = int(rng.integers(lo_x, hi_x + 1))
    off_y = int(rng.integers(lo_y, hi_y + 1))
    src_x, src_y = max(0, -off_x), max(0, -off_y)
    dst_x, dst_y = max(0, off_x), max(0, off_y)
    cw, ch = min(new_w - src_x, size - dst_x), min(new_h - src_y, size - dst_y)
    canvas[dst_y:dst_y + ch, dst_x:dst_x + cw] = image[src_y:src_y + ch, src_x:src_x + cw]
    boxes = boxes + np.array([off_x, off_y, off_x, off_y], np.float32)
    return canvas, *clip_boxes(boxes, size, size)


def _window(lo: int, hi: int, start: float, end: float, size: int) -> tuple[int, int]:
    """Offsets within [lo, hi] that keep [start, end] inside the crop (or centre it if too big)."""
    first, last = max(lo, int(np.ceil(-start))), min(hi, int(np.floor(size - end)))
    if first > last:
        first = last = int(np.clip(round(size / 2 - (start + end) / 2), lo, hi))
    return first, last


def clip_boxes(boxes: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Clip to the image; keep boxes mostly inside and not degenerate. Returns (boxes, kept indices)."""
    if len(boxes) == 0:
        return boxes.reshape(0, 4), np.zeros(0, np.int64)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    clipped = boxes.copy()
    clipped[:, [0, 2]] = clipped[:, [0, 2]].clip(0, width)
    clipped[:, [1, 3]] = clipped[:, [1, 3]].clip(0, height)
    sides = clipped[:, 2:] - clipped[:, :2]
    visible = sides.clip(min=0).prod(1) / np.maximum(area, 1e-6)
    keep = (visible >= MIN_VISIBLE) & (sides.min(1) >= MIN_SIDE_PX)
    return clipped[keep], np.flatnonzero(keep)


def photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Palette, gamma, grey, blur, noise and JPEG: how other scanners' renderings differ from ours."""
    out = image
    if rng.random() < 0.12:
        # Single-energy scanners and grey display modes.
        grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        out = np.repeat(grey[:, :, None], 3, axis=2)
    elif rng.random() < 0.8:
        out = _palette_jitter(out, rng)
    if rng.random() < 0.6:
        gamma = float(np.exp(rng.uniform(np.log(0.6), np.log(1.6))))
        table = np.round(255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
        out = table[out]
    if rng.random() < 0.4:
        contrast, bright = rng.uniform(0.75, 1.25), rng.uniform(-20, 20)
        out = np.clip(out.astype(np.float32) * contrast + bright, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        sigma = rng.uniform(0.4, 1.4)
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if rng.random() < 0.25:
        noise = rng.normal(0.0, rng.uniform(2.0, 8.0), out.shape[:2])[..., None]
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.35:
        quality = int(rng.integers(35, 96))
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return np.ascontiguousarray(out)


def _palette_jitter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shift hue a little and scale saturation: vendors tune orange/green/blue differently."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + int(rng.integers(-7, 8))) % 180  # OpenCV hue is 0..179
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.6, 1.4), 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * rng.uniform(0.85, 1.15), 0, 255)
    if rng.random() < 0.5:
        # Many vendors keep thick steel a readable dark blue where our curve goes nearly black:
        # lift the dark end (the hue of dense pixels survives, so guns stay blue, not grey).
        lift, curve = rng.uniform(0.08, 0.4), rng.uniform(0.6, 1.0)
        value = hsv[..., 2] / 255.0
        hsv[..., 2] = np.round(255.0 * (lift + (1.0 - lift) * value**curve))
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def augment(image: np.ndarray, boxes: np.ndarray, classes: np.ndarray, rng: np.random.Generator,
            size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The full chain for one training tile; returns (image size x size, boxes, classes)."""
    boxes = boxes.astype(np.float32).reshape(-1, 4)
    image, boxes = flip_rotate(image, boxes, rng)
    zoom = rng.random() < 0.6
    if zoom or image.shape[:2] != (size, size):
        # A tile of another size that draws no zoom is only cropped or padded to ``size``.
        image, boxes, kept = rescale(image, boxes, rng, size, *((0.6, 1.5) if zoom else (1.0, 1.0)))
        classes = classes[kept]
    image = photometric(image, rng)
    return image, boxes, classes
