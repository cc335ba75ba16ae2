"""The trainer's session builder: the session's recipe, then TIP projection on the worker thread.

The plan is built off the GUI thread with progress and can be cancelled; when it is done it
is stored in the training log as a session offered to one trainee or to all of them. The
trainee's name is checked against the station's accounts (``Trainees``) before anything is
built: a misspelt name would store a session that nobody is offered.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..decisions import Account, DecisionLogError
from ..training.access import Trainees, require_builder
from ..training.errors import TrainingError
from ..training.library import Library
from ..training.offers import offer_session
from ..training.plan import SessionPlan, SessionSpec, build_plan
from ..training.records import TrainingLog
from ..training.staircase import LEVELS, TrainingDifficulty
from .trainer_worker import BackgroundJobs

CATEGORIES = {"firearm": "Firearms and gun parts", "ied_component": "IED components"}
KNOBS = {"rotation": "Rotation (viewpoint)", "clutter": "Clutter over the threat", "size": "Smallness",
         "density": "Load density"}
ANY_TRAINEE = "(any trainee)"
INTRO = "Threats are projected (TIP) into clean library scans when a session is built."
GUIDE = (
    "<b>How a session is made</b><p>Each scan with a threat is a clean library scan with one threat "
    "projected into it (threat image projection), at a spot inside the load; the ground truth is kept "
    "with the session, so every answer can be scored and the session rerun exactly.</p>"
    "<p><b>Known threats</b>: a share of the threat scans can instead be library scans whose threats "
    "are known (the bundled samples, imports with ground truth), shown as they are.</p>"
    "<p><b>Difficulty</b>: <i>rotation</i> turns the threat away from its textbook view (above 50 % "
    "in full 3-D), <i>clutter</i> places it under denser goods, <i>smallness</i> shrinks it, "
    "<i>load density</i> fills the generated scans. Levels 0–4 set all four at once.</p>"
    "<p><b>Adaptive</b>: each threat category has its own staircase: two hits in a row raise its "
    "level, a miss lowers it, so the trainee works near 71 % hits.</p>"
    "<p><b>Scoring</b>: a hit needs a refer (or unclear) answer and a box on the threat; d′ uses the "
    "log-linear correction, so rates of 0 and 1 stay finite. About 100 threat events give a reliable "
    "score.</p>")


class SessionBuilder(QWidget):
    offered = Signal(object)  # Offer stored in the training log
    message = Signal(str)

    def __init__(self, library: Library, log: TrainingLog, account: Account | None, jobs: BackgroundJobs,
                 trainees: Trainees | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.log, self.account, self.jobs = library, log, account, jobs
        self.trainees = trainees or Trainees.unknown()
        self._job: int | None = None
        self._pending: tuple[str, str | None] | None = None
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Week 12: handguns in parcels")
        # The training log refuses longer names, but only once the whole session is built.
        self.name.setMaxLength(120)
        self.trainee = QComboBox()
        self.trainee.setEditable(True)
        # Still editable, to type a name in a long list; build() refuses one that is no trainee's.
        try:
            names = self.trainees.names() if self.trainees.known() else []
            unlisted = ""
        except TrainingError as exc:
            names, unlisted = [], str(exc)
        self.trainee.addItems([ANY_TRAINEE, *names])
        self.scans = _spin(1, 1000, 20)
        self.share = _spin(0, 100, 50, " %")
        self.known = _spin(0, 100, 0, " %")
        self.known.setToolTip("Share of the threat scans taken from library scans whose threats are known "
                              "(bundled samples, imports with ground truth), shown as they are")
        self.categories = {key: QCheckBox(text) for key, text in CATEGORIES.items()}
        categories_row = QHBoxLayout()
        for box in self.categories.values():
            box.setChecked(True)
            categories_row.addWidget(box)
        categories_row.addStretch(1)
        self.level = QComboBox()
        self.level.addItems([f"Level {i}" for i in range(len(LEVELS))] + ["Custom"])
        self.level.setCurrentIndex(2)
        self.level.currentIndexChanged.connect(self._level_chosen)
        self.knobs = {key: _spin(0, 100, 50, " %") for key in KNOBS}
        for spin in self.knobs.values():
            spin.valueChanged.connect(self._knob_changed)
        self.time_limit = _spin(0, 600, 30, " s")
        self.time_limit.setSpecialValueText("no limit")
        self.detector_help = QCheckBox("Show the detector's marks (detector help)")
        self.adaptive = QCheckBox("Adaptive: difficulty per category follows the trainee (staircase)")
        self.feedback = QCheckBox("Feedback after each scan: show what was there")
        self.feedback.setChecked(True)
        self.seed = _spin(0, 2**31 - 1, 1)
        form.addRow("Name", self.name)
        form.addRow("Offered to", self.trainee)
        form.addRow("Scans", self.scans)
        form.addRow("Share with threats", self.share)
        self.events = QLabel()
        form.addRow("", self.events)
        for spin in (self.scans, self.share):
            spin.valueChanged.connect(self._count_events)
        self._count_events()
        form.addRow("Threat categories", categories_row)
        form.addRow("Known threats from the library", self.known)
        form.addRow("Difficulty", self.level)
        for key, text in KNOBS.items():
            form.addRow(f"    {text}", self.knobs[key])
        form.addRow("Time limit per scan", self.time_limit)
        form.addRow("", self.detector_help)
        form.addRow("", self.adaptive)
        form.addRow("", self.feedback)
        form.addRow("Seed (same seed, same session)", self.seed)
        self.build_button = QPushButton("Build session")
        self.build_button.clicked.connect(self.build)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel(unlisted or INTRO)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.build_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        column = QWidget()
        column.setMaximumWidth(720)  # a form stretched over a wide screen is hard to read
        column_layout = QVBoxLayout(column)
        column_layout.addLayout(form)
        column_layout.addLayout(buttons)
        column_layout.addWidget(self.status)
        column_layout.addStretch(1)
        guide = QLabel(GUIDE)
        guide.setWordWrap(True)
        guide.setAlignment(Qt.AlignmentFlag.AlignTop)
        guide.setMaximumWidth(460)
        layout = QHBoxLayout(self)
        layout.addWidget(column, 1)
        layout.addSpacing(16)
        layout.addWidget(guide)
        self._level_chosen(2)
        jobs.finished.connect(self._built)
        jobs.failed.connect(self._failed)
        jobs.progress.connect(self._progress)

    def spec(self) -> SessionSpec:
        chosen = tuple(key for key, box in self.categories.items() if box.isChecked())
        difficulty = TrainingDifficulty(**{key: spin.value() / 100 for key, spin in self.knobs.items()})
        return SessionSpec(scans=self.scans.value(), threat_share=self.share.value() / 100, categories=chosen,
                           difficulty=difficulty, time_limit_s=float(self.time_limit.value()) or None,
                           seed=self.seed.value(), adaptive=self.adaptive.isChecked(),
                           detector_help=self.detector_help.isChecked(), feedback=self.feedback.isChecked(),
                           known_share=self.known.value() / 100)

    @property
    def building(self) -> bool:
        return self._job is not None

    def build(self) -> None:
        """Check the recipe here, project the threats on the worker thread."""
        if self.building:
            return
        spec = self.spec()
        library = Library(list(self.library.scans))  # a snapshot: the trainer may edit the library meanwhile
        try:
            spec.check()
        except TrainingError as exc:
            self._say(str(exc))
            return
        typed = self.trainee.currentText().strip()
        try:
            # Before any projecting: a trainer demoted or disabled since the window opened (the
            # station's accounts say so), or a name that reaches nobody, would waste a long build.
            require_builder(self.account, decisions=self.trainees.decisions)
            trainee = self.trainees.check(None if typed == ANY_TRAINEE else typed)
        except (TrainingError, DecisionLogError) as exc:
            self._say(f"{exc} Nothing was built.")
            return
        self._pending = (self.name.text(), trainee)
        job_id = self.jobs.reserve()
        should_stop = self.jobs.should_stop(job_id)

        def job(progress) -> SessionPlan:  # noqa: ANN001
            return build_plan(spec, library, progress=progress, should_stop=should_stop)

        self._job = self.jobs.submit(job, job_id)
        self.progress.setRange(0, 0 if spec.adaptive else spec.scans)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.build_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._say("Building: projecting threats into clean scans…")

    def cancel(self) -> None:
        if self._job is not None:
            self.jobs.cancel(self._job)
            self._finish("Building cancelled; nothing was stored.")

    def _built(self, job_id: int, plan: object) -> None:
        if job_id != self._job:
            return
        assert isinstance(plan, SessionPlan) and self._pending is not None
        name, trainee = self._pending
        try:
            # Checked again: the trainee's account, or the trainer's own, may have been disabled or
            # given another role while the session was being built.
            stored = offer_session(self.log, plan, name, self.account, trainee, trainees=self.trainees)
        except (TrainingError, DecisionLogError) as exc:
            self._finish(f"The session was built but not stored: {exc}")
            return
        self._finish(f"Session #{stored.id} “{stored.name}” stored: {stored.describe()}.")
        self.offered.emit(stored)

    def _failed(self, job_id: int, text: str) -> None:
        if job_id == self._job:
            self._finish(f"The session could not be built: {text}")

    def _progress(self, job_id: int, done: int, total: int) -> None:
        if job_id == self._job:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(f"Building: scan {done} of {total}…")

    def _finish(self, text: str) -> None:
        self._job = None
        self.progress.setVisible(False)
        self.build_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._say(text)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    def _count_events(self) -> None:
        events = round(self.scans.value() * self.share.value() / 100)
        self.events.setText(f"{events} threat event(s), {self.scans.value() - events} clean scan(s); "
                            "about 100 threat events give a reliable score")

    def _level_chosen(self, index: int) -> None:
        if index >= len(LEVELS):
            return
        level = LEVELS[index]
        for key, spin in self.knobs.items():
            spin.blockSignals(True)
            spin.setValue(round(getattr(level, key) * 100))
            spin.blockSignals(False)

    def _knob_changed(self) -> None:
        self.level.blockSignals(True)
        self.level.setCurrentIndex(len(LEVELS))  # "Custom"
        self.level.blockSignals(False)


def _spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin

