"""Where the station finds its bundled files and keeps its own."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
SAMPLES_DIR = REPO_ROOT / "assets" / "samples"
MODELS_DIR = REPO_ROOT / "models"


def data_dir() -> Path:
    """The station's own data folder (log, settings); XRAYREVIEW_DATA overrides it for tests."""
    override = os.environ.get("XRAYREVIEW_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir("xrayreview", False))
    path.mkdir(parents=True, exist_ok=True)
    return path
