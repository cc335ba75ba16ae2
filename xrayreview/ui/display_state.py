"""The display settings the officer has chosen, shared by the viewer, loupe, overview and dock."""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from .rendering import DEFAULT, DisplaySettings, apply_tool

MIN_WINDOW = 0.005  # narrowest window/level width, in transmission


class DisplayState(QObject):
    changed = Signal(object)  # the new DisplaySettings

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings: DisplaySettings = DEFAULT

    def set(self, settings: DisplaySettings) -> None:
        if settings != self.settings:
            self.settings = settings
            self.changed.emit(settings)

    def apply(self, tool: str) -> None:
        self.set(apply_tool(self.settings, tool))

    def update(self, **fields) -> None:
        self.set(replace(self.settings, **fields))

    def drag_window(self, dx: float, dy: float) -> None:
        """Right-drag: sideways widens/narrows the window, up/down moves its level."""
        low, high = self.settings.window_low, self.settings.window_high
        width = min(max((high - low) * math.exp(dx * 2.0), MIN_WINDOW), 1.0)
        centre = min(max((low + high) / 2 - dy, width / 2), 1.0 - width / 2)
        self.update(window_low=centre - width / 2, window_high=centre + width / 2)
