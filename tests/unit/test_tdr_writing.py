"""Operator TDRs: written from a decision, read back by pydicom and by the station's own reader."""

import cv2
import numpy as np
import pydicom
import pytest
from dicos_factory import dx_dataset, gradient, write

from xrayreview.reports.tdr import write_operator_tdr
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import read_tdr

MARKS = [
    {"box": [10, 20, 30, 28], "category": "firearm", "label": "pistol", "score": 0.91,
     "verdict": "confirmed"},
    {"box": [1, 1, 5, 5], "category": "other", "label": "shadow", "score": 0.4, "verdict": "dismissed"},
    {"box": [2.5, 3.5, 12.0, 9.0], "category": "ied_component", "label": "detonator"},
]


def test_round_trip_on_a_dicos_scan(tmp_path):
    ds = dx_dataset(gradient())
    scan = load_scan(write(ds, tmp_path / "image.dcs"))
    path = write_operator_tdr(
        tmp_path / "decision.dcs", scan=scan, decision="refer", officer="Officer Jane", marks=MARKS,
        decided_at="2026-11-28T14:00:07.500+00:00", opened_at="2026-11-28T14:00:00.000+00:00",
        reasons=["firearm", "other"], note="pistol in the lower left", station="Lane 3",
        machine_report_uid="1.2.3.4",
    )
    raw = pydicom.dcmread(path)
    assert raw.SOPClassUID == "1.2.840.10008.5.1.4.1.1.501.3"
    assert raw.ReferencedStudySequence[0].ReferencedSOPInstanceUID == ds.SOPInstanceUID
    assert raw.ReferencedTDRInstanceSequence[0].ReferencedSOPInstanceUID == "1.2.3.4"
    report = read_tdr(path)
    assert report.kind == "OPERATOR" and report.decision == "ALARM"
    assert report.operator == "Officer Jane"
    assert report.processing_time_ms == pytest.approx(7500.0)
    assert report.decision_time.isoformat() == "2026-11-28T14:00:07.500000+00:00"
    assert report.refers_to(scan)
    alarms = report.alarms_for(scan)
    assert [a.box for a in alarms] == [(10.0, 20.0, 30.0, 28.0), (2.5, 3.5, 12.0, 9.0)]
    assert [(a.category, a.description, a.label) for a in alarms] == [
        ("PI", "firearm", "pistol"), ("EXPLOSIVE", "ied_component", "detonator")]
    assert alarms[0].probability == pytest.approx(0.91)
    assert report.extra["scan_sha256"] == scan.sha256
    assert report.extra["station_decision"] == "refer"
    assert report.extra["reasons"] == "firearm\\other"
    assert report.extra["note"] == "pistol in the lower left"


@pytest.mark.parametrize(("decision", "alarm"), [("clear", "CLEAR"), ("rescan", "UNKNOWN")])
def test_decisions_map_to_alarm_decisions(tmp_path, decision, alarm):
    scan = load_scan(write(dx_dataset(gradient()), tmp_path / "image.dcs"))
    path = write_operator_tdr(tmp_path / "d.dcs", scan=scan, decision=decision, officer="B", marks=[],
                              decided_at="2026-11-28T15:00:00+00:00")
    report = read_tdr(path)
    assert report.decision == alarm and report.alarms == []


def test_non_dicos_scan_is_named_by_its_hash(tmp_path):
    png = tmp_path / "bag.png"
    cv2.imwrite(str(png), gradient((20, 30)))
    scan = load_scan(png)
    path = write_operator_tdr(tmp_path / "bag_tdr.dcs", scan=scan, decision="refer", officer="C",
                              marks=MARKS[:1], decided_at="2026-11-28T15:00:00+00:00")
    report = read_tdr(path)
    assert report.image_uids == ()
    assert report.extra["scan_sha256"] == scan.sha256
    assert report.extra["source"].endswith("bag.png")
    assert report.alarms[0].box == (10.0, 20.0, 30.0, 28.0)


def test_logged_scan_record_is_accepted(tmp_path):
    record = {"files": ["/inbox/a.dcs"], "sha256": "ab" * 32, "width": 40, "height": 30,
              "metadata": {"object_id": "MSKU1", "object_kind": "cargo"}}
    path = write_operator_tdr(tmp_path / "r.dcs", scan=record, decision="clear", officer="D", marks=[],
                              decided_at="2026-11-28T15:00:00+00:00")
    report = read_tdr(path)
    assert report.object_id == "MSKU1" and report.extra["scan_sha256"] == "ab" * 32


def test_bad_decision_or_box_writes_nothing(tmp_path):
    scan = load_scan(write(dx_dataset(gradient()), tmp_path / "image.dcs"))
    with pytest.raises(ValueError, match="decision"):
        write_operator_tdr(tmp_path / "x.dcs", scan=scan, decision="maybe", officer="E", marks=[],
                           decided_at="2026-11-28T15:00:00+00:00")
    with pytest.raises(ValueError, match="box"):
        write_operator_tdr(tmp_path / "x.dcs", scan=scan, decision="refer", officer="E",
                           marks=[{"box": [5, 5, 1, 1], "category": "other"}],
                           decided_at="2026-11-28T15:00:00+00:00")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.dcs"]
    assert np.array_equal(load_scan(tmp_path / "image.dcs").high, gradient())
