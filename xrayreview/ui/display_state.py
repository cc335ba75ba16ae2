"""The display settings the officer has chosen, shared by the viewer, loupe, overview and dock."""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from .rendering import DEFAULT, DisplaySettings, apply_tool, with_level_width

MIN_WINDOW = 0.01  # narrowest window/level width, in transmission


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
        try:
            settings = apply_tool(self.settings, tool)
        except ValueError:
            return  # a step past the end of its range (e.g. wider than the full window) changes nothing
        self.set(settings)

    def update(self, **fields) -> None:
        self.set(replace(self.settings, **fields))

    def drag_window(self, dx: float, dy: float) -> None:
        """Right-drag: sideways widens/narrows the window, up/down moves its level."""
        low, high = self.settings.window_low, self.settings.window_high
        # Exponential in width so a drag feels the same for a wide and a narrow window.
        width = min(max((high - low) * math.exp(dx * 2.0), MIN_WINDOW), 1.0)
        self.set(with_level_width(self.settings, (low + high) / 2 - dy, width))
