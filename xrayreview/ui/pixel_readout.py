"""The status-bar readout of the pixel under the cursor: raw numbers first, as the file holds them."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from .rendering import PixelInfo


class PixelReadout(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(380)

    def show_pixel(self, info: PixelInfo | None) -> None:
        self.setText(info.label() if info is not None else "")

    def clear_pixel(self) -> None:
        self.clear()
