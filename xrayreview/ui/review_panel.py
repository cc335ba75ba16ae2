"""The officer's decision panel: verdicts on the detector's marks, own marks, reasons, note,
and the decision, all on the keyboard. A decision is acknowledged only once the log has
committed it; when the log refuses, the panel keeps everything and says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..decisions import (
    DECISIONS,
    MARK_CATEGORIES,
    REASONS,
    Account,
    DecisionLog,
    DecisionLogError,
    LogUnavailable,
    ModelInfo,
    now_utc,
    record_decision,
)
from ..decisions.accounts import AccountRefused
from ..decisions.records import Decision, ScanInfo
from ..scan.model import Scan
from .review_keys import KEYS, REASON_KEYS, review_actions
from .review_marks import DrawBox, detector_caption, mark_items

NEEDS_REASON = ("refer", "rescan")


class ReviewPanel(QWidget):
    decided = Signal(int, str)  # committed record's seq, decision: the acknowledgement
    blocked = Signal(str)  # the log refused; the decision is still on the panel
    correction_started = Signal(object)  # the Scan whose last decision is being corrected

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log: DecisionLog | None = None
        self.officer: Account | None = None
        self.scan: Scan | None = None
        self.model: ModelInfo | None = None
        self.viewer: Any = None  # ScanView: add_overlay(item) and .interaction
        self.opened_at = ""
        self.detector_marks: list[dict[str, Any]] = []
        self.officer_marks: list[dict[str, Any]] = []
        self.current_mark: int | None = None
        self.pending: str | None = None  # refer/rescan waiting for its reason key
        self.corrects: int | None = None  # seq of the decision this review replaces
        self.last: dict[str, Any] | None = None  # this officer's last committed decision, to correct
        self.unrecorded = False  # the log or the stored account refused it: the station stays on it
        self._refused = ""  # which decision the log refused, to name it when the station is closed
        self._refused_why = ""  # why, in the officer's words
        self._held_for = ""  # whose account the table refused, while the panel holds that decision
        # What it takes to record it, for the station's message when the officer tries to move on.
        self.unrecorded_hint = ""
        # Set by the station: put this scan back on the viewer; False when it is no longer open.
        self.bring_back: Callable[[Scan], bool] | None = None
        self._items: list[QGraphicsItem] = []
        self._previous_interaction: Any = None
        # Off when the station's detection overlay already draws the marks: then only the mark
        # under review and the officer's own boxes are drawn here.
        self.draw_detector_marks = True
        self._build()
        self._set_enabled(False)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.title = QLabel("No scan under review")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(QLabel(f"Detector marks — {KEYS['next_mark']}: next, {KEYS['confirm']}: confirm, "
                                f"{KEYS['dismiss']}: dismiss"))
        self.marks_list = QListWidget()
        self.marks_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.marks_list.setMaximumHeight(140)
        layout.addWidget(self.marks_list)
        self.own_label = QLabel()
        self.own_label.setWordWrap(True)
        layout.addWidget(self.own_label)
        reasons = QGridLayout()
        self.reason_boxes: dict[str, QCheckBox] = {}
        for i, (code, text) in enumerate(REASONS.items()):
            box = QCheckBox(f"{text} ({REASON_KEYS[code]})")
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.reason_boxes[code] = box
            reasons.addWidget(box, i // 2, i % 2)
        layout.addLayout(reasons)
        self.note = QLineEdit()
        self.note.setPlaceholderText(f"Note ({KEYS['note']} to write, Enter to return to the scan)")
        self.note.returnPressed.connect(self._leave_note)
        layout.addWidget(self.note)
        buttons = QGridLayout()
        self.decision_buttons: dict[str, QPushButton] = {}
        for i, (code, text) in enumerate(DECISIONS.items()):
            button = QPushButton(f"{text}\n{KEYS[code]}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, c=code: self.decide(c))
            self.decision_buttons[code] = button
            buttons.addWidget(button, 0, i)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.actions = self._make_actions()

    def _make_actions(self) -> dict[str, QAction]:
        slots = {
            "clear": lambda: self.decide("clear"), "refer": lambda: self.decide("refer"),
            "rescan": lambda: self.decide("rescan"), "next_mark": self.next_mark,
            "confirm": lambda: self.set_verdict("confirmed"),
            "dismiss": lambda: self.set_verdict("dismissed"),
            "draw": self.start_drawing, "own_category": self.cycle_own_category,
            "remove_own": self.remove_own_mark, "note": self._enter_note,
            "correct_last": self.correct_last,
        }
        return review_actions(self, slots, self.toggle_reason)

    # -- a review ------------------------------------------------------------------------------

    def set_log(self, log: DecisionLog | None, officer: Account | None) -> None:
        self.log, self.officer = log, officer
        if officer is not None and self._held_for and officer.username != self._held_for:
            self._hand_over(officer.username)

    def attach_viewer(self, viewer: Any) -> None:
        self.viewer = viewer

    def start(self, scan: Scan, detections: list[Any] = (), model: ModelInfo | None = None) -> None:
        """Begin reviewing ``scan`` with the marks the detector showed (Detection or dicts)."""
        self._stop_drawing()  # a drag on the next scan must pan, not silently add a mark to its review
        self.scan, self.model, self.opened_at = scan, model, now_utc()
        self.detector_marks = [dict(_as_dict(d), verdict=None) for d in detections]
        self.officer_marks = []
        self.current_mark = 0 if self.detector_marks else None
        self.pending = self.corrects = None
        self.unrecorded = False
        for box in self.reason_boxes.values():
            box.setChecked(False)
        self.note.clear()
        self.title.setText(f"Reviewing {scan.name}")
        self._say(f"Decide: {KEYS['clear']} clear, {KEYS['refer']} refer, {KEYS['rescan']} rescan.")
        self._set_enabled(True)
        self._refresh()

    def show_decided(self, scan: Scan) -> None:
        """``scan`` is decided already: shown to look at, with no fresh review a key could log by accident."""
        self.finish()
        self.title.setText(f"{scan.name} is decided already")
        self._say(f"Deciding it again is a correction: {KEYS['correct_last']} corrects your last decision.")

    def set_detections(self, detections: list[Any], model: ModelInfo | None) -> None:
        """The detector's marks changed (result arrived, threshold moved): keep verdicts already given."""
        if self.scan is None:
            return
        given = {_key(m): m["verdict"] for m in self.detector_marks if m["verdict"]}
        marks = [_as_dict(d) for d in detections]
        self.detector_marks = [dict(mark, verdict=given.get(_key(mark))) for mark in marks]
        self.model = model
        unreviewed = [i for i, m in enumerate(self.detector_marks) if m["verdict"] is None]
        self.current_mark = (unreviewed or [0])[0] if self.detector_marks else None
        self._refresh()

    def finish(self) -> None:
        """No scan under review (after a decision, or when the scan is closed)."""
        self._stop_drawing()
        self._remove_items()
        self.scan = None
        self.detector_marks, self.officer_marks = [], []
        self.current_mark = self.pending = None
        self.title.setText("No scan under review")
        self.marks_list.clear()
        self.own_label.clear()
        self._set_enabled(False)

    def next_mark(self) -> None:
        if self.detector_marks:
            self.current_mark = ((self.current_mark if self.current_mark is not None else -1) + 1) % len(
                self.detector_marks)
            self._refresh()

    def set_verdict(self, verdict: str) -> None:
        if self.scan is None or self.current_mark is None:
            return
        self.detector_marks[self.current_mark]["verdict"] = verdict
        unreviewed = [i for i, m in enumerate(self.detector_marks) if m["verdict"] is None]
        if unreviewed:  # straight on to the next mark still waiting for a verdict
            later = [i for i in unreviewed if i > self.current_mark]
            self.current_mark = (later or unreviewed)[0]
        self._refresh()

    def start_drawing(self) -> None:
        if self.scan is None or self.viewer is None:
            return
        if not isinstance(self.viewer.interaction, DrawBox):  # B pressed twice must still end in the old tool
            self._previous_interaction = self.viewer.interaction
        self.viewer.interaction = DrawBox(self.viewer.add_overlay, self.add_own_mark)
        self.viewer.setDragMode(self.viewer.DragMode.NoDrag)
        self._say("Drag a box over the item on the scan.")

    def add_own_mark(self, box: list[float], category: str = "other") -> None:
        if self.scan is None:
            return
        self.officer_marks.append({"category": category, "box": [round(v, 1) for v in box]})
        self._stop_drawing()
        self._say(f"Own mark added as '{category}'; {KEYS['own_category']} changes its category.")
        self._refresh()

    def cycle_own_category(self) -> None:
        if self.officer_marks:
            categories = list(MARK_CATEGORIES)
            mark = self.officer_marks[-1]
            mark["category"] = categories[(categories.index(mark["category"]) + 1) % len(categories)]
            self._refresh()

    def remove_own_mark(self) -> None:
        if self.officer_marks:
            self.officer_marks.pop()
            self._refresh()

    def toggle_reason(self, code: str) -> None:
        if self.scan is None:
            return
        box = self.reason_boxes[code]
        box.setChecked(not box.isChecked())
        if self.pending and box.isChecked():
            self.decide(self.pending)

    def reasons(self) -> list[str]:
        return [code for code, box in self.reason_boxes.items() if box.isChecked()]

    def decide(self, decision: str) -> None:
        """Commit the decision; a refer or rescan without a reason waits for one reason key."""
        if self.scan is None:
            return
        if decision in NEEDS_REASON and not self.reasons():
            self.pending = decision
            self._say(f"{DECISIONS[decision]}: pick a reason (F1–F{len(REASONS)}).")
            return
        if self.log is None or self.officer is None:
            self._refuse("No decision log or no officer signed in: the decision was not recorded.")
            return
        record = Decision(ScanInfo.from_scan(self.scan), decision, self.opened_at, reasons=self.reasons(),
                          note=self.note.text(), model=self.model,
                          detector_marks=[dict(m) for m in self.detector_marks],
                          officer_marks=[dict(m) for m in self.officer_marks], corrects=self.corrects)
        try:
            appended = record_decision(self.log, self.officer, record)
        except (LogUnavailable, OSError) as exc:  # OSError: a full or vanished disk the log did not name
            self._hold(decision, "the decision log refused it.", "fix the log, then decide again.")
            self._held_for = ""
            self._refuse(f"NOT RECORDED — {exc} New decisions are blocked until the log is fixed.")
            return
        except AccountRefused as exc:
            # The account was disabled or given another role after sign-in (the core reads the table
            # for every decision). Held like a log failure: the next scan or closing the station
            # must not drop it without a word, and an account allowed to decide can still record it.
            self._hold(decision, str(exc), f"{exc} An account allowed to decide must record it.")
            self._held_for = self.officer.username
            self._refuse(f"NOT RECORDED — {exc} The decision stays on screen until an account allowed "
                         "to decide records it.")
            return
        except DecisionLogError as exc:
            self._refuse(f"Not recorded: {exc}")
            return
        name = self.scan.name
        self.unrecorded = False
        self.last = {"seq": appended.seq, "scan": self.scan, "decision": decision, "model": self.model,
                     "reasons": record.reasons, "note": record.note, "officer": self.officer.username,
                     "detector_marks": record.detector_marks, "officer_marks": record.officer_marks}
        self.finish()
        corrected = f", correcting #{record.corrects}" if record.corrects else ""
        self._say(f"✔ {DECISIONS[decision]} recorded for {name} (#{appended.seq}{corrected}). "
                  f"{KEYS['correct_last']}: correct it.")
        self.decided.emit(appended.seq, decision)

    def correct_last(self) -> None:
        """Reopen this officer's last decision; the next decision is logged as its correction."""
        last = self.last
        if self.unrecorded and self.scan is not None:
            # Leaving for the correction would drop the decision the log refused without a word.
            self._refuse(f"The decision on {self.scan.name} is not recorded yet; {self.unrecorded_hint} "
                         "Then correct an earlier one.")
            return
        if last is None or self.officer is None or last["officer"] != self.officer.username:
            self._say("No decision of yours to correct in this session.")
            return
        if self.bring_back is not None and not self.bring_back(last["scan"]):
            self._say(f"Opening {last['scan'].name} again to correct decision #{last['seq']}…")
            return
        self.correction_started.emit(last["scan"])
        self.start(last["scan"], model=last["model"])
        self.corrects = last["seq"]
        self.detector_marks = [dict(m) for m in last["detector_marks"]]
        self.officer_marks = [dict(m) for m in last["officer_marks"]]
        self.current_mark = 0 if self.detector_marks else None
        for code, box in self.reason_boxes.items():
            box.setChecked(code in last["reasons"])
        self.note.setText(last["note"])
        was = DECISIONS[last["decision"]]
        self.title.setText(f"Correcting #{last['seq']} ({was}) on {last['scan'].name}")
        self._refresh()

    def unrecorded_summary(self) -> str | None:
        """The decision the log refused, in words, while the panel still holds it."""
        if not self.unrecorded or self.scan is None:
            return None
        return (f"The decision \"{DECISIONS[self._refused]}\" on {self.scan.name} is NOT RECORDED: "
                f"{self._refused_why}")

    def redraw(self) -> None:
        """Put the review's marks back on the viewer (after it was given the scan again)."""
        self._refresh()

    # -- helpers -------------------------------------------------------------------------------

    def _hand_over(self, new_officer: str) -> None:
        """Another account signed in over a decision the table refused to its owner: that one can
        never be recorded as made, so it stops blocking the station. A correction is its author's
        alone (the core refuses it from anyone else), so it is dropped and the decision it would
        have corrected stands; a first decision stays on screen for the new officer to make their own."""
        before, self._held_for, self.unrecorded = self._held_for, "", False
        if self.scan is None:
            return
        name, why = self.scan.name, self._refused_why.rstrip(".")
        if self.corrects is not None:
            corrected, scan, self.corrects = self.corrects, self.scan, None
            self.show_decided(scan)
            self._refuse(f"{before}'s correction of #{corrected} on {name} was not recorded ({why}) and is "
                         f"dropped: only {before} may correct it. #{corrected} stands.")
            return
        self.opened_at = now_utc()  # the new officer's review starts now
        self._refuse(f"{before}'s decision on {name} was not recorded ({why}). The scan is still undecided: "
                     f"{new_officer}, decide it yourself (the marks are as {before} left them).")

    def _hold(self, decision: str, why: str, hint: str) -> None:
        self.unrecorded, self._refused = True, decision
        self._refused_why, self.unrecorded_hint = why, hint

    def _refuse(self, text: str) -> None:
        self.pending = None
        self.message.setStyleSheet("color: white; background: #b00020; padding: 4px;")
        self.message.setText(text)
        self.blocked.emit(text)

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _set_enabled(self, on: bool) -> None:
        for name, action in self.actions.items():
            action.setEnabled(on or name == "correct_last")  # a correction is wanted right after deciding
        for button in self.decision_buttons.values():
            button.setEnabled(on)
        self.note.setEnabled(on)

    def _enter_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _leave_note(self) -> None:
        if self.viewer is not None:
            self.viewer.setFocus(Qt.FocusReason.OtherFocusReason)

    def _stop_drawing(self) -> None:
        if self.viewer is not None and isinstance(self.viewer.interaction, DrawBox):
            self.viewer.interaction = self._previous_interaction
            if self._previous_interaction is None:
                self.viewer.setDragMode(self.viewer.DragMode.ScrollHandDrag)

    def _remove_items(self) -> None:
        for item in self._items:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._items = []

    def _refresh(self) -> None:
        self.marks_list.clear()
        for i, mark in enumerate(self.detector_marks):
            self.marks_list.addItem(("▶ " if i == self.current_mark else "   ") + detector_caption(mark, i))
        if self.current_mark is not None:
            self.marks_list.setCurrentRow(self.current_mark)
        own = ", ".join(m["category"] for m in self.officer_marks) or "none"
        self.own_label.setText(f"Own marks ({KEYS['draw']}: draw, {KEYS['own_category']}: category, "
                               f"{KEYS['remove_own']}: remove last): {own}")
        self._remove_items()
        if self.viewer is not None:
            items = mark_items(self.detector_marks, self.officer_marks, self.current_mark)
            if not self.draw_detector_marks:
                items = [item for i, item in enumerate(items)
                         if i == self.current_mark or i >= len(self.detector_marks)]
                if self.current_mark is not None:
                    items[0].caption_below()  # the overlay's own tag stays readable above the box
            self._items = [self.viewer.add_overlay(item) for item in items]


def _key(mark: dict[str, Any]) -> tuple:
    return mark.get("label"), tuple(round(float(v), 1) for v in mark["box"])


def _as_dict(detection: Any) -> dict[str, Any]:
    if isinstance(detection, dict):
        return {k: detection[k] for k in ("label", "category", "score", "box") if k in detection}
    return detection.to_json()
