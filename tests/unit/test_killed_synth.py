"""Generated scans killed half-way (SIGKILL, real writers): no half file under a real name.

The trainer's library, the samples builder and the `synth` command all write through
``write_scan``/``CocoWriter``/``write_sample``. A scan file that is there under its real name
must be whole, and a scan that can be opened (its high-energy or only image) must have its
partner and its sidecar with the ground truth beside it: a dual scan without its low half
loads as single energy, and one without its sidecar loads without its threats, which a trainer
importing it as clean would turn into wrong ground truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from killing import run_killed

from xrayreview.scan import load_scan
from xrayreview.scan.model import Scan, ScanMetadata
from xrayreview.synth.export import CocoWriter, write_scan
from xrayreview.synth.placement import GroundTruth

TRUTH = [GroundTruth("pistol", "firearm", (100.0, 80.0, 260.0, 190.0), "steel", {"yaw_deg": 10})]


def sample_scan() -> Scan:
    """Noise (so the TIFFs take several writes), dual energy, the same in parent and child."""
    rng = np.random.default_rng(7)
    high = rng.integers(0, 65535, (600, 800), dtype=np.uint16)
    return Scan(high, 65535, low=high // 2, metadata=ScanMetadata(
        pixel_pitch_mm=2.0, energy_high_kev=160.0, energy_low_kev=80.0, object_kind="baggage"))


def _write_scan_child(folder: Path, pause: tuple[str, int, str]) -> str:
    return f"""
import sys
from pathlib import Path
from killing import pause_in_file
from test_killed_synth import TRUTH, sample_scan
from xrayreview.synth.export import write_scan
scan = sample_scan()
pause_in_file({pause[0]!r}, {pause[1]}, ({pause[2]!r},))
write_scan(Path({str(folder)!r}), "x", scan, TRUTH)
print("DONE", flush=True)
"""


def assert_whole_or_absent(folder: Path, reference: Path, opened: str, needs: tuple[str, ...]) -> None:
    """Every file under a real name is byte for byte the finished one; ``opened`` comes with ``needs``."""
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".partial"):
            continue  # what a kill leaves: a reader never takes it for the file
        assert path.read_bytes() == (reference / path.name).read_bytes(), f"{path.name} is a half file"
    if (folder / opened).exists():
        missing = [n for n in needs if not (folder / n).exists()]
        assert not missing, f"{opened} is there without {missing}: it would open as a different scan"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    write_scan(folder, "x", sample_scan(), TRUTH)
    return folder


PAUSES = [
    ("x_high.tif", 5, "write"),  # half-way through the image users open
    ("x_low.tif", 1, "write"),  # between two files of the pair
    ("x_low.tif", 5, "write"),  # half-way through the low-energy half
    ("x.json", 1, "__exit__"),  # the sidecar's text handed over, the file not yet closed
]


@pytest.mark.parametrize("pause", PAUSES, ids=[f"{p[0]}-{p[2]}{p[1]}" for p in PAUSES])
def test_write_scan_killed_leaves_no_half_scan(tmp_path: Path, reference: Path,
                                               pause: tuple[str, int, str]) -> None:
    out = tmp_path / "out"
    lines = run_killed(_write_scan_child(out, pause))
    assert not any(line.startswith("DONE") for line in lines)
    assert_whole_or_absent(out, reference, "x_high.tif", ("x_low.tif", "x.json"))
    assert (out / f"{pause[0]}.partial").exists()  # the kill came half-way through that file
    if (out / "x_high.tif").exists():
        scan = load_scan(out / "x_high.tif")
        assert scan.is_dual_energy and scan.metadata.extra.get("threats")
    # Run again (a restart): the same scan, whole, and nothing staged is left behind.
    write_scan(out, "x", sample_scan(), TRUTH)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    assert_whole_or_absent(out, reference, "x_high.tif", ())


def test_coco_writer_killed_leaves_no_half_annotations(tmp_path: Path) -> None:
    coco = CocoWriter()
    for i in range(60):  # a document of several buffers
        coco.add(f"scan_{i:03d}_high.tif", sample_scan(), TRUTH, {"sidecar": f"scan_{i:03d}.json"})
    (tmp_path / "done").mkdir()
    coco.write(tmp_path / "done" / "annotations.json")
    code = f"""
from pathlib import Path
from killing import pause_in_file
from test_killed_synth import TRUTH, sample_scan
from xrayreview.synth.export import CocoWriter
coco = CocoWriter()
for i in range(60):
    coco.add(f"scan_{{i:03d}}_high.tif", sample_scan(), TRUTH, {{"sidecar": f"scan_{{i:03d}}.json"}})
pause_in_file("annotations.json", 1, ("write",))
coco.write(Path({str(tmp_path / "out")!r}) / "annotations.json")
"""
    (tmp_path / "out").mkdir()
    run_killed(code)
    assert_whole_or_absent(tmp_path / "out", tmp_path / "done", "annotations.json", ())
    assert (tmp_path / "out" / "annotations.json.partial").exists()
    coco.write(tmp_path / "out" / "annotations.json")  # the restart writes it whole
    assert json.loads((tmp_path / "out" / "annotations.json").read_text(encoding="utf-8"))["images"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["annotations.json"]


def test_sample_builder_killed_leaves_no_image_without_its_truth(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The colour sample (a PNG written by the samples builder itself) and its sidecar."""
    from xrayreview.synth import samples

    colour = next(s for s in samples.SAMPLES if s.form == "colour")
    code = f"""
from pathlib import Path
from killing import pause_in_file
from test_killed_synth import TRUTH, sample_scan
from xrayreview.synth import samples
samples.make = lambda sample: (sample_scan(), TRUTH)  # a small scan; the writing is the real one
colour = next(s for s in samples.SAMPLES if s.form == "colour")
pause_in_file(colour.name + ".json", 1, ("__exit__",))
samples.write_sample(colour, Path({str(tmp_path / "out")!r}))
"""
    for folder in ("out", "done"):
        (tmp_path / folder).mkdir()
    run_killed(code)
    monkeypatch.setattr(samples, "make", lambda _sample: (sample_scan(), TRUTH))
    samples.write_sample(colour, tmp_path / "done")
    png, sidecar = f"{colour.name}.png", f"{colour.name}.json"
    assert_whole_or_absent(tmp_path / "out", tmp_path / "done", png, (sidecar,))
