"""Cutting a large rendering into model-sized tiles, and fitting images to the model input.

Threats are small against a cargo scan, so the model sees the scan at native resolution in
overlapping tiles; tiles of air or uniform background are skipped before they cost a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PAD_VALUE = 114  # the grey exporters pad with; models treat it as "nothing here"
BLOCK = 8  # the uniformity test looks at 8×8 block means, which averages photon noise away
# A tile whose block means span fewer grey levels than this holds nothing to find.
UNIFORM_RANGE = 12.0


@dataclass(frozen=True)
class Tile:
    """A region of the rendering in its own pixels."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Placement:
    """How an image sits in the model input: input = image × scale + pad (per axis)."""

    scale_x: float = 1.0
    scale_y: float = 1.0
    pad_x: float = 0.0
    pad_y: float = 0.0

    def to_image(self, boxes: np.ndarray) -> np.ndarray:
        scale = np.array([self.scale_x, self.scale_y, self.scale_x, self.scale_y], np.float32)
        pad = np.array([self.pad_x, self.pad_y, self.pad_x, self.pad_y], np.float32)
        return (boxes - pad) / scale


def axis_starts(size: int, tile: int, overlap: int) -> list[int]:
    """Tile starts along one axis; the last tile ends at the edge so no tile is short."""
    if size <= tile:
        return [0]
    step = max(1, tile - overlap)
    starts = list(range(0, size - tile, step))
    starts.append(size - tile)
    return starts


def tile_grid(width: int, height: int, tile_w: int, tile_h: int, overlap: float) -> list[Tile]:
    """Overlapping tiles covering the image, row by row; a small image is one (short) tile."""
    xs = axis_starts(width, tile_w, int(round(tile_w * overlap)))
    ys = axis_starts(height, tile_h, int(round(tile_h * overlap)))
    return [Tile(x, y, min(tile_w, width - x), min(tile_h, height - y)) for y in ys for x in xs]


def block_means(rgb: np.ndarray) -> np.ndarray:
    """Grey mean of each BLOCK×BLOCK block (partial blocks at the edges dropped), float32."""
    h, w = rgb.shape[0] // BLOCK * BLOCK, rgb.shape[1] // BLOCK * BLOCK
    if h == 0 or w == 0:
        return np.zeros((0, 0), np.float32)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[:h, :w]), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (w // BLOCK, h // BLOCK), interpolation=cv2.INTER_AREA).astype(np.float32)


def is_uniform(blocks: np.ndarray, tile: Tile, threshold: float = UNIFORM_RANGE) -> bool:
    """True when the tile's block means barely vary: air, or one uniform background."""
    window = blocks[tile.y // BLOCK:(tile.y + tile.h) // BLOCK, tile.x // BLOCK:(tile.x + tile.w) // BLOCK]
    if window.size < 4:  # too small to judge: run it
        return False
    return float(window.max() - window.min()) < threshold


def fit(image: np.ndarray, size: tuple[int, int], mode: str) -> tuple[np.ndarray, Placement]:
    """Resize a whole image into the input (h, w): "letterbox" keeps the aspect, "stretch" does not."""
    h, w = image.shape[:2]
    out_h, out_w = size
    if mode == "stretch":
        resized = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
        return resized, Placement(out_w / w, out_h / h)
    scale = min(out_h / h, out_w / w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    canvas = np.full((out_h, out_w, image.shape[2]), PAD_VALUE, np.uint8)
    px, py = (out_w - new_w) // 2, (out_h - new_h) // 2
    canvas[py:py + new_h, px:px + new_w] = resized
    return canvas, Placement(new_w / w, new_h / h, px, py)


def to_batch(images: list[np.ndarray], size: tuple[int, int], convention: str, channels: int) -> np.ndarray:
    """uint8 RGB images (each at most ``size``) → float32 [B, C, H, W] in 0..1, padded bottom-right."""
    h, w = size
    batch = np.full((len(images), h, w, 3), PAD_VALUE, np.uint8)
    for i, image in enumerate(images):
        batch[i, :image.shape[0], :image.shape[1]] = image
    if convention == "bgr":
        batch = batch[..., ::-1]
    if channels == 1 or convention == "grey":
        grey = batch.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        planes = grey[:, None] if channels == 1 else np.repeat(grey[:, None], 3, axis=1)
        return planes * np.float32(1 / 255)
    return np.ascontiguousarray(batch.transpose(0, 3, 1, 2), dtype=np.float32) * np.float32(1 / 255)


def resample(rgb: np.ndarray, factor: float) -> np.ndarray:
    """Scale the rendering by ``factor`` (model px per scan px)."""
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interpolation)
