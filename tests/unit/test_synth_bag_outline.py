"""Threats lie inside the bag, also when the bag is turned on the belt: its bounding box then
has belt in its corners, and a pipe bomb or battery lying on the belt beside a bag is no scan
an officer would ever see."""

import cv2
import numpy as np

from xrayreview.synth.canvas import Canvas
from xrayreview.synth.generate import _hide_threats
from xrayreview.synth.placement import Difficulty, place_threat
from xrayreview.synth.scenes.baggage import baggage_scene

DIAMOND = np.array([[300.0, 0.0], [600.0, 300.0], [300.0, 600.0], [0.0, 300.0]])
FLAT = {"yaw_deg": 0.0, "pitch_deg": 0.0, "roll_deg": 0.0, "scale": 1.0}


def _inside(outline: np.ndarray, x: float, y: float) -> bool:
    return cv2.pointPolygonTest(outline.astype(np.float32).reshape(-1, 1, 2), (x, y), False) >= 0


def _box_inside(outline: np.ndarray, box) -> bool:
    x1, y1, x2, y2 = box
    return all(_inside(outline, x, y) for x in (x1, x2) for y in (y1, y2))


def test_a_threat_asked_for_outside_the_outline_is_moved_until_all_of_it_is_inside():
    grid = Canvas(600, 600, 1.0, (160.0, 80.0))
    # Asked for at the diamond's left corner, a pipe bomb lying flat would stick out of it.
    placed = place_threat("pipe_bomb", np.random.default_rng(2), grid, (40.0, 300.0), 0.0, Difficulty(),
                          dict(FLAT), outline=DIAMOND)
    assert placed is not None
    assert _box_inside(DIAMOND, placed.truth.box)
    cx, cy = placed.truth.pose["center_px"]
    assert 40.0 < cx < 300.0  # moved towards the middle, no further than it had to


def test_without_an_outline_the_threat_stays_where_it_was_asked_for():
    grid = Canvas(400, 400, 1.0, (160.0, 80.0))
    placed = place_threat("pipe_bomb", np.random.default_rng(2), grid, (150.0, 200.0), 0.0, Difficulty(),
                          dict(FLAT))
    assert placed is not None and placed.truth.pose["center_px"] == [150.0, 200.0]


def _turned_bags(count: int):
    found, seed = [], 0
    while len(found) < count:
        rng = np.random.default_rng([seed, 11])
        scene = baggage_scene(rng, Difficulty(clutter=0.2), size_px=(480, 480))
        edge = scene.outline[1] - scene.outline[0]
        angle = abs(np.degrees(np.arctan2(edge[1], edge[0]))) % 90
        if 25 < angle < 65:
            found.append((scene, rng))
        seed += 1
    return found


def test_threats_and_the_parts_of_a_device_lie_inside_a_turned_bag():
    placed = 0
    for scene, rng in _turned_bags(6):
        assert scene.outline is not None
        x1, y1, x2, y2 = scene.interior
        # The outline is the bag, not its box: the box's corners are outside it.
        assert not _inside(scene.outline, x1 + 2, y1 + 2)
        truths = _hide_threats(scene, ["pipe_bomb", "pistol"], rng, Difficulty(clutter=0.2), assemble=True)
        for truth in truths:
            # A box's corners may stick out of a turned bag while the threat, lying across the
            # box's diagonal, does not; what must hold is that the threat is in the bag.
            x1, y1, x2, y2 = truth.box
            assert _inside(scene.outline, (x1 + x2) / 2, (y1 + y2) / 2), (truth.label, truth.box)
            placed += 1
    assert placed >= 8


def test_clutter_laid_over_a_threat_stays_in_the_bag_or_is_left_out():
    from xrayreview.synth.generate import _packed_inside
    from xrayreview.synth.shapes import box, footprint

    pitch = 2.0  # mm per pixel: the diamond is 600 px = 1,200 mm across
    sticking_out = [box("steel", (100.0, 600.0, 0.0), (150.0, 10.0, 5.0))]  # 300 mm bar at the left corner
    moved = _packed_inside(sticking_out, DIAMOND, pitch)
    assert len(moved) == 1
    x1, y1, x2, y2 = (v / pitch for v in footprint(moved[0]))
    assert _box_inside(DIAMOND, (x1, y1, x2, y2)) and x1 >= 0.0  # it began at x = -25 px
    too_long = [box("steel", (600.0, 600.0, 0.0), (700.0, 10.0, 5.0))]  # 1,400 mm: longer than the bag
    assert _packed_inside(too_long, DIAMOND, pitch) == []


def test_a_tile_with_a_long_gun_shows_part_of_a_long_bag():
    scene = baggage_scene(np.random.default_rng(4), Difficulty(), pitch_mm=1.0, size_px=(480, 480),
                          min_length_mm=1250.0)
    gaps = scene.outline[:, None, :] - scene.outline[None, :, :]
    longest = np.sqrt((gaps**2).sum(-1)).max()
    assert longest > 1100  # a rifle case, 1.25 m at 1 mm per pixel, more than twice the tile


def test_a_rifle_is_laid_along_a_narrow_turned_case():
    case = np.array([[0.0, 0.0], [1200.0, 0.0], [1200.0, 200.0], [0.0, 200.0]]) - [600.0, 100.0]
    turn = np.radians(35.0)
    case = case @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]]) + [700.0, 700.0]
    grid = Canvas(1400, 1400, 1.0, (160.0, 80.0))
    flat = Difficulty(rotation=0.0)  # lying on its side, as a rifle in a case does
    for seed in range(5):
        placed = place_threat("rifle", np.random.default_rng(seed), grid, (700.0, 700.0), 0.0, flat,
                              fit=(0, 0, 1399, 1399), outline=case)
        assert placed is not None
        yaw = placed.truth.pose["yaw_deg"] % 180
        assert abs(yaw - 35.0) < 10  # along the case (either way round), not across it
        x1, y1, x2, y2 = placed.truth.box
        assert _inside(case, (x1 + x2) / 2, (y1 + y2) / 2)
