"""Session plans: reproducible, stored as JSON, threats placed inside the load, TIP ground truth."""

import importlib.util
import json

import cv2
import numpy as np
import pytest

from xrayreview.scan import Scan, load_scan
from xrayreview.training.errors import TrainingError
from xrayreview.training.library import Library, LibraryScan
from xrayreview.training.plan import (
    SessionPlan,
    SessionSpec,
    build_plan,
    choose_center,
    load_mask,
    scan_for,
    threat_slots,
)
from xrayreview.training.scoring import Threat
from xrayreview.training.session import TrainingSession
from xrayreview.training.staircase import LEVELS

HAS_TIP = importlib.util.find_spec("xrayreview.synth") is not None and hasattr(
    importlib.import_module("xrayreview.synth"), "project_threat")
needs_tip = pytest.mark.skipif(not HAS_TIP, reason="synth.project_threat (TIP) is absent")


def _bag(seed: int, shape=(300, 500)) -> np.ndarray:
    """A 16-bit scan: bright air round a darker load with a dense block on its right half."""
    rng = np.random.default_rng(seed)
    h, w = shape
    image = np.full(shape, 60000, np.uint16)
    image[h // 6:h * 5 // 6, w * 3 // 20:w * 17 // 20] = 30000
    image[h // 4:h * 3 // 4, w * 11 // 20:w * 16 // 20] = 6000
    return (image + rng.integers(0, 200, shape)).astype(np.uint16)


def _library(tmp_path, count=3, shape=(300, 500), pitch_mm=None) -> Library:
    paths = []
    for i in range(count):
        path = tmp_path / f"clean_{i}.png"
        cv2.imwrite(str(path), _bag(i, shape))
        if pitch_mm:
            path.with_suffix(".json").write_text(json.dumps({"pixel_pitch_mm": pitch_mm}))
        paths.append(path)
    return Library.of_files(paths)


def test_clean_session_plan_is_reproducible_and_round_trips(tmp_path):
    library = _library(tmp_path)
    spec = SessionSpec(scans=12, threat_share=0.0, seed=5, time_limit_s=20)
    plan = build_plan(spec, library)
    assert [i.base for i in plan.items] == [i.base for i in build_plan(spec, library).items]
    again = SessionPlan.from_dict(plan.to_dict())
    assert again.to_dict() == plan.to_dict() and again.fingerprint() == plan.fingerprint()
    assert {i.base for i in plan.items} <= {"clean_0.png", "clean_1.png", "clean_2.png"}
    other = build_plan(SessionSpec(scans=12, threat_share=0.0, seed=6), library)
    assert other.fingerprint() != plan.fingerprint()


def test_threat_share_is_exact_and_seeded():
    slots = threat_slots(SessionSpec(scans=40, threat_share=0.25, seed=1))
    assert sum(slots) == 10 and len(slots) == 40
    assert slots == threat_slots(SessionSpec(scans=40, threat_share=0.25, seed=1))


def test_bad_specs_and_libraries_are_refused(tmp_path):
    with pytest.raises(TrainingError, match="between 1 and 1000"):
        build_plan(SessionSpec(scans=0), _library(tmp_path))
    with pytest.raises(TrainingError, match="at least one"):
        build_plan(SessionSpec(categories=()), _library(tmp_path))
    known = LibraryScan("gun.png", str(tmp_path / "gun.png"), threats=(Threat((1, 1, 5, 5), "firearm"),))
    with pytest.raises(TrainingError, match="no clean scans"):
        build_plan(SessionSpec(), Library([known]))


def test_library_survives_json(tmp_path):
    library = _library(tmp_path)
    library.add(LibraryScan("gun.png", "gun.png", threats=(Threat((1, 2, 3, 4), "firearm", "pistol"),)))
    library.save(tmp_path / "library.json")
    again = Library.load(tmp_path / "library.json")
    assert again == library and len(again.clean()) == 3
    with pytest.raises(TrainingError, match="already"):
        again.add(LibraryScan("gun.png"))


def test_clutter_knob_moves_the_threat_under_dense_goods():
    scan = Scan(high=_bag(0), full_scale=65535)
    rng = np.random.default_rng
    dense = [choose_center(scan, 1.0, rng(s)) for s in range(5)]
    light = [choose_center(scan, 0.0, rng(s)) for s in range(5)]
    assert all(275 <= x <= 400 and 75 <= y <= 225 for x, y in dense)
    assert all(75 <= x <= 425 and 50 <= y <= 250 for x, y in light)  # still inside the load, not air
    assert not any(285 <= x <= 390 and 85 <= y <= 215 for x, y in light)


def test_clean_session_runs_and_scores(tmp_path):
    session = TrainingSession.start(SessionSpec(scans=3, threat_share=0.0, seed=2), _library(tmp_path), "t1")
    answers = ["clear", "refer", "clear"]
    for decision in answers:
        item, scan = session.next_scan()
        assert scan.width == 500 and item.threats == ()
        feedback = session.answer(decision, seconds=4.0)
        assert feedback.result.false_alarm == (decision == "refer")
    assert session.finished
    summary = session.summary()
    assert summary.overall.false_alarms == 1 and summary.overall.clean == 3 and summary.mean_seconds == 4.0
    with pytest.raises(TrainingError):
        session.next_scan()


@needs_tip
def test_tip_plan_keeps_ground_truth_and_rebuilds_the_same_scan(tmp_path):
    # 2 mm/px: a 1.2 m rifle is 600 px, so every firearm fits the 700 × 400 px load.
    library = _library(tmp_path, 2, shape=(480, 820), pitch_mm=2.0)
    spec = SessionSpec(scans=4, threat_share=1.0, seed=3, categories=("firearm",))
    plan = build_plan(spec, library)
    for item in plan.items:
        assert item.label and len(item.threats) == 1
        x1, y1, x2, y2 = item.threats[0].box
        assert item.threats[0].category == "firearm"
        assert 0 <= x1 < x2 <= 820 and 0 <= y1 < y2 <= 480
        scan = scan_for(item, library)
        assert np.array_equal(scan.high, scan_for(item, library).high)
        clean = load_scan(tmp_path / item.base)
        window = (slice(int(y1), int(y2)), slice(int(x1), int(x2)))
        assert (scan.high[window] < clean.high[window]).any()  # the threat darkens its box
        assert load_mask(clean)[window].mean() >= 0.9  # and lies in the load, not in the air
        assert item.rotation_deg is not None  # middle difficulty: flat, turned in the image plane
    rebuilt = SessionPlan.from_dict(plan.to_dict())
    assert rebuilt.fingerprint() == plan.fingerprint()
    hard = build_plan(SessionSpec(scans=1, threat_share=1.0, seed=3, difficulty=LEVELS[4]), library)
    assert hard.items[0].rotation_deg is None  # a full 3-D pose from the stored seed


@needs_tip
def test_adaptive_session_raises_difficulty_after_hits(tmp_path):
    spec = SessionSpec(scans=4, threat_share=1.0, seed=4, categories=("firearm",), adaptive=True)
    session = TrainingSession.start(spec, _library(tmp_path), "t2")
    levels = []
    for _ in range(4):
        item, _scan = session.next_scan()
        levels.append(session.adaptive.level("firearm"))
        session.answer("refer", [item.threats[0].box], seconds=3.0)
    assert levels == [1, 1, 2, 2]
    assert session.summary().overall.hit_rate == 1.0


@needs_tip
def test_an_answer_the_log_refuses_leaves_the_staircase_where_it_was(tmp_path, monkeypatch,
                                                                     refuse_training_records):
    from xrayreview.decisions import LogUnavailable  # noqa: PLC0415
    from xrayreview.training.records import TrainingLog  # noqa: PLC0415

    spec = SessionSpec(scans=2, threat_share=1.0, seed=4, categories=("firearm",), adaptive=True)
    with TrainingLog(tmp_path / "training.sqlite") as log:
        session = TrainingSession.start(spec, _library(tmp_path), "t3", log=log)
        item, _scan = session.next_scan()
        refuse_training_records({"training_answer"})
        with pytest.raises(LogUnavailable):
            session.answer("refer", [item.threats[0].box], seconds=3.0)
        assert session.adaptive.stairs["firearm"].history == [] and session.position == 0
        monkeypatch.undo()  # tried again: recorded once, one step
        session.answer("refer", [item.threats[0].box], seconds=3.0)
        assert len(session.adaptive.stairs["firearm"].history) == 1


@needs_tip
def test_the_last_answer_and_the_score_are_recorded_together_once(tmp_path, monkeypatch,
                                                                  refuse_training_records):
    """A score the log refuses takes the last answer with it; Space tries both again, recorded once."""
    from xrayreview.decisions import LogUnavailable  # noqa: PLC0415
    from xrayreview.training.records import TrainingLog  # noqa: PLC0415

    spec = SessionSpec(scans=2, threat_share=1.0, seed=4, categories=("firearm",), adaptive=True)
    with TrainingLog(tmp_path / "training.sqlite") as log:
        session = TrainingSession.start(spec, _library(tmp_path), "t4", log=log)
        for _ in range(2):
            item, _scan = session.next_scan()
            if session.position == 1:
                refuse_training_records({"training_summary"})
                for _attempt in range(2):
                    with pytest.raises(LogUnavailable):
                        session.answer("refer", [item.threats[0].box], seconds=3.0)
                    # Neither the answer nor the score: the session is one answer short, as before.
                    assert session.position == 1 and not session.finished
                    assert len(session.adaptive.stairs["firearm"].history) == 1
                    assert [r.kind for r in log.records()] == ["training_session", "training_answer"]
                monkeypatch.undo()
            session.answer("refer", [item.threats[0].box], seconds=3.0)
        kinds = [r.kind for r in log.records()]
        assert kinds == ["training_session", "training_answer", "training_answer", "training_summary"]
        (summary,) = [r.content for r in log.records("training_summary")]
        assert summary["scans"] == 2 and summary["overall"]["hits"] == 2
        assert summary["adaptive"]["stairs"]["firearm"]["history"] == [1, 1]  # both steps, each once
        assert session.adaptive.stairs["firearm"].history == [1, 1] and log.verify().ok


@needs_tip
def test_generated_library_scan_takes_a_projected_threat(tmp_path):
    library = Library([LibraryScan("bag-7", generated={"kind": "baggage", "seed": 7})])
    plan = build_plan(SessionSpec(scans=2, threat_share=0.5, seed=9, categories=("ied_component",)), library)
    threat_item = next(i for i in plan.items if i.threats)
    assert threat_item.threats[0].category == "ied_component"
    scan = scan_for(threat_item, library)
    assert scan.is_dual_energy
    assert load_mask(library.get("bag-7").load())[_window(threat_item.threats[0].box)].mean() >= 0.9


def _window(box):
    x1, y1, x2, y2 = (int(v) for v in box)
    return slice(y1, y2), slice(x1, x2)
