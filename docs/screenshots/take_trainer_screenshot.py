"""Take docs/screenshots/trainer.png (results) and trainer-run.png (feedback to a trainee) under X.

    xvfb-run -a -s "-screen 0 1680x1050x24" .venv/bin/python docs/screenshots/take_trainer_screenshot.py

Everything lives in a temporary data folder: a library of generated baggage scans, one
session built by a trainer, and a few simulated runs by two trainees so the history has points.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing it


def _simulate(log_path: Path, library_path: Path) -> None:
    """A trainer's session and six finished runs of it, trainees getting better over time."""
    from xrayreview.decisions import Account
    from xrayreview.training.library import Library
    from xrayreview.training.offers import offer_session
    from xrayreview.training.plan import SessionSpec, build_plan
    from xrayreview.training.records import TrainingLog
    from xrayreview.training.session import TrainingSession
    from xrayreview.training.sources import generated_entry

    library = Library([generated_entry("baggage", seed) for seed in (1, 2, 3)])
    library.save(library_path)
    spec = SessionSpec(scans=10, threat_share=0.5, seed=4, time_limit_s=45)
    with TrainingLog(log_path) as log:
        stored = offer_session(log, build_plan(spec, library), "Week 12: handguns and IED parts in bags",
                               Account("tina", "trainer"))
        rng = np.random.default_rng(0)
        for trainee, skills in (("omar", (0.4, 0.6, 0.8)), ("olga", (0.6, 0.7, 0.9))):
            for skill in skills:
                session = TrainingSession.from_offer(stored, library, trainee, log=log)
                for item in stored.plan.items:
                    session.present(item)
                    if item.threats and rng.random() < skill:
                        session.answer("refer", [t.box for t in item.threats], float(rng.uniform(6, 20)))
                    elif not item.threats and rng.random() < (1 - skill) / 2:
                        session.answer("refer", [(10, 10, 60, 60)], float(rng.uniform(6, 20)))
                    else:
                        session.answer("clear", [], float(rng.uniform(4, 15)))


def main() -> int:
    app = QApplication(sys.argv[:1])
    from xrayreview.decisions import Account
    from xrayreview.training.access import Trainees
    from xrayreview.ui.theme import apply_dark_theme
    from xrayreview.ui.trainer_window import TrainerWindow

    apply_dark_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XRAYREVIEW_DATA"] = tmp
        log_path, library_path = Path(tmp) / "training.sqlite", Path(tmp) / "library.json"
        _simulate(log_path, library_path)
        trainees = Trainees.of([Account("olga", "officer"), Account("omar", "officer")])
        window = TrainerWindow(Account("tina", "trainer"), log_path=log_path, library_path=library_path,
                               trainees=trainees)
        window.resize(1360, 820)
        window.show()
        window.tabs.setCurrentWidget(window.results)

        def shoot_results() -> None:
            app.processEvents()
            window.grab().save(str(HERE / "trainer.png"), "PNG", 0)
            print("saved trainer.png")
            run = window.run_offer(window.offers[0].id)
            run.session.plan.items  # noqa: B018 - the run builds its scans on its worker thread
            QTimer.singleShot(200, lambda: wait_for_scan(run))

        def wait_for_scan(run) -> None:  # noqa: ANN001
            if run.preparing:
                QTimer.singleShot(200, lambda: wait_for_scan(run))
                return
            item = run.session.plan.items[run.session.position]
            if not item.threats:  # answer clean scans until one with a threat is on screen
                run.decide("clear")
                run.go_on()
                QTimer.singleShot(200, lambda: wait_for_scan(run))
                return
            x1, y1, x2, y2 = item.threats[0].box
            run.add_mark([x1 - 6, y1 - 4, x2 + 4, y2 + 6])
            run.decide("refer")
            app.processEvents()
            window.grab().save(str(HERE / "trainer-run.png"), "PNG", 0)
            print("saved trainer-run.png")
            window.leave_run()
            window.close()
            app.quit()

        QTimer.singleShot(500, shoot_results)
        return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
