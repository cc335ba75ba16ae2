"""The bundled samples open in the station, and their truth fits them; TIP works on real scans."""

import json

import numpy as np
import pytest

from xrayreview.imaging.standard import render_standard
from xrayreview.paths import REPO_ROOT, SAMPLES_DIR
from xrayreview.scan import load_scan
from xrayreview.synth import THREAT_CATEGORIES, project_threat
from xrayreview.synth.samples import SAMPLES, make

REAL_SCANS = REPO_ROOT.parent / "shared" / "real-scans"


def _file(sample):
    return {
        "dual": f"{sample.name}_high.tif",
        "single": f"{sample.name}.tif",
        "colour": f"{sample.name}.png",
    }[sample.form]


def test_every_sample_is_there_listed_and_small_enough():
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for sample in SAMPLES:
        assert (SAMPLES_DIR / _file(sample)).is_file() and _file(sample) in readme
    total = sum(p.stat().st_size for p in SAMPLES_DIR.iterdir())
    assert total < 30 * 1024 * 1024
    forms = {s.form for s in SAMPLES}
    kinds = {s.kind for s in SAMPLES}
    assert forms == {"dual", "single", "colour"} and kinds == {"cargo", "baggage"}
    assert any(s.threats for s in SAMPLES) and any(not s.threats for s in SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_opens_with_its_truth_inside_it(sample):
    scan = load_scan(SAMPLES_DIR / _file(sample))
    assert scan.is_dual_energy == (sample.form == "dual")
    assert (scan.colour is not None) == (sample.form == "colour")
    assert scan.metadata.pixel_pitch_mm and scan.metadata.object_kind
    threats = json.loads((SAMPLES_DIR / f"{sample.name}.json").read_text(encoding="utf-8"))["threats"]
    assert sorted(t["label"] for t in threats) == sorted(sample.threats)
    for threat in threats:
        x1, y1, x2, y2 = threat["box"]
        assert 0 <= x1 < x2 <= scan.width and 0 <= y1 < y2 <= scan.height
        assert threat["category"] == THREAT_CATEGORIES[threat["label"]]


@pytest.mark.skipif(
    not REAL_SCANS.is_dir(), reason="the real scans (../shared/real-scans) are not on this machine"
)
def test_projection_into_a_real_pseudo_colour_scan():
    scan = load_scan(REAL_SCANS / "sixray-threat-P01814.png")
    assert scan.colour is not None
    out, truth = project_threat(scan, "pistol", seed=1, center=(380, 300), rotation_deg=30)
    x1, y1, x2, y2 = (int(v) for v in truth.box)
    inside = out.colour[y1:y2, x1:x2].astype(int)
    before = scan.colour[y1:y2, x1:x2].astype(int)
    assert inside.sum() < before.sum() * 0.95
    assert np.array_equal(out.colour[:, : max(x1 - 5, 0)], scan.colour[:, : max(x1 - 5, 0)])


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_is_what_the_generator_makes_today(sample):
    """A generator change that moves threats or goods shows here: rebuild the samples
    (python -m xrayreview.synth.samples) in the same change, so the station never ships
    scans and truths from an older generator."""
    scan, truths = make(sample)
    stored = json.loads((SAMPLES_DIR / f"{sample.name}.json").read_text(encoding="utf-8"))["threats"]
    assert [t.label for t in truths] == [t["label"] for t in stored]
    for made, kept in zip(truths, stored, strict=True):
        assert made.box == pytest.approx(kept["box"], abs=1.0)
    opened = load_scan(SAMPLES_DIR / _file(sample))
    if sample.form == "colour":
        made_pixels, kept_pixels = render_standard(scan), opened.colour
    else:
        made_pixels, kept_pixels = scan.high, opened.high
    assert made_pixels.shape == kept_pixels.shape
    # Loose enough for another machine's float rounding, tight enough for a moved bag or item.
    difference = np.abs(made_pixels.astype(float) - kept_pixels.astype(float)).mean()
    assert difference < 0.0005 * float(kept_pixels.max())
