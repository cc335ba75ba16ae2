"""What the detector produces, as plain values that can cross threads and go into the log."""

from __future__ import annotations

from dataclasses import dataclass, field

# The threat categories the station alarms on; everything else a model finds is "other".
FIREARM = "firearm"
IED_COMPONENT = "ied_component"
OTHER = "other"
CATEGORIES = (FIREARM, IED_COMPONENT, OTHER)
THREAT_CATEGORIES = (FIREARM, IED_COMPONENT)


class ModelError(Exception):
    """A detector model that cannot serve; the message says what is wrong with it."""


@dataclass(frozen=True)
class Detection:
    """One mark the detector puts on a scan; ``box`` is x1, y1, x2, y2 in the scan's own pixels."""

    label: str
    category: str
    score: float
    box: tuple[float, float, float, float]

    @property
    def is_threat(self) -> bool:
        return self.category in THREAT_CATEGORIES

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "category": self.category,
            "score": round(float(self.score), 4),
            "box": [round(float(v), 1) for v in self.box],
        }


@dataclass(frozen=True)
class ModelInfo:
    """What the station and the decision log need to know about the model in use."""

    name: str
    sha256: str
    path: str
    default_conf: float
    classes: tuple[str, ...]
    known_performance: str = ""  # the sidecar's own statement of what was measured, if any


@dataclass
class DetectionResult:
    """Everything one run of the detector on one scan produced."""

    detections: list[Detection] = field(default_factory=list)
    elapsed_s: float = 0.0
    tiles_run: int = 0
    tiles_skipped: int = 0
    cancelled: bool = False
    model_s: float = 0.0  # of elapsed_s, the time inside the model's runs (the rest is the engine's own)

    def above(self, conf: float) -> list[Detection]:
        """The marks an officer sees at confidence threshold ``conf``."""
        return [d for d in self.detections if d.score >= conf]
