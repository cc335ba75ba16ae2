"""Training session plans: which scan, which threat, where and how, with the ground truth.

Threats are projected (TIP) into clean library scans when the plan is built, and everything
the projection needs is stored: a plan rebuilt from its JSON gives the same scans and the
same ground truth, so a session can be rerun, audited or scored again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np

from ..scan import Scan
from .errors import TrainingError
from .library import Library, LibraryScan, threat_from_dict, threat_to_dict
from .scoring import Threat
from .staircase import LEVELS, TrainingDifficulty
from .visible import shown

# project_threat(scan, label, *, seed, center, rotation_deg, scale) -> (Scan, GroundTruth)
Projector = Callable[..., tuple[Scan, Any]]
Point = tuple[float, float]

DEFAULT_CATEGORIES = ("firearm", "ied_component")
# Candidate spots examined when placing a threat; the clutter knob picks among them.
PLACEMENT_CANDIDATES = 48
# A projected threat should lie at least this much within the load, and show in the rendering
# (visible.py); spots are tried in order.
MIN_INSIDE_LOAD = 0.9
PLACEMENT_TRIES = 6


@dataclass(frozen=True)
class SessionSpec:
    scans: int = 20
    threat_share: float = 0.5
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    difficulty: TrainingDifficulty = LEVELS[2]
    time_limit_s: float | None = 30.0
    seed: int = 0
    adaptive: bool = False
    detector_help: bool = False
    feedback: bool = True
    # Share of the threat scans drawn from library scans whose threats are known (real or
    # generated ones, shown as they are) instead of a projection into a clean scan.
    known_share: float = 0.0

    def check(self) -> None:
        if not 1 <= self.scans <= 1000:
            raise TrainingError("A session has between 1 and 1000 scans.")
        if not 0.0 <= self.threat_share <= 1.0:
            raise TrainingError("The share of scans with threats is between 0 and 1.")
        if self.threat_share > 0 and not self.categories:
            raise TrainingError("Choose at least one threat category.")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise TrainingError("The time limit per scan must be positive (or none).")
        if not 0.0 <= self.known_share <= 1.0:
            raise TrainingError("The share of scans with known threats is between 0 and 1.")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["categories"] = list(self.categories)
        data["difficulty"] = self.difficulty.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionSpec:
        data = dict(data)
        data["categories"] = tuple(data.get("categories") or ())
        data["difficulty"] = TrainingDifficulty.from_dict(data.get("difficulty") or {})
        return cls(**data)


@dataclass(frozen=True)
class PlannedScan:
    index: int
    base: str  # library scan id
    threats: tuple[Threat, ...]  # ground truth of the scan as shown (projected + already known)
    label: str | None = None  # projected threat, None for a scan shown as it is
    seed: int = 0
    center: tuple[float, float] | None = None
    rotation_deg: float | None = None
    scale: float = 1.0
    difficulty: TrainingDifficulty | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "base": self.base, "label": self.label, "seed": self.seed,
                "center": list(self.center) if self.center else None, "rotation_deg": self.rotation_deg,
                "scale": self.scale, "difficulty": self.difficulty.to_dict() if self.difficulty else None,
                "threats": [threat_to_dict(t) for t in self.threats]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannedScan:
        center = data.get("center")
        difficulty = data.get("difficulty")
        return cls(int(data["index"]), str(data["base"]), tuple(threat_from_dict(t) for t in data["threats"]),
                   data.get("label"), int(data.get("seed", 0)), tuple(center) if center else None,
                   data.get("rotation_deg"), float(data.get("scale", 1.0)),
                   TrainingDifficulty.from_dict(difficulty) if difficulty else None)


@dataclass
class SessionPlan:
    spec: SessionSpec
    items: list[PlannedScan] = field(default_factory=list)
    threat_slots: list[bool] = field(default_factory=list)  # which positions carry a threat
    # Library scan id -> {file name: SHA-256} of the files its planned items were made from. The
    # stored ground truth holds only for those bytes; a file replaced later must not be scored
    # against it. Empty for plans stored before digests were recorded (and generated scans).
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = {"spec": self.spec.to_dict(), "threat_slots": list(self.threat_slots),
                "items": [i.to_dict() for i in self.items]}
        if self.sources:  # absent when empty: older plans keep their JSON, and so their fingerprint
            data["sources"] = {base: dict(files) for base, files in self.sources.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionPlan:
        return cls(SessionSpec.from_dict(data["spec"]), [PlannedScan.from_dict(i) for i in data["items"]],
                   [bool(v) for v in data.get("threat_slots") or ()], _sources_from(data.get("sources")))

    def check_sources(self, library: Library) -> None:
        """TrainingError naming a library file that is not what it was when the plan was built."""
        for base, recorded in self.sources.items():
            library.get(base).check_digests(recorded)

    def note_source(self, library: Library, base: str) -> None:
        """Record the digests of a library scan's files, the first time an item uses it."""
        if base not in self.sources:
            digests = library.get(base).digests()
            if digests:
                self.sources[base] = digests

    def fingerprint(self) -> str:
        """SHA-256 of the plan's canonical JSON: what the training log records for the session."""
        body = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()


def threat_slots(spec: SessionSpec) -> list[bool]:
    """Which of the session's positions carry a threat, in a seeded random order."""
    count = round(spec.scans * spec.threat_share)
    slots = [True] * count + [False] * (spec.scans - count)
    np.random.default_rng([spec.seed, 1]).shuffle(slots)
    return slots


def build_plan(spec: SessionSpec, library: Library, projector: Projector | None = None, *,
               progress: Callable[[int, int], None] | None = None,
               should_stop: Callable[[], bool] | None = None) -> SessionPlan:
    """Every scan of a fixed-difficulty session, threats projected now; adaptive plans grow as they run.

    ``progress(done, total)`` is called after each scan; ``should_stop`` is asked between scans
    and a True ends the build with a TrainingError (the trainer closed the window or cancelled).
    """
    spec.check()
    if not library.clean():
        raise TrainingError("The library has no clean scans to project threats into.")
    plan = SessionPlan(spec, threat_slots=threat_slots(spec))
    if not spec.adaptive:
        for index in range(spec.scans):
            if should_stop is not None and should_stop():
                raise TrainingError("Building the session was cancelled.")
            item = plan_scan(plan, index, library, spec.difficulty, projector)
            plan.items.append(item)
            plan.note_source(library, item.base)
            if progress is not None:
                progress(index + 1, spec.scans)
    return plan


def plan_scan(plan: SessionPlan, index: int, library: Library, difficulty: TrainingDifficulty,
              projector: Projector | None = None, category: str | None = None) -> PlannedScan:
    """Plan position ``index``: a clean scan, or one with a threat of ``category`` projected in."""
    spec = plan.spec
    rng = np.random.default_rng([spec.seed, 2, index])
    clean = library.clean()
    base = clean[int(rng.integers(len(clean)))]
    if not plan.threat_slots[index]:
        return PlannedScan(index, base.id, (), seed=int(rng.integers(2**31)))
    known = known_threat_scans(library, (category,) if category else spec.categories)
    if spec.known_share > 0 and known:
        pick = np.random.default_rng([spec.seed, 4, index])  # its own stream: other draws stay as they were
        if pick.random() < spec.known_share:
            chosen = known[int(pick.integers(len(known)))]
            return PlannedScan(index, chosen.id, chosen.threats, difficulty=difficulty)
    labels = threat_labels((category,) if category else spec.categories)
    label = labels[int(rng.integers(len(labels)))]
    scan = base.load()
    centers = ranked_centers(scan, difficulty.clutter, rng)
    # Up to half way the threat lies flat (the textbook view) at a growing in-plane angle; beyond,
    # the generator draws a full 3-D pose from the stored seed (tilted guns are much harder to see).
    angle = float(rng.uniform(-180.0, 180.0) * min(1.0, 2 * difficulty.rotation))
    rotation = round(angle, 2) if difficulty.rotation <= 0.5 else None
    scale = round(1.0 - 0.35 * difficulty.size * float(rng.random()), 3)
    seed = int(rng.integers(2**31))
    load = load_mask(scan)
    first = _tries(centers[:PLACEMENT_TRIES], rotation)
    best: tuple[tuple[float, ...], bool, PlannedScan] | None = None
    for n, (center, angle) in enumerate(first + _tries(centers[PLACEMENT_TRIES:], rotation)):
        # The rest of the ranking only for a threat none of the first spots shows (the densest
        # goods all black): a threat that merely does not fit (larger than the load) is placed
        # as it always was, at no more projections.
        if n == len(first) and best is not None and best[1]:
            break
        item = PlannedScan(index, base.id, (), label, seed, center, angle, scale, difficulty)
        projected, truth = _project(scan, item, projector)
        item = PlannedScan(**{**item.__dict__, "threats": (truth,) + base.threats})
        inside = _share_inside(load, truth.box)
        seen = shown(scan, projected, truth.box)
        if inside >= MIN_INSIDE_LOAD and seen.shows:
            return item
        # Short of both, showing comes first: a threat no one can see cannot be scored fairly,
        # one that pokes out of the load can. Each criterion counts up to its threshold, then
        # the more of each; ties keep the earlier spot, nearer the clutter asked for.
        key = (min(seen.pixels, seen.needed), min(inside, MIN_INSIDE_LOAD), seen.pixels, inside)
        if best is None or key > best[0]:
            best = (key, seen.shows, item)
    assert best is not None  # ranked_centers always gives candidates
    return best[2]


def known_threat_scans(library: Library, categories: tuple[str, ...]) -> list[LibraryScan]:
    """Library scans with known threats, all of them of the session's categories."""
    return [s for s in library.scans if s.threats and all(t.category in categories for t in s.threats)]


def scan_for(item: PlannedScan, library: Library, projector: Projector | None = None,
             digests: dict[str, str] | None = None) -> Scan:
    """The scan as the trainee sees it, rebuilt from the plan.

    ``digests`` (the plan's ``sources`` for the item's scan) are checked first: a TrainingError
    names a file replaced since the plan was built rather than show it with the old truth.
    """
    entry = library.get(item.base)
    if digests:
        entry.check_digests(digests)
    scan = entry.load()
    if item.label is None:
        return scan
    projected, _ = _project(scan, item, projector)
    return projected


def threat_labels(categories: tuple[str, ...]) -> list[str]:
    from ..synth.threats import THREAT_CATEGORIES  # noqa: PLC0415 - the generator loads only when building

    labels = sorted(label for label, category in THREAT_CATEGORIES.items() if category in categories)
    if not labels:
        raise TrainingError(f"The generator knows no threats of the categories {', '.join(categories)}.")
    return labels


def choose_center(scan: Scan, clutter: float, rng: np.random.Generator) -> tuple[float, float]:
    """A spot inside the load: the more clutter asked for, the more the threat lies under dense goods."""
    return ranked_centers(scan, clutter, rng)[0]


def load_mask(scan: Scan) -> np.ndarray:
    """Where the load is: clearly darker than the brightest 2 % of the scan (open air)."""
    attenuation = -np.log(np.clip(scan.transmission_high(), 1e-4, 1.0))
    return attenuation > float(np.percentile(attenuation[::4, ::4], 2)) + 0.1


def ranked_centers(scan: Scan, clutter: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Candidate spots inside the load, best first for the clutter asked (0 light goods, 1 densest)."""
    attenuation = -np.log(np.clip(scan.transmission_high(), 1e-4, 1.0))
    factor = max(1, int(np.ceil(max(scan.width, scan.height) / 256)))
    sampled = np.ascontiguousarray(attenuation[::factor, ::factor])
    small = cv2.blur(sampled, (9, 9))
    # Inside the load (a threat floating in open air would be trivial) and away from its edge.
    load = load_mask(scan)[::factor, ::factor].astype(np.uint8)
    deep = cv2.erode(load, np.ones((15, 15), np.uint8))
    height, width = small.shape
    margin_y, margin_x = max(1, height // 8), max(1, width // 8)
    ys = rng.integers(margin_y, max(margin_y + 1, height - margin_y), PLACEMENT_CANDIDATES)
    xs = rng.integers(margin_x, max(margin_x + 1, width - margin_x), PLACEMENT_CANDIDATES)
    values = small[ys, xs]
    for mask in (deep, load):
        inside = mask[ys, xs] > 0
        if inside.any():
            ys, xs, values = ys[inside], xs[inside], values[inside]
            break
    order = np.argsort(values, kind="stable")
    target = min(max(clutter, 0.0), 1.0) * (len(order) - 1)
    ranked = sorted(range(len(order)), key=lambda rank: abs(rank - target))
    return [(float(xs[order[r]] * factor + factor / 2), float(ys[order[r]] * factor + factor / 2))
            for r in ranked]


def _sources_from(value: Any) -> dict[str, dict[str, str]]:
    """The stored ``sources``; ValueError for a shape no station writes (the record was changed)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(_is_text_map(files) for files in value.values()):
        raise ValueError(f"a plan's sources must map scan ids to {{file name: SHA-256}}, not {value!r}")
    return {str(base): dict(files) for base, files in value.items()}


def _is_text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items())


def _share_inside(load: np.ndarray, box: tuple[float, float, float, float]) -> float:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    window = load[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)]
    area = max(1, (x2 - x1) * (y2 - y1))
    return float(window.sum()) / area


def _tries(centers: list[Point], rotation: float | None) -> list[tuple[Point, float | None]]:
    """(center, angle) to try: each spot at the angle drawn, then each lying along the scan."""
    # A long gun turned across a low load cannot fit anywhere; lying along the scan it may.
    tries = [(c, rotation) for c in centers]
    return tries + [(c, 0.0) for c in centers] if rotation != 0.0 else tries


def _project(scan: Scan, item: PlannedScan, projector: Projector | None) -> tuple[Scan, Threat]:
    if projector is None:
        try:
            from ..synth import project_threat as projector  # noqa: PLC0415
        except ImportError as exc:
            raise TrainingError("Threat projection needs the threat generator (xrayreview.synth).") from exc
    try:
        projected, truth = projector(scan, item.label, seed=item.seed, center=item.center,
                                     rotation_deg=item.rotation_deg, scale=item.scale)
    except ValueError as exc:  # the generator refuses a threat that does not fit the scan
        raise TrainingError(f"The {item.label} could not be projected into {item.base}: {exc}") from exc
    return projected, Threat(tuple(float(v) for v in truth.box), str(truth.category), str(truth.label))
