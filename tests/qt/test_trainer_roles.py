"""The trainer window asks the station's accounts, not the account it was opened for: a trainer
demoted or disabled while it is open builds, offers, sees and exports nothing more, and says why;
a trainee disabled mid-session is told the answer is NOT RECORDED, keeps it, and Space retries;
a trainer demoted or disabled imports into, adds to and removes from the library no more."""

from __future__ import annotations

import pytest
from library_scans import write_library_scan
from PySide6.QtCore import Qt

from xrayreview.decisions import Account, Accounts, DecisionLog, PermissionDenied
from xrayreview.decisions.accounts import AccountRefused
from xrayreview.training.access import Trainees
from xrayreview.training.errors import TrainingError
from xrayreview.training.library import Library, edit_library
from xrayreview.training.records import TrainingLog
from xrayreview.training.sources import generated_entry
from xrayreview.ui.trainer_builder import ANY_TRAINEE

# An admin demotes the trainer, or disables the account, while the trainer window is open.
TRAINER_CHANGED = pytest.mark.parametrize("how, why", [
    ("officer", "no longer give tina a trainer's role"),
    ("disabled", "The account tina is disabled; ask an admin."),
])


@pytest.fixture
def station_accounts(tmp_path):
    """(decision log, Accounts, admin) with tina the trainer and omar and olga the officers."""
    with DecisionLog(tmp_path / "decisions.sqlite") as decisions:
        accounts = Accounts(decisions)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "tina", "trainer", "trainer-pass")
        accounts.create(admin, "omar", "officer", "officer-pass")
        accounts.create(admin, "olga", "officer", "olga-password")
        yield decisions, accounts, admin


def _revoke(accounts, admin, name, how):
    if how == "disabled":
        accounts.disable(admin, name)
    else:
        accounts.set_role(admin, name, how)


def _build(qtbot, window, scans=2, trainee=None):
    builder = window.builder
    builder.scans.setValue(scans)
    builder.share.setValue(50)
    builder.categories["ied_component"].setChecked(False)
    builder.seed.setValue(5)
    builder.time_limit.setValue(60)
    builder.trainee.setCurrentText(trainee or ANY_TRAINEE)
    with qtbot.waitSignal(builder.offered, timeout=20000) as offered:
        builder.build()
    return offered.args[0]


def _kinds(path):
    with TrainingLog(path) as log:
        return [r.kind for r in log.records()]


def _run_through(qtbot, window, offer_id):
    with qtbot.waitSignal(window.run_started, timeout=5000) as started:
        window.run_offer(offer_id)
    run = started.args[0]
    with qtbot.waitSignal(run.finished, timeout=30000):
        while not run.session.finished:
            qtbot.waitUntil(lambda: run.shown is not None and run.feedback is None, timeout=10000)
            qtbot.keyClick(run, Qt.Key.Key_C)
            qtbot.keyClick(run, Qt.Key.Key_Space)
    window.leave_run()


@TRAINER_CHANGED
def test_a_trainer_changed_with_the_window_open_builds_sees_and_exports_no_more(
        qtbot, open_trainer_window, station_accounts, tmp_path, how, why):
    decisions, accounts, admin = station_accounts
    trainees = Trainees.from_log(decisions)
    omar = open_trainer_window(accounts.authenticate("omar", "officer-pass"), trainees=trainees)
    trainer = open_trainer_window(accounts.authenticate("tina", "trainer-pass"), trainees=trainees)
    mine = _build(qtbot, trainer, trainee="olga")
    everyone = _build(qtbot, trainer)
    omar.refresh_offers()
    _run_through(qtbot, omar, everyone.id)
    trainer.results.refresh()
    assert trainer.results.table.rowCount() == 1 and trainer.offer_table.rowCount() == 2

    _revoke(accounts, admin, "tina", how)
    head = _kinds(tmp_path / "training.sqlite")
    trainer.builder.build()  # refused before anything is projected
    assert not trainer.builder.building and why in trainer.builder.status.text()
    assert "Nothing was built" in trainer.message.text()
    trainer.results.refresh()
    assert trainer.results.table.rowCount() == 0
    assert "cannot be shown" in trainer.results.totals.text() and why in trainer.message.text()
    trainer.results._export("csv", tmp_path / "all.csv")
    assert "Nothing was exported" in trainer.message.text() and why in trainer.message.text()
    assert not (tmp_path / "all.csv").exists()
    trainer.results._export("pdf", tmp_path / "all.pdf")
    assert not (tmp_path / "all.pdf").exists()
    trainer.refresh_offers()  # a session offered to olga is no longer the demoted trainer's to see
    assert [o.id for o in trainer.offers] == [everyone.id]
    assert trainer.run_offer(mine.id) is None and why in trainer.message.text()
    assert _kinds(tmp_path / "training.sqlite") == head


def test_a_trainer_demoted_while_a_session_is_built_gets_it_not_stored(qtbot, open_trainer_window,
                                                                       station_accounts, tmp_path):
    decisions, accounts, admin = station_accounts
    trainer = open_trainer_window(accounts.authenticate("tina", "trainer-pass"),
                                  trainees=Trainees.from_log(decisions))
    builder = trainer.builder
    builder.scans.setValue(3)
    builder.categories["ied_component"].setChecked(False)
    with qtbot.waitSignal(trainer.jobs.finished, timeout=20000):
        builder.build()
        _revoke(accounts, admin, "tina", "officer")
    qtbot.waitUntil(lambda: not builder.building, timeout=5000)
    assert "built but not stored" in builder.status.text() and "trainer's role" in builder.status.text()
    assert _kinds(tmp_path / "training.sqlite") == []


@pytest.mark.parametrize("how, why", [
    ("disabled", "The account omar is disabled; ask an admin."),
    ("admin", "omar (admin) may not take training."),
])
def test_a_trainee_changed_mid_session_is_told_the_answer_is_kept_not_recorded(
        qtbot, open_trainer_window, station_accounts, tmp_path, how, why):
    decisions, accounts, admin = station_accounts
    trainees = Trainees.from_log(decisions)
    trainer = open_trainer_window(accounts.authenticate("tina", "trainer-pass"), trainees=trainees)
    offer = _build(qtbot, trainer, scans=2, trainee="omar")
    trainee = open_trainer_window(accounts.authenticate("omar", "officer-pass"), trainees=trainees)
    with qtbot.waitSignal(trainee.run_started, timeout=5000) as started:
        trainee.run_offer(offer.id)
    run = started.args[0]
    qtbot.waitUntil(lambda: run.shown is not None, timeout=10000)
    _revoke(accounts, admin, "omar", how)
    qtbot.keyClick(run, Qt.Key.Key_R)
    said = run.message.text()
    assert run.waiting_to_record and run.feedback is None, said
    assert "Your answer (refer) is NOT RECORDED" in said and why in said and "kept" in said
    assert why in trainee.message.text()
    qtbot.keyClick(run, Qt.Key.Key_Space)  # still refused: still kept, nothing recorded
    assert run.waiting_to_record and run.session.position == 0
    assert _kinds(tmp_path / "training.sqlite") == ["training_plan", "training_session"]
    if how == "disabled":  # nothing in the station turns a disabled account back on
        trainee.leave_run()
        assert "not recorded" in trainee.message.text()
        return
    accounts.set_role(admin, "omar", "officer")
    qtbot.keyClick(run, Qt.Key.Key_Space)
    assert not run.waiting_to_record and run.feedback is not None
    assert _kinds(tmp_path / "training.sqlite")[2:] == ["training_answer"]


def test_the_station_wires_its_decision_log_into_the_trainer_window(qtbot):
    from xrayreview.ui.station import build_station
    from xrayreview.ui.trainer_window import TrainerWindow

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
        desk.accounts.set_role(admin, "tina", "supervisor")  # by an admin at another station
        window.builder.build()
        assert "no longer give tina a trainer's role" in window.builder.status.text()
        assert not window.builder.building
        window.close()
    finally:
        station.close()


@TRAINER_CHANGED
def test_a_trainer_changed_with_the_window_open_changes_the_library_no_more(
        qtbot, open_trainer_window, station_accounts, tmp_path, how, why):
    decisions, accounts, admin = station_accounts
    trainer = open_trainer_window(accounts.authenticate("tina", "trainer-pass"),
                                  trainees=Trainees.from_log(decisions))
    panel = trainer.library_panel
    panel.clean_imports.setChecked(True)
    with qtbot.waitSignal(panel.changed, timeout=10000):
        panel.add_generated("cargo", 1)  # allowed while tina is a trainer
    saved = trainer.library_path.read_text(encoding="utf-8")
    ids = [s.id for s in panel.library.scans]
    assert len(ids) == 3

    # An import checked by the worker while an admin changes the account is not added once back.
    late = write_library_scan(tmp_path / "late.png")
    panel.import_files([late])
    _revoke(accounts, admin, "tina", how)
    qtbot.waitUntil(lambda: not trainer.jobs.busy, timeout=10000)
    qtbot.waitUntil(lambda: why in trainer.message.text(), timeout=5000)
    assert "late.png was not added to the library" in trainer.message.text()

    with qtbot.assertNotEmitted(panel.changed):
        panel.add_generated("baggage", 2)
        assert why in trainer.message.text() and "The library was not changed" in trainer.message.text()
        panel.table.selectAll()
        panel.remove_selected()
        assert why in trainer.message.text() and "The library was not changed" in trainer.message.text()
        trainer.say("")
        panel.import_files([write_library_scan(tmp_path / "parcel.png")])  # refused before any loading
        assert not trainer.jobs.busy and why in trainer.message.text()
        assert "Nothing was imported" in trainer.message.text()
    assert [s.id for s in panel.library.scans] == ids and panel.table.rowCount() == 3
    assert trainer.library_path.read_text(encoding="utf-8") == saved
    assert trainer.builder.library is panel.library  # what the builder draws on is unchanged too


def test_the_core_asks_the_station_before_any_library_change(station_accounts, tmp_path):
    decisions, accounts, admin = station_accounts
    path = tmp_path / "library.json"
    library = Library([generated_entry("cargo", 1)])
    library.save(path)
    tina = accounts.authenticate("tina", "trainer-pass")
    edit_library(library, path, lambda lib: lib.add(generated_entry("cargo", 2)), account=tina,
                 decisions=decisions)
    assert [s.id for s in Library.load(path).scans] == [s.id for s in library.scans]
    assert len(library.scans) == 2
    saved = path.read_text(encoding="utf-8")
    accounts.set_role(admin, "tina", "supervisor")
    with pytest.raises(AccountRefused, match="no longer give tina a trainer's role"):
        edit_library(library, path, lambda lib: lib.remove([lib.scans[0].id]), account=tina,
                     decisions=decisions)
    with pytest.raises(PermissionDenied, match="may not build"):
        edit_library(library, path, lambda lib: lib.add(generated_entry("cargo", 3)),
                     account=Account("omar", "officer"))
    assert len(library.scans) == 2 and path.read_text(encoding="utf-8") == saved

    def twice(lib):
        lib.add(generated_entry("cargo", 3))
        lib.add(generated_entry("cargo", 3))  # TrainingError: that scan is in the library already

    accounts.set_role(admin, "tina", "trainer")
    with pytest.raises(TrainingError, match="already has a scan"):
        edit_library(library, path, twice, account=tina, decisions=decisions)
    assert len(library.scans) == 2 and path.read_text(encoding="utf-8") == saved  # not half of it
