"""Threat image projection into dual-energy, single-energy and 8-bit pseudo-colour scans."""

import numpy as np
import pytest

from xrayreview.imaging.material import material_at
from xrayreview.scan.model import Scan, ScanMetadata
from xrayreview.scan.normalise import luminance
from xrayreview.synth import generate_scan, project_threat


@pytest.fixture(scope="module")
def bag():
    return generate_scan("baggage", 21, clean=True)[0]


def _outside_box(scan, box, margin=8):
    mask = np.ones(scan.high.shape, bool)
    x1, y1, x2, y2 = (int(v) for v in box)
    mask[max(y1 - margin, 0) : y2 + margin, max(x1 - margin, 0) : x2 + margin] = False
    return mask


def test_projection_darkens_both_channels_inside_the_box_only(bag):
    before_high, before_low = bag.high.copy(), bag.low.copy()
    out, truth = project_threat(
        bag, "pistol", seed=4, center=(bag.width / 2, bag.height / 2), rotation_deg=20
    )
    assert truth.label == "pistol" and truth.category == "firearm"
    x1, y1, x2, y2 = (int(v) for v in truth.box)
    assert x1 < bag.width / 2 < x2 and y1 < bag.height / 2 < y2
    inside = (slice(y1, y2), slice(x1, x2))
    assert out.high[inside].mean() < bag.high[inside].mean() * 0.85
    assert out.low[inside].mean() < bag.low[inside].mean() * 0.85
    outside = _outside_box(bag, truth.box)
    assert np.array_equal(out.high[outside], bag.high[outside])
    assert np.array_equal(bag.high, before_high) and np.array_equal(bag.low, before_low)  # input untouched
    # The slide is steel: the station calls the darkest part of the shadow metal.
    y, x = np.unravel_index(np.argmin(np.where(outside, 65535, out.high)), out.high.shape)
    assert material_at(out, int(x), int(y)) in ("metal", "impenetrable")


def test_projection_is_deterministic_and_pose_can_be_fixed(bag):
    a, ta = project_threat(bag, "pipe_bomb", seed=9)
    b, tb = project_threat(bag, "pipe_bomb", seed=9)
    assert ta == tb and np.array_equal(a.high, b.high)
    _, flat = project_threat(bag, "revolver", seed=1, center=(200, 150), rotation_deg=0, scale=1.0)
    assert flat.pose["yaw_deg"] == 0 and flat.pose["pitch_deg"] == 0


def test_single_energy_scan_gets_only_its_one_channel():
    grey = Scan(
        high=np.full((300, 400), 40000, np.uint16),
        full_scale=65535,
        metadata=ScanMetadata(pixel_pitch_mm=1.0),
    )
    out, truth = project_threat(grey, "detonator", seed=2, center=(200, 150))
    assert out.low is None and out.high.min() < 40000
    assert truth.box[0] < 200 < truth.box[2]


def test_pseudo_colour_file_is_darkened_per_channel_like_the_station_colours():
    colour = np.full((300, 400, 3), 230, np.uint8)
    scan = Scan(high=luminance(colour), full_scale=255, colour=colour)
    out, truth = project_threat(scan, "explosive_charge", seed=3, center=(200, 150), rotation_deg=0)
    x1, y1, x2, y2 = (int(v) for v in truth.box)
    patch = out.colour[y1:y2, x1:x2].reshape(-1, 3).astype(int)
    darkest = patch[np.argmin(patch.sum(axis=1))]
    assert darkest.sum() < 3 * 230 * 0.9
    assert darkest[0] > darkest[2]  # organic explosive: orange, red above blue
    assert np.array_equal(out.high, luminance(out.colour))


def test_cargo_scan_takes_mev_physics_and_its_pitch():
    scan, _ = generate_scan("cargo", 4, clean=True, pixel_pitch_mm=5.0)
    _, truth = project_threat(scan, "pistol", seed=5, rotation_deg=0)
    x1, y1, x2, y2 = truth.box
    assert 20 <= x2 - x1 <= 60  # 150–215 mm at 5 mm/px


def test_bad_label_and_placement_are_refused(bag):
    with pytest.raises(ValueError, match="unknown threat"):
        project_threat(bag, "knife", seed=1)
    with pytest.raises(ValueError, match="outside"):
        project_threat(bag, "detonator", seed=1, center=(-5000, -5000))
