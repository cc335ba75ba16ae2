"""Screener scores against hand-computed values, including rates of 0 and 1."""

import pytest

from xrayreview.training.scoring import Rates, Threat, Trial, judge, mark_hits, score

GUN = Threat((100.0, 100.0, 160.0, 140.0), "firearm", "pistol")
PIPE = Threat((300.0, 50.0, 330.0, 150.0), "ied_component", "pipe_bomb")
ON_GUN = (95.0, 95.0, 165.0, 145.0)
ELSEWHERE = (500.0, 500.0, 540.0, 540.0)


def _session(hits, events, false_alarms, clean, threat=GUN):
    trials = [Trial((threat,), "refer", (ON_GUN,) if i < hits else (ELSEWHERE,)) for i in range(events)]
    trials += [Trial((), "refer" if i < false_alarms else "clear") for i in range(clean)]
    return score(trials)


def test_mark_must_lie_on_the_threat():
    assert mark_hits(ON_GUN, GUN.box)
    assert mark_hits((100, 100, 140, 140), GUN.box)  # covers 2/3 of the gun
    assert not mark_hits((100, 100, 120, 140), GUN.box)  # a third of the gun only
    assert not mark_hits((0, 0, 1000, 1000), GUN.box)  # the whole load: 0.24 % of the mark on the gun
    assert not mark_hits(ELSEWHERE, GUN.box)


def test_refer_without_a_mark_on_the_threat_is_a_miss():
    assert judge(Trial((GUN,), "refer", (ELSEWHERE,))).hits == (False,)
    assert judge(Trial((GUN,), "refer", ())).hits == (False,)
    assert judge(Trial((GUN,), "clear", (ON_GUN,))).hits == (False,)  # marked but cleared
    assert judge(Trial((GUN,), "rescan", (ON_GUN,))).hits == (True,)
    result = judge(Trial((GUN, PIPE), "refer", (ON_GUN, ELSEWHERE)))
    assert result.hits == (True, False) and result.stray_marks == 1


def test_middle_case_by_hand():
    # 8 of 10 threats found, 2 of 10 clean scans alarmed: H = .8, F = .2.
    # Log-linear: H' = 8.5/11 = .772727, F' = 2.5/11 = .227273; z = ±.747859, d' = 1.495717.
    # A' = .5 + (.6 × 1.6) / (4 × .8 × .8) = .5 + .96 / 2.56 = .875.
    rates = _session(8, 10, 2, 10).overall
    assert (rates.hit_rate, rates.false_alarm_rate) == (0.8, 0.2)
    assert rates.d_prime == pytest.approx(1.495717, abs=1e-5)
    assert rates.a_prime == pytest.approx(0.875)


def test_perfect_screener_rates_one_and_zero():
    # H = 1, F = 0: H' = 5.5/6 = .916667, F' = .5/6 = .083333; d' = 2 × 1.382994 = 2.765988; A' = 1.
    rates = _session(5, 5, 0, 5).overall
    assert (rates.hit_rate, rates.false_alarm_rate) == (1.0, 0.0)
    assert rates.d_prime == pytest.approx(2.765988, abs=1e-5)
    assert rates.a_prime == pytest.approx(1.0)


def test_worst_screener_rates_zero_and_one():
    # H = 0 (4 events), F = 1 (2 clean): H' = .5/5 = .1, F' = 2.5/3 = .833333;
    # d' = -1.281552 - .967422 = -2.248973; A' = .5 - (1 × 2) / (4 × 1 × 1) = 0.
    rates = _session(0, 4, 2, 2).overall
    assert rates.d_prime == pytest.approx(-2.248973, abs=1e-5)
    assert rates.a_prime == pytest.approx(0.0)


def test_chance_and_undefined():
    assert Rates(6, 3, 2, 1).d_prime == pytest.approx(0.0)  # H' = 3.5/7, F' = 1.5/3: both .5
    assert Rates(6, 3, 2, 1).a_prime == 0.5
    assert Rates(0, 0, 4, 1).d_prime is None and Rates(0, 0, 4, 1).hit_rate is None
    assert Rates(3, 3, 0, 0).a_prime is None


def test_per_category_uses_the_sessions_false_alarm_rate():
    trials = [Trial((GUN,), "refer", (ON_GUN,), 10.0), Trial((GUN,), "refer", (ON_GUN,), 20.0),
              Trial((PIPE,), "clear", (), 30.0), Trial((), "clear", (), 40.0), Trial((), "refer", (), None)]
    result = score(trials)
    assert result.per_category["firearm"] == Rates(2, 2, 2, 1)
    assert result.per_category["ied_component"] == Rates(1, 0, 2, 1)
    assert result.overall == Rates(3, 2, 2, 1)
    assert result.mean_seconds == pytest.approx(25.0)  # the unanswered scan's time is unknown
    assert result.scans == 5


def test_time_out_counts_as_clear():
    assert judge(Trial((GUN,), None, ())).hits == (False,)
    assert not judge(Trial((), None, ())).false_alarm
