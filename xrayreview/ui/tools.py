"""Operator tools as actions: each on a shortcut, in the toolbar and the View menu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from .display_state import DisplayState
from .rendering import DisplaySettings


@dataclass(frozen=True)
class Tool:
    name: str  # the imaging layer's tool name (apply_tool)
    label: str
    shortcut: str
    tip: str
    active: Callable[[DisplaySettings], bool] | None = None  # None: a one-shot action


TOOLS = (
    Tool("pseudo", "Colour", "P", "Pseudo-colour: orange organic, green mixed, blue metal",
         lambda s: s.mode == "pseudo"),
    Tool("grey", "Grey", "G", "Grey scale", lambda s: s.mode == "grey"),
    Tool("inverse", "Inverse", "I", "Negative image", lambda s: s.inverse),
    Tool("high_penetration", "High pen.", "H", "High penetration: see into dense goods"),
    Tool("low_penetration", "Low pen.", "L", "Low penetration: bring out thin, light material"),
    Tool("organic", "Organic", "O", "Organic only: strip inorganic and metal (dual energy)",
         lambda s: s.strip == "organic"),
    Tool("inorganic", "Inorganic", "N", "Inorganic only: strip organic material (dual energy)",
         lambda s: s.strip == "inorganic"),
    Tool("edge", "Edges", "E", "Edge enhancement", lambda s: s.edge),
    Tool("local_contrast", "CLAHE", "C", "Local contrast (CLAHE)", lambda s: s.local_contrast),
    Tool("log", "Log", "K", "Log filter: spread the dark, dense end", lambda s: s.log_filter),
    Tool("highlight", "Highlight", "D", "Density highlight: mark a band of attenuation",
         lambda s: s.highlight is not None),
    Tool("reset", "Reset", "R", "Back to the standard view"),
)


class ToolActions(QObject):
    """Owns the tools' QActions and keeps their check marks in step with the display state."""

    def __init__(self, state: DisplayState, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = state
        self.actions: dict[str, QAction] = {}
        colour_group = QActionGroup(self)
        for tool in TOOLS:
            action = QAction(tool.label, parent)
            action.setShortcut(QKeySequence(tool.shortcut))
            action.setToolTip(f"{tool.tip} ({tool.shortcut})")
            action.setStatusTip(tool.tip)
            action.setCheckable(tool.active is not None)
            action.triggered.connect(lambda _checked=False, name=tool.name: state.apply(name))
            if tool.name in ("pseudo", "grey"):
                colour_group.addAction(action)
            self.actions[tool.name] = action
        state.changed.connect(self.sync)
        self.sync(state.settings)

    def sync(self, settings: DisplaySettings) -> None:
        for tool in TOOLS:
            if tool.active is not None:
                action = self.actions[tool.name]
                action.blockSignals(True)
                action.setChecked(bool(tool.active(settings)))
                action.blockSignals(False)

    def fill_toolbar(self, toolbar: QToolBar) -> None:
        for tool in TOOLS:
            if tool.name in ("high_penetration", "organic", "edge", "reset"):
                toolbar.addSeparator()
            toolbar.addAction(self.actions[tool.name])
