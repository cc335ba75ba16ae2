"""Cutting a large rendering into model-sized tiles, and fitting images to the model input.

Threats are small against a cargo scan, so the model sees the scan at native resolution in
overlapping tiles; tiles of air or uniform background are skipped before they cost a run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

PAD_VALUE = 114  # the grey exporters pad with; models treat it as "nothing here"
BLOCK = 8  # the uniformity test looks at 8×8 window means, which averages photon noise away
STEP = BLOCK // 2  # pitch of those windows
REACH = 8  # structure is a change between windows up to this many px apart
# A tile where no two window means within REACH px differ by this many grey levels holds nothing to find.
UNIFORM_RANGE = 12.0
STEP_SLACK = 1.05  # overlap may shrink by 5 % of a step when that saves a row of tiles


@dataclass(frozen=True)
class Tile:
    """A region of the rendering in its own pixels."""

    x: int
    y: int
    w: int
    h: int


def cut_by_edge(boxes: np.ndarray, tile: Tile, width: int, height: int, margin: float) -> np.ndarray:
    """Which boxes (in rendering pixels) reach within ``margin`` of an edge of ``tile`` that lies
    inside the rendering: the object may run on past it, so the tile saw only part of it."""
    cut = np.zeros(len(boxes), bool)
    if tile.x > 0:
        cut |= boxes[:, 0] <= tile.x + margin
    if tile.x + tile.w < width:
        cut |= boxes[:, 2] >= tile.x + tile.w - margin
    if tile.y > 0:
        cut |= boxes[:, 1] <= tile.y + margin
    if tile.y + tile.h < height:
        cut |= boxes[:, 3] >= tile.y + tile.h - margin
    return cut


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


def axis_starts(size: int, tile: int, overlap: int, align: int = 1) -> list[int]:
    """Tile starts along one axis, spread evenly, the last tile ending at the edge (no short tile).

    The step may exceed ``tile - overlap`` by STEP_SLACK when that saves a whole row or column
    of tiles; starts snap to multiples of ``align`` (the model's stride).
    """
    if size <= tile:
        return [0]
    step = max(1, tile - overlap)
    count = math.ceil((size - tile) / (step * STEP_SLACK) - 1e-9) + 1
    starts = [min(round(i * (size - tile) / (count - 1) / align) * align, size - tile) for i in range(count)]
    starts[-1] = size - tile
    return sorted(set(starts))


def tile_grid(width: int, height: int, tile_w: int, tile_h: int, overlap: float,
              align: int = 1) -> list[Tile]:
    """Overlapping tiles covering the image, row by row; a small image is one (short) tile."""
    xs = axis_starts(width, tile_w, int(round(tile_w * overlap)), align)
    ys = axis_starts(height, tile_h, int(round(tile_h * overlap)), align)
    return [Tile(x, y, min(tile_w, width - x), min(tile_h, height - y)) for y in ys for x in xs]


def block_means(rgb: np.ndarray) -> np.ndarray:
    """Grey mean of every BLOCK×BLOCK window at a STEP-pixel pitch, float32: entry (i, j) is the
    window whose corner is (STEP·j, STEP·i); partial windows at the edges are dropped.

    Windows overlap by half so that an object up to STEP px across always lies whole inside one
    of them, wherever it sits: with windows side by side, one straddling a corner would spread
    over four of them and move each mean by a quarter as much.
    """
    h, w = rgb.shape[0] // STEP * STEP, rgb.shape[1] // STEP * STEP
    if h < BLOCK or w < BLOCK:
        return np.zeros((0, 0), np.float32)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[:h, :w]), cv2.COLOR_RGB2GRAY)
    quarters = cv2.resize(grey, (w // STEP, h // STEP), interpolation=cv2.INTER_AREA).astype(np.float32)
    # The mean of 2×2 neighbouring STEP-blocks is the mean of the BLOCK window they make up.
    return (quarters[:-1, :-1] + quarters[1:, :-1] + quarters[:-1, 1:] + quarters[1:, 1:]) * np.float32(0.25)


def local_range(blocks: np.ndarray) -> np.ndarray:
    """Per window, how far the window means within REACH px around it span; neighbours outside the
    array do not count (OpenCV's default border for dilate and erode ignores them)."""
    size = 2 * (REACH // STEP) + 1
    kernel = np.ones((size, size), np.uint8)
    return cv2.dilate(blocks, kernel) - cv2.erode(blocks, kernel)


def busy_region(blocks: np.ndarray, threshold: float = UNIFORM_RANGE) -> Tile | None:
    """The bounding box (in image pixels) of every window with structure around it; None when there is none.

    Tiling only this box instead of the whole image spares the runs over the air above and
    behind a vehicle, which a per-tile test cannot, because such tiles overlap the load a little.
    """
    if blocks.size == 0:
        return None
    ys, xs = np.nonzero(local_range(blocks) >= threshold)
    if len(xs) == 0:
        return None
    # A window flags structure up to REACH px beyond it: the box reaches that far past the windows.
    x0, y0 = max(int(xs.min()) * STEP - REACH, 0), max(int(ys.min()) * STEP - REACH, 0)
    x1, y1 = int(xs.max()) * STEP + BLOCK + REACH, int(ys.max()) * STEP + BLOCK + REACH
    return Tile(x0, y0, x1 - x0, y1 - y0)


def region_grid(region: Tile, width: int, height: int, tile_w: int, tile_h: int,
                overlap: float, align: int = 32) -> list[Tile]:
    """Overlapping tiles covering ``region``, grown to at least one tile and kept inside the image.

    The region's edges snap to multiples of ``align`` (the model's stride) so that the model's
    anchor grid falls on the same scan pixels as in a plain grid from the origin.
    """
    x0, w = _grow(region.x, region.w, tile_w, width, align)
    y0, h = _grow(region.y, region.h, tile_h, height, align)
    return [Tile(t.x + x0, t.y + y0, t.w, t.h) for t in tile_grid(w, h, tile_w, tile_h, overlap, align)]


def _grow(start: int, length: int, tile: int, size: int, align: int) -> tuple[int, int]:
    align = max(1, align)
    end = min(-(-(start + length) // align) * align, size)
    start = start // align * align
    if end - start < tile:
        centre = (start + end) // 2
        start = max(0, min((centre - tile // 2) // align * align, size - tile))
        end = min(size, start + tile)
    return start, end - start


def is_uniform(blocks: np.ndarray, tile: Tile, threshold: float = UNIFORM_RANGE) -> bool:
    """True when nothing in the tile stands out from its surroundings: air, or a background that is
    uniform or changes only gradually (wall thickness, beam fall-off).

    Judged by the local range (windows up to REACH px apart) rather than the range over the whole
    tile: an object of any size shows its contrast at its edges, while a gradual shading that spans
    many grey levels across a tile holds nothing to find. Only windows inside the tile count, so
    structure just outside it does not make it run.
    """
    # The windows wholly inside the tile.
    window = blocks[-(-tile.y // STEP):(tile.y + tile.h - BLOCK) // STEP + 1,
                    -(-tile.x // STEP):(tile.x + tile.w - BLOCK) // STEP + 1]
    if window.size < 4:  # too small to judge: run it
        return False
    return float(local_range(window).max()) < threshold


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


def to_batch(images: list[np.ndarray], size: tuple[int, int], convention: str, channels: int,
             out: np.ndarray | None = None) -> np.ndarray:
    """uint8 RGB images (each at most ``size``) → float32 [B, C, H, W] in 0..1, padded bottom-right.

    ``out`` (float32, at least [len(images), 3, H, W]) is filled and returned for colour inputs
    instead of a new array: reusing one buffer over a scan spares a fresh 5 MB per tile.
    """
    h, w = size
    if channels == 3 and convention in ("rgb", "bgr"):
        batch = np.empty((len(images), 3, h, w), np.float32) if out is None else out[:len(images)]
        return _colour_planes(images, batch, convention == "bgr")
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


def _colour_planes(images: list[np.ndarray], batch: np.ndarray, bgr: bool) -> np.ndarray:
    """The colour case of ``to_batch`` one plane at a time, written straight into the batch: about
    3× faster than transposing and scaling the whole batch (three passes over 5 MB per tile)."""
    h, w = batch.shape[2:]
    scale = np.float32(1 / 255)
    for i, image in enumerate(images):
        if image.shape[0] != h or image.shape[1] != w:
            image = cv2.copyMakeBorder(image, 0, h - image.shape[0], 0, w - image.shape[1],
                                       cv2.BORDER_CONSTANT, value=(PAD_VALUE,) * 3)
        planes = cv2.split(image)
        for c, plane in enumerate(planes[::-1] if bgr else planes):
            np.multiply(plane, scale, out=batch[i, c])
    return batch


def resample(rgb: np.ndarray, factor: float) -> np.ndarray:
    """Scale the rendering by ``factor`` (model px per scan px)."""
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interpolation)
