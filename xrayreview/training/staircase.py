"""Adaptive difficulty: one staircase per threat category.

A transformed up/down staircase (Levitt 1971): difficulty rises one level after
``hits_to_rise`` hits in a row and falls one level after every miss. With the default of two
hits it settles where the trainee finds about 71 % of threats, hard enough to teach and easy
enough not to discourage. Levels map to the generator's difficulty knobs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrainingDifficulty:
    """The generator's knobs, 0..1: clutter over the threat, rotation, smallness, load density."""

    clutter: float = 0.5
    rotation: float = 0.5
    size: float = 0.5
    density: float = 0.5

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingDifficulty:
        knobs = ("clutter", "rotation", "size", "density")
        return cls(**{k: _unit(float(data[k])) for k in knobs if k in data})

    def for_generator(self) -> Any:
        """The same knobs as ``xrayreview.synth`` takes them."""
        from ..synth.placement import Difficulty  # noqa: PLC0415 - the generator loads only when building

        return Difficulty(clutter=self.clutter, rotation=self.rotation, size=self.size, density=self.density)


# Level 0 is a threat lying flat in a tidy load; level 4 is rotated, small and buried in clutter.
LEVELS: tuple[TrainingDifficulty, ...] = (
    TrainingDifficulty(clutter=0.1, rotation=0.0, size=0.0, density=0.2),
    TrainingDifficulty(clutter=0.3, rotation=0.3, size=0.25, density=0.35),
    TrainingDifficulty(clutter=0.5, rotation=0.5, size=0.5, density=0.5),
    TrainingDifficulty(clutter=0.7, rotation=0.75, size=0.75, density=0.7),
    TrainingDifficulty(clutter=0.9, rotation=1.0, size=1.0, density=0.9),
)


@dataclass
class Staircase:
    level: int = 1
    hits_to_rise: int = 2
    run: int = 0  # hits in a row since the last change
    history: list[int] = field(default_factory=list)  # level at each answer, for the trainer's chart

    def record(self, hit: bool) -> int:
        """Move after one threat event; returns the level for the next one."""
        self.history.append(self.level)
        if hit:
            self.run += 1
            if self.run >= self.hits_to_rise:
                self.level = min(self.level + 1, len(LEVELS) - 1)
                self.run = 0
        else:
            self.level = max(self.level - 1, 0)
            self.run = 0
        return self.level


@dataclass
class AdaptiveDifficulty:
    """Staircases by threat category, each starting at ``start_level``."""

    start_level: int = 1
    hits_to_rise: int = 2
    stairs: dict[str, Staircase] = field(default_factory=dict)

    def level(self, category: str) -> int:
        return self._stair(category).level

    def difficulty(self, category: str) -> TrainingDifficulty:
        return LEVELS[self.level(category)]

    def record(self, category: str, hit: bool) -> int:
        return self._stair(category).record(hit)

    def _stair(self, category: str) -> Staircase:
        if category not in self.stairs:
            level = min(max(self.start_level, 0), len(LEVELS) - 1)
            self.stairs[category] = Staircase(level=level, hits_to_rise=self.hits_to_rise)
        return self.stairs[category]

    def to_dict(self) -> dict[str, Any]:
        return {"start_level": self.start_level, "hits_to_rise": self.hits_to_rise,
                "stairs": {c: asdict(s) for c, s in sorted(self.stairs.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdaptiveDifficulty:
        stairs = {c: Staircase(**s) for c, s in (data.get("stairs") or {}).items()}
        return cls(int(data.get("start_level", 1)), int(data.get("hits_to_rise", 2)), stairs)


def _unit(value: float) -> float:
    return min(max(value, 0.0), 1.0)
