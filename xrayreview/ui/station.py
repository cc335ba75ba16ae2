"""The whole station: the image window with the detector and the decision desk attached.

The main window is the image station on its own (what the viewer tests exercise); this adds
the parts other layers built for it, each through the one hook it offers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from .detection_controller import DetectionController
from .detection_panel import DetectionPanel
from .main_window import MainWindow
from .review_desk import ReviewDesk
from .tdr_overlay import TdrOverlay
from .trainer_window import attach_training


def attach_detector(window: MainWindow) -> DetectionController:
    panel = DetectionPanel()
    dock = QDockWidget("Detector", window)
    dock.setObjectName("dock-detector")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    # In the menu too, so V and Shift+D keep working while the Detector dock is closed.
    window.view_menu.addActions([panel.hide_action, panel.run_action])
    controller = DetectionController(window.viewer, panel, window)
    controller.status_message.connect(window.statusBar().showMessage)
    window.scan_list.scan_chosen.connect(lambda scan_id: controller.show_scan(scan_id, window.scans[scan_id]))
    window.closing.connect(controller.shutdown)
    controller.load_model()  # the shipped model; without one the station works and says so
    return controller


def attach_scanner_alarms(window: MainWindow) -> TdrOverlay:
    """Alarms from DICOS threat reports found beside a scan, as their own layer with a hide switch."""
    overlay = TdrOverlay(window.viewer.scene())
    reports: dict[int, list] = {}
    window.loader.reports_found.connect(lambda request, found: reports.__setitem__(request, found))

    def shown(scan_id: int) -> None:
        count = overlay.set_reports(window.scans[scan_id], reports.get(scan_id, []))
        if count:
            window.statusBar().showMessage(f"{count} alarm(s) from the scanner's threat report shown", 10000)

    window.scan_list.scan_chosen.connect(shown)
    action = QAction("Scanner alarms (DICOS TDR)", window)
    action.setCheckable(True)
    action.setChecked(True)
    action.toggled.connect(lambda on: overlay.set_hidden(not on))
    window.view_menu.addAction(action)
    window.scanner_alarms_action = action
    return overlay


def build_station() -> MainWindow:
    """The main window with the detector and the decision desk; call ``sign_in`` on ``window.review``."""
    window = MainWindow()
    window.detection = attach_detector(window)
    window.scanner_alarms = attach_scanner_alarms(window)
    window.review = ReviewDesk(window)
    window.review.attach_detection(window.detection)
    window.closing.connect(window.review.shutdown)
    window.training_action = attach_training(window, window.review)  # its own window, for the signed-in role
    window.add_dock_toggles()  # the new docks join the View menu
    _default_layout(window)
    window.restore_layout()  # now that every dock exists, so their places come back too
    return window


def _default_layout(window: MainWindow) -> None:
    """First-run layout: the scan gets the room; panels used together share a side as tabs."""
    docks = {dock.objectName(): dock for dock in window.findChildren(QDockWidget)}
    window.tabifyDockWidget(docks["dock-scans"], docks["dock-queue"])
    window.tabifyDockWidget(docks["dock-details"], docks["dock-density"])
    docks["dock-queue"].raise_()
    docks["dock-details"].raise_()
    window.resizeDocks([docks["dock-queue"], docks["dock-decision"]], [260, 380], Qt.Orientation.Horizontal)
