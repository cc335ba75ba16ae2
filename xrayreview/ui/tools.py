"""Operator tools as actions: each on a shortcut, in the toolbar and the View menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from ..scan import Scan
from .display_state import DisplayState
from .rendering import TOOLS, DisplaySettings, applicable_tools

# Tools that stay "on" show a check mark; the rest (presets, steps, reset) are one-shot.
ACTIVE: dict[str, Callable[[DisplaySettings], bool]] = {
    "pseudo": lambda s: s.mode == "pseudo",
    "grey": lambda s: s.mode == "grey",
    "inverse": lambda s: s.inverse,
    "organic_only": lambda s: s.strip == "organic",
    "inorganic_only": lambda s: s.strip == "inorganic",
    "edge": lambda s: s.edge,
    "local_contrast": lambda s: s.local_contrast,
    "log_filter": lambda s: s.log_filter,
    "highlight": lambda s: s.highlight is not None,
}
# Step tools (brighter, darker…) live on shortcuts and in the menu, not the toolbar.
TOOLBAR = ("pseudo", "grey", "inverse", "|", "high_penetration", "low_penetration", "|",
           "organic_only", "inorganic_only", "|", "edge", "local_contrast", "log_filter", "highlight",
           "|", "reset")


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
            action.setCheckable(tool.name in ACTIVE)
            action.triggered.connect(lambda _checked=False, name=tool.name: state.apply(name))
            if tool.name in ("pseudo", "grey"):
                colour_group.addAction(action)
            self.actions[tool.name] = action
        state.changed.connect(self.sync)
        self.sync(state.settings)

    def set_scan(self, scan: Scan) -> None:
        """Grey out the tools that cannot change this scan (organic/inorganic only need two
        energies): pressed, they would tick and do nothing, as if the scan held no such material."""
        usable = applicable_tools(scan)
        for tool in TOOLS:
            action = self.actions[tool.name]
            action.setEnabled(tool.name in usable)
            reason = "" if tool.name in usable else " Needs a dual-energy scan."
            action.setStatusTip(tool.tip + reason)
            if action.toolTip():  # the training window clears a tooltip's shortcut, not the text
                action.setToolTip(f"{tool.tip}{reason} ({tool.shortcut})" if not action.shortcut().isEmpty()
                                  else tool.tip + reason)

    def sync(self, settings: DisplaySettings) -> None:
        for name, active in ACTIVE.items():
            action = self.actions.get(name)
            if action is not None:
                action.blockSignals(True)
                action.setChecked(bool(active(settings)))
                action.blockSignals(False)

    def fill_toolbar(self, toolbar: QToolBar) -> None:
        for name in TOOLBAR:
            if name == "|":
                toolbar.addSeparator()
            elif name in self.actions:
                toolbar.addAction(self.actions[name])
