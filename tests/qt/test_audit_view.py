"""A supervisor filters the log, reviews, reopens a scan as it was, and exports; officers are refused."""

import csv
import json

import pytest
from PySide6.QtCore import Qt

from xrayreview.decisions import (
    Account,
    Decision,
    DecisionLog,
    ModelInfo,
    PermissionDenied,
    ScanInfo,
    now_utc,
    record_decision,
)
from xrayreview.scan import load_scan
from xrayreview.ui.audit_view import AuditView

SUPERVISOR = Account("sam", "supervisor")
PISTOL = {"label": "pistol", "category": "firearm", "score": 0.93, "box": [500, 150, 560, 250],
          "verdict": "dismissed"}


@pytest.fixture
def logged(tmp_path, single_tiff):
    log = DecisionLog(tmp_path / "log.sqlite")
    scan = load_scan(single_tiff)
    info = ScanInfo.from_scan(scan)
    model = ModelInfo("reference", "f" * 64, 0.35)
    for who, decision, marks, reasons in [("olga", "clear", [PISTOL], []), ("olga", "clear", [], []),
                                          ("otto", "refer", [dict(PISTOL, verdict="confirmed")], ["firearm"]),
                                          ("otto", "rescan", [], ["quality"])]:
        record_decision(log, Account(who, "officer"), Decision(
            info, decision, now_utc(), reasons=reasons, model=model, detector_marks=marks,
            officer_marks=[{"category": "other", "box": [100, 100, 150, 140]}] if who == "otto" else []))
    yield log
    log.close()


@pytest.fixture
def view(qtbot, logged):
    widget = AuditView(logged, SUPERVISOR)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def test_officers_cannot_open_the_audit_view(qtbot, logged):
    with pytest.raises(PermissionDenied):
        AuditView(logged, Account("olga", "officer"))


def test_filter_by_officer_and_disagreement(qtbot, view):
    assert view.start.text() != ""  # the last week by default
    assert view.model.rowCount() == 4
    view.officer.setCurrentIndex(view.officer.findData("olga"))
    view.disagreement.setCurrentIndex(view.disagreement.findData(True))
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert [row.seq for row in view.rows] == [1]
    assert "cleared strong alarms: #1" in view.summary.text()
    view.start.setText("not a date")
    qtbot.keyClick(view.start, Qt.Key.Key_Return)
    assert "YYYY-MM-DD" in view.filter_error.text() and [row.seq for row in view.rows] == [1]


def test_export_csv_and_pdf_of_the_filtered_view(qtbot, view, tmp_path):
    view.decision.setCurrentIndex(view.decision.findData("refer"))
    view.apply_filter()
    message = view.export("csv", tmp_path / "refer.csv")
    assert "1 decision(s)" in message
    with (tmp_path / "refer.csv").open(encoding="utf-8") as handle:
        assert [line["officer"] for line in csv.DictReader(handle)] == ["otto"]
    view.export("pdf", tmp_path / "refer.pdf")
    assert (tmp_path / "refer.pdf").read_bytes().startswith(b"%PDF")
    assert "1 image(s), 2 box(es)" in view.export("coco", tmp_path / "coco")
    assert len(json.loads((tmp_path / "coco" / "annotations.json").read_text())["annotations"]) == 2
    assert "1 DICOS operator TDR(s)" in view.export("tdr", tmp_path / "tdr")


def test_review_is_appended_and_chain_verifies(qtbot, view, logged):
    view.table.selectRow(0)
    view.review_note.setText("cleared a strong alarm: talk to olga")
    view.review_selected("disagree")
    reviews = list(logged.records("review"))
    assert reviews[0].content["reviewed_seq"] == 1 and reviews[0].content["reviewer"] == "sam"
    assert logged.record(1).content["decision"] == "clear"  # the decision itself is untouched
    assert view.verify() and "OK: 5 records" in view.chain_label.text()


def test_reopen_shows_the_marks_as_they_were(qtbot, view):
    reopened = view.reopen(2)  # otto's referral: a confirmed pistol and his own box
    qtbot.addWidget(reopened)
    assert reopened.scan is not None and reopened.warning.text() == ""
    assert len(reopened.viewer.overlays()) == 2 and "otto" in reopened.header.text()
