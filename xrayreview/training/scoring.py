"""Screener scoring: hit rate, false-alarm rate, d′ and A′, per threat category and overall.

The rules, stated once:

- A **threat event** is one projected threat. It is a **hit** when the trainee's response is
  an alarm (``refer`` or ``rescan`` — anything but ``clear``) *and* one of the trainee's marks
  lies on it: the mark covers at least ``MIN_THREAT_COVER`` of the threat box and at least
  ``MIN_MARK_ON_THREAT`` of the mark lies on the threat (so a box drawn round the whole load
  does not count). A refer without a mark on the threat is a miss.
- A **clean scan** answered with an alarm is a **false alarm**; answered ``clear`` it is a
  correct rejection. Marks on a threat scan that touch no threat are counted as stray marks.
- H = hits / threat events, F = false alarms / clean scans. Per category, H is the category's
  own and F is the session's (clean scans have no category).
- d′ = z(H′) − z(F′) with the **log-linear correction** (Hautus 1995):
  H′ = (hits + 0.5) / (events + 1), F′ = (false alarms + 0.5) / (clean scans + 1), applied to
  every cell so rates of 0 and 1 stay finite and all scores are corrected alike.
- A′ (Grier 1971) from the uncorrected rates; 0.5 when H = F.
- A scan left unanswered when its time ran out is scored as ``clear`` with no marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, fmean

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in scan pixels

MIN_THREAT_COVER = 0.5
MIN_MARK_ON_THREAT = 0.1
ALARM_DECISIONS = frozenset({"refer", "rescan"})

_Z = NormalDist().inv_cdf


@dataclass(frozen=True)
class Threat:
    box: Box
    category: str
    label: str = ""


@dataclass(frozen=True)
class Trial:
    """One scan as the trainee answered it."""

    threats: tuple[Threat, ...]
    decision: str | None  # None: time ran out before an answer
    marks: tuple[Box, ...] = ()
    seconds: float | None = None


@dataclass(frozen=True)
class TrialResult:
    hits: tuple[bool, ...]  # one per threat, in order
    false_alarm: bool
    stray_marks: int


@dataclass(frozen=True)
class Rates:
    events: int  # threat events (signal trials)
    hits: int
    clean: int  # clean scans (noise trials)
    false_alarms: int

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.events if self.events else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_alarms / self.clean if self.clean else None

    @property
    def d_prime(self) -> float | None:
        if not self.events or not self.clean:
            return None
        h = (self.hits + 0.5) / (self.events + 1)
        f = (self.false_alarms + 0.5) / (self.clean + 1)
        return _Z(h) - _Z(f)

    @property
    def a_prime(self) -> float | None:
        h, f = self.hit_rate, self.false_alarm_rate
        if h is None or f is None:
            return None
        if h == f:
            return 0.5
        if h > f:
            return 0.5 + ((h - f) * (1 + h - f)) / (4 * h * (1 - f))
        return 0.5 - ((f - h) * (1 + f - h)) / (4 * f * (1 - h))


@dataclass(frozen=True)
class Score:
    overall: Rates
    per_category: dict[str, Rates] = field(default_factory=dict)
    mean_seconds: float | None = None
    stray_marks: int = 0
    scans: int = 0


def mark_hits(mark: Box, threat: Box) -> bool:
    """Whether a trainee's box is on the threat (see the module's rules)."""
    ix = min(mark[2], threat[2]) - max(mark[0], threat[0])
    iy = min(mark[3], threat[3]) - max(mark[1], threat[1])
    if ix <= 0 or iy <= 0:
        return False
    inter = ix * iy
    threat_area = (threat[2] - threat[0]) * (threat[3] - threat[1])
    mark_area = (mark[2] - mark[0]) * (mark[3] - mark[1])
    if threat_area <= 0 or mark_area <= 0:
        return False
    return inter >= MIN_THREAT_COVER * threat_area and inter >= MIN_MARK_ON_THREAT * mark_area


def judge(trial: Trial) -> TrialResult:
    alarm = trial.decision in ALARM_DECISIONS
    hits = tuple(alarm and any(mark_hits(m, t.box) for m in trial.marks) for t in trial.threats)
    stray = sum(1 for m in trial.marks if not any(mark_hits(m, t.box) for t in trial.threats))
    stray = stray if trial.threats else 0  # on a clean scan any mark is part of the false alarm
    return TrialResult(hits, false_alarm=alarm and not trial.threats, stray_marks=stray)


def score(trials: Iterable[Trial]) -> Score:
    trials = list(trials)
    clean = [t for t in trials if not t.threats]
    false_alarms = sum(judge(t).false_alarm for t in clean)
    by_category: dict[str, list[bool]] = {}
    stray = 0
    for trial in trials:
        result = judge(trial)
        stray += result.stray_marks
        for threat, hit in zip(trial.threats, result.hits, strict=True):
            by_category.setdefault(threat.category, []).append(hit)
    everything = [hit for hits in by_category.values() for hit in hits]
    per_category = {
        category: Rates(len(hits), sum(hits), len(clean), false_alarms)
        for category, hits in sorted(by_category.items())
    }
    return Score(
        overall=Rates(len(everything), sum(everything), len(clean), false_alarms),
        per_category=per_category,
        mean_seconds=_mean([t.seconds for t in trials]),
        stray_marks=stray,
        scans=len(trials),
    )


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return fmean(known) if known else None
