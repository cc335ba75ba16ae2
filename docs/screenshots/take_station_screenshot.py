"""Take docs/screenshots/station.png: the station with a scan open, on a real X display.

Run under Xvfb so the real window system (xcb) draws the window, not the offscreen plugin:

    xvfb-run -s "-screen 0 1680x1050x24" .venv/bin/python docs/screenshots/take_station_screenshot.py [SCAN]

Without SCAN it opens the first bundled sample, or generates a synthetic baggage scan.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, QTimer
from PySide6.QtWidgets import QApplication

from xrayreview.app import bundled_samples
from xrayreview.ui.main_window import MainWindow
from xrayreview.ui.theme import apply_dark_theme

OUT = Path(__file__).resolve().parent / "station.png"


def _scan_to_show(folder: Path) -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    samples = bundled_samples()
    if samples:
        return samples[0]
    from xrayreview.synth.export import write_scan
    from xrayreview.synth.generate import generate_scan

    scan, truths = generate_scan("baggage", seed=3)
    return write_scan(folder, "synthetic-bag", scan, truths)


def main() -> int:
    app = QApplication(sys.argv[:1])
    apply_dark_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["XRAYREVIEW_DATA"] = tmp  # a fresh layout, not the user's remembered one
        window = MainWindow()
        window.resize(1600, 1000)
        window.show()
        window.open_paths([_scan_to_show(Path(tmp))])

        def shoot() -> None:
            if window.current is None:
                QTimer.singleShot(100, shoot)
                return
            view = window.viewer
            view.fit()
            centre = view.mapFromScene(view.visible_rect().center() + QPointF(40, 10))
            view.set_loupe_enabled(True)
            view.show_loupe(centre)
            window._show_pixel(int(view.visible_rect().center().x()), int(view.visible_rect().center().y()))
            app.processEvents()
            window.grab().save(str(OUT), "PNG")
            print(f"saved {OUT}")
            window.close()
            app.quit()

        QTimer.singleShot(300, shoot)
        return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
