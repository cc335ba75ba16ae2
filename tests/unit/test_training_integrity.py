"""Stored training data that no longer matches what it is about: named, with the right advice.

A damaged training record must send the admin to the training log's own verify command, a
trainee's name must not reach a spreadsheet as a live formula, and a session must not score
a trainee against ground truth for a library file that was replaced after it was built.
"""

import csv
import json
import sqlite3

import cv2
import numpy as np
import pytest

from xrayreview.decisions import Account, DecisionLog, LogUnavailable
from xrayreview.training.errors import TrainingError
from xrayreview.training.export import export_results_csv
from xrayreview.training.library import Library
from xrayreview.training.offers import find_offer, offer_session
from xrayreview.training.plan import SessionPlan, SessionSpec, build_plan
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession

TRAINER = Account("tina", "trainer")


def _edit_body(path, seq, body):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET body = ? WHERE seq = ?", (body, seq))
    conn.close()


def test_a_damaged_training_record_names_the_training_log_and_its_verify(tmp_path):
    path = tmp_path / "training.sqlite"
    with TrainingLog(path) as log:
        log.append("training_summary", {"trainee": "omar", "overall": None})
    _edit_body(path, 1, "not json")
    with TrainingLog(path) as log, pytest.raises(LogUnavailable) as caught:
        list(log.records())
    message = str(caught.value)
    assert message.startswith(f"The training log ({path}) cannot be read: record #1 is damaged")
    assert f"xrayreview training verify --log {path}" in message
    assert "decision log" not in message and "audit" not in message


def test_a_damaged_decision_record_still_names_the_decision_log(tmp_path):
    path = tmp_path / "decisions.sqlite"
    with DecisionLog(path) as log:
        log.append("review", {"note": "x"})
    _edit_body(path, 1, "[]")
    with DecisionLog(path) as log, pytest.raises(LogUnavailable) as caught:
        log.record(1)
    message = str(caught.value)
    assert message.startswith(f"The decision log ({path}) cannot be read: record #1 is damaged")
    assert f"xrayreview audit verify --db {path}" in message and "training" not in message


def test_an_unreadable_training_log_is_called_the_training_log(tmp_path):
    path = tmp_path / "training.sqlite"
    path.write_bytes(b"this is no database at all")
    with pytest.raises(LogUnavailable, match=r"^The training log \("):
        TrainingLog(path)


SUMMARY = {"session": 1, "scans": 2, "mean_seconds": 2.0, "stray_marks": 0,
           "overall": {"events": 1, "hits": 1, "clean": 1, "false_alarms": 0, "hit_rate": 1.0,
                       "false_alarm_rate": 0.0, "d_prime": -0.5, "a_prime": 0.9},
           "per_category": {"firearm": {"events": 1, "hits": 1, "clean": 0, "false_alarms": 0,
                                        "hit_rate": 1.0, "d_prime": -0.25}}}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_results_csv_defuses_formulas_in_text_cells(tmp_path, name):
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_summary", {**SUMMARY, "trainee": name})
        assert export_results_csv(log, tmp_path / "results.csv") == 1
    with (tmp_path / "results.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["trainee"] == "'" + name
    # Numbers stay numbers, negative ones included: only text a spreadsheet would run is quoted.
    assert row["d_prime"] == "-0.500" and row["firearm_d_prime"] == "-0.250" and row["hits"] == "1"


def _scan_file(path, level):
    image = np.full((260, 420), 60000, np.uint16)
    image[40:220, 60:360] = level
    cv2.imwrite(str(path), image)


@pytest.fixture
def library(tmp_path) -> Library:
    paths = []
    for i in range(2):
        path = tmp_path / f"clean_{i}.png"
        _scan_file(path, 28000 + 2000 * i)
        path.with_suffix(".json").write_text(json.dumps({"pixel_pitch_mm": 2.0}))
        paths.append(path)
    return Library.of_files(paths)


def _offer(tmp_path, library):
    log = TrainingLog(tmp_path / "training.sqlite")
    plan = build_plan(SessionSpec(scans=4, threat_share=0.5, seed=8, categories=("firearm",)), library)
    return log, offer_session(log, plan, "Mixed", TRAINER)


def test_the_plan_records_each_library_file_it_uses(tmp_path, library):
    log, stored = _offer(tmp_path, library)
    with log:
        sources = find_offer(log, stored.id).plan.sources
    used = {item.base for item in stored.plan.items}
    assert set(sources) == used
    for base in used:
        # By file name, so a library folder moved whole still matches; the sidecar counts too.
        assert set(sources[base]) == {base, base.replace(".png", ".json")}
        assert all(len(digest) == 64 for digest in sources[base].values())


@pytest.mark.parametrize("which", ["image", "sidecar"])
def test_a_library_file_replaced_after_the_session_was_built_is_refused(tmp_path, library, which):
    log, stored = _offer(tmp_path, library)
    base = tmp_path / stored.plan.items[0].base
    if which == "image":
        _scan_file(base, 15000)  # another scan under the same name: the stored truth is not its truth
        changed = base
    else:
        changed = base.with_suffix(".json")
        changed.write_text(json.dumps({"pixel_pitch_mm": 4.0}))
    with log, pytest.raises(TrainingError) as caught:
        TrainingSession.from_offer(find_offer(log, stored.id), library, "omar", log=log)
    assert str(changed) in str(caught.value) and "changed" in str(caught.value)
    with TrainingLog(tmp_path / "training.sqlite") as again:
        assert not list(again.records("training_session"))  # nothing was run against the wrong truth


def test_a_file_replaced_while_the_session_runs_is_refused_when_shown(tmp_path, library):
    log, stored = _offer(tmp_path, library)
    with log:
        session = TrainingSession.from_offer(find_offer(log, stored.id), library, "omar", log=log)
        session.next_scan()
        session.answer("clear", seconds=1.0)
        _scan_file(tmp_path / session.plan.items[1].base, 15000)
        with pytest.raises(TrainingError, match="changed"):
            session.next_scan()
        with pytest.raises(TrainingError, match="changed"):
            session.upcoming()()


def test_a_missing_library_file_is_named(tmp_path, library):
    log, stored = _offer(tmp_path, library)
    missing = tmp_path / stored.plan.items[0].base
    missing.unlink()
    with log, pytest.raises(TrainingError, match=str(missing)):
        TrainingSession.from_offer(find_offer(log, stored.id), library, "omar", log=log)


def test_a_plan_stored_before_digests_were_recorded_still_runs(tmp_path, library):
    plan = build_plan(SessionSpec(scans=4, threat_share=0.5, seed=8, categories=("firearm",)), library)
    old = plan.to_dict()
    del old["sources"]
    with TrainingLog(tmp_path / "training.sqlite") as log:
        seq = log.append("training_plan", {"name": "old", "built_by": "tina", "trainee": None, "plan": old,
                                           "fingerprint": SessionPlan.from_dict(old).fingerprint()})
        offer = find_offer(log, seq)
        assert offer.plan.sources == {} and "sources" not in offer.plan.to_dict()
        assert offer.plan.fingerprint() == SessionPlan.from_dict(old).fingerprint()
        _scan_file(tmp_path / plan.items[0].base, 15000)  # nothing to compare with: nothing is said
        session = TrainingSession.from_offer(offer, library, "omar", log=log)
        while not session.finished:
            session.next_scan()
            session.answer("clear", seconds=1.0)


def test_generated_library_scans_have_no_files_to_check(tmp_path):
    from xrayreview.training.sources import generated_entry

    library = Library([generated_entry("baggage", 1)])
    plan = build_plan(SessionSpec(scans=1, threat_share=0.0, seed=1), library)
    assert plan.sources == {} and "sources" not in plan.to_dict()


def test_an_energy_pair_and_its_sidecar_are_all_covered(tmp_path):
    from xrayreview.training.library import LibraryScan

    for tag, level in (("high", 30000), ("low", 20000)):
        _scan_file(tmp_path / f"bag_{tag}.png", level)
    (tmp_path / "bag.json").write_text(json.dumps({"pixel_pitch_mm": 1.0}))
    entry = LibraryScan("bag", str(tmp_path / "bag_high.png"))
    recorded = entry.digests()
    assert set(recorded) == {"bag_high.png", "bag_low.png", "bag.json"}
    entry.check_digests(recorded)
    _scan_file(tmp_path / "bag_low.png", 21000)  # only the partner the entry does not name
    with pytest.raises(TrainingError, match=r"bag_low\.png .*changed"):
        entry.check_digests(recorded)


def test_a_sidecar_put_beside_the_scan_later_is_refused(tmp_path):
    from xrayreview.training.library import LibraryScan

    _scan_file(tmp_path / "plain.png", 30000)
    entry = LibraryScan("plain", str(tmp_path / "plain.png"))
    recorded = entry.digests()
    (tmp_path / "plain.json").write_text(json.dumps({"pixel_pitch_mm": 9.0}))
    with pytest.raises(TrainingError, match=r"plain\.json .*was added"):
        entry.check_digests(recorded)


def test_a_library_folder_moved_whole_still_runs(tmp_path, library):
    log, stored = _offer(tmp_path, library)
    moved = tmp_path / "moved"
    moved.mkdir()
    for path in list(tmp_path.glob("clean_*")):
        path.rename(moved / path.name)
    elsewhere = Library.of_files(sorted(moved.glob("clean_*.png")))
    with log:
        offer = find_offer(log, stored.id)
        assert offer.plan.sources  # the digests are there to be checked, so passing means they matched
        session = TrainingSession.from_offer(offer, elsewhere, "omar", log=log)
        while not session.finished:
            session.next_scan()
            session.answer("clear", seconds=1.0)


def test_stored_sources_of_the_wrong_shape_name_the_record(tmp_path, library):
    plan = build_plan(SessionSpec(scans=2, threat_share=0.0, seed=1), library).to_dict()
    plan["sources"] = {"clean_0.png": ["not", "a", "mapping"]}
    with TrainingLog(tmp_path / "training.sqlite") as log:
        log.append("training_plan", {"name": "n", "built_by": "tina", "trainee": None, "plan": plan})
        with pytest.raises(LogUnavailable, match="record #1 .*a session a trainer built"):
            find_offer(log, 1)
