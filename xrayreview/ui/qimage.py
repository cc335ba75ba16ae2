"""numpy RGB buffers shown by Qt without a copy."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


class FrameImage:
    """A QImage that borrows an RGB array's memory; holding this object keeps the array alive.

    QImage does not own the buffer it wraps, so the array must outlive every paint that uses it.
    """

    def __init__(self, rgb: np.ndarray) -> None:
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError("a frame is a uint8 (h, w, 3) RGB array")
        self.array = np.ascontiguousarray(rgb)
        h, w, _ = self.array.shape
        self.image = QImage(self.array.data, w, h, int(self.array.strides[0]), QImage.Format.Format_RGB888)

    @property
    def width(self) -> int:
        return int(self.array.shape[1])

    @property
    def height(self) -> int:
        return int(self.array.shape[0])
