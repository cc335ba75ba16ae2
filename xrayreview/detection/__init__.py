"""The threat detector: any standard ONNX detector, run tile by tile over a scan.

Qt-free; the station's worker thread and the headless commands both call ``detect``.
"""

from .engine import Options, detect
from .model import DEFAULT_MODEL, ThreatModel
from .types import CATEGORIES, THREAT_CATEGORIES, Detection, DetectionResult, ModelError, ModelInfo

__all__ = [
    "CATEGORIES", "DEFAULT_MODEL", "THREAT_CATEGORIES", "Detection", "DetectionResult", "ModelError",
    "ModelInfo", "Options", "ThreatModel", "detect",
]
