"""The trainer's window: the library, the session builder, offered sessions, runs and results.

A top-level window of its own, opened from the station's menu for the signed-in account.
Trainers (and admins) get the library and the builder and see everyone's results; trainees
(officers, supervisors, trainers) run the sessions offered to them and see their own results.
Training records go to the training log only, never to the decision log the audit reads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..decisions import Account, DecisionLogError
from ..training.access import Trainees, may_build, may_take, require_builder, require_trainee
from ..training.errors import TrainingError
from ..training.library import Library
from ..training.offers import Offer, find_offer, offers
from ..training.records import TrainingLog
from ..training.session import TrainingSession
from ..training.sources import default_library_path, open_library
from .trainer_builder import SessionBuilder
from .trainer_library import LibraryPanel
from .trainer_results import ResultsPanel
from .trainer_run import TraineeRun
from .trainer_worker import BackgroundJobs

OFFER_COLUMNS = ("#", "session", "offered to", "built by", "recipe")


class TrainerWindow(QWidget):
    run_started = Signal(object)  # TraineeRun

    def __init__(self, account: Account | None, *, log_path: Path | None = None,
                 library_path: Path | None = None, model_path: Path | None = None,
                 trainees: Trainees | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = account
        # Opened outside the station (scripts, tests) there are no accounts to check a trainee's
        # name against: sessions then go to any trainee only.
        self.trainees = trainees or Trainees.unknown("this trainer window was opened without the station's "
                                                     "accounts")
        # The decision log those accounts come from: every build, offer, run, answer and results
        # read asks it whether the account may still, as decisions and the audit do. None (opened
        # alone): the account's own role is all there is.
        self.decisions = self.trainees.decisions
        self.model_path = model_path
        self.setWindowTitle("Training — X-ray review station")
        self.log = TrainingLog(log_path)  # LogUnavailable when unwritable: open_trainer says so
        self.library_path = Path(library_path) if library_path is not None else default_library_path()
        library_error = None
        try:
            self.library = open_library(self.library_path)
        except TrainingError as exc:  # left as it is, for someone to repair; nothing overwrites it
            self.library, library_error = Library(), str(exc)
        self.jobs = BackgroundJobs("trainer", self)
        self.run: TraineeRun | None = None
        self.offers: list[Offer] = []
        self.tabs = QTabWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        who = f"{account.username} ({account.role})" if account else "nobody signed in"
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Signed in: {who}"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self.library_panel: LibraryPanel | None = None
        self.builder: SessionBuilder | None = None
        self.results: ResultsPanel | None = None
        if not (may_build(account) or may_take(account)):
            self.tabs.addTab(QLabel("Sign in to the station with a trainer's or an officer's account to "
                                    "build or run training sessions."), "Training")
            return
        self.tabs.addTab(self._sessions_tab(), "Sessions")
        if library_error is not None:
            self.say(f"{library_error} The library and the builder are closed until it is repaired.")
        elif may_build(account):
            if not self.library_path.exists():
                self._save_starter_library()
            self.library_panel = LibraryPanel(self.library, self.library_path, self.jobs, account,
                                              decisions=self.decisions)
            self.library_panel.message.connect(self.say)
            self.tabs.addTab(self.library_panel, "Library")
            self.builder = SessionBuilder(self.library, self.log, account, self.jobs, self.trainees)
            self.builder.message.connect(self.say)
            self.builder.offered.connect(lambda _offer: self.refresh_offers())
            self.tabs.addTab(self.builder, "Build session")
        self.results = ResultsPanel(self.log, account, decisions=self.decisions)
        self.results.message.connect(self.say)
        if self.results.error is not None:  # said before the window listened
            self.say(self.results.error)
        self.tabs.addTab(self.results, "Results" if may_build(account) else "My results")
        self.refresh_offers()

    # -- offered sessions ----------------------------------------------------------------------

    def _sessions_tab(self) -> QWidget:
        page = QWidget()
        self.offer_table = QTableWidget(0, len(OFFER_COLUMNS))
        self.offer_table.setHorizontalHeaderLabels(OFFER_COLUMNS)
        self.offer_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.offer_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.offer_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.offer_table.verticalHeader().setVisible(False)
        header = self.offer_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.offer_table.activated.connect(lambda index: self.run_offer(self.offers[index.row()].id))
        self.run_button = QPushButton("Run selected session")
        self.run_button.setEnabled(may_take(self.account))
        self.run_button.clicked.connect(self._run_selected)
        hint = QLabel("Drag a box round each suspected threat, then C clear · R refer · U unclear. "
                      "A hit needs your box on the threat.")
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(hint, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.offer_table, 1)
        layout.addLayout(row)
        return page

    def refresh_offers(self) -> None:
        try:
            self.offers = offers(self.log, self.account, decisions=self.decisions)
        except (DecisionLogError, TrainingError, KeyError) as exc:
            self.offers = []
            self.say(f"The offered sessions cannot be read: {exc}")
        reachable = self._trainee_names()
        self.offer_table.setRowCount(len(self.offers))
        for row, offer in enumerate(self.offers):
            offered_to = offer.trainee or "any trainee"
            if reachable is not None and offer.trainee is not None and offer.trainee not in reachable:
                # Stored before names were checked, or the account has gone since: tell the trainer
                # why that trainee never sees it.
                offered_to += " (no such trainee now: nobody sees it)"
            cells = (f"{offer.id}", offer.name, offered_to, offer.built_by, offer.describe())
            for column, text in enumerate(cells):
                self.offer_table.setItem(row, column, QTableWidgetItem(text))
        if self.offers:
            self.offer_table.selectRow(0)

    def _trainee_names(self) -> set[str] | None:
        """For a trainer, the names sessions can reach now; None when unknown (then nothing is marked)."""
        if not may_build(self.account) or not self.trainees.known():
            return None
        try:
            return set(self.trainees.names())
        except TrainingError:
            return None

    def _run_selected(self) -> None:
        rows = self.offer_table.selectionModel().selectedRows()
        if rows:
            self.run_offer(self.offers[rows[0].row()].id)

    def run_offer(self, offer_id: int) -> TraineeRun | None:
        """Start the offered session as the signed-in trainee, in its own tab."""
        if self.run is not None:
            self.say("Finish or leave the session that is running first.")
            self.tabs.setCurrentWidget(self.run_page)
            return None
        try:
            require_trainee(self.account, decisions=self.decisions)
            assert self.account is not None
            offer = find_offer(self.log, offer_id)
            if not offer.open_to(self.account):
                raise TrainingError("That session is offered to another trainee.")
            if not offer.offered_to(self.account.username):  # a trainer's right, asked of the table now
                require_builder(self.account, decisions=self.decisions)
            # Asked again before every answer: a trainee disabled mid-session records no more.
            authorise = partial(require_trainee, self.account, decisions=self.decisions)
            session = TrainingSession.from_offer(offer, self.library, self.account.username, log=self.log,
                                                 authorise=authorise)
        except (DecisionLogError, TrainingError) as exc:
            self.say(str(exc))
            return None
        self.run = TraineeRun(session, model_path=str(self.model_path) if self.model_path else None)
        self.run.finished.connect(self._run_finished)
        self.run.broken.connect(lambda text: self.say(f"Session stopped: {text}"))
        self.run.unrecorded.connect(self.say)
        self.run_page = QWidget()
        leave = QPushButton("Leave session")
        leave.clicked.connect(self.leave_run)
        page_layout = QVBoxLayout(self.run_page)
        page_layout.addWidget(QLabel(f"Session #{offer.id}: {offer.name} — {offer.describe()}"))
        page_layout.addWidget(self.run, 1)
        page_layout.addWidget(leave, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(self.run_page, "Running")
        self.tabs.setCurrentWidget(self.run_page)
        self.run.start()
        self.run.setFocus()
        self.run_started.emit(self.run)
        return self.run

    def leave_run(self) -> None:
        """Close the running session's tab; an unfinished session keeps its answers but gets no score."""
        if self.run is None:
            return
        unfinished = not self.run.session.finished
        given_up = self.run.waiting_to_record  # said on screen already; said again as the tab goes
        self.run.stop()
        self.tabs.removeTab(self.tabs.indexOf(self.run_page))
        self.run_page.deleteLater()
        self.run = None
        if given_up:
            self.say("Session left with an answer that was refused: it was not recorded.")
        elif unfinished:
            self.say("Session left before its end: no score was recorded.")
        self.tabs.setCurrentIndex(0)

    def _run_finished(self, _score: object) -> None:
        if self.results is not None:
            self.results.refresh()
        self.say("Session complete: the score is in your results.")

    # -- the rest ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.message.setText(text)

    def _save_starter_library(self) -> None:
        try:
            self.library.save(self.library_path)
        except OSError as exc:
            self.say(f"The training library could not be saved to {self.library_path} ({exc}).")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.run is not None:
            self.run.stop()
        self.jobs.shutdown()
        self.log.close()
        super().closeEvent(event)


def open_trainer(account: Account | None, trainees: Trainees | None = None,
                 parent: QWidget | None = None) -> TrainerWindow | str:
    """The trainer window as a top-level window, deleted when closed; or why it cannot open."""
    try:
        window = TrainerWindow(account, trainees=trainees)
    except DecisionLogError as exc:
        return f"Training is unavailable: {exc}"
    if parent is not None:  # owned by the station (closed with it) but a window of its own
        window.setParent(parent, Qt.WindowType.Window)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.resize(1280, 820)
    window.show()
    return window


class _TrainingMenu(QObject):
    """The station's "Training…" action and the trainer window it opened.

    The window is the station's child, so it would be destroyed with the station without
    its close event, leaving its worker threads running; closing the station closes it first.
    """

    def __init__(self, window: QMainWindow, account: Callable[[], Account | None],
                 account_changed: SignalInstance, trainees: Callable[[], Trainees] | None) -> None:
        super().__init__(window)
        self.window, self.account, self.trainees = window, account, trainees
        self.opened: TrainerWindow | None = None
        self.action = QAction("Training…", window)
        self.action.triggered.connect(self.open)
        closing = getattr(window, "closing", None)
        if closing is not None:  # the station's signal comes only once it really closes (it may ask to stay)
            closing.connect(self.close_opened)
        else:
            window.installEventFilter(self)
        # The trainer window must not outlive its account (it shows other trainees' results).
        account_changed.connect(self._check_account)

    def open(self) -> None:
        self.close_opened()  # the window follows whoever is signed in now
        result = open_trainer(self.account(), self.trainees() if self.trainees else None, self.window)
        if isinstance(result, str):
            self.window.statusBar().showMessage(result, 15000)
        else:
            self.opened = result
            result.destroyed.connect(lambda _=None, gone=result: self._forget(gone))

    def close_opened(self) -> None:
        if self.opened is not None:
            try:
                self.opened.close()
            except RuntimeError:  # already deleted by Qt
                pass
            self.opened = None

    def _forget(self, gone: TrainerWindow) -> None:
        if self.opened is gone:
            self.opened = None

    def _check_account(self, account: Account | None) -> None:
        if self.opened is not None and account != self.opened.account:
            self.close_opened()
            self.window.statusBar().showMessage("Training closed: the signed-in account changed.", 10000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.close_opened()
        return False


def add_training_action(window: QMainWindow, account: Callable[[], Account | None],
                        account_changed: SignalInstance,
                        trainees: Callable[[], Trainees] | None = None) -> QAction:
    """Put "Training…" in the station's menu; it opens the trainer window for whoever is signed
    in, and closes it when ``account_changed`` says someone else is (or nobody)."""
    menu = _TrainingMenu(window, account, account_changed, trainees)
    window.menuBar().addMenu("T&raining").addAction(menu.action)
    return menu.action


def attach_training(window: QMainWindow, desk: Any) -> QAction:
    """The station's hook: "Training…" for whoever the decision desk has signed in."""

    def trainees() -> Trainees:
        # Read when asked, so the builder checks names against the accounts as they are then; an
        # unreadable log leaves the list empty and names refused with the reason.
        if desk.log is None:
            return Trainees.unknown("the station's decision log (its accounts) is not open")
        return Trainees.from_log(desk.log)

    return add_training_action(window, lambda: desk.account, desk.account_changed, trainees)
