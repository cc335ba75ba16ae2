"""The station's entry point: a Qt application around the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from .paths import SAMPLES_DIR

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".dcs", ".dcm"}


def bundled_samples() -> list[Path]:
    """The sample scans shipped in assets/samples, in name order (sidecars and notes left out)."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES)


def run_station(paths: list[Path]) -> int:
    """Open the station on ``paths``, or on the bundled samples when none are given."""
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415 - headless commands never load Qt

    from .ui.station import build_station  # noqa: PLC0415
    from .ui.theme import apply_dark_theme  # noqa: PLC0415

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
