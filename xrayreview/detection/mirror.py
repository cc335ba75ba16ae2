"""Searching a small scan twice, as it is and mirrored left to right, and averaging the two.

A detector's errors on one view and on its mirror image are partly independent, so the mean of
the two ranks threats above clutter better than either. It doubles the runs, which a bag (a few
tiles) can afford and a container (tens of tiles) cannot; the sidecar's ``mirror_min_scale``
says which scans get it, by how far the scan would shrink to fit one tile.

The two outputs are averaged cell by cell, which needs the cells' order: the YOLOv8 layout's
grids at strides 8, 16 and 32, row by row. A cell's mirror is the cell at the same row and the
mirrored column of the same grid; its box centre mirrors about the input's width.
"""

from __future__ import annotations

import numpy as np

STRIDES = (8, 16, 32)


def mirror_cells(imgsz: tuple[int, int]) -> np.ndarray:
    """For each output cell of an ``imgsz`` (height, width) input, the index of its mirror cell."""
    height, width = imgsz
    order, start = [], 0
    for stride in STRIDES:
        rows, cols = height // stride, width // stride
        grid = np.arange(rows * cols).reshape(rows, cols)
        order.append(start + grid[:, ::-1].reshape(-1))
        start += rows * cols
    return np.concatenate(order)


def average_with_mirror(out: np.ndarray, mirrored: np.ndarray, cells: np.ndarray, width: int) -> np.ndarray:
    """The mean of a batch's output [B, 4+nc, N] and the output on the same inputs mirrored,
    brought back to the unmirrored frame (cx, cy, w, h in input pixels, then class scores)."""
    back = mirrored[:, :, cells]
    back[:, 0, :] = width - back[:, 0, :]
    return (out + back) / 2
