"""The station's entry point: a Qt application around the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import SAMPLES_DIR, data_dir

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".dcs", ".dcm"}


def bundled_samples() -> list[Path]:
    """The sample scans shipped in assets/samples, in name order (sidecars and notes left out)."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES)


def no_display_reason() -> str | None:
    """Why Qt could not show a window here, or None.

    Without an X11 or Wayland display and no platform chosen, Qt aborts the whole process
    (SIGABRT, a core dump) from C++, where Python cannot catch it; checked first, it is one line.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("there is no display to show the station on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "set QT_QPA_PLATFORM=offscreen to start it without a screen, or see `xrayreview --help` "
            "for the commands that need none")


def run_station(paths: list[Path]) -> int:
    """Open the station on ``paths``, or on the bundled samples when none are given."""
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415 - headless commands never load Qt

    from .ui.station import build_station  # noqa: PLC0415
    from .ui.theme import apply_dark_theme  # noqa: PLC0415

    reason = None if QApplication.instance() else no_display_reason()
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 2
    # Before any window or worker thread exists: a data folder that cannot be used raises
    # DataFolderError here, which the command line shows in one line. Later, from inside the
    # window's construction, it left a traceback and a loader thread that aborts the process.
    data_dir()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("xrayreview")
    app.setOrganizationName("xrayreview")
    apply_dark_theme(app)
    window = build_station()
    window.show()
    window.review.sign_in()  # non-blocking: the station is usable for viewing while it is up
    to_open = [Path(p) for p in paths] or bundled_samples()
    if to_open:
        window.open_paths(to_open)
    else:
        window.statusBar().showMessage("No scans given and no bundled samples found: use File › Open.")
    return int(app.exec())
