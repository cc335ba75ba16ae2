"""A detonator's leg wires and a battery pack's lead are drawn but kept out of the threat's box:
where loose wire ends says nothing about the threat, and a box that follows it cannot be learnt."""

import numpy as np

from xrayreview.synth.canvas import Canvas
from xrayreview.synth.goods.baggage_items import BAG_ITEMS, phone_or_clock
from xrayreview.synth.placement import Difficulty, place_threat
from xrayreview.synth.threats.ied import detonator, timer

FLAT = {"yaw_deg": 0.0, "pitch_deg": 0.0, "roll_deg": 0.0, "scale": 1.0}


def _placed_flat(name: str, seed: int):
    """The threat laid flat, unturned, mid-canvas at 1 mm per pixel, with its leads drawn."""
    grid = Canvas(400, 800, 1.0, (160.0, 80.0))
    placed = place_threat(name, np.random.default_rng(seed), grid, (400.0, 200.0), 0.0, Difficulty(),
                          dict(FLAT))
    assert placed is not None and placed.body is not None
    return placed


def test_a_detonators_legs_are_in_the_image_but_not_in_its_box():
    placed = _placed_flat("detonator", 3)
    x1, y1, x2, y2 = placed.truth.box
    drawn = placed.layer.visible_box(1e-3)
    assert drawn is not None
    # The shell is 40-80 mm long and 6-8 mm wide at 1 mm per pixel; the legs add 80-250 mm.
    assert 38 <= x2 - x1 <= 84 and y2 - y1 <= 12
    assert drawn[2] - drawn[0] > (x2 - x1) + 60


def test_leads_are_marked_only_on_wires():
    parts, _, _ = detonator(np.random.default_rng(0))
    leads = [p for p in parts if p.lead]
    assert leads and all(p.kind == "wire" for p in leads)
    assert any(not p.lead for p in parts)


def test_a_timer_is_wired_and_the_same_clock_or_phone_packed_as_goods_is_not():
    for seed in range(12):
        parts, _, variant = timer(np.random.default_rng(seed))
        leads = [p for p in parts if p.lead]
        assert leads and all(p.kind == "wire" for p in leads), variant
    packed, _ = phone_or_clock(np.random.default_rng(0))
    assert packed and not any(p.lead for p in packed)
    assert "phone_or_clock" in BAG_ITEMS


def test_a_timers_leads_stay_out_of_its_box():
    placed = _placed_flat("timer", 5)
    x1, y1, x2, y2 = placed.truth.box
    # The largest clock is 110 x 90 mm, the largest phone 78 x 160 mm; the leads add 60-180 mm.
    assert max(x2 - x1, y2 - y1) <= 165
    drawn = placed.layer.visible_box(1e-3)
    assert drawn is not None and (drawn[3] - drawn[1]) + (drawn[2] - drawn[0]) > (y2 - y1) + (x2 - x1) + 40
