"""Training on a site's own labelled scans (`train-model --data`) and from the shipped weights (`--init`)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")
pytest.importorskip("onnx", reason="export needs onnx")

from xrayreview.cli import main  # noqa: E402
from xrayreview.modeltrain.assign import resolve_categories  # noqa: E402
from xrayreview.modeltrain.classes import CLASSES, category_code, category_members  # noqa: E402
from xrayreview.modeltrain.data import TileStream  # noqa: E402
from xrayreview.modeltrain.labelled import (  # noqa: E402
    LabelledTiles,
    TrainingInputError,
    class_code,
    read_labelled,
)
from xrayreview.modeltrain.net import anchor_points  # noqa: E402
from xrayreview.modeltrain.weights import load_weights  # noqa: E402
from xrayreview.paths import MODELS_DIR  # noqa: E402

HANDGUN, LONG_GUN, BATTERY = CLASSES.index("handgun"), CLASSES.index("long_gun"), CLASSES.index("battery")


def _coco_folder(folder: Path, annotations: list[tuple[int, str, list[float]]], images: int = 3,
                 listed: int = 2) -> Path:
    """``images`` grey PNG scans, the first ``listed`` of them in annotations.json."""
    (folder / "images").mkdir(parents=True)
    entries = []
    for i in range(images):
        picture = np.full((300, 400, 3), 200, np.uint8)
        cv2.rectangle(picture, (50 + 20 * i, 60), (150 + 20 * i, 120), (40, 40, 90), -1)
        cv2.imwrite(str(folder / "images" / f"scan{i}.png"), picture)
        if i < listed:
            entries.append({"id": i + 1, "file_name": f"images/scan{i}.png", "width": 400, "height": 300})
    names = sorted({label for _, label, _ in annotations})
    document = {
        "images": entries,
        "annotations": [{"id": k + 1, "image_id": image, "category_id": names.index(label) + 1, "bbox": box,
                         "area": box[2] * box[3], "iscrowd": 0}
                        for k, (image, label, box) in enumerate(annotations)],
        "categories": [{"id": k + 1, "name": name, "supercategory": "threat"}
                       for k, name in enumerate(names)],
    }
    (folder / "annotations.json").write_text(json.dumps(document))
    return folder


def test_labels_become_classes_categories_or_background() -> None:
    assert class_code("handgun", None, {}) == HANDGUN
    assert class_code("rifle", None, {}) == LONG_GUN  # the generator's own labels
    assert class_code("firearm", "threat", {}) == category_code("firearm")  # an officer's mark
    assert class_code("other", "threat", {}) is None  # no class of the model's: background
    assert class_code("Glock 17", "firearm", {}) == category_code("firearm")
    assert class_code("gun", None, {"gun": "handgun"}) == HANDGUN
    assert class_code("knife", None, {"knife": "background"}) is None
    with pytest.raises(KeyError):
        class_code("knife", None, {})


def test_a_folder_of_officer_marks_reads_as_coded_scans_with_notes(tmp_path: Path) -> None:
    folder = _coco_folder(tmp_path / "site", [(1, "firearm", [50, 60, 100, 60])])
    scans, notes = read_labelled([folder], {})
    assert len(scans) == 2  # the third image is in no label file: not known to be clean
    marked = next(s for s in scans if s.boxes)
    assert marked.classes == (category_code("firearm"),)
    assert marked.boxes == ((50.0, 60.0, 150.0, 120.0),)
    assert [s.boxes for s in scans if s is not marked] == [()]  # labelled clean: teaches background
    assert notes == [f"{folder}: 1 image(s) without labels left out: scan2.png"]


def test_labels_the_model_cannot_learn_are_all_named_with_the_fix(tmp_path: Path) -> None:
    folder = _coco_folder(tmp_path / "public", [(1, "knife", [10, 10, 20, 20]), (2, "wrench", [5, 5, 9, 9])])
    with pytest.raises(TrainingInputError, match="knife, wrench.*--map NAME=CLASS"):
        read_labelled([folder], {})
    with pytest.raises(TrainingInputError, match="is not a folder"):
        read_labelled([tmp_path / "nowhere"], {})


def test_a_map_to_no_class_is_named_before_any_folder_is_read(tmp_path: Path) -> None:
    folder = _coco_folder(tmp_path / "public", [(1, "Gun", [10, 10, 20, 20])])
    with pytest.raises(TrainingInputError, match=r"--map Gun=handgn \(did you mean handgun\?\), knife=Knife: "
                                                 r".*handgun.*rifle.*firearm.*background"):
        read_labelled([tmp_path / "nowhere"], {"Gun": "handgn", "knife": "Knife", "wrench": "other"})
    for target in ("handgun", "rifle", "firearm", "background", "other"):
        scans, _ = read_labelled([folder], {"Gun": target})
        assert len(scans) == 2


def test_a_latin1_class_list_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    (folder / "labels").mkdir(parents=True)
    cv2.imwrite(str(folder / "a.png"), np.full((30, 40, 3), 200, np.uint8))
    (folder / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (folder / "classes.txt").write_bytes("pistolet_armé\n".encode("latin-1"))
    with pytest.raises(TrainingInputError, match=r"--data .*classes\.txt.*UTF-8"):
        read_labelled([folder], {})


def test_labelled_scans_render_as_the_station_sees_them_unreadable_ones_left_out(tmp_path: Path) -> None:
    folder = _coco_folder(tmp_path / "site", [(1, "handgun", [50, 60, 100, 60])])
    scans, _ = read_labelled([folder], {})
    tiles = LabelledTiles(scans)
    tile = tiles.tile(0)
    assert tile.image.shape == (300, 400, 3) and tile.classes.tolist() == [HANDGUN]
    np.testing.assert_allclose(tile.boxes, [[50, 60, 150, 120]])
    (folder / "images" / "scan1.png").write_bytes(b"not a png")
    assert tiles.tile(1) is None
    (folder / "images" / "scan0.png").write_bytes(b"not a png")
    fresh = LabelledTiles(scans)
    assert fresh.tile(0) is None
    with pytest.raises(TrainingInputError, match="none of the --data scans"):
        fresh.tile(1)


def test_the_stream_serves_the_labelled_share() -> None:
    class Fixed:
        def __len__(self) -> int:
            return 1

        def tile(self, index: int):
            from xrayreview.modeltrain.data import Tile  # noqa: PLC0415
            boxes = np.array([[100, 100, 200, 180]], np.float32)
            return Tile(np.full((320, 320, 3), 128, np.uint8), boxes, np.array([category_code("firearm")]))

    stream = iter(TileStream(10_000_200, 640, reuse=1, pool=1, crop=256, labelled=Fixed(),
                             labelled_share=1.0))
    for _ in range(4):
        _, boxes, classes = next(stream)
        assert classes.tolist() in ([], [category_code("firearm")])  # [] only when a crop loses the box


def test_a_category_mark_teaches_the_class_of_its_category_the_model_leans_to() -> None:
    points, strides = anchor_points(256, 256, torch.device("cpu"))
    scores = torch.full((1, len(points), len(CLASSES)), 0.01)
    inside = ((points[:, 0] > 40) & (points[:, 0] < 120) & (points[:, 1] > 40) & (points[:, 1] < 120))
    scores[0, inside, LONG_GUN] = 0.6  # the model sees a long gun there
    scores[0, inside, BATTERY] = 0.3
    scores[0, inside, CLASSES.index("pipe_bomb")] = 0.2
    scores[0, ~inside, HANDGUN] = 0.9  # elsewhere: must not count
    boxes = torch.tensor([[[50.0, 50.0, 110.0, 110.0]] * 3])
    classes = torch.tensor([[category_code("firearm"), category_code("ied_component"), HANDGUN]])
    resolved = resolve_categories(scores, points, strides, boxes, classes, category_members())
    assert resolved.tolist() == [[LONG_GUN, BATTERY, HANDGUN]]


def test_fine_tune_the_shipped_weights_on_a_sites_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    folder = _coco_folder(tmp_path / "site", [(1, "firearm", [50, 60, 100, 60])])
    run_dir, out = tmp_path / "run", tmp_path / "out"
    common = ["train-model", "--run-dir", str(run_dir), "--out", str(out), "--batch", "2", "--crop", "256",
              "--workers", "0", "--val-tiles", "0", "--steps", "2", "--lr", "1e-4", "--freeze-norm"]
    shipped = MODELS_DIR / "threat-detector.pt"
    assert main([*common, "--data", str(folder), "--data-share", "1", "--init", str(shipped)]) == 0
    records = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    assert any(r.get("event") == "initialised" for r in records)
    assert any(r.get("labelled_scans") == 2 for r in records)
    # Two small steps from the shipped weights stay near them (random weights would be far off).
    start, tuned = load_weights(shipped).state_dict(), load_weights(out / "threat-detector.pt").state_dict()
    drift = max(float((tuned[k].float() - start[k].float()).abs().max()) for k in start
                if start[k].dtype.is_floating_point)
    assert 0 < drift < 0.05
    capsys.readouterr()
    assert main([*common, "--data", str(tmp_path / "site2")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "junk.pt").write_bytes(b"junk")
    assert main([*common, "--init", str(tmp_path / "junk.pt")]) == 2
    assert "cannot read it" in capsys.readouterr().err
    assert main([*common, "--data", str(folder), "--data-share", "0"]) == 2


def test_the_shipped_weights_file_is_the_shipped_model() -> None:
    import onnxruntime as ort  # noqa: PLC0415

    model = load_weights(MODELS_DIR / "threat-detector.pt")
    image = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    session = ort.InferenceSession(str(MODELS_DIR / "threat-detector.onnx"),
                                   providers=["CPUExecutionProvider"])
    shipped = session.run(None, {"images": image})[0][0, 4:].T
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(image))
    np.testing.assert_allclose(torch.sigmoid(logits)[0].numpy(), shipped, atol=1e-4)


def test_officers_marks_exported_from_the_log_train_the_model(tmp_path: Path) -> None:
    from xrayreview.decisions import (  # noqa: PLC0415
        Account,
        Decision,
        DecisionLog,
        ModelInfo,
        ScanInfo,
        load_decisions,
        now_utc,
        record_decision,
    )
    from xrayreview.reports.labels import export_yolo  # noqa: PLC0415
    from xrayreview.scan import load_scan  # noqa: PLC0415

    image = (np.arange(80 * 120, dtype=np.uint32).reshape(80, 120) * 7 % 65535).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "bag.png"), image)
    log = DecisionLog(tmp_path / "log.sqlite", station_id="lane-1")
    try:
        confirmed = {"label": "handgun", "category": "firearm", "score": 0.9, "box": [20, 10, 60, 30],
                     "verdict": "confirmed"}
        drawn = {"category": "other", "box": [90, 50, 110, 70]}  # a knife: no class of the model's
        record_decision(log, Account("olga", "officer"), Decision(
            ScanInfo.from_scan(load_scan(tmp_path / "bag.png")), "refer", now_utc(), reasons=["firearm"],
            model=ModelInfo("reference", "d" * 64, 0.3), detector_marks=[confirmed], officer_marks=[drawn]))
        export_yolo(load_decisions(log), tmp_path / "yolo")
    finally:
        log.close()
    (scan,), notes = read_labelled([tmp_path / "yolo"], {})
    assert notes == [] and scan.classes == (category_code("firearm"),)
    np.testing.assert_allclose(scan.boxes, [[20, 10, 60, 30]], atol=0.01)
    tile = LabelledTiles([scan]).tile(0)
    assert tile.image.shape == (80, 120, 3) and tile.classes.tolist() == [category_code("firearm")]
