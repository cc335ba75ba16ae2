"""Sessions a trainer offers, who may build and see what, and training kept out of the audit."""

import json
import re
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from xrayreview.decisions import Account, Audit, DecisionLog, PermissionDenied
from xrayreview.reports.training_pdf import export_training_pdf, pooled
from xrayreview.training.access import Trainees, may_build, may_take, visible_summaries, visible_trainees
from xrayreview.training.errors import TrainingError
from xrayreview.training.library import Library
from xrayreview.training.offers import find_offer, offer_session, offers
from xrayreview.training.plan import SessionSpec, build_plan, scan_for
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession

TRAINER = Account("tina", "trainer")
ADMIN = Account("root", "admin")
OFFICER = Account("omar", "officer")
OTHER = Account("olga", "officer")
SUPERVISOR = Account("sue", "supervisor")


@pytest.fixture
def library(tmp_path) -> Library:
    paths = []
    for i in range(2):
        image = np.full((260, 420), 60000, np.uint16)
        image[40:220, 60:360] = 28000 + 2000 * i
        path = tmp_path / f"clean_{i}.png"
        cv2.imwrite(str(path), image)
        path.with_suffix(".json").write_text(json.dumps({"pixel_pitch_mm": 2.0}))
        paths.append(path)
    return Library.of_files(paths)


@pytest.fixture
def log(tmp_path):
    with TrainingLog(tmp_path / "training.sqlite") as opened:
        yield opened


def _run(session: TrainingSession, find_all: bool) -> None:
    """Answer every scan: box and refer each threat when ``find_all``, else clear everything."""
    while not session.finished:
        item, _scan = session.upcoming()()
        session.present(item)
        if item.threats and find_all:
            session.answer("refer", [t.box for t in item.threats], seconds=3.0)
        else:
            session.answer("clear", [], seconds=2.0)


def test_roles(tmp_path):
    assert may_build(TRAINER) and may_build(ADMIN)
    assert not may_build(OFFICER) and not may_build(SUPERVISOR) and not may_build(None)
    assert may_take(OFFICER) and may_take(SUPERVISOR) and may_take(TRAINER) and not may_take(ADMIN)


def test_only_a_trainer_offers_sessions_and_trainees_see_theirs(log, library):
    plan = build_plan(SessionSpec(scans=3, threat_share=0.34, seed=4, categories=("firearm",)), library)
    with pytest.raises(PermissionDenied, match="may not build"):
        offer_session(log, plan, "sneaky", OFFICER)
    with pytest.raises(PermissionDenied, match="Sign in"):
        offer_session(log, plan, "nobody", None)
    mine = offer_session(log, plan, "Handguns, easy", TRAINER, trainee="omar",
                         trainees=Trainees.of([OFFICER, OTHER]))
    everyone = offer_session(log, plan, "", ADMIN)
    assert [o.id for o in offers(log, OFFICER)] == [everyone.id, mine.id]
    assert [o.id for o in offers(log, OTHER)] == [everyone.id]
    assert everyone.name == "Session of 3 scans" and "no detector help" in everyone.describe()
    stored = find_offer(log, mine.id)
    assert stored.plan.fingerprint() == plan.fingerprint() and stored.trainee == "omar"
    with pytest.raises(TrainingError, match="no session #999"):
        find_offer(log, 999)
    assert log.verify().ok


def test_results_by_role_and_runs_of_an_offer(log, library):
    plan = build_plan(SessionSpec(scans=4, threat_share=0.5, seed=8, categories=("firearm",)), library)
    stored = offer_session(log, plan, "Mixed", TRAINER)
    _run(TrainingSession.from_offer(stored, library, "omar", log=log), find_all=True)
    _run(TrainingSession.from_offer(stored, library, "olga", log=log), find_all=False)
    sessions = [r.content for r in log.records("training_session")]
    assert [s["offer"] for s in sessions] == [stored.id, stored.id]
    assert all(s["fingerprint"] == plan.fingerprint() for s in sessions)
    assert [r["trainee"] for r in visible_summaries(log, TRAINER)] == ["omar", "olga"]
    assert [r["trainee"] for r in visible_summaries(log, OFFICER)] == ["omar"]
    assert visible_trainees(log, OTHER) == ["olga"] and visible_trainees(log, ADMIN) == ["olga", "omar"]
    with pytest.raises(PermissionDenied, match="only their own"):
        visible_summaries(log, OFFICER, trainee="olga")
    omar = visible_summaries(log, OFFICER)[0]
    assert omar["overall"]["hit_rate"] == 1.0 and omar["overall"]["false_alarm_rate"] == 0.0
    assert visible_summaries(log, OTHER)[0]["overall"]["hit_rate"] == 0.0


def test_adaptive_offer_builds_scans_as_it_runs(log, library):
    spec = SessionSpec(scans=3, threat_share=1.0, seed=3, categories=("firearm",), adaptive=True)
    stored = offer_session(log, build_plan(spec, library), "Adaptive", TRAINER)
    assert stored.plan.items == []
    session = TrainingSession.from_offer(stored, library, "omar", log=log)
    levels = []
    while not session.finished:
        job = session.upcoming()
        item, scan = job()
        assert session.plan.items == [] or len(session.plan.items) == item.index  # the job changed nothing
        session.present(item)
        levels.append(session.adaptive.level("firearm"))
        session.answer("refer", [item.threats[0].box], seconds=1.0)
        assert scan.high.shape == (260, 420)
    assert levels == [1, 1, 2]  # two hits in a row raise the staircase one level
    assert find_offer(log, stored.id).plan.items == []  # the stored offer stays as built


def test_training_never_reaches_the_operational_audit(tmp_path, log, library):
    decisions = DecisionLog(tmp_path / "decisions.sqlite")
    try:
        plan = build_plan(SessionSpec(scans=2, threat_share=0.5, seed=1, categories=("firearm",)), library)
        stored = offer_session(log, plan, "s", TRAINER)
        _run(TrainingSession.from_offer(stored, library, "sue", log=log), True)
        audit = Audit(decisions, SUPERVISOR)
        assert audit.decisions() == [] and audit.officers() == []
        kinds = {r.kind for r in decisions.records()}
        assert not kinds & {"training_plan", "training_session", "training_answer", "training_summary"}
        assert log.path != decisions.path and len(list(log.records())) == 1 + 1 + 2 + 1
    finally:
        decisions.close()


def test_pdf_report_is_readable(tmp_path, log, library):
    plan = build_plan(SessionSpec(scans=4, threat_share=0.5, seed=8, categories=("firearm",)), library)
    stored = offer_session(log, plan, "Mixed", TRAINER)
    _run(TrainingSession.from_offer(stored, library, "omar", log=log), find_all=True)
    _run(TrainingSession.from_offer(stored, library, "omar", log=log), find_all=False)
    rows = visible_summaries(log, TRAINER)
    overall, per = pooled(rows)
    assert (overall.events, overall.hits, overall.clean, overall.false_alarms) == (4, 2, 4, 0)
    assert set(per) == {"firearm"} and per["firearm"].hit_rate == 0.5
    path = export_training_pdf(rows, tmp_path / "training.pdf", author="tina", chain=log.verify())
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    empty = export_training_pdf([], tmp_path / "empty.pdf", trainee="nobody")
    assert empty.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is absent: the PDF's text was not read back")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Screener training results" in text and "omar" in text and "firearm" in text
    assert "50 %" in text and "log-linear correction" in text


def test_known_threat_scans_from_the_library_fill_threat_slots(tmp_path, library, log):
    known = tmp_path / "bag_with_gun.png"
    cv2.imwrite(str(known), np.full((260, 420), 40000, np.uint16))
    truth = [{"box": [100, 60, 180, 110], "category": "firearm", "label": "pistol"}]
    known.with_suffix(".json").write_text(json.dumps({"pixel_pitch_mm": 2.0, "threats": truth}))
    from xrayreview.training.sources import import_scan

    entry, _scan = import_scan(known)
    library.add(entry)
    spec = SessionSpec(scans=4, threat_share=1.0, seed=2, categories=("firearm",), known_share=1.0)
    plan = build_plan(spec, library)
    assert {i.base for i in plan.items} == {"import:bag_with_gun.png"}
    assert all(i.label is None and i.threats[0].label == "pistol" for i in plan.items)
    assert "4 of 4 threat scans from known library scans" in offer_session(log, plan, "k", TRAINER).describe()
    shown = scan_for(plan.items[0], library)
    assert int(shown.high[0, 0]) == 40000  # shown as it is, nothing projected
    other = build_plan(SessionSpec(scans=2, threat_share=1.0, seed=2, categories=("ied_component",),
                                   known_share=1.0), library)
    assert all(i.base.startswith("clean_") and i.label for i in other.items)  # no known IED scan: projected
    # The offer says what it holds, not what was asked (it said "100% … from known library scans").
    assert "0 of 2 threat scans from known" in offer_session(log, other, "k2", TRAINER).describe()
    mixed = build_plan(SessionSpec(scans=20, threat_share=1.0, seed=2, categories=("firearm",),
                                   known_share=0.5), library)
    assert 0 < sum(i.label is None for i in mixed.items) < 20


@pytest.fixture
def station_accounts(tmp_path):
    """The station's decision log with its accounts: who exists, in which role, active or not."""
    from xrayreview.decisions import Accounts  # noqa: PLC0415

    with DecisionLog(tmp_path / "decisions.sqlite") as decisions:
        accounts = Accounts(decisions)
        admin = accounts.create_first_admin("root", "admin-pass")
        for name, role in (("tina", "trainer"), ("omar", "officer"), ("olga", "officer"),
                           ("sue", "supervisor"), ("otto", "officer")):
            accounts.create(admin, name, role, f"{name}-password")
        accounts.disable(admin, "otto")
        yield decisions


def test_a_session_is_offered_only_to_an_account_that_takes_training(log, library, station_accounts):
    trainees = Trainees.from_log(station_accounts)
    assert trainees.names() == ["olga", "omar", "sue", "tina"]  # no admin, no disabled account
    plan = build_plan(SessionSpec(scans=2, threat_share=0.5, seed=4, categories=("firearm",)), library)
    for typed, said in (("omr", "Did you mean omar?"), ("nobody-like-this", "offer it to any trainee"),
                        ("root", "root (admin) does not take training"), ("otto", "otto is disabled")):
        with pytest.raises(TrainingError, match=re.escape(said)) as refused:
            offer_session(log, plan, "s", TRAINER, trainee=typed, trainees=trainees)
        assert "would reach nobody" in str(refused.value) or typed in ("root", "otto")
    # Without the station's accounts a name cannot be checked: only "any trainee" is offered.
    for missing in (None, Trainees.unknown()):
        with pytest.raises(TrainingError, match="only to any trainee"):
            offer_session(log, plan, "s", TRAINER, trainee="omar", trainees=missing)
    assert list(log.records()) == []  # nothing refused was stored
    assert offer_session(log, plan, "s", TRAINER, trainee=" OMAR ", trainees=trainees).trainee == "omar"
    assert offer_session(log, plan, "s", TRAINER, trainee="", trainees=None).trainee is None
    assert [o.trainee for o in offers(log, OFFICER)] == [None, "omar"]


def test_a_trainee_name_is_checked_against_the_accounts_as_they_are_now(station_accounts):
    from xrayreview.decisions import Accounts  # noqa: PLC0415

    trainees = Trainees.from_log(station_accounts)
    with pytest.raises(TrainingError, match="No trainee named 'nina'"):
        trainees.check("nina")
    accounts = Accounts(station_accounts)
    admin = accounts.authenticate("root", "admin-pass")
    accounts.create(admin, "nina", "officer", "nina-password")  # while the builder is open
    assert trainees.check("nina") == "nina" and trainees.check(None) is None and trainees.check("  ") is None
    station_accounts.close()  # the decision log cannot be read any more
    with pytest.raises(TrainingError, match="only to any trainee until the station's accounts can be read"):
        trainees.check("nina")
