"""The generator's physics against Beer–Lambert, the XCOM numbers and the station's own classifier."""

import numpy as np
import pytest
import xraydb

from xrayreview.imaging.material import material_at
from xrayreview.physics.attenuation import effective_energy_kev
from xrayreview.physics.materials import linear_mu_per_mm
from xrayreview.scan.model import Scan, ScanMetadata
from xrayreview.synth.canvas import Canvas
from xrayreview.synth.detector import Detector, expose
from xrayreview.synth.shapes import box, cylinder, ellipsoid, path_length, rotation

NOISE_FREE = Detector(noise=False, blur_sigma_px=0.0, line_artefacts=False)


def _slabs(energies, materials_mm, pitch=1.0):
    """Side-by-side slabs (60 px wide each) of the given (material, thickness) pairs, noise free."""
    canvas = Canvas(40, 60 * len(materials_mm), pitch, energies)
    for i, (material, thickness) in enumerate(materials_mm):
        canvas.add(
            [box(material, ((60 * i + 30) * pitch, 20 * pitch, 0), (25 * pitch, 15 * pitch, thickness / 2))]
        )
    high, low = expose(canvas.high, canvas.low, NOISE_FREE, np.random.default_rng(0))
    meta = ScanMetadata(energy_high_kev=energies[0], energy_low_kev=energies[1], pixel_pitch_mm=pitch)
    return Scan(high=high, low=low, full_scale=65535, metadata=meta)


def test_100_mm_steel_at_140_kv_transmits_what_xcom_says():
    scan = _slabs((140.0, 80.0), [("steel", 10.0)])
    energy_ev = effective_energy_kev(140.0) * 1000
    # Independent check through xraydb directly: 1 cm of iron at 7.85 g/cm³ (the 2 % carbon barely counts).
    mu_per_cm = xraydb.material_mu("Fe", energy_ev, density=7.85)
    expected = np.exp(-mu_per_cm * 1.0)
    assert scan.high[20, 30] / 65535 == pytest.approx(expected, rel=0.02)


def test_100_mm_steel_at_6_mev_matches_the_xcom_table():
    scan = _slabs((6000.0, 4000.0), [("steel", 100.0)])
    # XCOM Fe: 0.0362 cm²/g at 3 MeV, 0.0331 at 4 MeV; the 6 MeV endpoint's effective energy is 3.6 MeV.
    e = effective_energy_kev(6000.0) / 1000
    mu_rho = np.exp(np.interp(np.log(e), np.log([3.0, 4.0]), np.log([0.0362, 0.0331])))
    expected = np.exp(-mu_rho * 7.85 * 10.0)
    assert scan.high[20, 30] / 65535 == pytest.approx(expected, rel=0.03)
    assert 0.03 < expected < 0.12  # 100 mm of steel is well within a 6 MeV linac's reach


@pytest.mark.parametrize("energies", [(140.0, 80.0), (160.0, 90.0), (6000.0, 4000.0), (9000.0, 6000.0)])
def test_materials_of_different_z_separate_in_the_dual_energy_ratio(energies):
    ratios = {
        m: linear_mu_per_mm(m, energies[1]) / linear_mu_per_mm(m, energies[0])
        for m in ("polyethylene", "water", "aluminium", "steel", "lead")
    }
    low_z, mid_z, high_z = ratios["water"], ratios["aluminium"], ratios["steel"]
    if energies[0] < 1000:  # photo-effect regime: ratio rises with Z
        assert ratios["polyethylene"] < low_z < mid_z < high_z
    else:  # pair production: ratio falls with Z
        assert low_z > mid_z > high_z > ratios["lead"]


@pytest.mark.parametrize(
    "energies, thickness", [((140.0, 80.0), (80.0, 8.0, 1.5)), ((6000.0, 4000.0), (600.0, 300.0, 120.0))]
)
def test_the_station_classifier_reads_generated_materials_right(energies, thickness):
    scan = _slabs(energies, list(zip(("water", "aluminium", "steel"), thickness, strict=True)))
    assert [material_at(scan, 60 * i + 30, 20) for i in range(3)] == ["organic", "mixed", "metal"]


def test_noise_follows_the_photon_count():
    canvas = Canvas(200, 200, 1.0, (140.0, 80.0))
    canvas.add([box("water", (100, 100, 0), (100, 100, 50))])
    detector = Detector(air_count=1e4, blur_sigma_px=0.0, line_artefacts=False)
    high, _ = expose(canvas.high, canvas.low, detector, np.random.default_rng(1))
    t = float(np.exp(-canvas.high[100, 100]))
    measured = high.astype(float) / 65535
    assert measured.mean() == pytest.approx(t, rel=0.01)
    assert measured.std() == pytest.approx(np.sqrt(t / 1e4), rel=0.1)


def test_tilted_plate_path_grows_as_one_over_cosine():
    plate = box("steel", (50, 50, 0), (30, 30, 5), rotation(pitch=60))
    row0, col0, lengths = path_length(plate, 1.0, (0, 0, 100, 100))
    assert lengths[50 - row0, 50 - col0] == pytest.approx(10 / np.cos(np.radians(60)), rel=1e-3)


def test_cylinder_side_on_and_ellipsoid_volume():
    rod = cylinder("steel", (50, 50, 0), 10, 40, rotation(pitch=90))
    row0, col0, lengths = path_length(rod, 1.0, (0, 0, 100, 100))
    assert lengths.max() == pytest.approx(20.0, rel=0.01)
    blob = ellipsoid("water", (50, 50, 3), (30, 20, 10), rotation(yaw=30, pitch=20, roll=40))
    _, _, lengths = path_length(blob, 0.5, (0, 0, 200, 200))
    volume = lengths.sum() * 0.25
    assert volume == pytest.approx(4 / 3 * np.pi * 30 * 20 * 10, rel=0.01)


def test_carved_tube_keeps_only_its_wall():
    from xrayreview.synth.shapes import tube

    canvas = Canvas(100, 100, 1.0, (140.0, 80.0))
    canvas.add(tube("steel", (50, 50, 0), 20, 3, 40, rotation(pitch=90)))
    canvas.clamp()
    mu = linear_mu_per_mm("steel", 140.0)
    # Through the axis the beam crosses two walls of 3 mm.
    assert canvas.high[50, 50] / mu == pytest.approx(6.0, rel=0.02)
    assert canvas.high.min() >= 0.0


def test_flat_prism_fast_path_agrees_with_the_exact_slab_method():
    from xrayreview.synth.shapes import _prism, prism

    outline = [(-300, -200), (250, -250), (350, 150), (-200, 300)]
    part = prism("steel", outline, 6.0, center=(400, 400, 0), rot=rotation(yaw=17))
    row0, col0, fast = path_length(part, 1.0, (0, 0, 800, 800))
    xs = (np.arange(col0, col0 + fast.shape[1]) + 0.5) * 1.0
    ys = (np.arange(row0, row0 + fast.shape[0]) + 0.5) * 1.0
    exact = _prism(part, xs, ys)
    assert fast.sum() == pytest.approx(exact.sum(), rel=0.02)
    assert fast.max() == pytest.approx(12.0, rel=1e-3)
