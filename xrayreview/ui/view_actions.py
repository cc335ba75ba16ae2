"""Viewer actions (zoom, fit, 1:1, loupe, measuring) on shortcuts, for the toolbar and menus."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from .measure_tool import MeasureTool
from .viewer import KEY_ZOOM, ScanView


class ViewActions(QObject):
    def __init__(self, view: ScanView, parent: QWidget) -> None:
        super().__init__(parent)
        self.view = view
        self.measure_tool = MeasureTool(view)

        def make(label: str, shortcut: str, tip: str, slot, checkable: bool = False) -> QAction:
            action = QAction(label, parent)
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({shortcut})")
            action.setStatusTip(tip)
            action.setCheckable(checkable)
            (action.toggled if checkable else action.triggered).connect(slot)
            return action

        self.fit = make("Fit", "F", "Fit the whole scan in the view", lambda: view.fit())
        self.actual = make("1:1", "1", "One scan pixel per screen pixel", lambda: view.actual_size())
        self.zoom_in = make("Zoom in", "+", "Zoom in",
                            lambda: view.zoom_by(KEY_ZOOM, view.visible_rect().center()))
        self.zoom_out = make("Zoom out", "-", "Zoom out",
                             lambda: view.zoom_by(1 / KEY_ZOOM, view.visible_rect().center()))
        self.loupe = make("Loupe", "Z", "Magnifier loupe that follows the cursor",
                          view.set_loupe_enabled, True)
        self.measure = make("Measure", "M", "Drag a line to measure (mm when the pixel pitch is known)",
                            self._set_measuring, True)

    def _set_measuring(self, on: bool) -> None:
        self.view.interaction = self.measure_tool if on else None
        self.view.setDragMode(self.view.DragMode.NoDrag if on else self.view.DragMode.ScrollHandDrag)
        if not on:
            self.measure_tool.clear()

    def all(self) -> list[QAction]:
        return [self.fit, self.actual, self.zoom_in, self.zoom_out, self.loupe, self.measure]

    def fill_toolbar(self, toolbar: QToolBar) -> None:
        for action in self.all():
            toolbar.addAction(action)
