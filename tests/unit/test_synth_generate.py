"""Generated scans: deterministic, well formed, with threats where the truth says."""

import numpy as np
import pytest

from xrayreview.synth import THREAT_CATEGORIES, Difficulty, generate_scan, generate_tile

LABELS = [
    "pistol",
    "revolver",
    "rifle",
    "shotgun",
    "smg",
    "gun_part",
    "pipe_bomb",
    "detonator",
    "battery",
    "wiring",
    "timer",
    "circuit_board",
    "explosive_charge",
]


def test_catalogue_has_exactly_the_agreed_labels():
    assert sorted(THREAT_CATEGORIES) == sorted(LABELS)
    assert set(THREAT_CATEGORIES.values()) == {"firearm", "ied_component"}


def test_same_seed_same_scan_and_truth():
    a, ta = generate_scan("baggage", 11)
    b, tb = generate_scan("baggage", 11)
    assert np.array_equal(a.high, b.high) and np.array_equal(a.low, b.low)
    assert ta == tb and a.sha256 == b.sha256
    c, _ = generate_scan("baggage", 12)
    assert a.high.shape != c.high.shape or not np.array_equal(a.high, c.high)


def test_baggage_scan_is_dual_energy_with_metadata_and_boxes_inside():
    scan, truths = generate_scan("baggage", 3, threats=["pistol", "detonator"])
    assert scan.high.dtype == np.uint16 and scan.low.dtype == np.uint16 and scan.full_scale == 65535
    meta = scan.metadata
    assert meta.object_kind in ("baggage", "parcel") and 0.7 <= meta.pixel_pitch_mm <= 1.6
    assert meta.energy_high_kev > meta.energy_low_kev and meta.energy_high_kev < 1000
    assert [t.label for t in truths] == ["pistol", "detonator"]
    for truth in truths:
        x1, y1, x2, y2 = truth.box
        assert 0 <= x1 < x2 <= scan.width and 0 <= y1 < y2 <= scan.height
        assert truth.category == "firearm" if truth.label == "pistol" else "ied_component"
        assert {"yaw_deg", "pitch_deg", "roll_deg", "scale"} <= set(truth.pose)


def test_a_threat_darkens_the_scan_where_its_box_is():
    clean, none = generate_scan("baggage", 5, clean=True)
    loaded, truths = generate_scan("baggage", 5, threats=["revolver"], difficulty=Difficulty(clutter=0.0))
    assert none == [] and len(truths) == 1
    x1, y1, x2, y2 = (int(v) for v in truths[0].box)
    inside = (slice(y1, y2), slice(x1, x2))
    assert loaded.high[inside].astype(float).mean() < clean.high[inside].astype(float).mean() * 0.9


def test_cargo_scan_has_cargo_pitch_mev_energies_and_small_handguns():
    scan, truths = generate_scan("cargo", 2, threats=["pistol"], pixel_pitch_mm=5.0)
    meta = scan.metadata
    assert meta.object_kind == "cargo" and meta.pixel_pitch_mm == 5.0 and meta.energy_high_kev >= 3000
    assert scan.width > 1200 and 400 < scan.height < 1000
    x1, y1, x2, y2 = truths[0].box
    assert 15 <= max(x2 - x1, y2 - y1) <= 80  # a handgun at 5 mm/px


def test_tiles_have_the_asked_size_and_both_kinds():
    kinds = set()
    for seed in range(6):
        scan, truths = generate_tile(seed, size=256)
        assert scan.high.shape == (256, 256) and scan.low.shape == (256, 256)
        kinds.add(scan.metadata.object_kind)
        for truth in truths:
            x1, y1, x2, y2 = truth.box
            assert 0 <= x1 < x2 <= 256 and 0 <= y1 < y2 <= 256
    assert "cargo" in kinds and kinds & {"baggage", "parcel"}
    again, _ = generate_tile(3, size=256)
    assert np.array_equal(again.high, generate_tile(3, size=256)[0].high)


def test_clean_tiles_come_at_the_asked_rate():
    clean = sum(
        not generate_tile(seed, size=128, kind="baggage", clean_probability=1.0)[1] for seed in range(3)
    )
    assert clean == 3


@pytest.mark.parametrize("label", LABELS)
def test_every_threat_can_be_generated(label):
    scan, truths = generate_scan("baggage", 7, threats=[label], pixel_pitch_mm=1.0)
    assert [t.label for t in truths] == [label]


def test_bad_requests_are_refused_clearly():
    with pytest.raises(ValueError, match="scene kind"):
        generate_scan("ship", 1)
    with pytest.raises(ValueError, match="unknown threat"):
        generate_scan("baggage", 1, threats=["knife"])


def test_shape_pools_never_share_a_threat_shape():
    from xrayreview.synth.threats import is_heldout_shape

    trained = [t.pose["shape"] for seed in range(6) for t in generate_tile(seed, size=256, shapes="train")[1]]
    held = []
    for seed in range(3):
        _, found = generate_scan(
            "baggage", seed, threats=["pistol", "battery"], shapes="heldout", pixel_pitch_mm=1.5
        )
        held += [t.pose["shape"] for t in found]
    assert trained and held
    assert not any(is_heldout_shape(s) for s in trained)
    assert all(is_heldout_shape(s) for s in held)
    # "any" keeps the generator's old stream: no catalogue number, same pixels as before.
    plain, plain_truths = generate_scan("baggage", 11)
    assert all("shape" not in t.pose for t in plain_truths)
    assert np.array_equal(plain.high, generate_scan("baggage", 11, shapes="any")[0].high)


def test_same_shape_number_builds_the_same_threat():
    from xrayreview.synth.threats import build_threat

    a = build_threat("revolver", np.random.default_rng(5), "heldout")
    b = build_threat("revolver", np.random.default_rng(5), "heldout")
    assert a[3] == b[3] and a[2] == b[2] and len(a[0]) == len(b[0])
    with pytest.raises(ValueError, match="shape pool"):
        build_threat("revolver", np.random.default_rng(5), "secret")


def test_drawn_device_parts_come_together_not_alone(monkeypatch):
    from xrayreview.synth import generate

    built = []
    real_place = generate.place_threat

    def recording_place(label, *args, **kwargs):
        built.append(label)
        return real_place(label, *args, **kwargs)

    monkeypatch.setattr(generate, "place_threat", recording_place)
    monkeypatch.setattr(generate, "_draw_threats", lambda rng, kind: ["battery"])
    generate.generate_scan("baggage", 4, pixel_pitch_mm=1.5)
    assert built[0] == "battery" and 2 <= len(built) <= 3
    assert set(built[1:]) <= set(generate.ASSEMBLY) - {"battery"}
    built.clear()
    generate.generate_scan("baggage", 4, threats=["battery"], pixel_pitch_mm=1.5)
    assert built == ["battery"]  # a caller who names the threats gets just those


def test_cargo_training_windows_mostly_show_the_load_and_sometimes_the_cab():
    from xrayreview.synth.generate import cargo_window
    from xrayreview.synth.scenes.cargo import cargo_scene

    layout = cargo_scene(np.random.default_rng(3), Difficulty(), 4.0, size="40ft", with_truck=True,
                         window=(0, 0, 1, 1))
    container_start = layout.interior[0]
    rng = np.random.default_rng(0)
    cols = [cargo_window(layout, rng, 640)[1] for _ in range(400)]
    on_cab = sum(col + 640 < container_start for col in cols) / len(cols)
    on_load = sum(col + 640 > container_start for col in cols) / len(cols)
    # A station runs the model over the whole vehicle, cab included (its steering wheel was taken
    # for a gun by a model that had hardly seen one).
    assert 0.02 < on_cab < 0.15 and on_load > 0.8
