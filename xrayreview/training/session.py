"""Running a training session: next scan, the trainee's answer, feedback, the summary.

Qt-free: the trainer UI drives this object. Every answer is scored at once (for feedback and
for the adaptive staircase) and appended to the training log when one is given; the last one
in the same transaction as the session's summary, so a session is never left with all its
answers and no score.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scan import Scan
from .errors import TrainingError
from .library import Library, threat_to_dict
from .offers import Offer
from .plan import PlannedScan, Projector, SessionPlan, SessionSpec, build_plan, plan_scan, scan_for
from .records import TrainingLog
from .scoring import Box, Score, Trial, TrialResult, judge, score
from .staircase import AdaptiveDifficulty


@dataclass(frozen=True)
class Feedback:
    """What the trainee is shown after answering: what was there and how the answer scored."""

    item: PlannedScan
    result: TrialResult
    timed_out: bool


class TrainingSession:
    def __init__(self, plan: SessionPlan, library: Library, trainee: str, *,
                 projector: Projector | None = None, log: TrainingLog | None = None,
                 adaptive: AdaptiveDifficulty | None = None,
                 authorise: Callable[[], object] | None = None) -> None:
        self.plan = plan
        self.library = library
        self.trainee = trainee
        self.projector = projector
        self.log = log
        # Asked before every answer is taken; raising (AccountRefused from the station's accounts)
        # refuses the answer with nothing changed, so a trainee disabled mid-session records no more.
        self.authorise = authorise
        self.adaptive = adaptive or AdaptiveDifficulty()
        self.trials: list[Trial] = []
        self.session_id: int | None = None

    @classmethod
    def start(cls, spec: SessionSpec, library: Library, trainee: str, *,
              projector: Projector | None = None, log: TrainingLog | None = None) -> TrainingSession:
        session = cls(build_plan(spec, library, projector), library, trainee, projector=projector, log=log)
        if log is not None:
            session.session_id = log.append("training_session", {
                "trainee": trainee, "plan": session.plan.to_dict() if not spec.adaptive else None,
                "spec": spec.to_dict(), "fingerprint": session.plan.fingerprint(),
            })
        return session

    @classmethod
    def from_offer(cls, offer: Offer, library: Library, trainee: str, *,
                   projector: Projector | None = None, log: TrainingLog | None = None,
                   authorise: Callable[[], object] | None = None) -> TrainingSession:
        """Run a session a trainer built and stored; its own copy of the plan grows if adaptive.

        ``authorise``: asked before the run is recorded and before every answer (see __init__)."""
        plan = SessionPlan.from_dict(offer.plan.to_dict())
        plan.check_sources(library)  # before anything is recorded: no run against truth for other files
        if authorise is not None:
            authorise()
        session = cls(plan, library, trainee, projector=projector, log=log, authorise=authorise)
        if log is not None:
            session.session_id = log.append("training_session", {
                "trainee": trainee, "offer": offer.id, "name": offer.name, "plan": None,
                "spec": plan.spec.to_dict(), "fingerprint": offer.plan.fingerprint(),
            })
        return session

    @property
    def position(self) -> int:
        return len(self.trials)

    @property
    def finished(self) -> bool:
        return self.position >= self.plan.spec.scans

    def next_scan(self) -> tuple[PlannedScan, Scan]:
        """The scan to show now (building it first in adaptive sessions)."""
        if self.finished:
            raise TrainingError("The session is over; there is no next scan.")
        index = self.position
        if len(self.plan.items) <= index:
            self.plan.items.append(self._adaptive_item(index))
        item = self.plan.items[index]
        return item, scan_for(item, self.library, self.projector, self.plan.sources.get(item.base))

    def upcoming(self, ahead: int = 0) -> Callable[[], tuple[PlannedScan, Scan]] | None:
        """A job that builds the scan to show next (or ``ahead`` after it) without changing the session.

        The trainer UI runs it on a worker thread (a generated scan with a projected threat
        takes a second or more) and hands the result to ``present`` on its own thread. The
        adaptive difficulty is read now, so the job never touches the staircases. Looking
        ahead works only for scans already planned (None otherwise): an adaptive scan depends
        on the answers before it.
        """
        if self.finished:
            raise TrainingError("The session is over; there is no next scan.")
        index = self.position + ahead
        plan, library, projector = self.plan, self.library, self.projector
        if ahead and (index >= plan.spec.scans or index >= len(plan.items)):
            return None
        if index < len(plan.items):
            item = plan.items[index]
            digests = plan.sources.get(item.base)
            return lambda: (item, scan_for(item, library, projector, digests))
        difficulty, category = plan.spec.difficulty, None
        if plan.threat_slots[index]:
            rng = np.random.default_rng([plan.spec.seed, 3, index])
            category = plan.spec.categories[int(rng.integers(len(plan.spec.categories)))]
            difficulty = self.adaptive.difficulty(category)

        def build() -> tuple[PlannedScan, Scan]:
            built = plan_scan(plan, index, library, difficulty, projector, category)
            return built, scan_for(built, library, projector)

        return build

    def present(self, item: PlannedScan) -> None:
        """The scan built by ``upcoming`` is on screen now: the next answer is scored against it."""
        if item.index != self.position:
            raise TrainingError("That scan is not the session's next one.")
        if len(self.plan.items) == item.index:
            self.plan.items.append(item)

    def _adaptive_item(self, index: int) -> PlannedScan:
        spec = self.plan.spec
        if not self.plan.threat_slots[index]:
            return plan_scan(self.plan, index, self.library, spec.difficulty, self.projector)
        rng = np.random.default_rng([spec.seed, 3, index])
        category = spec.categories[int(rng.integers(len(spec.categories)))]
        return plan_scan(self.plan, index, self.library, self.adaptive.difficulty(category),
                         self.projector, category)

    def answer(self, decision: str | None, marks: Sequence[Box] = (),
               seconds: float | None = None) -> Feedback:
        """Score the answer to the current scan; ``decision`` None means its time ran out."""
        if self.finished or len(self.plan.items) <= self.position:
            raise TrainingError("Answer a scan only after it was shown.")
        if decision not in (None, "clear", "refer", "rescan"):
            raise TrainingError(f"Unknown decision {decision!r}.")
        if self.authorise is not None:
            self.authorise()
        item = self.plan.items[self.position]
        limit = self.plan.spec.time_limit_s
        timed_out = decision is None or (limit is not None and seconds is not None and seconds > limit)
        if timed_out:
            decision, marks = None, ()
        trial = Trial(item.threats, decision, tuple(tuple(float(v) for v in m) for m in marks), seconds)
        result = judge(trial)
        if self.log is not None:
            # The session as it stands once this answer is in, worked out on copies: the session
            # itself changes only after the log took the answer, so a refused one, tried again,
            # moves the staircase once.
            trials = [*self.trials, trial]
            adaptive = copy.deepcopy(self.adaptive)
            self._step(adaptive, item, result)
            # The last answer and the session's score commit together: written one after the
            # other, a process killed between them left every answer recorded and no score.
            with self.log.transaction() as writer:
                writer.append("training_answer", self._answer_record(item, trial, result, timed_out))
                if len(trials) >= self.plan.spec.scans:
                    writer.append("training_summary", self._summary_record(trials, adaptive))
        self._step(self.adaptive, item, result)
        self.trials.append(trial)
        return Feedback(item, result, timed_out)

    def _step(self, adaptive: AdaptiveDifficulty, item: PlannedScan, result: TrialResult) -> None:
        if self.plan.spec.adaptive:
            for threat, hit in zip(item.threats, result.hits, strict=True):
                adaptive.record(threat.category, hit)

    def summary(self) -> Score:
        return score(self.trials)

    def summary_record(self) -> dict[str, Any]:
        """The ``training_summary`` record of the session as answered so far."""
        return self._summary_record(self.trials, self.adaptive)

    def _summary_record(self, trials: Sequence[Trial], adaptive: AdaptiveDifficulty) -> dict[str, Any]:
        result = score(trials)

        def rates(r: Any) -> dict[str, Any]:
            return {"events": r.events, "hits": r.hits, "clean": r.clean, "false_alarms": r.false_alarms,
                    "hit_rate": r.hit_rate, "false_alarm_rate": r.false_alarm_rate,
                    "d_prime": r.d_prime, "a_prime": r.a_prime}

        return {"session": self.session_id, "trainee": self.trainee, "fingerprint": self.plan.fingerprint(),
                "scans": result.scans, "mean_seconds": result.mean_seconds, "stray_marks": result.stray_marks,
                "overall": rates(result.overall),
                "per_category": {c: rates(r) for c, r in result.per_category.items()},
                "adaptive": adaptive.to_dict() if self.plan.spec.adaptive else None}

    def _answer_record(self, item: PlannedScan, trial: Trial, result: TrialResult, timed_out: bool) -> dict:
        return {"session": self.session_id, "trainee": self.trainee, "item": item.to_dict(),
                "decision": trial.decision, "marks": [list(m) for m in trial.marks], "seconds": trial.seconds,
                "timed_out": timed_out, "hits": list(result.hits), "false_alarm": result.false_alarm,
                "truth": [threat_to_dict(t) for t in item.threats]}
