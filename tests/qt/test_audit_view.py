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



def _files(target):
    return {p: p.read_bytes() for p in ([target] if target.is_file() else sorted(target.rglob("*")))
            if p.is_file()}


def _filter_to_nothing(view):
    view.officer.setCurrentIndex(view.officer.findData("otto"))
    view.decision.setCurrentIndex(view.decision.findData("clear"))
    view.apply_filter()
    assert view.rows == []


@pytest.mark.parametrize("fmt", ["yolo", "coco", "tdr"])
def test_a_folder_export_of_no_decisions_is_refused_and_an_earlier_one_is_left_alone(
        qtbot, view, tmp_path, monkeypatch, fmt):
    target = tmp_path / f"audit.{fmt}"
    view.export(fmt, target)  # the whole view, four decisions: last week's export
    before = _files(target)
    assert before
    _filter_to_nothing(view)
    message = view.export(fmt, target)
    assert message == "No decisions match the filter; nothing was exported."
    assert view.chain_label.text() == message
    assert _files(target) == before
    assert view.export(fmt, tmp_path / "fresh") == message and not (tmp_path / "fresh").exists()

    def no_dialog(*args, **kwargs):
        raise AssertionError("a folder chosen for an export that cannot be made")

    # The button says so at once rather than asking for a folder first.
    monkeypatch.setattr("xrayreview.ui.audit_view.QFileDialog.getExistingDirectory", no_dialog)
    with qtbot.waitSignal(view.exported) as said:
        view.choose_export(fmt)
    assert said.args == [message]


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_a_file_export_of_no_decisions_is_written_and_says_none(qtbot, view, tmp_path, fmt):
    _filter_to_nothing(view)
    target = tmp_path / f"none.{fmt}"
    assert view.export(fmt, target) == f"0 decision(s) written to {target}" and target.is_file()
    if fmt == "json":
        assert json.loads((tmp_path / "none.json").read_text())["decisions"] == []
