"""Take docs/screenshots/station.png: the station with a scan open, on a real X display.

Run under Xvfb so the real window system (xcb) draws the window, not the offscreen plugin:

    xvfb-run -s "-screen 0 1680x1050x24" .venv/bin/python docs/screenshots/take_station_screenshot.py [SCAN]

Without SCAN it opens every bundled sample and shows the loaded truck (or generates a bag).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, QTimer
from PySide6.QtWidgets import QApplication

from xrayreview.app import bundled_samples
from xrayreview.ui.station import build_station
from xrayreview.ui.theme import apply_dark_theme

OUT = Path(__file__).resolve().parent / "station.png"


SHOWN = "cargo-20ft-truck-pistol-pipebomb_high.tif"


def _scans_to_open(folder: Path) -> list[Path]:
    """The shown scan first: the station shows the first file it is given."""
    if len(sys.argv) > 1:
        return [Path(sys.argv[1])]
    samples = bundled_samples()
    if samples:
        return sorted(samples, key=lambda p: p.name != SHOWN)
    from xrayreview.synth.export import write_scan
    from xrayreview.synth.generate import generate_scan

    scan, truths = generate_scan("baggage", seed=3)
    return [write_scan(folder, "synthetic-bag", scan, truths)]


def main() -> int:
    app = QApplication(sys.argv[:1])
    apply_dark_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["XRAYREVIEW_DATA"] = tmp  # a fresh layout, not the user's remembered one
        window = build_station()
        window.resize(1600, 1000)
        window.show()
        window.open_paths(_scans_to_open(Path(tmp)))

        waited = {"ms": 0}

        def shoot() -> None:
            # The marks belong in the picture: wait for the detector's result on the scan shown (a
            # busy machine can take many seconds), but not for ever when there is no model to run.
            no_marks_yet = window.detection.current_result() is None and waited["ms"] < 120_000
            if window.current is None or window.loader.pending or no_marks_yet:
                waited["ms"] += 100
                QTimer.singleShot(100, shoot)
                return
            view = window.viewer
            view.fit()
            scan = window.current_scan()
            centre = view.mapFromScene(QPointF(scan.width * 0.62, scan.height * 0.45))
            view.set_loupe_enabled(True)
            view.show_loupe(centre)
            window._show_pixel(int(scan.width * 0.62), int(scan.height * 0.45))
            app.processEvents()
            window.grab().save(str(OUT), "PNG")
            print(f"saved {OUT}")
            window.close()
            app.quit()

        QTimer.singleShot(300, shoot)
        return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
