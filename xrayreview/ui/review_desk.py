"""Wires officers' decisions into the station: sign-in and idle lock, the decision panel and
the queue as docks, the detector's marks into the panel, the audit and accounts windows for
the roles allowed them. The main window creates one desk and holds no decision logic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QWidget

from ..decisions import (
    POLICY,
    Account,
    Accounts,
    DecisionLog,
    DecisionLogError,
    LogUnavailable,
    ModelInfo,
    allowed,
)
from .audit_view import AuditView
from .login_accounts import AccountsPanel
from .login_dialog import LoginDialog
from .login_idle import IdleLock
from .review_panel import ReviewPanel
from .review_queue import ReviewQueue
from .station_settings import station_settings


class ReviewDesk(QObject):
    account_changed = Signal(object)  # the Account signed in now, or None when the desk locks

    def __init__(self, window: QMainWindow, log_path: Path | None = None, auto_next: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.auto_next = auto_next
        self.account: Account | None = None
        self.log: DecisionLog | None = None
        self.accounts: Accounts | None = None
        self.detection: Any = None  # DetectionController, when the station has a detector
        self.windows: list[QWidget] = []  # audit / accounts windows open now
        self.login: LoginDialog | None = None
        self.panel = ReviewPanel()
        self.panel.attach_viewer(window.viewer)
        self.queue = ReviewQueue()
        self._dock("Decision", "decision", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Queue", "queue", self.queue, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.idle = IdleLock(POLICY.idle_lock_s, self)
        self.idle.locked.connect(self.lock)
        self._open_log(log_path)
        self._restore_inbox()
        self._menu()
        window.scan_list.scan_chosen.connect(self._scan_shown)
        window.loader.loaded.connect(lambda _request, scan: self.queue.add_files(list(scan.source[:1])))
        window.loader.file_failed.connect(self.queue.set_unopenable)
        self.queue.open_requested.connect(self._open)
        self.panel.decided.connect(self._decided)
        self.panel.bring_back = self._bring_back
        self._correcting = False
        self._reopening: str | None = None  # SHA-256 of a closed scan opened again for a correction
        self.panel.blocked.connect(lambda text: window.statusBar().showMessage(text, 30000))
        window.close_checks.append(self.unrecorded_on_close)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)

    def _open_log(self, path: Path | None) -> None:
        try:
            self.log = DecisionLog(path)
            self.accounts = Accounts(self.log)
        except LogUnavailable as exc:
            self.log = self.accounts = None
            self.panel.message.setText(f"{exc} Decisions cannot be recorded.")
        self.queue.set_log(self.log)

    def _menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Decisions")
        self.sign_in_action = QAction("Sign in / switch user…", self.window)
        self.sign_in_action.triggered.connect(self.sign_in)
        self.inbox_action = QAction("Inbox folder…", self.window)
        self.inbox_action.triggered.connect(self.choose_inbox)
        self.audit_action = QAction("Audit…", self.window)
        self.audit_action.triggered.connect(self.open_audit)
        self.accounts_action = QAction("Accounts…", self.window)
        self.accounts_action.triggered.connect(self.open_accounts)
        for action in (self.sign_in_action, self.inbox_action, self.queue.next_action, self.audit_action,
                       self.accounts_action):
            menu.addAction(action)
        self._roles_changed()

    # -- who is signed in ----------------------------------------------------------------------

    def sign_in(self, locked_user: str | None = None) -> LoginDialog | None:
        """Show the sign-in (first run: create the admin); non-blocking, the station stays up."""
        if self.accounts is None:
            return None
        self.login = LoginDialog(self.accounts, self.window, locked_user)
        self.login.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.login.signed_in.connect(self.set_account)
        self.login.open()
        return self.login

    def set_account(self, account: Account | None) -> None:
        self.account = account
        self.panel.set_log(self.log, account)
        self.window.viewer.setVisible(True)
        if account is None:
            self.idle.stop()
        else:
            self.idle.start()
            self.window.statusBar().showMessage(f"Signed in: {account.username} ({account.role})", 5000)
        self._roles_changed()
        self.account_changed.emit(account)

    def lock(self) -> None:
        """Idle too long: hide the scan and ask for the password again."""
        user = self.account.username if self.account else None
        self.set_account(None)
        self.window.viewer.setVisible(False)
        self.sign_in(user)

    def _roles_changed(self) -> None:
        role = self.account.role if self.account else ""
        self.audit_action.setEnabled(bool(role) and allowed(role, "audit"))
        self.accounts_action.setEnabled(bool(role) and allowed(role, "manage_accounts"))

    # -- the officer's flow --------------------------------------------------------------------

    def attach_detection(self, controller: Any) -> None:
        """Feed the detector's marks to the panel; its overlay draws them, the panel the verdicts."""
        self.detection = controller
        self.panel.draw_detector_marks = False
        controller.result_shown.connect(lambda _id, _result: self._detections_changed())
        controller.panel.threshold_changed.connect(lambda _value: self._detections_changed())

    def choose_inbox(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Inbox folder the scanner writes into")
        if folder:
            self.set_inbox(Path(folder))

    def set_inbox(self, folder: Path | None) -> None:
        """Watch ``folder``; remembered for the next start of the station."""
        self.queue.set_inbox(folder)
        settings = station_settings()
        settings.setValue("review/inbox", str(folder) if folder else "")
        settings.sync()

    def _restore_inbox(self) -> None:
        folder = station_settings().value("review/inbox", "")
        if folder and Path(str(folder)).is_dir():
            self.queue.set_inbox(Path(str(folder)))

    def _bring_back(self, scan: Any, reopen: bool = True) -> bool:
        """Show ``scan`` again without restarting its review; reopen its file when it was closed."""
        for scan_id, open_scan in self.window.scans.items():
            if open_scan is scan or (open_scan.sha256 == scan.sha256 and open_scan.source == scan.source):
                if self.window.current != scan_id:
                    self._correcting = True  # the panel restores the old review itself
                    try:
                        self.window.scan_list.select(scan_id)
                    finally:
                        self._correcting = False
                if open_scan is not scan and self.panel.last is not None:
                    self.panel.last["scan"] = open_scan
                return True
        if reopen and scan.source:
            self._reopening = scan.sha256
            self.window.open_paths([Path(scan.source[0])])
        return False

    def _scan_shown(self, scan_id: int) -> None:
        scan = self.window.scans.get(scan_id)
        if scan is None or self._correcting:
            return
        if self._reopening is not None and scan.sha256 == self._reopening:
            self._reopening = None
            last = self.panel.last
            if last is not None and last["scan"].sha256 == scan.sha256:
                last["scan"] = scan
                self.panel.correct_last()
                return
        held = self.panel.scan
        if self.panel.unrecorded and held is not None and scan is not held:
            # Blocked, never dropped: the unrecorded decision stays on screen until the log takes it.
            self._bring_back(held, reopen=False)
            self.panel.redraw()
            self.window.statusBar().showMessage(
                f"The decision on {held.name} is not recorded yet; {self.panel.unrecorded_hint}", 15000)
            return
        if self.queue.is_decided(scan.source):
            self.panel.show_decided(scan)  # a second decision only through the correction (Shift+Z)
            return
        self.panel.start(scan)
        self._detections_changed()

    def unrecorded_on_close(self) -> str | None:
        """What closing the station now would lose: a decision the log refused (none once shut down)."""
        if self.log is None:
            return None
        return self.panel.unrecorded_summary()

    def _open(self, path: Path) -> None:
        """Show a scan already open in the station, or open it (from the inbox)."""
        wanted = Path(path).resolve()
        for scan_id, scan in self.window.scans.items():
            if any(Path(p).resolve() == wanted for p in scan.source):
                self.window.scan_list.select(scan_id)
                return
        self.window.open_paths([Path(path)])

    def _detections_changed(self) -> None:
        controller = self.detection
        if controller is None or controller.current_result() is None:
            return
        threshold = controller.panel.threshold
        model = controller.model
        info = ModelInfo(model.name, model.sha256, threshold) if model is not None else None
        # What the detector flagged at the threshold in use, even while the officer hides the marks.
        self.panel.set_detections(controller.current_result().above(threshold), info)

    def _decided(self, seq: int, decision: str) -> None:
        self.window.statusBar().showMessage(f"Decision #{seq} recorded: {decision}", 5000)
        if self.auto_next:
            self.queue.open_next()  # it refreshes first: once is enough
        else:
            self.queue.refresh()

    # -- other roles' windows ------------------------------------------------------------------

    def open_audit(self) -> AuditView | None:
        return self._open_window(lambda: AuditView(self.log, self.account))

    def open_accounts(self) -> AccountsPanel | None:
        return self._open_window(lambda: AccountsPanel(self.accounts, self.account))

    def _open_window(self, build) -> QWidget | None:  # noqa: ANN001
        if self.log is None:
            return None
        try:
            widget = build()  # the core checks the role
        except DecisionLogError as exc:
            self.window.statusBar().showMessage(str(exc), 10000)
            return None
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        widget.destroyed.connect(lambda _=None, w=widget: self._forget(w))
        widget.resize(1300, 800)
        widget.show()
        self.windows.append(widget)
        return widget

    def _forget(self, widget: QWidget) -> None:
        if widget in self.windows:
            self.windows.remove(widget)

    def shutdown(self) -> None:
        self.idle.stop()
        for widget in list(self.windows):
            widget.close()
        self.queue.set_inbox(None)
        if self.log is not None:
            self.log.close()
            self.log = None
