"""The station's main window: it only wires the parts together."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QFileDialog, QMainWindow, QMessageBox, QToolBar, QWidget

from ..scan.model import Scan
from .density_panel import DensityPanel
from .display_state import DisplayState
from .metadata_panel import MetadataPanel
from .overview import OverviewStrip
from .pixel_readout import PixelReadout
from .rendering import Renderer
from .scan_list import ScanList
from .scan_loader import ScanLoader, group_for_opening
from .station_settings import station_settings
from .tools import ToolActions
from .view_actions import ViewActions
from .viewer import ScanView

# A shift opens hundreds of scans; a 27-MP dual-energy pair holds ~110 MB, so only the most
# recent stay open (older ones are opened again from their files when asked for).
MAX_OPEN_SCANS = 24
# Renderers keep per-scan tables (dual-energy codes: 2 bytes a pixel); kept for the last few shown.
MAX_RENDERERS = 4
FILE_FILTER = "Scans (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.dcs *.dcm);;All files (*)"


class MainWindow(QMainWindow):
    closing = Signal()  # parts attached to the window (detector, decision desk) shut down on this
    scan_closed = Signal(int)  # a scan id dropped to keep memory bounded

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("X-ray review station")
        self.setAcceptDrops(True)
        self.scans: dict[int, Scan] = {}
        self.renderers: OrderedDict[int, Renderer] = OrderedDict()
        self.current: int | None = None
        self._show_next: int | None = None  # request whose scan is shown as soon as it loads
        self.last_error_box: QMessageBox | None = None
        # Parts attached later say here what closing now would lose (None: nothing).
        self.close_checks: list[Callable[[], str | None]] = []

        self.state = DisplayState(self)
        self.viewer = ScanView(self)
        self.setCentralWidget(self.viewer)
        self.overview = OverviewStrip()
        self.scan_list = ScanList()
        self.metadata = MetadataPanel()
        self.density = DensityPanel(self.state)
        self.readout = PixelReadout()
        self.statusBar().addPermanentWidget(self.readout)
        self.tools = ToolActions(self.state, self)
        self.view_actions = ViewActions(self.viewer, self)
        self.loader = ScanLoader(self)

        self._dock("Overview", "overview", self.overview, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("Scans", "scans", self.scan_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Scan details", "details", self.metadata, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Density", "density", self.density, Qt.DockWidgetArea.RightDockWidgetArea)
        self._build_toolbars_and_menus()
        self._connect()
        self.restore_layout()

    # -- building ------------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")  # saveState needs stable names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_toolbars_and_menus(self) -> None:
        self.open_action = QAction("&Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_files)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        tools_bar = QToolBar("Image tools", self)
        tools_bar.setObjectName("toolbar-tools")
        self.tools.fill_toolbar(tools_bar)
        self.addToolBar(tools_bar)
        view_bar = QToolBar("View", self)
        view_bar.setObjectName("toolbar-view")
        view_bar.addAction(self.open_action)
        view_bar.addSeparator()
        self.view_actions.fill_toolbar(view_bar)
        self.addToolBar(view_bar)

        tools_menu = self.menuBar().addMenu("&Tools")
        for action in self.tools.actions.values():
            tools_menu.addAction(action)
        self.view_menu = self.menuBar().addMenu("&View")
        for action in self.view_actions.all():
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.add_dock_toggles()

    def add_dock_toggles(self) -> None:
        """Show/hide entries in the View menu for every dock, including ones attached later."""
        present = set(self.view_menu.actions())
        for dock in self.findChildren(QDockWidget):
            if dock.toggleViewAction() not in present:
                self.view_menu.addAction(dock.toggleViewAction())

    def _connect(self) -> None:
        self.state.changed.connect(self.viewer.set_settings)
        self.state.changed.connect(self.overview.set_settings)
        self.viewer.view_changed.connect(self.overview.set_view_rect)
        self.viewer.hovered.connect(self._show_pixel)
        self.viewer.window_dragged.connect(self.state.drag_window)
        self.overview.jump_requested.connect(self.viewer.centre_on)
        self.scan_list.scan_chosen.connect(self.show_scan)
        self.loader.loaded.connect(self._scan_loaded)
        self.loader.failed.connect(self._scan_failed)
        self.view_actions.measure_tool.measured.connect(
            lambda text: self.statusBar().showMessage(f"Measured {text}", 10000))

    # -- opening -------------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open scans", "", FILE_FILTER)
        self.open_paths([Path(p) for p in paths])

    def open_paths(self, paths: list[Path]) -> None:
        """Load the files off the GUI thread; the first of them is shown when it arrives.

        A file the scan list holds already is shown from there: a second copy would take the
        screen from the review in progress and let one scan be decided twice."""
        groups = group_for_opening(paths)
        to_load = [path for path in groups if self.scan_list.holding(path) is None]
        for path in to_load:
            request = self.loader.open(path)
            if path is groups[0]:
                self._show_next = request
        if groups and groups[0] not in to_load:
            self._show_next = None
            self.scan_list.select(self.scan_list.holding(groups[0]))
        if to_load:
            self.statusBar().showMessage(f"Opening {len(to_load)} scan(s)…")

    def _scan_loaded(self, request: int, scan: Scan) -> None:
        listed = self.scan_list.add_scan(request, scan)  # opened twice before the first arrived: one entry
        if listed == request:
            self.scans[request] = scan
            self._close_oldest(keep=request)
        if request == self._show_next or self.current is None:
            self.statusBar().showMessage(f"Opened {scan.name}", 5000)  # first: parts may say more
            self.scan_list.select(listed)  # shows it through scan_chosen
        else:
            self.statusBar().showMessage(f"{len(self.scans)} scans open", 5000)

    def _scan_failed(self, request: int, name: str, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Scan not opened", message,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()  # never exec(): the station keeps working while the message is up
        self.last_error_box = box

    def _close_oldest(self, keep: int) -> None:
        for scan_id in list(self.scans):
            if len(self.scans) <= MAX_OPEN_SCANS:
                return
            if scan_id not in (keep, self.current):
                self.close_scan(scan_id)

    def close_scan(self, scan_id: int) -> None:
        if scan_id == self.current or scan_id not in self.scans:
            return
        del self.scans[scan_id]
        self.renderers.pop(scan_id, None)
        self.scan_list.remove_scan(scan_id)
        self.scan_closed.emit(scan_id)

    def show_scan(self, scan_id: int) -> None:
        scan = self.scans.get(scan_id)
        if scan is None:
            return
        if scan_id not in self.renderers:
            self.renderers[scan_id] = Renderer(scan)
        self.renderers.move_to_end(scan_id)
        while len(self.renderers) > MAX_RENDERERS:
            self.renderers.popitem(last=False)
        renderer = self.renderers[scan_id]
        self.current = scan_id
        self.view_actions.measure_tool.clear()
        self.viewer.set_scan(scan, renderer, self.state.settings)
        self.overview.set_scan(scan, renderer, self.state.settings)
        self.tools.set_scan(scan)
        self.metadata.show_scan(scan)
        self.setWindowTitle(f"{scan.name} — X-ray review station")

    def current_scan(self) -> Scan | None:
        return self.scans.get(self.current) if self.current is not None else None

    def _show_pixel(self, x: int, y: int) -> None:
        renderer = self.renderers.get(self.current) if self.current is not None else None
        if x < 0 or renderer is None:
            self.readout.clear_pixel()
        else:
            self.readout.show_pixel(renderer.pixel_info(x, y))

    # -- drag and drop -------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.open_paths(paths)
        event.acceptProposedAction()

    # -- layout memory and shutdown ------------------------------------------------------------

    def restore_layout(self) -> None:
        settings = station_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 850)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_layout(self) -> None:
        settings = station_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.sync()

    def may_close(self) -> bool:
        """Ask the officer before closing loses what a part still holds; staying is the default."""
        losses = [text for check in self.close_checks if (text := check())]
        if not losses:
            return True
        text = "\n\n".join(losses) + "\n\nClose the station anyway and lose it? Cancel keeps it open."
        close, stay = QMessageBox.StandardButton.Close, QMessageBox.StandardButton.Cancel
        return QMessageBox.question(self, "Close the station?", text, close | stay, stay) == close

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_close():
            event.ignore()
            return
        self.closing.emit()
        self.save_layout()
        self.loader.shutdown()
        for dialog in self.findChildren(QDialog):  # messages and sign-in go with the station
            dialog.close()
        super().closeEvent(event)
