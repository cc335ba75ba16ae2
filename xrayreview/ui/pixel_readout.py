"""The status-bar readout of the pixel under the cursor: raw numbers first, as the file holds them."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def format_pixel(x: int, y: int, info) -> str:
    raw = " / ".join(_number(v) for v in info.raw)
    parts = [f"x {x}  y {y}", f"raw {raw}"]
    transmission = getattr(info, "transmission", ())
    if transmission:
        parts.append("T " + " / ".join(f"{t:.3f}" for t in transmission))
    material = getattr(info, "material", None)
    if material:
        parts.append(material)
    return "   ".join(parts)


class PixelReadout(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(380)

    def show_pixel(self, x: int, y: int, info) -> None:
        self.setText(format_pixel(x, y, info))

    def clear_pixel(self) -> None:
        self.clear()
