"""Scan files for the trainer's library in the Qt tests (plain files, no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np


def write_library_scan(path: Path, level: int = 30000, truth: list | None = None) -> Path:
    """A 16-bit scan of a load on air with its sidecar (2 mm a pixel, and ``truth`` as its threats)."""
    image = np.full((300, 520), 60000, np.uint16)
    image[50:250, 70:450] = level
    cv2.imwrite(str(path), image)
    sidecar: dict = {"pixel_pitch_mm": 2.0}
    if truth is not None:
        sidecar["threats"] = truth
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path
