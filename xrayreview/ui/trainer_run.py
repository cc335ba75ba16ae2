"""A trainee's run through a training session: the scan, boxes, a decision, feedback, the summary.

Keyboard first, like operational review: drag boxes over suspected threats, then C (clear),
R (refer) or U (rescan / unclear); Backspace removes the last box; after the feedback,
Space or Enter goes on. The station's image tools are there too, on the toolbar and their own
keys (right-drag sets window and level), because screeners are trained with the tools they
screen with; Local contrast and Reset give up their keys (C, R) to the decisions here. Each
scan starts in the standard view and has the session's time limit; when it runs out the scan
is scored as cleared. Each scan is built on a worker thread (a generated scan with a projected
threat takes a second or more), so the window never freezes; its clock starts only when the
scan is on screen. When the trainer allowed detector help, the detector's marks are shown
(``DetectorHelp``); otherwise trainees look for themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QKeySequence, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QToolBar, QVBoxLayout, QWidget

from ..decisions import DecisionLogError
from ..decisions.accounts import AccountRefused
from ..scan.model import Scan
from ..training.plan import PlannedScan
from ..training.scoring import Box, Score
from ..training.session import Feedback, TrainingSession
from .display_state import DisplayState
from .rendering import DEFAULT, Renderer
from .review_marks import COLOURS, DrawBox, MarkItem
from .tools import ToolActions
from .trainer_help import DetectorHelp
from .trainer_worker import BackgroundJobs
from .viewer import ScanView

DECISION_KEYS = {Qt.Key.Key_C: "clear", Qt.Key.Key_R: "refer", Qt.Key.Key_U: "rescan"}
NEXT_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
TRUTH_COLOUR = QColor(60, 255, 90)  # what was there, shown only as feedback


class TraineeRun(QWidget):
    """Runs one session; emits ``finished`` with the Score after the last scan."""

    finished = Signal(object)
    answered = Signal(object)  # Feedback after each scan
    scan_shown = Signal(object)  # PlannedScan now on screen, clock running
    broken = Signal(str)  # a scan could not be built; the session cannot go on
    unrecorded = Signal(str)  # the training log refused an answer; it is kept for another try

    def __init__(self, session: TrainingSession, parent: QWidget | None = None, *,
                 jobs: BackgroundJobs | None = None, model_path: str | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.viewer = ScanView()
        self.display = DisplayState(self)
        self.tools = self._image_tools()
        self.status = QLabel()
        self.clock = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self._own_jobs = jobs is None
        self.jobs = jobs or BackgroundJobs("trainee-scans", self)
        self.jobs.finished.connect(self._built)
        self.jobs.failed.connect(self._build_failed)
        self._job: int | None = None
        # The next planned scan is built while the trainee looks at this one, so moving on is instant.
        self._ahead: tuple[int, int] | None = None  # (job, scan index) building ahead
        self._ready: tuple[PlannedScan, Scan] | None = None
        self.helper: DetectorHelp | None = None
        if session.plan.spec.detector_help:
            self.helper = DetectorHelp(self.viewer, model_path, self)
            self.helper.status.connect(self.help_label.setText)
            self.help_label.setText(self.helper.message)
        side = QVBoxLayout()
        for label in (self.status, self.clock, self.message, self.help_label):
            side.addWidget(label)
        keys = QLabel("Drag: box · C clear · R refer · U unclear · Backspace: remove box · Space: next · "
                      "right-drag: window and level")
        keys.setWordWrap(True)
        side.addWidget(keys)
        side.addStretch(1)
        toolbar = QToolBar("Image tools")
        self.tools.fill_toolbar(toolbar)
        picture = QVBoxLayout()
        picture.addWidget(toolbar)
        picture.addWidget(self.viewer, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(picture, 4)
        layout.addLayout(side, 1)
        self.marks: list[Box] = []
        self._mark_items: list[QGraphicsRectItem] = []
        self.feedback: Feedback | None = None
        self.score: Score | None = None
        # The scan the next answer is about, once it is on screen: after a scan fails to build,
        # the one shown before is still there and a key must not answer for the unseen one.
        self.shown: PlannedScan | None = None
        # What Space retries after the training log refused an answer (the last one with the score).
        self._retry: Callable[[], None] | None = None
        self._elapsed = QElapsedTimer()
        self._limit = QTimer(self)
        self._limit.setSingleShot(True)
        self._limit.timeout.connect(self.time_out)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._show_clock)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _image_tools(self) -> ToolActions:
        tools = ToolActions(self.display, self)
        taken = {QKeySequence(key).toString() for key in (*DECISION_KEYS, *NEXT_KEYS, Qt.Key.Key_Backspace)}
        for action in tools.actions.values():
            if action.shortcut().toString() in taken:
                action.setShortcut(QKeySequence())
                action.setToolTip(action.statusTip())
            self.addAction(action)
        self.display.changed.connect(self.viewer.set_settings)
        self.viewer.window_dragged.connect(self.display.drag_window)
        return tools

    def start(self) -> None:
        self._show_next()

    def stop(self) -> None:
        """Stop the clocks and the workers (closing the window mid-session)."""
        self._limit.stop()
        self._tick.stop()
        for job in (self._job, self._ahead[0] if self._ahead else None):
            if job is not None:
                self.jobs.cancel(job)
        self._job, self._ahead, self._ready = None, None, None
        if self.helper is not None:
            self.helper.stop()
        if self._own_jobs:
            self.jobs.shutdown()

    @property
    def preparing(self) -> bool:
        return self._job is not None

    # -- one scan --------------------------------------------------------------------------

    @property
    def waiting_to_record(self) -> bool:
        """An answer the training log refused, kept until Space records it."""
        return self._retry is not None

    def _show_next(self) -> None:
        self.feedback = None
        self.shown = None
        self.marks, self._mark_items = [], []
        self.viewer.interaction = None
        total = self.session.plan.spec.scans
        self.status.setText(f"Scan {self.session.position + 1} of {total}")
        self.message.setText("Preparing the next scan…")
        self.clock.setText("")
        index = self.session.position
        if self._ready is not None and self._ready[0].index == index:
            item, scan = self._ready
            self._ready = None
            self.session.present(item)
            self._show(item, scan)
            return
        if self._ahead is not None and self._ahead[1] == index:
            self._job, self._ahead = self._ahead[0], None  # already building: wait for it
            return
        build = self.session.upcoming()  # reads the staircase here, on the GUI thread
        self._job = self.jobs.submit(lambda _progress: build())

    def _build_ahead(self) -> None:
        build = self.session.upcoming(ahead=1)
        if build is not None:
            self._ahead = (self.jobs.submit(lambda _progress: build()), self.session.position + 1)

    def _built(self, job_id: int, result: object) -> None:
        if self._ahead is not None and job_id == self._ahead[0]:
            self._ahead, self._ready = None, result  # type: ignore[assignment]
            return
        if job_id != self._job:
            return
        self._job = None
        item, scan = result  # type: ignore[misc]
        self.session.present(item)
        self._show(item, scan)

    def _build_failed(self, job_id: int, message: str) -> None:
        if self._ahead is not None and job_id == self._ahead[0]:
            self._ahead = None  # built again, and reported, when its turn comes
            return
        if job_id != self._job:
            return
        self._job = None
        self.message.setText(f"This scan could not be prepared, so the session stops here: {message}")
        self.broken.emit(message)

    def _show(self, item: PlannedScan, scan: Scan) -> None:
        self.viewer.set_scan(scan, Renderer(scan), DEFAULT)
        self.tools.set_scan(scan)
        self.display.set(DEFAULT)
        if self.helper is not None:
            self.helper.show_scan(scan)
        self.viewer.interaction = DrawBox(self.viewer.add_overlay, self.add_mark)
        self.viewer.setDragMode(self.viewer.DragMode.NoDrag)
        total = self.session.plan.spec.scans
        self.status.setText(f"Scan {item.index + 1} of {total}")
        self.shown = item
        self.message.setText("Look for threats; box each one, then decide.")
        limit = self.session.plan.spec.time_limit_s
        self._elapsed.start()
        if limit is not None:
            self._limit.start(int(limit * 1000))
        self._tick.start()
        self._show_clock()
        self.setFocus()
        self._build_ahead()
        self.scan_shown.emit(item)

    def add_mark(self, box: list[float]) -> None:
        if self.feedback is not None or self.preparing or self.shown is None or self.waiting_to_record:
            return
        self.marks.append(tuple(round(v, 1) for v in box))
        item = MarkItem(list(box), f"{len(self.marks)}", COLOURS["officer"])
        self._mark_items.append(self.viewer.add_overlay(item))

    def remove_last_mark(self) -> None:
        if self.marks and self.feedback is None and not self.waiting_to_record:
            self.marks.pop()
            item = self._mark_items.pop()
            if item.scene() is not None:
                item.scene().removeItem(item)

    def decide(self, decision: str | None) -> None:
        if (self.feedback is not None or self.session.finished or self.preparing or self.shown is None
                or self.waiting_to_record):
            return
        self._limit.stop()
        self._tick.stop()
        seconds = self._elapsed.elapsed() / 1000.0
        marks = list(self.marks)
        self._record(lambda: self.session.answer(decision, marks, seconds), decision)

    def _record(self, answer: Callable[[], Feedback], decision: str | None) -> None:
        """Record one answer; a training log that refuses it is said, and the answer kept for Space.

        The last answer carries the session's score in the same write, so a retry records both
        or neither: there is no state with the answer in and the score missing.
        """
        try:
            feedback = answer()
        except DecisionLogError as exc:
            self._retry = lambda: self._record(answer, decision)
            given = "time ran out" if decision is None else decision
            # Refused by the station's accounts (disabled, or given a role that takes no training):
            # Space helps only once an admin has changed the account back.
            when = " once the account may take training again" if isinstance(exc, AccountRefused) else ""
            self._refused(f"Your answer ({given}) is NOT RECORDED: {exc} It is kept: Space tries "
                          f"again{when}; leaving the session gives it up.")
            return
        self._retry = None
        self.feedback = feedback
        self.answered.emit(self.feedback)
        if self.session.plan.spec.feedback:
            self._show_feedback(self.feedback)
        else:
            self.go_on()

    def _refused(self, text: str) -> None:
        self.message.setText(text)
        self.setFocus()
        self.unrecorded.emit(text)

    def time_out(self) -> None:
        self.decide(None)

    def go_on(self) -> None:
        if self.feedback is None:
            return
        if self.session.finished:
            self._show_summary()
        else:
            self._show_next()

    def _show_feedback(self, feedback: Feedback) -> None:
        self.viewer.interaction = None
        for threat in feedback.item.threats:
            x1, y1, x2, y2 = threat.box
            truth = QGraphicsRectItem(x1, y1, x2 - x1, y2 - y1)
            pen = QPen(TRUTH_COLOUR, 2, Qt.PenStyle.DotLine)
            pen.setCosmetic(True)
            truth.setPen(pen)
            truth.setToolTip(threat.label or threat.category)
            self.viewer.add_overlay(truth)
        result = feedback.result
        lead = "Time ran out: scored as cleared. " if feedback.timed_out else ""
        if feedback.item.threats:
            threats = feedback.item.threats
            names = [(t.label or t.category, hit) for t, hit in zip(threats, result.hits, strict=True)]
            found = [name for name, hit in names if hit]
            missed = [name for name, hit in names if not hit]
            text = " ".join(([f"Found: {', '.join(found)}."] if found else [])
                            + ([f"Missed: {', '.join(missed)} (green dotted box)."] if missed else []))
        elif result.false_alarm:
            text = "False alarm: this scan was clean."
        else:
            text = "Correct: this scan was clean."
        self.message.setText(lead + text + " Space: next.")
        self.setFocus()

    def _show_summary(self) -> None:
        self.score = self.session.summary()
        overall = self.score.overall

        def fmt(value: float | None, pattern: str) -> str:
            return "–" if value is None else format(value, pattern)

        self.status.setText("Session complete")
        self.clock.setText("")
        self.message.setText(
            f"Hit rate {fmt(overall.hit_rate, '.0%')}, false alarms {fmt(overall.false_alarm_rate, '.0%')}, "
            f"d′ {fmt(overall.d_prime, '.2f')}, A′ {fmt(overall.a_prime, '.2f')}, "
            f"mean {fmt(self.score.mean_seconds, '.1f')} s per scan."
            + "".join(f"\n{category.replace('_', ' ')}: {rates.hits} of {rates.events} found"
                      for category, rates in self.score.per_category.items()))
        if self.session.plan.spec.adaptive and self.session.adaptive.stairs:
            stairs = self.session.adaptive.stairs.items()
            levels = ", ".join(f"{c.replace('_', ' ')} {stair.level}" for c, stair in stairs)
            self.message.setText(self.message.text() + f"\nDifficulty reached (0–4): {levels}.")
        self.viewer.interaction = None
        self.finished.emit(self.score)

    def _show_clock(self) -> None:
        limit = self.session.plan.spec.time_limit_s
        spent = self._elapsed.elapsed() / 1000.0 if self._elapsed.isValid() else 0.0
        self.clock.setText(f"{spent:.0f} s" if limit is None else f"{max(0.0, limit - spent):.0f} s left")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in DECISION_KEYS and self.feedback is None:
            self.decide(DECISION_KEYS[key])
        elif key in NEXT_KEYS and self._retry is not None:
            self._retry()
        elif key in NEXT_KEYS and self.feedback is not None:
            self.go_on()
        elif key == Qt.Key.Key_Backspace:
            self.remove_last_mark()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
