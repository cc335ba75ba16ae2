"""Take docs/screenshots/review.png (an officer mid-review) and audit.png (the supervisor's view).

    PYTHONPATH=. xvfb-run -s "-screen 0 1680x1050x24" \
        .venv/bin/python docs/screenshots/take_review_screenshots.py

Uses a synthetic baggage scan and a throw-away log of made-up decisions, in a temporary folder.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent


def _demo_log(log, scan) -> None:
    import xrayreview.decisions.recording as recording
    from xrayreview.decisions import Account, Decision, ModelInfo, ScanInfo, record_decision

    rng = random.Random(4)
    info, model = ScanInfo.from_scan(scan), ModelInfo("xrayreview-reference", "ab" * 32, 0.35)
    saved = recording.now_utc
    for i in range(90):
        hour, minute = 7 + i // 15, (i * 4) % 60
        opened = f"2026-11-27T{hour:02d}:{minute:02d}:00.000+00:00"
        decided = f"2026-11-27T{hour:02d}:{minute:02d}:{rng.randint(8, 55):02d}.000+00:00"
        recording.now_utc = lambda t=decided: t
        flagged = rng.random() < 0.35
        marks = [{"label": "pistol", "category": "firearm", "score": round(rng.uniform(0.35, 0.97), 2),
                  "box": [300, 200, 380, 250], "verdict": rng.choice(["confirmed", "dismissed"])}]
        marks = marks if flagged else []
        decision = "refer" if flagged and marks[0]["verdict"] == "confirmed" else rng.choice(
            ["clear"] * 8 + ["rescan", "refer"])
        reasons = {"refer": ["firearm"], "rescan": ["quality"], "clear": []}[decision]
        record_decision(log, Account(rng.choice(["olga", "otto", "ines"]), "officer"),
                        Decision(info, decision, opened, reasons=reasons, model=model, detector_marks=marks))
    recording.now_utc = saved


def main() -> int:
    app = QApplication(sys.argv[:1])
    from xrayreview.ui.theme import apply_dark_theme

    apply_dark_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XRAYREVIEW_DATA"] = tmp
        from xrayreview.decisions import Account
        from xrayreview.scan import load_scan
        from xrayreview.synth.export import write_scan
        from xrayreview.synth.generate import generate_scan
        from xrayreview.ui.audit_view import AuditView
        from xrayreview.ui.station import build_station

        # Named threats: a seed alone may draw a clean bag, and the picture is of marks being reviewed.
        synthetic, truths = generate_scan("baggage", seed=3, threats=["pistol", "battery"])
        path = write_scan(Path(tmp), "synthetic-bag", synthetic, truths)
        window = build_station()  # image window, detector (the shipped model) and decision desk
        desk = window.review
        desk.set_account(Account("olga", "officer"))
        window.resize(1600, 1000)
        window.show()
        window.open_paths([path])
        waited = [0]

        def shoot() -> None:
            result = window.detection.current_result() if window.current is not None else None
            if result is None and waited[0] < 300:  # the detector's first run, up to 30 s
                waited[0] += 1
                QTimer.singleShot(100, shoot)
                return
            if not desk.panel.detector_marks:  # the interim model is shy: show its weaker guesses too
                window.detection.panel.set_threshold(0.05)
                app.processEvents()
            scan = window.current_scan()
            w, h = scan.width, scan.height
            if desk.panel.detector_marks:
                desk.panel.set_verdict("confirmed")
            desk.panel.add_own_mark([w * .70, h * .20, w * .80, h * .35], "ied_component")
            desk.panel.toggle_reason("firearm")
            app.processEvents()
            window.grab().save(str(HERE / "review.png"))
            _demo_log(desk.log, load_scan(path))
            view = AuditView(desk.log, Account("sam", "supervisor"))
            view.resize(1500, 950)
            view.show()
            view.verify()
            QTimer.singleShot(300, lambda: (view.grab().save(str(HERE / "audit.png")), view.close(),
                                            desk.shutdown(), window.close(), app.quit()))

        QTimer.singleShot(200, shoot)
        app.exec()
    print(f"written {HERE / 'review.png'} and {HERE / 'audit.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
