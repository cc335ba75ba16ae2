"""Threat reports read defensively: real samples, producers' variants, and matching to the image."""

import pytest
from dicos_factory import SHARED_DICOS, SHARED_REASON, dx_dataset, gradient, new_dataset, write
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from xrayreview.scan import ScanError, load_scan, tdr
from xrayreview.scan.dicos import is_tdr
from xrayreview.scan.tdr import find_image, find_reports, image_to_open, open_target, read_tdr

TDR_CLASS = "1.2.840.10008.5.1.4.1.1.501.3"


def _tdr(threats, **elements) -> Dataset:
    ds = new_dataset(TDR_CLASS)
    ds.Modality = "TDR"
    ds.ThreatSequence = Sequence(threats)
    for keyword, value in elements.items():
        setattr(ds, keyword, value)
    return ds


def _threat(*, polygon=None, base=None, extents=None, image_uid=None, category=None) -> Dataset:
    representation = Dataset()
    if image_uid:
        reference = Dataset()
        reference.ReferencedSOPInstanceUID = image_uid
        representation.ReferencedInstanceSequence = Sequence([reference])
    if base is not None:
        voxels = Dataset()
        voxels.ThreatROIBase = base
        voxels.ThreatROIExtents = extents
        representation.ThreatROIVoxelSequence = Sequence([voxels])
    if polygon is not None:
        representation.BoundingPolygon = polygon
    item = Dataset()
    item.PTORepresentationSequence = Sequence([representation])
    if category:
        assessment = Dataset()
        assessment.ThreatCategory = category
        item.ATDAssessmentSequence = Sequence([assessment])
    return item


def test_box_from_a_bounding_polygon_only(tmp_path):
    polygon = [5.0, 6.0, 0.0, 25.0, 6.0, 0.0, 25.0, 16.0, 0.0, 5.0, 16.0, 0.0]
    path = write(_tdr([_threat(polygon=polygon, category="EXPLOSIVE")]), tmp_path / "t.dcs")
    report = read_tdr(path)
    assert report.alarms[0].box == (5.0, 6.0, 25.0, 16.0)
    assert report.alarms[0].category == "EXPLOSIVE"


def test_missing_fields_are_none_not_errors(tmp_path):
    report = read_tdr(write(_tdr([Dataset(), _threat()]), tmp_path / "bare.dcs"))
    assert report.kind is None and report.decision is None and report.decision_time is None
    assert report.algorithm is None and report.processing_time_ms is None
    assert report.image_uids == ()
    assert [a.box for a in report.alarms] == [None, None]


@pytest.mark.filterwarnings("ignore:Invalid value for VR")  # building the malformed file warns
def test_malformed_values_are_tolerated(tmp_path):
    ds = _tdr([_threat(base=[1.0, 2.0], extents=[-3.0, 4.0])], AlarmDecisionTime="not a time",
              TDRType="operator", AlarmDecision="alarm")
    report = read_tdr(write(ds, tmp_path / "odd.dcs"))
    assert report.decision_time is None
    assert report.kind == "OPERATOR" and report.is_alarm
    assert report.alarms[0].box is None


def test_report_matches_its_image_and_clips_boxes(tmp_path):
    ds = dx_dataset(gradient())  # 40 × 30
    scan = load_scan(write(ds, tmp_path / "image.dcs"))
    inside = _threat(base=[2.0, 3.0, 0.0], extents=[10.0, 5.0, 1.0], image_uid=ds.SOPInstanceUID)
    overhanging = _threat(base=[35.0, 20.0, 0.0], extents=[50.0, 50.0, 1.0], image_uid=ds.SOPInstanceUID)
    other_image = _threat(base=[1.0, 1.0, 0.0], extents=[2.0, 2.0, 1.0], image_uid="9.9.9")
    report = read_tdr(write(_tdr([inside, overhanging, other_image]), tmp_path / "report.dcs"))
    assert report.refers_to(scan)
    boxes = [a.box for a in report.alarms_for(scan)]
    assert boxes == [(2.0, 3.0, 12.0, 8.0), (35.0, 20.0, 40.0, 30.0)]
    assert [r.source.name for r in find_reports(scan)] == ["report.dcs"]
    assert find_image(report) == tmp_path / "image.dcs"
    # Opening the report alone opens the image it is about; anything else opens as itself.
    assert image_to_open(tmp_path / "report.dcs") == tmp_path / "image.dcs"
    assert image_to_open(tmp_path / "image.dcs") == tmp_path / "image.dcs"


def test_a_report_opened_is_read_once_and_shown_over_its_image(tmp_path, monkeypatch):
    ds = dx_dataset(gradient())
    image = write(ds, tmp_path / "image.dcs")
    path = write(_tdr([_threat(base=[2.0, 3.0, 0.0], extents=[10.0, 5.0, 1.0], image_uid=ds.SOPInstanceUID)]),
                 tmp_path / "report.dcs")
    reads, peeks = [], []
    real_read, real_peek = tdr.read_tdr, tdr.peek
    monkeypatch.setattr(tdr, "read_tdr", lambda p: reads.append(p) or real_read(p))
    monkeypatch.setattr(tdr, "peek", lambda p, keys: peeks.append(p) or real_peek(p, keys))
    target, opened = open_target(path)
    assert (target, opened.source) == (image, path)
    scan = load_scan(target)
    assert find_reports(scan, known=[opened]) == [opened]  # the very report, not a second reading of it
    assert reads == [path] and peeks.count(path) == 1
    assert open_target(image) == (image, None)  # an image opens as itself, with no report read
    assert reads == [path]
    assert [r.source for r in find_reports(scan)] == [path] and reads == [path, path]  # beside it: read once


def test_image_without_report_and_report_without_image(tmp_path):
    scan = load_scan(write(dx_dataset(gradient()), tmp_path / "image.dcs"))
    assert find_reports(scan) == []
    stray = read_tdr(write(_tdr([_threat(image_uid="1.2.3")]), tmp_path / "stray.dcs"))
    assert not stray.refers_to(scan) and stray.alarms_for(scan) == []
    assert find_image(stray) is None
    assert image_to_open(tmp_path / "stray.dcs") == tmp_path / "stray.dcs"  # refused with its message


def test_read_tdr_refuses_images_and_non_dicom(tmp_path):
    image = write(dx_dataset(gradient()), tmp_path / "image.dcs")
    with pytest.raises(ScanError, match="not a threat report"):
        read_tdr(image)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ScanError, match="not a DICOS file"):
        read_tdr(text)
    assert not is_tdr(image.read_bytes()) and not is_tdr(b"hello")


needs_samples = pytest.mark.skipif(not SHARED_DICOS.is_dir(), reason=SHARED_REASON)


@needs_samples
def test_real_machine_report_and_its_image():
    report = read_tdr(SHARED_DICOS / "V03_DXwithTDR_tdr.dcs")
    assert is_tdr((SHARED_DICOS / "V03_DXwithTDR_tdr.dcs").read_bytes())
    assert report.kind == "MACHINE" and report.decision == "ALARM"
    assert (report.algorithm, report.algorithm_version) == ("ATR Manufacturer", "ATR Version")
    assert report.processing_time_ms == 50.0
    assert report.decision_time.year == 2010
    scan = load_scan(SHARED_DICOS / "V03_DXwithTDR_dx.dcs")
    assert find_image(report).name in ("V02_DX_dx.dcs", "V03_DXwithTDR_dx.dcs")  # both carry that UID
    alarms = report.alarms_for(scan)
    assert len(alarms) == 1
    assert alarms[0].category == "PI" and alarms[0].assessment == "THREAT"
    assert alarms[0].box == (24.0, 91.0, 40.0, 113.0)


@needs_samples
def test_real_report_of_a_missing_image():
    report = read_tdr(SHARED_DICOS / "V03_TDR_01_ExplicitLittleEndian.dcs")
    assert len(report.alarms) == 10
    assert report.image_uids == ("4.4.4",)
    assert report.alarms[0].description == "Shielded Weapon"
    assert sum(a.is_threat for a in report.alarms) == 1
    scan = load_scan(SHARED_DICOS / "V03_DX_01_ExplicitLittleEndian.dcs")
    assert report.alarms_for(scan) == []
