"""The trainer window end to end: a trainer builds a session, a trainee runs it, results by role."""


import cv2
import numpy as np
from library_scans import write_library_scan
from PySide6.QtCore import Qt

from xrayreview.decisions import Account
from xrayreview.detection.synthetic_models import dark_square_model
from xrayreview.training.access import Trainees
from xrayreview.training.library import Library
from xrayreview.training.plan import SessionSpec
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession
from xrayreview.ui.trainer_run import TraineeRun
from xrayreview.ui.trainer_window import TrainerWindow

TRAINER = Account("tina", "trainer")
OFFICER = Account("omar", "officer")
ADMIN = Account("root", "admin")





def _build(qtbot, window, scans=3, share=67, **knobs):
    builder = window.builder
    builder.name.setText("Handguns, short")
    builder.scans.setValue(scans)
    builder.share.setValue(share)
    builder.categories["ied_component"].setChecked(False)
    builder.seed.setValue(11)
    builder.time_limit.setValue(60)
    for key, value in knobs.items():
        getattr(builder, key).setChecked(value)
    with qtbot.waitSignal(builder.offered, timeout=20000) as offered:
        qtbot.mouseClick(builder.build_button, Qt.MouseButton.LeftButton)
        assert builder.building and not builder.build_button.isEnabled()  # the GUI thread is free meanwhile
    return offered.args[0]


def _draw(driver, run, box):
    x1, y1, x2, y2 = box
    start = run.viewer.mapFromScene(x1 + 1, y1 + 1)
    end = run.viewer.mapFromScene(x2 - 1, y2 - 1)
    driver.drag(run.viewer.viewport(), start.toPointF(), end.toPointF(), Qt.MouseButton.LeftButton)


def test_trainer_builds_and_trainee_runs_a_session(qtbot, open_trainer_window, driver):
    trainer = open_trainer_window(TRAINER)
    assert [trainer.tabs.tabText(i) for i in range(trainer.tabs.count())] == [
        "Sessions", "Library", "Build session", "Results"]
    offer = _build(qtbot, trainer)
    assert "Session #" in trainer.message.text() and not trainer.builder.progress.isVisible()
    assert trainer.offer_table.rowCount() == 1 and trainer.offer_table.item(0, 1).text() == "Handguns, short"
    assert sum(offer.plan.threat_slots) == 2 and len(offer.plan.items) == 3
    trainer.close()

    trainee = open_trainer_window(OFFICER)
    assert [trainee.tabs.tabText(i) for i in range(trainee.tabs.count())] == ["Sessions", "My results"]
    assert trainee.builder is None and trainee.run_button.isEnabled()
    with qtbot.waitSignal(trainee.run_started, timeout=5000) as started:
        qtbot.mouseClick(trainee.run_button, Qt.MouseButton.LeftButton)
    run = started.args[0]
    with qtbot.waitSignal(run.finished, timeout=30000) as done:
        for _ in range(3):
            qtbot.waitUntil(lambda: not run.preparing and run.feedback is None, timeout=10000)
            item = run.session.plan.items[run.session.position]
            if item.threats:
                _draw(driver, run, item.threats[0].box)
                qtbot.keyClick(run, Qt.Key.Key_R)
            else:
                qtbot.keyClick(run, Qt.Key.Key_C)
            qtbot.keyClick(run, Qt.Key.Key_Space)
    assert done.args[0].overall.hit_rate == 1.0 and done.args[0].overall.false_alarm_rate == 0.0
    assert trainee.results.table.rowCount() == 1 and trainee.results.table.item(0, 1).text() == "omar"
    assert trainee.results.table.item(0, 4).text() == "100% (2/2)"
    # d′ = z(2.5 / 3) − z(0.5 / 2) with the log-linear correction
    assert trainee.results.table.item(0, 4).toolTip() == "firearm: hit rate 100% (2/2), d′ 1.64"
    trainee.leave_run()
    assert trainee.run is None and trainee.tabs.count() == 2


def test_roles_decide_what_the_window_offers(qtbot, open_trainer_window, tmp_path):
    nobody = open_trainer_window(None)
    assert nobody.tabs.count() == 1 and "Sign in" in nobody.tabs.widget(0).text()
    admin = open_trainer_window(ADMIN)
    assert admin.builder is not None and not admin.run_button.isEnabled()
    assert admin.run_offer(1) is None and "does not take training" in admin.message.text()
    offer = _build(qtbot, admin)
    admin.close()
    with TrainingLog(tmp_path / "training.sqlite") as log:  # someone else's finished session
        session = TrainingSession.from_offer(offer, Library.load(tmp_path / "library.json"), "olga", log=log)
        while not session.finished:
            item, _scan = session.upcoming()()
            session.present(item)
            session.answer("clear", (), 1.0)
    trainer = open_trainer_window(TRAINER)
    assert trainer.results.table.rowCount() == 1  # a trainer sees every trainee
    assert [trainer.results.trainee.itemText(i) for i in range(trainer.results.trainee.count())] == [
        "(all trainees)", "olga"]
    officer = open_trainer_window(OFFICER)
    assert officer.results.table.rowCount() == 0 and not officer.results.trainee.isEnabled()
    written = trainer.results.export_pdf(tmp_path / "results.pdf")
    assert written.read_bytes().startswith(b"%PDF")
    assert trainer.results.export_csv(tmp_path / "results.csv") == 1
    assert "olga" in (tmp_path / "results.csv").read_text()


def test_building_can_be_cancelled_and_bad_recipes_are_refused(qtbot, open_trainer_window):
    trainer = open_trainer_window(TRAINER)
    builder = trainer.builder
    builder.categories["firearm"].setChecked(False)
    builder.categories["ied_component"].setChecked(False)
    builder.build()
    assert "at least one threat category" in builder.status.text() and not builder.building
    assert builder.events.text().startswith("10 threat event(s), 10 clean scan(s)")
    builder.categories["firearm"].setChecked(True)
    builder.scans.setValue(400)
    builder.share.setValue(100)
    builder.build()
    assert builder.building
    builder.cancel()
    assert not builder.building and "cancelled" in builder.status.text()
    qtbot.waitUntil(lambda: not trainer.jobs.busy, timeout=10000)
    qtbot.wait(200)
    assert trainer.offer_table.rowCount() == 0


def test_the_builder_refuses_a_name_that_is_no_trainee_before_building(qtbot, open_trainer_window):
    trainer = open_trainer_window(TRAINER, trainees=Trainees.of([OFFICER, TRAINER, ADMIN]))
    builder = trainer.builder
    listed = [builder.trainee.itemText(i) for i in range(builder.trainee.count())]
    assert listed == ["(any trainee)", "omar", "tina"]  # an admin takes no training
    builder.scans.setValue(400)  # long to build: a refusal after building would show as "building"
    for typed, said in (("omr", "Did you mean omar?"), ("root", "root (admin) does not take training")):
        builder.trainee.setCurrentText(typed)
        builder.build()
        assert not builder.building and not trainer.jobs.busy  # refused before any work
        assert said in builder.status.text() and said in trainer.message.text()
        assert "Nothing was built" in builder.status.text()
    assert trainer.offer_table.rowCount() == 0
    builder.scans.setValue(2)
    builder.trainee.setCurrentText("omar")
    with qtbot.waitSignal(builder.offered, timeout=20000) as offered:
        builder.build()
    assert offered.args[0].trainee == "omar"
    assert trainer.offer_table.item(0, 2).text() == "omar"
    # One stored by an earlier version for a misspelt name: the trainer sees why nobody runs it.
    (stored,) = [r.content for r in trainer.log.records("training_plan")]
    trainer.log.append("training_plan", {**stored, "trainee": "omr"})
    trainer.refresh_offers()
    assert trainer.offer_table.item(0, 2).text() == "omr (no such trainee now: nobody sees it)"
    assert trainer.offer_table.item(1, 2).text() == "omar"


def test_without_the_station_accounts_a_session_goes_only_to_any_trainee(qtbot, open_trainer_window):
    trainer = open_trainer_window(TRAINER)  # opened outside the station: no decision log to check names
    builder = trainer.builder
    assert [builder.trainee.itemText(i) for i in range(builder.trainee.count())] == ["(any trainee)"]
    builder.scans.setValue(2)
    builder.trainee.setCurrentText("omar")
    builder.build()
    assert not builder.building and "only to any trainee" in builder.status.text()
    builder.trainee.setCurrentIndex(0)
    with qtbot.waitSignal(builder.offered, timeout=20000) as offered:
        builder.build()
    assert offered.args[0].trainee is None


def test_library_generated_and_imported_scans(qtbot, open_trainer_window, tmp_path):
    trainer = open_trainer_window(TRAINER)
    panel = trainer.library_panel
    panel.add_generated("baggage", 2, level=1)
    assert [s.id for s in panel.library.scans][-2:] == ["generated:baggage:1", "generated:baggage:2"]
    assert len(Library.load(tmp_path / "library.json").scans) == 4  # saved at once
    known = write_library_scan(tmp_path / "known.png", truth=[{"box": [100, 80, 160, 120],
                                                                "category": "firearm", "label": "pistol"}])
    unknown = write_library_scan(tmp_path / "unknown.png")
    with qtbot.waitSignal(panel.changed, timeout=10000):
        panel.import_files([known])
    assert panel.library.get("import:known.png").threats[0].label == "pistol"
    with qtbot.waitSignal(panel.message, timeout=10000,
                          check_params_cb=lambda text: "no ground truth" in text):
        panel.import_files([unknown])
    panel.clean_imports.setChecked(True)
    with qtbot.waitSignal(panel.changed, timeout=10000):
        panel.import_files([unknown, tmp_path / "missing.png"])
    assert panel.library.get("import:unknown.png").clean
    qtbot.waitUntil(lambda: "missing.png" in trainer.message.text(), timeout=10000)
    assert panel.table.rowCount() == 6


def test_detector_help_shows_marks_or_says_there_is_no_model(qtbot, tmp_path):
    # Blocks of goods, so the detector skips no tile as empty, and one dark square it finds.
    blocks = np.random.default_rng(0).integers(30000, 60000, (300 // 32 + 1, 520 // 32 + 1))
    image = np.kron(blocks, np.ones((32, 32)))[:300, :520].astype(np.uint16)
    image[96:128, 224:256] = 300
    cv2.imwrite(str(tmp_path / "clean.png"), image)
    scans = [tmp_path / "clean.png"]
    spec = SessionSpec(scans=1, threat_share=0.0, seed=1, detector_help=True, time_limit_s=None)
    model = dark_square_model(tmp_path / "dark.onnx")
    runs = []
    try:
        for model_path in (model, tmp_path / "absent.onnx"):
            session = TrainingSession.start(spec, Library.of_files(scans), "omar")
            run = TraineeRun(session, model_path=str(model_path))
            qtbot.addWidget(run)
            runs.append(run)
            run.show()
            run.start()
        with qtbot.waitSignal(runs[0].helper.marks_shown, timeout=20000) as shown:
            pass
        assert shown.args[0] > 0 and "mark(s)" in runs[0].help_label.text()
        assert "no detector model" in runs[1].help_label.text() and not runs[1].helper.available
    finally:
        for run in runs:
            run.stop()


def test_an_unreadable_library_is_reported_and_left_alone(open_trainer_window, trainer_paths):
    trainer_paths["library_path"].write_text("{not json")
    trainer = open_trainer_window(TRAINER)
    assert trainer.builder is None and trainer.library_panel is None
    assert "cannot be read" in trainer.message.text()
    assert trainer_paths["library_path"].read_text() == "{not json"


def test_the_station_menu_opens_training_for_whoever_is_signed_in(qtbot):
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QMainWindow

    from xrayreview.ui.trainer_window import add_training_action

    class Desk(QObject):
        account_changed = Signal(object)

    station = QMainWindow()
    qtbot.addWidget(station)
    desk = Desk(station)
    signed_in = [OFFICER]
    action = add_training_action(station, lambda: signed_in[0], desk.account_changed,
                                 lambda: Trainees.of([OFFICER]))
    action.trigger()
    (first,) = [w for w in station.findChildren(TrainerWindow)]
    assert first.isWindow() and first.account == OFFICER and first.builder is None
    signed_in[0] = TRAINER
    action.trigger()  # the window follows the account: the officer's one closes
    accounts = lambda: [w.account for w in station.findChildren(TrainerWindow)]  # noqa: E731
    qtbot.waitUntil(lambda: accounts() == [TRAINER], timeout=5000)
    assert station.findChildren(TrainerWindow)[0].builder.trainee.findText("omar") >= 0
    desk.account_changed.emit(TRAINER)  # the same account again: the window stays
    assert accounts() == [TRAINER]
    signed_in[0] = None  # the station locked: the trainer window must not stay open
    desk.account_changed.emit(None)
    qtbot.waitUntil(lambda: station.findChildren(TrainerWindow) == [], timeout=5000)
    assert "account changed" in station.statusBar().currentMessage()
    action.trigger()
    assert len(station.findChildren(TrainerWindow)) == 1
    station.close()  # closes the trainer window first, joining its threads
    qtbot.waitUntil(lambda: station.findChildren(TrainerWindow) == [], timeout=5000)


def test_the_whole_station_offers_training_to_the_signed_in_account(qtbot):
    from xrayreview.ui.station import build_station

    station = build_station()
    qtbot.addWidget(station)
    station.show()
    try:
        desk = station.review
        admin = desk.accounts.create_first_admin("root", "admin-pass-1")
        desk.accounts.create(admin, "tina", "trainer", "trainer-pass")
        desk.set_account(desk.accounts.authenticate("tina", "trainer-pass"))
        station.training_action.trigger()
        (window,) = station.findChildren(TrainerWindow)
        assert window.account.username == "tina" and window.builder is not None
        # Offered to the station's accounts that take training: tina, not the admin.
        assert window.builder.trainee.findText("tina") >= 0 and window.builder.trainee.findText("root") < 0
        window.builder.trainee.setCurrentText("tinaa")
        window.builder.build()
        assert "Did you mean tina?" in window.builder.status.text() and not window.builder.building
        desk.lock()  # idle lock or "Lock": the trainer window closes with the account
        qtbot.waitUntil(lambda: not station.findChildren(TrainerWindow), timeout=5000)
    finally:
        station.close()
    assert station.findChildren(TrainerWindow) == [] or not station.findChildren(TrainerWindow)[0].isVisible()
