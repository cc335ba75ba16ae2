"""Operator TDRs: written from a decision, read back by pydicom and by the station's own reader."""

import hashlib
import re
import shutil
import subprocess
from datetime import UTC
from types import SimpleNamespace

import cv2
import numpy as np
import pydicom
import pytest
from dicos_factory import dx_dataset, gradient, write

from xrayreview.reports.files import ExportError
from xrayreview.reports.tdr import write_operator_tdr
from xrayreview.reports.tdr_folder import export_tdrs
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


@pytest.mark.parametrize(("decided_at", "date", "time"), [
    ("2026-11-28T14:00:07.500+00:00", "20261128", "140007.500000"),
    ("2026-11-29T01:30:00+02:00", "20261128", "233000.000000"),  # local: its UTC date is the day before
    ("2026-11-28T14:00:00", "20261128", "140000.000000"),  # no zone: the log's times are UTC
])
def test_dates_and_times_are_utc_and_say_so(tmp_path, decided_at, date, time):
    record = {"files": ["/inbox/a.png"], "sha256": "ab" * 32}
    path = write_operator_tdr(tmp_path / "r.dcs", scan=record, decision="clear", officer="F", marks=[],
                              decided_at=decided_at)
    raw = pydicom.dcmread(path)
    assert raw["TimezoneOffsetFromUTC"].VR == "SH" and raw.TimezoneOffsetFromUTC == "+0000"  # (0008,0201)
    for what in ("InstanceCreation", "Study", "Series", "Content"):
        assert (raw.get(f"{what}Date"), raw.get(f"{what}Time")) == (date, time), what
    assert read_tdr(path).decision_time.astimezone(UTC).strftime("%Y%m%d%H%M%S.%f") == date + time


def test_a_finished_folder_export_ends_with_the_checksums_of_its_reports(tmp_path):
    """SHA256SUMS.txt, written last, marks the set finished; ``sha256sum -c`` checks it."""
    names = ["/inbox/bag 1.png", "/inbox/Gepäck.png", "/inbox/two\nlines.png", "/inbox/\udcff.png"]
    decision = {"officer": "o", "decided_at": "2026-11-28T15:00:00+00:00", "decision": "clear"}
    rows = [SimpleNamespace(seq=i + 1, content={**decision, "scan": {"files": [name], "sha256": "ab" * 32}})
            for i, name in enumerate(names)]
    folder = tmp_path / "out"
    written = export_tdrs(rows, folder)
    marker = folder / "SHA256SUMS.txt"
    assert sorted(p.name for p in folder.iterdir()) == sorted([marker.name, *(p.name for p in written)])
    lines = marker.read_bytes().splitlines()
    assert len(lines) == 4 and lines[0] == (hashlib.sha256(written[0].read_bytes()).hexdigest()
                                            + "  000001_bag 1_tdr.dcs").encode()
    assert lines[2].startswith(b"\\") and lines[2].endswith(b"  000003_two\\nlines_tdr.dcs")  # GNU's escape
    if shutil.which("sha256sum") is not None:
        check = subprocess.run(["sha256sum", "-c", "--strict", marker.name], cwd=folder, capture_output=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_an_export_of_no_decisions_is_refused_and_leaves_an_earlier_export_as_it_was(tmp_path):
    """A checksum file of no reports is one ``sha256sum -c`` rejects ("no properly formatted checksum
    lines"); writing it also took the earlier export's list away. Nothing is written instead."""
    decision = {"officer": "o", "decided_at": "2026-11-28T15:00:00+00:00", "decision": "clear"}
    scan = {"files": ["/inbox/bag.png"], "sha256": "ab" * 32}
    row = SimpleNamespace(seq=1, content={**decision, "scan": scan})
    with pytest.raises(ExportError, match="No decisions to export"):
        export_tdrs([], tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    folder = tmp_path / "out"
    export_tdrs([row], folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(ExportError, match=f"nothing was written to {re.escape(str(folder))}"):
        export_tdrs(iter(()), folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    if shutil.which("sha256sum") is not None:
        check = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS.txt"], cwd=folder,
                               capture_output=True)
        assert check.returncode == 0, check.stdout + check.stderr
