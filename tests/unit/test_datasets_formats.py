"""Labelled folders as other tools write them: YOLO polygons, COCO's own layout, subfolders, encodings."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from xrayreview.detection.datasets import DatasetError, read_dataset


def _image(path: Path, width: int = 1000, height: int = 500) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((height, width, 3), 200, np.uint8))


def _yolo(root: Path, label: bytes, names: bytes | None = b"handgun\n",
          names_file: str = "classes.txt") -> Path:
    _image(root / "images" / "bag.png")
    (root / "labels").mkdir(parents=True)
    (root / "labels" / "bag.txt").write_bytes(label)
    if names is not None:
        (root / names_file).write_bytes(names)
    return root


def _truths(root: Path) -> dict[str, list[tuple[str, tuple[float, ...]]]]:
    dataset = read_dataset(root)
    return {image.path.relative_to(root).as_posix(): [(t.label, tuple(round(v, 6) for v in t.box))
                                                      for t in image.truths]
            for image in dataset.images}


# --- YOLO: boxes, polygons, and lines that are neither -------------------------------------------

def test_a_yolo_segmentation_polygon_is_boxed_by_its_extent(tmp_path: Path) -> None:
    # Ultralytics/Roboflow segmentation exports: class x1 y1 x2 y2 ... (normalised).
    root = _yolo(tmp_path / "seg", b"0 0.10 0.20 0.30 0.20 0.30 0.40 0.10 0.40\n"
                                   b"0 0.5 0.5 0.6 0.5 0.55 0.7\n")  # a triangle: 7 fields
    assert _truths(root) == {"images/bag.png": [("handgun", (100.0, 100.0, 300.0, 200.0)),
                                                ("handgun", (500.0, 250.0, 600.0, 350.0))]}


def test_a_yolo_box_with_or_without_a_confidence_column(tmp_path: Path) -> None:
    # A model's own saved predictions (save_conf) add the score as a sixth field.
    root = _yolo(tmp_path / "box", b"0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2 0.87\n")
    box = (400.0, 200.0, 600.0, 300.0)
    assert _truths(root) == {"images/bag.png": [("handgun", box), ("handgun", box)]}


def test_yolo_pose_labels_keep_their_box(tmp_path: Path) -> None:
    # A pose line is a box then keypoints: 9 fields with two 2-D keypoints, which is no outline.
    root = _yolo(tmp_path / "pose", b"0 0.5 0.5 0.2 0.2 0.1 0.1 0.9 0.9\n",
                 b"kpt_shape: [2, 2]\nnames:\n  0: handgun\n", names_file="data.yaml")
    assert _truths(root) == {"images/bag.png": [("handgun", (400.0, 200.0, 600.0, 300.0))]}


@pytest.mark.parametrize("line", ["0 0.5 0.5 0.2", "0 0.1 0.2 0.3 0.2 0.3 0.4 0.1", "0 0.5 0.5 0.2 0.2 x"])
def test_a_yolo_line_that_is_neither_box_nor_polygon_is_refused_by_file_and_line(
        tmp_path: Path, line: str) -> None:
    root = _yolo(tmp_path / "odd", f"0 0.5 0.5 0.2 0.2\n{line}\n".encode())
    with pytest.raises(DatasetError, match=r"bag\.txt line 2: .*class cx cy w h.*polygon"):
        read_dataset(root)


# --- Encodings -------------------------------------------------------------------------------------

def test_a_byte_order_mark_is_not_part_of_the_first_line(tmp_path: Path) -> None:
    root = _yolo(tmp_path / "bom", b"\xef\xbb\xbf0 0.5 0.5 0.2 0.2\r\n", b"\xef\xbb\xbfhandgun\r\nknife\r\n")
    assert _truths(root) == {"images/bag.png": [("handgun", (400.0, 200.0, 600.0, 300.0))]}
    yaml = _yolo(tmp_path / "yaml", b"1 0.5 0.5 0.2 0.2\n", b"\xef\xbb\xbfnames:\n  0: knife\n  1: gun\n",
                 names_file="data.yaml")
    assert _truths(yaml) == {"images/bag.png": [("gun", (400.0, 200.0, 600.0, 300.0))]}


@pytest.mark.parametrize("which", ["classes.txt", "bag.txt"])
def test_text_that_is_not_utf8_is_refused_naming_the_file(tmp_path: Path, which: str) -> None:
    latin1 = "pistolet_armé\n".encode("latin-1")  # as Windows tools write it
    if which == "classes.txt":
        root = _yolo(tmp_path / "l1", b"0 0.5 0.5 0.2 0.2\n", latin1)
    else:
        root = _yolo(tmp_path / "l1", b"0 0.5 0.5 0.2 0.2 # " + latin1)
    with pytest.raises(DatasetError, match=rf"{which}.*UTF-8"):
        read_dataset(root)


# --- COCO: which image a file_name is ---------------------------------------------------------------

def _coco(path: Path, names: list[str], boxes: dict[int, list[float]], label: str = "handgun") -> None:
    """A COCO file naming ``names`` (ids 1, 2, ...) with one box on each image id in ``boxes``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "images": [{"id": i, "file_name": name} for i, name in enumerate(names, 1)],
        "annotations": [{"id": k, "image_id": i, "category_id": 1, "bbox": box}
                        for k, (i, box) in enumerate(boxes.items(), 1)],
        "categories": [{"id": 1, "name": label}]}))


DAYS = ["images/day1/0001.png", "images/day2/0001.png"]


def test_coco_images_of_the_same_name_in_two_subfolders_keep_their_own_boxes(tmp_path: Path) -> None:
    for name in DAYS:
        _image(tmp_path / name, 400, 300)
    _coco(tmp_path / "annotations.json", DAYS, {1: [10, 20, 50, 40]})
    assert _truths(tmp_path) == {DAYS[0]: [("handgun", (10.0, 20.0, 60.0, 60.0))], DAYS[1]: []}
    assert read_dataset(tmp_path).notes == []
    # Named from the JSON's own folder, or by the part of the path that tells them apart.
    (tmp_path / "annotations.json").unlink()
    _coco(tmp_path / "annotations" / "instances.json", ["../images/day2/0001.png", "day1/0001.png"],
          {1: [1, 2, 3, 4]})
    assert _truths(tmp_path) == {DAYS[0]: [], DAYS[1]: [("handgun", (1.0, 2.0, 4.0, 6.0))]}


def test_a_bare_coco_file_name_is_matched_only_when_one_image_has_it(tmp_path: Path) -> None:
    _image(tmp_path / "train2017" / "000001.png", 400, 300)
    _image(tmp_path / "val2017" / "000002.png", 400, 300)
    _coco(tmp_path / "annotations.json", ["000001.png", "000002.png"], {2: [1, 2, 3, 4]})
    assert _truths(tmp_path) == {"train2017/000001.png": [],
                                 "val2017/000002.png": [("handgun", (1.0, 2.0, 4.0, 6.0))]}
    for name in DAYS:
        _image(tmp_path / name, 400, 300)
    _coco(tmp_path / "annotations.json", ["000001.png", "0001.png"], {2: [1, 2, 3, 4]})
    with pytest.raises(DatasetError, match=r"annotations\.json.*0001\.png.*images/day1/0001\.png"):
        read_dataset(tmp_path)


# --- COCO: which JSON files are the labels -----------------------------------------------------------

def _captions(path: Path, names: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "images": [{"id": i, "file_name": name} for i, name in enumerate(names, 1)],
        "annotations": [{"id": 1, "image_id": 1, "caption": "a bag with a pistol"}]}))


def test_cocos_own_layout_reads_the_detection_files_beside_captions(tmp_path: Path) -> None:
    _image(tmp_path / "train2017" / "000001.png", 400, 300)
    _image(tmp_path / "val2017" / "000002.png", 400, 300)
    ann = tmp_path / "annotations"
    _captions(ann / "captions_train2017.json", ["000001.png"])
    _coco(ann / "instances_train2017.json", ["000001.png"], {1: [10, 20, 50, 40]})
    _coco(ann / "instances_val2017.json", ["000002.png"], {1: [1, 2, 3, 4]})
    # COCO's keypoint files repeat the person boxes of its instances files.
    _coco(ann / "person_keypoints_train2017.json", ["000001.png"], {1: [10, 20, 50, 40]}, "person")
    document = json.loads((ann / "person_keypoints_train2017.json").read_text())
    document["annotations"][0]["keypoints"] = [0, 0, 0]
    (ann / "person_keypoints_train2017.json").write_text(json.dumps(document))
    dataset = read_dataset(tmp_path)
    assert dataset.label_format == "COCO" and dataset.notes == []
    assert _truths(tmp_path) == {"train2017/000001.png": [("handgun", (10.0, 20.0, 60.0, 60.0))],
                                 "val2017/000002.png": [("handgun", (1.0, 2.0, 4.0, 6.0))]}


def test_coco_files_that_are_not_detection_labels_or_that_overlap_are_refused(tmp_path: Path) -> None:
    _image(tmp_path / "images" / "000001.png", 400, 300)
    _captions(tmp_path / "annotations" / "captions_train.json", ["000001.png"])
    with pytest.raises(DatasetError, match=r"captions_train\.json: not a COCO detection file"):
        read_dataset(tmp_path)
    # Two detection files naming the same scan would count its threats twice.
    _coco(tmp_path / "annotations.json", ["images/000001.png"], {1: [1, 2, 3, 4]})
    _coco(tmp_path / "annotations" / "instances_default.json", ["000001.png"], {1: [1, 2, 3, 4]})
    with pytest.raises(DatasetError, match=r"annotations\.json and instances_default\.json both label"):
        read_dataset(tmp_path)
