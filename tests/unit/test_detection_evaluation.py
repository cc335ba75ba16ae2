"""The evaluator: AP on hand-checked cases, label formats, and `xrayreview evaluate` end to end."""

import json

import cv2
import numpy as np
import pytest

from xrayreview.cli import main
from xrayreview.detection.datasets import read_dataset
from xrayreview.detection.evaluation import SIZES, Box, average_precision, image_rates, score, score_by_size
from xrayreview.detection.synthetic_models import dark_square_model

GT = (0.0, 0.0, 100.0, 100.0)


def test_perfect_detection_has_ap_one_and_none_has_zero():
    truths = [Box(0, "gun", GT)]
    assert average_precision(truths, [Box(0, "gun", GT, 0.9)], 0.5) == 1.0
    assert average_precision(truths, [], 0.5) == 0.0
    assert np.isnan(average_precision([], [Box(0, "gun", GT, 0.9)], 0.5))


def test_ap_with_a_false_alarm_between_two_hits():
    # Ranked: hit (P 1, R .5), false alarm (P .5, R .5), hit (P .67, R 1). The envelope is 1 up to
    # recall .5 (51 of the 101 recall points) and 2/3 above it (50 points).
    truths = [Box(0, "gun", GT), Box(1, "gun", GT)]
    dets = [Box(0, "gun", GT, 0.9), Box(2, "gun", GT, 0.8), Box(1, "gun", GT, 0.7)]
    assert average_precision(truths, dets, 0.5) == pytest.approx((51 + 50 * 2 / 3) / 101)


def test_a_second_detection_of_the_same_object_is_a_false_alarm():
    truths = [Box(0, "gun", GT)]
    dets = [Box(0, "gun", GT, 0.9), Box(0, "gun", (1, 1, 99, 99), 0.8)]
    result = score(truths, dets, images=1, threshold=0.5).per_key[0]
    assert result.recall == 1.0
    assert result.false_alarms_per_image == 1.0
    assert result.ap50 == 1.0  # the duplicate ranks after the hit, so precision at full recall is 1


def test_ap50_95_counts_the_iou_thresholds_a_box_passes():
    # IoU 0.72 passes 0.50, 0.55, 0.60, 0.65, 0.70: half of the ten thresholds.
    result = score([Box(0, "gun", GT)], [Box(0, "gun", (0, 0, 100, 72), 0.9)], 1, 0.5).per_key[0]
    assert result.ap50 == 1.0
    assert result.ap50_95 == pytest.approx(0.5)


def test_a_mark_on_part_of_a_threat_marks_it_without_recalling_it():
    truths = [Box(0, "gun", GT), Box(1, "gun", GT), Box(2, "gun", GT)]
    dets = [Box(0, "gun", (0, 0, 100, 30), 0.9),  # the densest third: IoU 0.3
            Box(1, "gun", (95, 95, 200, 200), 0.9),  # a corner only: IoU under 0.1
            Box(2, "gun", (0, 0, 100, 30), 0.2)]  # below the threshold
    result = score(truths, dets, images=3, threshold=0.5).per_key[0]
    assert result.recall == 0.0
    assert result.marked == pytest.approx(1 / 3)


SMALL = (0.0, 0.0, 20.0, 20.0)  # 400 px², under 32²
LARGE = (0.0, 0.0, 200.0, 100.0)  # 20,000 px², over 96²


def test_a_size_is_scored_without_the_objects_of_other_sizes():
    truths = [Box(0, "gun", SMALL), Box(1, "gun", LARGE)]
    # The large gun is found first; for small objects that hit is left out, not a false alarm.
    dets = [Box(1, "gun", LARGE, 0.9), Box(0, "gun", SMALL, 0.6)]
    assert average_precision(truths, dets, 0.5, SIZES["small"]) == 1.0
    assert average_precision(truths, dets, 0.5, SIZES["large"]) == 1.0
    assert np.isnan(average_precision(truths, dets, 0.5, SIZES["medium"]))
    # A small mark on nothing counts against small objects only.
    stray = [*dets, Box(2, "gun", (50, 50, 60, 60), 0.95)]
    assert average_precision(truths, stray, 0.5, SIZES["small"]) < 1.0
    assert average_precision(truths, stray, 0.5, SIZES["large"]) == 1.0
    # Two marks on one object of another size: COCO counts the second as a false alarm where it
    # is of the size being scored, and leaves it out where it is not.
    twice = [Box(1, "gun", LARGE, 0.9), Box(1, "gun", (1, 1, 199, 99), 0.8), Box(0, "gun", SMALL, 0.6)]
    assert average_precision(truths, twice, 0.5, SIZES["small"]) == 1.0


def test_recall_by_size_at_the_operating_threshold():
    truths = [Box(0, "firearm", SMALL), Box(1, "firearm", SMALL), Box(2, "firearm", LARGE)]
    dets = [Box(0, "firearm", SMALL, 0.8), Box(1, "firearm", SMALL, 0.2), Box(2, "firearm", LARGE, 0.9)]
    table = score_by_size(truths, dets, threshold=0.5, keys=("firearm", "ied_component"))
    assert table["firearm"]["small"] == {"truths": 2, "ap50": 1.0, "recall": 0.5}
    assert table["firearm"]["large"] == {"truths": 1, "ap50": 1.0, "recall": 1.0}
    assert table["firearm"]["medium"]["truths"] == 0 and np.isnan(table["firearm"]["medium"]["recall"])
    assert table["ied_component"]["small"]["truths"] == 0


def test_image_rates():
    rates = image_rates([True, True, False, False, False], [True, False, True, False, False])
    assert (rates.hit_rate, rates.false_alarm_rate) == (0.5, pytest.approx(1 / 3))


def square_image(path, value=None):
    image = np.full((128, 128, 3), 255, np.uint8)
    if value is not None:
        image[32:48, 64:80] = value
    cv2.imwrite(str(path), image)


def test_yolo_and_voc_labels_beside_images(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "annotations").mkdir()
    square_image(tmp_path / "images" / "a.png", 0)
    square_image(tmp_path / "images" / "b.png", 0)
    (tmp_path / "labels" / "a.txt").write_text("1 0.5 0.25 0.25 0.125\n")
    (tmp_path / "data.yaml").write_text("path: .\nnames:\n  0: knife\n  1: gun\n")
    (tmp_path / "annotations" / "b.xml").write_text(
        "<annotation><object><name>Gun</name><bndbox><xmin>64</xmin><ymin>32</ymin><xmax>80</xmax>"
        "<ymax>48</ymax></bndbox></object></annotation>")
    dataset = read_dataset(tmp_path)
    assert dataset.label_format == "Pascal VOC + YOLO" and dataset.notes == []
    truths = {image.path.name: [(t.label, t.box) for t in image.truths] for image in dataset.images}
    assert truths == {"a.png": [("gun", (48.0, 24.0, 80.0, 40.0))],
                      "b.png": [("Gun", (64.0, 32.0, 80.0, 48.0))]}


def write_dataset(folder):
    """Three 128-px scans: a labelled square, a clean scan, and a clean-by-absence scan with a grey square."""
    folder.mkdir()
    square_image(folder / "gun.png", 0)
    square_image(folder / "clean.png")
    square_image(folder / "decoy.png", 40)  # scores 1 − 40/255 ≈ 0.84
    coco = {
        "images": [{"id": 1, "file_name": "gun.png", "width": 128, "height": 128},
                   {"id": 2, "file_name": "clean.png", "width": 128, "height": 128}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [64, 32, 16, 16]}],
        "categories": [{"id": 7, "name": "Gun", "supercategory": "firearm"}],
    }
    (folder / "annotations.json").write_text(json.dumps(coco))


def test_evaluate_command_scores_per_class_category_and_image(tmp_path):
    write_dataset(tmp_path / "data")
    model = dark_square_model(tmp_path / "squares.onnx")
    (tmp_path / "squares.json").write_text('{"categories": {"dark_square": "firearm"}, "conf": 0.5}')
    out = tmp_path / "scores.json"
    code = main(["evaluate", "--data", str(tmp_path / "data"), "--model", str(model),
                 "--map", "Gun=dark_square", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    row = report["per_class"]["rows"]["dark_square"]
    assert row["truths"] == 1 and row["ap50"] == 1.0 and row["recall"] == 1.0 and row["marked"] == 1.0
    assert row["false_alarms_per_image"] == pytest.approx(1 / 3)  # the decoy
    assert report["per_category"]["rows"]["firearm"]["ap50"] == 1.0
    assert report["per_category"]["rows"]["ied_component"]["truths"] == 0
    by_size = report["per_category_and_size"]["firearm"]  # the 16-px square is a small object
    assert by_size["small"] == {"truths": 1, "ap50": 1.0, "recall": 1.0}
    assert by_size["medium"] == {"truths": 0, "ap50": None, "recall": None}
    assert report["image_level"] == {"threat_images": 1, "clean_images": 2, "hit_rate": 1.0,
                                     "false_alarm_rate": 0.5, "alarms_per_clean_image": 0.5}


def test_coco_labels_and_folder_that_disagree_are_noted(tmp_path):
    data = tmp_path / "data"
    write_dataset(data)
    coco = json.loads((data / "annotations.json").read_text())
    coco["images"].append({"id": 3, "file_name": "lost.png", "width": 128, "height": 128})
    (data / "annotations.json").write_text(json.dumps(coco))
    dataset = read_dataset(data)
    assert [image.path.name for image in dataset.images] == ["clean.png", "decoy.png", "gun.png"]
    assert dataset.notes == [
        "1 images annotations.json names are not in the folder, so not scored: lost.png",
        "1 images annotations.json does not name are scored as clean: decoy.png"]


@pytest.mark.parametrize("labels, reason", [
    ("{not json", "not readable JSON"),
    ('{"images": []}', "not a COCO detection file"),
    ('{"images": [{"id": 1, "file_name": "elsewhere.png"}], "annotations": []}',
     "names none of the 3 images"),
])
def test_labels_that_cannot_be_the_folders_are_refused(tmp_path, capsys, labels, reason):
    write_dataset(tmp_path / "data")
    (tmp_path / "data" / "annotations.json").write_text(labels)
    assert main(["evaluate", "--data", str(tmp_path / "data")]) == 2
    error = capsys.readouterr().err
    assert "annotations.json" in error and reason in error


def test_images_without_a_label_file_are_noted(tmp_path):
    for name in ("a", "b", "c", "d", "e"):
        square_image(tmp_path / f"{name}.png", 0)
    (tmp_path / "a.txt").write_text("")  # an empty label file says "clean" on purpose
    dataset = read_dataset(tmp_path)
    assert dataset.label_format == "YOLO"
    assert dataset.notes == [
        "4 images have no label file and are scored as clean: b.png, c.png, d.png and 1 more"]


def test_other_json_beside_the_scans_is_not_taken_for_labels(tmp_path):
    data = tmp_path / "data"
    write_dataset(data)
    (data / "gun.json").write_text('{"scanner": "portal"}')  # a scanner's per-scan metadata
    (data / "notes.json").write_text("{half")
    assert read_dataset(data).label_format == "COCO"


def test_evaluate_by_category_when_names_differ(tmp_path, capsys):
    write_dataset(tmp_path / "data")
    model = dark_square_model(tmp_path / "squares.onnx")
    (tmp_path / "squares.json").write_text('{"categories": {"dark_square": "firearm"}, "conf": 0.9}')
    assert main(["evaluate", "--data", str(tmp_path / "data"), "--model", str(model)]) == 0
    printed = capsys.readouterr().out
    assert "scored per category only" in printed and "Gun" in printed
    assert "threat categories by object size" in printed
    assert "hit rate 1.000, false-alarm rate 0.000, alarms per clean image 0.000" in printed  # decoy < 0.9
    assert "note: 1 images annotations.json does not name are scored as clean: decoy.png" in printed


def test_evaluate_refuses_a_bad_map(tmp_path, capsys):
    write_dataset(tmp_path / "data")
    assert main(["evaluate", "--data", str(tmp_path / "data"), "--map", "Gun"]) == 2
    assert "NAME=CLASS" in capsys.readouterr().err


def test_a_dual_energy_pair_is_one_labelled_image(tmp_path):
    high = np.full((64, 96), 50000, np.uint16)
    cv2.imwrite(str(tmp_path / "bag_high.png"), high)
    cv2.imwrite(str(tmp_path / "bag_low.png"), high // 2)
    coco = {"images": [{"id": 1, "file_name": "bag_high.png"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]}],
            "categories": [{"id": 1, "name": "pistol", "supercategory": "firearm"}]}
    (tmp_path / "annotations.json").write_text(json.dumps(coco))
    dataset = read_dataset(tmp_path)
    assert dataset.label_format == "COCO" and dataset.notes == []
    found = [(i.path.name, [t.box for t in i.truths]) for i in dataset.images]
    assert found == [("bag_high.png", [(1, 2, 4, 6)])]
    assert dataset.images[0].truths[0].supercategory == "firearm"
