"""Projected threats show in what the trainee sees: none is placed where the scan renders black.

The densest goods of these scans are beyond what the beam gets through (a few counts of 65535,
black on screen); only the right part of the load is penetrable. At maximum clutter the
placement ranks the black spots first, and a threat there would change nothing visible.
"""

from types import SimpleNamespace

import cv2
import numpy as np
from test_training_plan import needs_tip

from xrayreview.imaging.standard import render_standard
from xrayreview.scan import Scan, load_scan
from xrayreview.scan.normalise import luminance
from xrayreview.training.library import Library
from xrayreview.training.plan import (
    PLACEMENT_TRIES,
    SessionPlan,
    SessionSpec,
    build_plan,
    plan_scan,
    scan_for,
)
from xrayreview.training.staircase import TrainingDifficulty
from xrayreview.training.visible import shown

SHAPE = (400, 600)
LOAD = (slice(40, 360), slice(40, 560))
LIGHT_FROM_X = 380  # the load is penetrable from this column to its right edge
AIR, BLACK, LIGHT = 60000, 3, 30000
DENSEST = TrainingDifficulty(clutter=1.0, rotation=0.5, size=0.5, density=0.5)
STRONG_LEVELS, MIN_STRONG_PIXELS = 10, 8  # the generator's "can be seen" (synth/visibility.py)


def _image(seed: int, black: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.full(SHAPE, AIR, np.uint16)
    image[LOAD] = BLACK if black else LIGHT
    image[LOAD[0], LIGHT_FROM_X:LOAD[1].stop] = LIGHT
    noise = rng.integers(0, 200, SHAPE)
    noise[image == BLACK] //= 100  # a count or two: still black on screen
    return (image + noise).astype(np.uint16)


def _library(tmp_path, count: int = 2, black: bool = True) -> Library:
    paths = []
    for i in range(count):
        path = tmp_path / f"dense_{i}.png"
        cv2.imwrite(str(path), _image(i, black))
        paths.append(path)
    return Library.of_files(paths)


def _changed_pixels(clean: Scan, projected: Scan, box) -> int:
    """Pixels of ``box`` whose full standard rendering changes clearly (any channel)."""
    x1, y1, x2, y2 = box
    rows = slice(max(int(np.floor(y1)), 0), int(np.ceil(y2)))
    window = (rows, slice(max(int(np.floor(x1)), 0), int(np.ceil(x2))))
    before = render_standard(clean)[window].astype(int)
    after = render_standard(projected)[window].astype(int)
    return int((np.abs(after - before).max(axis=2) >= STRONG_LEVELS).sum())


def _one_threat(difficulty: TrainingDifficulty, seed: int = 0) -> SessionPlan:
    return SessionPlan(SessionSpec(scans=1, threat_share=1.0, seed=seed, difficulty=difficulty),
                       threat_slots=[True])


def _square(pixels_at, record: list):
    """A stand-in projector: a 20 px box round the center, ``pixels_at(center)`` pixels of it halved."""

    def project(scan, label, *, seed, center, rotation_deg, scale):
        record.append(tuple(center))
        x, y = (int(round(v)) for v in center)
        high = scan.high.copy()
        rows, cols = np.divmod(np.arange(pixels_at(center)), 20)
        high[y - 10 + rows, x - 10 + cols] //= 2
        return Scan(high=high, full_scale=scan.full_scale), SimpleNamespace(
            box=(x - 10.0, y - 10.0, x + 10.0, y + 10.0), category="firearm", label=label)

    return project


def _reaches_light(center) -> bool:
    return int(round(center[0])) + 10 > LIGHT_FROM_X  # the stand-in's box, as it rounds the center


@needs_tip
def test_every_projected_threat_shows_at_maximum_clutter(tmp_path):
    library = _library(tmp_path)
    plan = build_plan(SessionSpec(scans=8, threat_share=1.0, seed=2, difficulty=DENSEST), library)
    for item in plan.items:
        box = item.threats[0].box
        clean = load_scan(tmp_path / item.base)
        assert _changed_pixels(clean, scan_for(item, library), box) >= MIN_STRONG_PIXELS, item


@needs_tip
def test_a_spot_in_the_black_is_rejected_for_one_in_the_light(tmp_path):
    library = _library(tmp_path, 1)
    tried: list = []
    item = plan_scan(_one_threat(DENSEST), 0, library, DENSEST, _square(lambda c: 400, tried))
    # The densest spots come first and lie wholly in the black: each is tried and passed over...
    assert len(tried) > 1 and not any(_reaches_light(c) for c in tried[:-1])
    # ...for the first whose box reaches the light, where the threat shows.
    assert _reaches_light(tried[-1]) and item.center == tried[-1]
    assert len(tried) > 2 * PLACEMENT_TRIES  # the black took all the usual spots: the ranking went on


@needs_tip
def test_when_no_spot_shows_the_most_visible_one_is_taken(tmp_path):
    library = _library(tmp_path, 1, black=False)

    def faint(center):  # 0..7 clearly changed pixels: never enough to show
        return int(center[0] + center[1]) % MIN_STRONG_PIXELS

    tried: list = []
    item = plan_scan(_one_threat(DENSEST, seed=1), 0, library, DENSEST, _square(faint, tried))
    faintest_first = max(range(len(tried)), key=lambda n: (faint(tried[n]), -n))
    assert faint(tried[0]) < faint(tried[faintest_first])  # not simply the first spot
    assert item.center == tried[faintest_first]
    again = plan_scan(_one_threat(DENSEST, seed=1), 0, library, DENSEST, _square(faint, []))
    assert again == item


@needs_tip
def test_a_threat_too_large_to_fit_goes_where_it_shows_without_a_longer_search(tmp_path):
    library = _library(tmp_path, 1)
    tried: list = []
    plan = _one_threat(TrainingDifficulty(clutter=0.4), seed=3)

    def tall(scan, label, *, seed, center, rotation_deg, scale):
        # Taller than the load: nowhere does 90 % of it lie inside.
        projected, truth = _square(lambda c: 400, tried)(scan, label, seed=seed, center=center,
                                                          rotation_deg=rotation_deg, scale=scale)
        x1, y1, x2, y2 = truth.box
        return projected, SimpleNamespace(**{**truth.__dict__, "box": (x1, y1 - 170, x2, y2 + 170)})

    item = plan_scan(plan, 0, library, plan.spec.difficulty, tall)
    assert len(tried) == 2 * PLACEMENT_TRIES  # placement cost as before
    in_light = [c for c in tried if _reaches_light(c)]
    assert in_light and len(in_light) < len(tried)  # both kinds of spot were among those tried
    assert _reaches_light(item.center)


@needs_tip
def test_plans_stay_deterministic_and_rebuild_the_same_visible_scans(tmp_path):
    library = _library(tmp_path)
    spec = SessionSpec(scans=6, threat_share=1.0, seed=7, difficulty=DENSEST)
    plan = build_plan(spec, library)
    assert build_plan(spec, library).fingerprint() == plan.fingerprint()
    rebuilt = SessionPlan.from_dict(plan.to_dict())
    assert rebuilt.fingerprint() == plan.fingerprint()
    for item, again in zip(plan.items, rebuilt.items, strict=True):
        scan = scan_for(again, library)
        assert np.array_equal(scan.high, scan_for(item, library).high)
        clean = load_scan(tmp_path / item.base)
        assert _changed_pixels(clean, scan, again.threats[0].box) >= MIN_STRONG_PIXELS


@needs_tip
def test_the_rule_counts_clearly_changed_pixels_in_any_channel():
    # An 8-bit colour file is its own standard rendering, so the changes are exact grey levels.
    colour = np.full((60, 80, 3), 120, np.uint8)
    clean = Scan(high=luminance(colour), colour=colour, full_scale=255)

    def changed(count: int, levels: int, channel: int = 2) -> Scan:
        rgb = colour.copy()
        rgb[20, 10:10 + count, channel] -= levels
        return Scan(high=luminance(rgb), colour=rgb, full_scale=255)

    box = (5.0, 15.0, 60.0, 30.0)
    assert shown(clean, changed(8, STRONG_LEVELS), box).shows  # blue alone: a change of hue counts
    assert not shown(clean, changed(7, STRONG_LEVELS), box).shows
    assert not shown(clean, changed(8, STRONG_LEVELS - 1), box).shows
    assert shown(clean, changed(8, STRONG_LEVELS), box).pixels == 8
    assert shown(clean, changed(8, STRONG_LEVELS), (30.0, 15.0, 60.0, 30.0)).pixels == 0  # outside the box
    assert shown(clean, changed(8, STRONG_LEVELS), (100.0, 100.0, 120.0, 120.0)).pixels == 0  # off the scan


@needs_tip
def test_a_dual_energy_scan_shows_the_threat_in_the_light_not_in_the_black():
    from xrayreview.synth import project_threat  # noqa: PLC0415 - only with the generator

    high = _image(0)
    low = high.copy()
    light = (high >= LIGHT) & (high < AIR)
    low[light] = high[light] // 2  # light goods of organic colour
    clean = Scan(high=high, low=low, full_scale=65535)
    for center, shows in (((200.0, 200.0), False), ((470.0, 200.0), True)):
        projected, truth = project_threat(clean, "pistol", seed=1, center=center, rotation_deg=0.0)
        seen = shown(clean, projected, truth.box)
        assert seen.shows is shows
        assert seen.pixels == _changed_pixels(clean, projected, truth.box)  # the crop renders as the whole
