"""`xrayreview synth`: files a scanner would write, COCO truth, identical bytes for a seed."""

import json

from xrayreview.cli import main
from xrayreview.scan import load_scan


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_synth_writes_pairs_sidecars_and_coco_identically(tmp_path, capsys):
    args = ["synth", "--scene", "baggage", "--count", "3", "--seed", "40", "--clean-fraction", "0.34"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert "3/3" in capsys.readouterr().err  # progress on stderr
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first == second
    assert {"baggage_000040_high.tif", "baggage_000040_low.tif", "baggage_000040.json"} <= set(first)

    coco = json.loads(first["annotations.json"])
    assert [img["file_name"] for img in coco["images"]] == [f"baggage_{s:06d}_high.tif" for s in (40, 41, 42)]
    names = {c["id"]: c for c in coco["categories"]}
    assert {c["supercategory"] for c in names.values()} == {"firearm", "ied_component"}
    assert coco["annotations"], "two of three scans carry threats"
    images_with_threats = {a["image_id"] for a in coco["annotations"]}
    assert len(images_with_threats) == 2
    for ann in coco["annotations"]:
        x, y, w, h = ann["bbox"]
        image = coco["images"][ann["image_id"] - 1]
        assert w > 0 and h > 0 and x + w <= image["width"] and y + h <= image["height"]
        assert ann["material"] and "yaw_deg" in ann["pose"]

    scan = load_scan(tmp_path / "a" / "baggage_000040_high.tif")
    assert scan.is_dual_energy and scan.metadata.pixel_pitch_mm and scan.metadata.energy_low_kev


def test_synth_refuses_unknown_threats(tmp_path, capsys):
    code = main(["synth", "--scene", "cargo", "--count", "1", "--out", str(tmp_path), "--threats", "knife"])
    assert code == 2 and "knife" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_synth_heldout_shapes_are_numbered_in_the_truth(tmp_path):
    from xrayreview.synth.threats import is_heldout_shape

    args = ["synth", "--scene", "baggage", "--count", "2", "--seed", "3", "--clean-fraction", "0"]
    args += ["--pitch", "1.5"]
    assert main([*args, "--shapes", "heldout", "--out", str(tmp_path)]) == 0
    coco = json.loads((tmp_path / "annotations.json").read_text(encoding="utf-8"))
    shapes = [ann["pose"]["shape"] for ann in coco["annotations"]]
    assert shapes and all(is_heldout_shape(s) for s in shapes)
