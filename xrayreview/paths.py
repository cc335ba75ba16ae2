"""Where the station finds its bundled files and keeps its own."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
SAMPLES_DIR = REPO_ROOT / "assets" / "samples"
MODELS_DIR = REPO_ROOT / "models"


class DataFolderError(OSError):
    """The station's data folder cannot be used; the message names it and says why.

    An OSError, so callers that already handle a failed write keep handling it; its own type,
    so the command line and the station's start-up can say so in one line instead of a
    traceback from deep inside whatever asked for the folder first.
    """


def data_dir() -> Path:
    """The station's own data folder (log, settings); XRAYREVIEW_DATA overrides it for tests."""
    override = os.environ.get("XRAYREVIEW_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir("xrayreview", False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file at that path, a read-only disk, no permission
        origin = "set by XRAYREVIEW_DATA" if override else "the user data folder"
        reason = "it is a file, not a folder" if path.is_file() else (exc.strerror or str(exc))
        message = f"The station's data folder {path} ({origin}) cannot be used: {reason}."
        raise DataFolderError(message) from exc
    return path
