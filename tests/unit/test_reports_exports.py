"""CSV, JSON, PDF and labelled-data exports of a real log over real image files."""

import csv
import json

import cv2
import numpy as np
import pytest

from xrayreview.decisions import (
    Account,
    AuditFilter,
    Decision,
    DecisionLog,
    ModelInfo,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports.labels import export_coco, export_yolo
from xrayreview.reports.pdf import export_pdf
from xrayreview.reports.tabular import export_csv, export_json
from xrayreview.scan import load_scan

PISTOL = {"label": "pistol", "category": "firearm", "score": 0.9, "box": [20, 10, 60, 30],
          "verdict": "confirmed"}
WIRE = {"label": "wire", "category": "ied_component", "score": 0.5, "box": [0, 0, 10, 10],
        "verdict": "dismissed"}


@pytest.fixture
def logged(tmp_path):
    image = (np.arange(80 * 120, dtype=np.uint32).reshape(80, 120) * 7 % 65535).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "bag.png"), image)
    cv2.imwrite(str(tmp_path / "crate.tif"), image[::-1].copy())
    log = DecisionLog(tmp_path / "log.sqlite", station_id="lane-1")
    olga = Account("olga", "officer")
    bag, crate = load_scan(tmp_path / "bag.png"), load_scan(tmp_path / "crate.tif")
    model = ModelInfo("reference", "d" * 64, 0.3)
    record_decision(log, olga, Decision(ScanInfo.from_scan(bag), "refer", now_utc(), reasons=["firearm"],
                                        note="=HYPERLINK(\"x\") – ünïcode", model=model,
                                        detector_marks=[PISTOL, WIRE],
                                        officer_marks=[{"category": "other", "box": [100, 60, 130, 90]}]))
    record_decision(log, olga, Decision(ScanInfo.from_scan(crate), "clear", now_utc(), model=model))
    record_decision(log, olga, Decision(ScanInfo.from_scan(crate), "rescan", now_utc(), reasons=["quality"],
                                        officer_marks=[{"category": "firearm", "box": [1, 1, 5, 5]}]))
    yield log, tmp_path
    log.close()


def test_csv_has_one_line_per_decision_and_defuses_formulas(logged):
    log, tmp = logged
    export_csv(load_decisions(log), tmp / "out.csv")
    with (tmp / "out.csv").open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["decision"] for line in lines] == ["refer", "clear", "rescan"]
    assert lines[0]["note"].startswith("'=HYPERLINK") and lines[0]["confirmed"] == "1"


def test_json_holds_every_field_and_the_filter(logged):
    log, tmp = logged
    flt = AuditFilter(decision="refer")
    export_json(load_decisions(log, flt), tmp / "out.json", flt)
    document = json.loads((tmp / "out.json").read_text(encoding="utf-8"))
    assert document["filter"]["decision"] == "refer" and document["figures"]["scans"] == 1
    decision = document["decisions"][0]
    assert decision["detector_marks"][0]["box"] == [20, 10, 60, 30] and decision["model"]["threshold"] == 0.3


def test_pdf_report_is_written(logged):
    log, tmp = logged
    path = export_pdf(load_decisions(log), tmp / "report.pdf", chain=log.verify(), author="sam")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    empty = export_pdf([], tmp / "empty.pdf")
    assert empty.read_bytes().startswith(b"%PDF")


def test_yolo_labels_hold_confirmed_and_officer_marks_only(logged):
    log, tmp = logged
    summary = export_yolo(load_decisions(log), tmp / "yolo")
    assert (summary.images, summary.boxes, summary.skipped) == (1, 2, [])
    (label_file,) = (tmp / "yolo" / "labels").iterdir()
    lines = sorted(label_file.read_text().splitlines())
    # The officer's box reaches past the image's right and bottom edges: it is clipped.
    assert lines == ["0 0.333333 0.250000 0.333333 0.250000", "2 0.916667 0.875000 0.166667 0.250000"]
    image = cv2.imread(str(tmp / "yolo" / "images" / (label_file.stem + ".png")))
    assert image.shape == (80, 120, 3)
    assert "1: ied_component" in (tmp / "yolo" / "data.yaml").read_text()


def test_coco_annotations_and_changed_files_are_skipped(logged):
    log, tmp = logged
    summary = export_coco(load_decisions(log), tmp / "coco", include_background=True)
    document = json.loads((tmp / "coco" / "annotations.json").read_text())
    assert summary.images == 2 and len(document["images"]) == 2
    assert {a["bbox"][2] for a in document["annotations"]} == {40.0, 20.0}
    assert [c["name"] for c in document["categories"]] == ["firearm", "ied_component", "other"]
    (tmp / "bag.png").write_bytes(b"changed")
    again = export_coco(load_decisions(log), tmp / "coco2")
    assert again.images == 0 and "bag.png" in again.skipped[0]
