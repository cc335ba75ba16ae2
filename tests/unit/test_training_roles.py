"""Training's checks read the account as the station's accounts table holds it now, like decisions
and the audit: a trainer demoted or disabled while the trainer window is open builds, offers and
sees no more; a trainee disabled mid-session records no more answers. Without a decision log
(scripts, a trainer window opened alone) the role the caller holds is checked, as before."""

import json

import cv2
import numpy as np
import pytest

from xrayreview.decisions import (
    Account,
    AccountPolicy,
    Accounts,
    DecisionLog,
    DecisionLogError,
    PermissionDenied,
)
from xrayreview.decisions.accounts import AccountRefused
from xrayreview.training.access import (
    Trainees,
    require_builder,
    require_trainee,
    results_scope,
    visible_summaries,
    visible_trainees,
)
from xrayreview.training.library import Library
from xrayreview.training.offers import offer_session, offers
from xrayreview.training.plan import SessionSpec, build_plan
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession

CHEAP = AccountPolicy(scrypt_n=2**10)


@pytest.fixture
def station(tmp_path):
    """(decision log, Accounts, admin, tina the trainer, omar the officer) as signed in."""
    with DecisionLog(tmp_path / "decisions.sqlite") as decisions:
        accounts = Accounts(decisions, CHEAP)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "tina", "trainer", "trainer-pass")
        accounts.create(admin, "omar", "officer", "officer-pass")
        accounts.create(admin, "olga", "officer", "olga-password")
        yield (decisions, accounts, admin, accounts.authenticate("tina", "trainer-pass"),
               accounts.authenticate("omar", "officer-pass"))


@pytest.fixture
def library(tmp_path) -> Library:
    image = np.full((240, 400), 60000, np.uint16)
    image[40:200, 50:350] = 30000
    cv2.imwrite(str(tmp_path / "clean.png"), image)
    (tmp_path / "clean.json").write_text(json.dumps({"pixel_pitch_mm": 2.0}))
    return Library.of_files([tmp_path / "clean.png"])


@pytest.fixture
def log(tmp_path):
    with TrainingLog(tmp_path / "training.sqlite") as opened:
        yield opened


def _revoke(accounts, admin, name, how):
    if how == "disabled":
        accounts.disable(admin, name)
    else:
        accounts.set_role(admin, name, how)


def _plan(library, scans=2):
    return build_plan(SessionSpec(scans=scans, threat_share=0.5, seed=3, categories=("firearm",)), library)


def _finish(session):
    while not session.finished:
        item, _scan = session.upcoming()()
        session.present(item)
        session.answer("clear", [], seconds=1.0)


@pytest.mark.parametrize("how, said", [
    ("disabled", "The account tina is disabled; ask an admin."),
    ("officer", "no longer give tina a trainer's role"),
    ("supervisor", "no longer give tina a trainer's role"),
])
def test_a_trainer_demoted_or_disabled_builds_offers_and_sees_no_more(station, log, library, how, said):
    decisions, accounts, admin, tina, omar = station
    trainees = Trainees.from_log(decisions)
    first = offer_session(log, _plan(library), "before", tina, trainees=trainees)
    _finish(TrainingSession.from_offer(first, library, "omar", log=log))
    assert [r["trainee"] for r in visible_summaries(log, tina, decisions=decisions)] == ["omar"]
    _revoke(accounts, admin, "tina", how)
    head = list(log.records())
    for refused in (lambda: require_builder(tina, decisions=decisions),
                    lambda: offer_session(log, _plan(library), "after", tina, trainees=trainees),
                    lambda: visible_summaries(log, tina, decisions=decisions),
                    lambda: visible_summaries(log, tina, "omar", decisions=decisions),
                    lambda: visible_trainees(log, tina, decisions=decisions),
                    lambda: results_scope(tina, None, decisions=decisions)):
        with pytest.raises(AccountRefused, match=said):
            refused()
    assert list(log.records()) == head  # nothing stored
    # The sessions list shows what a trainee would see: none offered to someone else.
    olga = offer_session(log, _plan(library), "olga's", admin, "olga", trainees=trainees)
    assert olga.id not in [o.id for o in offers(log, tina, decisions=decisions)]
    assert olga.id in [o.id for o in offers(log, tina)]  # without the accounts: the role held


def test_an_admin_builds_by_the_stored_role_and_never_takes_training(station, log, library):
    decisions, accounts, admin, tina, omar = station
    require_builder(admin, decisions=decisions)  # admins set up the station's training
    assert offer_session(log, _plan(library), "admin's", admin, trainees=Trainees.from_log(decisions)).id
    with pytest.raises(PermissionDenied, match="does not take training"):
        require_trainee(admin, decisions=decisions)
    accounts.set_role(admin, "tina", "admin")  # a trainer made admin still builds
    require_builder(tina, decisions=decisions)
    with pytest.raises(AccountRefused, match=r"tina \(admin\) may not take training"):
        require_trainee(tina, decisions=decisions)
    accounts.set_role(accounts.authenticate("tina", "trainer-pass"), "root", "officer")
    with pytest.raises(AccountRefused, match="no longer give root a trainer's role"):
        require_builder(admin, decisions=decisions)


def test_a_forged_account_builds_nothing_on_a_station_with_accounts(station, log, library):
    decisions, *_ = station
    for forged in (Account("ghost", "trainer"), Account("TINA", "trainer"), Account("omar", "trainer")):
        with pytest.raises(PermissionDenied):
            offer_session(log, _plan(library), "forged", forged, trainees=Trainees.from_log(decisions))
        with pytest.raises(PermissionDenied):
            visible_summaries(log, forged, decisions=decisions)
    assert list(log.records()) == []


@pytest.mark.parametrize("how", ["disabled", "admin"])
def test_a_trainee_changed_mid_session_records_no_more_answers(station, log, library, how):
    decisions, accounts, admin, tina, omar = station
    offer = offer_session(log, _plan(library, scans=3), "s", tina)
    session = TrainingSession.from_offer(offer, library, "omar", log=log,
                                         authorise=lambda: require_trainee(omar, decisions=decisions))
    item, _scan = session.upcoming()()
    session.present(item)
    session.answer("clear", [], seconds=1.0)
    item, _scan = session.upcoming()()
    session.present(item)
    _revoke(accounts, admin, "omar", how)
    kinds = [r.kind for r in log.records()]
    with pytest.raises(AccountRefused, match="omar"):
        session.answer("refer", [], seconds=1.0)
    assert [r.kind for r in log.records()] == kinds and session.position == 1  # nothing taken
    with pytest.raises(AccountRefused):
        visible_summaries(log, omar, decisions=decisions)
    if how == "disabled":
        return  # nothing in the station turns a disabled account back on
    accounts.set_role(admin, "omar", "officer")
    session.answer("refer", [], seconds=1.0)  # the answer kept on screen is recorded once
    assert [r.kind for r in log.records()][len(kinds):] == ["training_answer"] and session.position == 2


def test_without_a_decision_log_the_role_held_is_checked_as_before(tmp_path, log, library):
    tina, omar = Account("tina", "trainer"), Account("omar", "officer")
    require_builder(tina)
    require_trainee(omar)
    with pytest.raises(PermissionDenied, match="may not build"):
        require_builder(omar)
    assert offer_session(log, _plan(library), "s", tina, trainees=Trainees.of([omar])).id
    # A decision log that holds no account at all (a bench): nobody to ask, the role given counts.
    with DecisionLog(tmp_path / "bench.sqlite") as bench:
        require_builder(tina, decisions=bench)
        require_trainee(omar, decisions=bench)
        with pytest.raises(PermissionDenied):
            require_builder(omar, decisions=bench)


def test_unreadable_accounts_refuse_rather_than_trust_the_role_held(station, log):
    decisions, *_, tina, omar = station
    decisions.close()
    for refused in (lambda: require_builder(tina, decisions=decisions),
                    lambda: require_trainee(omar, decisions=decisions)):
        with pytest.raises(DecisionLogError):
            refused()


def test_trainees_come_from_the_accounts_roster(station, monkeypatch):
    decisions, *_ = station
    monkeypatch.setattr(Accounts, "roster", lambda self: [Account("nina", "officer"),
                                                         Account("nils", "officer", active=False)])
    trainees = Trainees.from_log(decisions)
    assert trainees.names() == ["nina"] and trainees.decisions is decisions
    assert Trainees.of([Account("x", "officer")]).decisions is None
