"""Operator TDRs are conforming DICOM (PS3.5 6.2) whatever officers type, and read back exactly.

Every element of every written file is checked against its VR's rules: lengths, allowed
characters, the backslash as value separator, PN groups, coded strings, UIDs, dates and times.
pydicom must write without a warning and read the file back in its strict mode.
"""

import re
from types import SimpleNamespace

import pydicom
import pytest
from dicos_factory import SHARED_DICOS, SHARED_REASON, dx_dataset, gradient, write
from pydicom import config
from pydicom.datadict import dictionary_VM
from pydicom.dataset import Dataset

from xrayreview.reports.tdr import write_operator_tdr
from xrayreview.reports.tdr_folder import export_tdrs
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import P_REASONS, PRIVATE_GROUP, read_tdr

pytestmark = pytest.mark.filterwarnings("error")  # pydicom warns where it writes a bad value

# PS3.5 Table 6.2-1: maximum lengths (characters for the texts, bytes for the rest) and patterns.
TEXT_LIMITS = {"SH": 16, "LO": 64, "PN": 64, "ST": 1024, "LT": 10240, "UT": 2**32 - 2}
CODED = {
    "CS": (16, r"[A-Z0-9 _]*"),
    "UI": (64, r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"),
    "DA": (8, r"\d{8}"),
    "TM": (14, r"\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?"),
    "DT": (26, r"\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?"),
    "IS": (12, r" *[+-]?\d+ *"),
    "DS": (16, r" *[+-]?(\d+|\d+\.\d*|\.\d+)([eE][+-]?\d+)? *"),
}
SHORT_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # LO/SH/PN: no control characters (no ISO 2022 here)
TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # LT/ST/UT: TAB, LF, FF, CR only
UTF8 = "ISO_IR 192"
DECIDED = "2026-11-28T14:00:07.500+00:00"
OPENED = "2026-11-28T14:00:00.000+00:00"


@pytest.fixture(autouse=True)
def _strict_writing(monkeypatch):
    monkeypatch.setattr(config.settings, "writing_validation_mode", config.RAISE)


def conformance_problems(path) -> list[str]:
    """What in the file breaks PS3.5 6.2, read back in pydicom's strict mode; [] when nothing."""
    problems = []
    with config.strict_reading():
        ds = pydicom.dcmread(path)
        if ds.get("SpecificCharacterSet") != UTF8:
            problems.append(f"Specific Character Set is {ds.get('SpecificCharacterSet')!r}, not {UTF8}")
        _walk(ds.file_meta, "meta ", problems)
        _walk(ds, "", problems)
    return problems


def _walk(ds: Dataset, where: str, problems: list[str]) -> None:
    for elem in ds:
        name = f"{where}{elem.tag} {elem.keyword or elem.VR}"
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                _walk(item, f"{name}[{i}] > ", problems)
            continue
        value = elem.value
        values = list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
        if elem.VR in TEXT_LIMITS or elem.VR in CODED:
            vm = _vm(elem)
            if vm == "1" and len(values) > 1:  # a backslash in the value split it
                problems.append(f"{name}: VM 1 but {len(values)} values {values!r}")
            for v in values:
                problems += [f"{name}: {p}" for p in _value_problems(elem.VR, v)]


def _vm(elem) -> str:
    if elem.tag.group == PRIVATE_GROUP and elem.tag.element >= 0x1000:
        return "1-n" if elem.tag.element & 0xFF == P_REASONS else "1"
    return "1" if elem.tag.is_private else dictionary_VM(elem.tag)


def _value_problems(vr: str, value) -> list[str]:
    text = "" if value is None else str(value)
    if vr in CODED:
        limit, pattern = CODED[vr]
        bad = len(text.encode()) > limit or not re.fullmatch(pattern, text)
        return [f"{text!r} is not a valid {vr}"] if bad else []
    found = []
    if vr == "PN":
        groups = text.split("=")
        if len(groups) > 3 or any(len(g) > 64 or g.count("^") > 4 for g in groups):
            found.append(f"{text!r} is not a valid PN (groups, components or length)")
    elif len(text) > TEXT_LIMITS[vr]:
        found.append(f"{len(text)} characters, over the {vr} limit of {TEXT_LIMITS[vr]}")
    if (TEXT_CONTROLS if vr in ("LT", "ST", "UT") else SHORT_CONTROLS).search(text):
        found.append(f"control character in {text!r}")
    return found


def _record(**scan) -> dict:
    return {"files": ["/inbox/bag.png"], "sha256": "ab" * 32, "width": 40, "height": 30, **scan}


def _write(tmp_path, **kwargs):
    args = {"scan": _record(), "decision": "refer", "officer": "olga", "marks": [],
            "decided_at": DECIDED, **kwargs}
    path = write_operator_tdr(tmp_path / "r.dcs", **args)
    assert conformance_problems(path) == []
    return pydicom.dcmread(path), read_tdr(path)


def _mark(label="", category="other") -> dict:
    return {"box": [1, 2, 11, 12], "category": category, "label": label}


# ---- free text: kept whole, in an LT or UT element or one that fits ----

@pytest.mark.parametrize("label", [
    "Ружьё обрез, ствол укорочен — проверить маркировку на цевье и затыльнике",  # 73 characters
    "x" * 65, "A\\B", "left\\right\\centre", "a^b=c", "手枪 ピストル 권총", "x" * 20000,
])
def test_mark_labels_of_any_length_and_script_are_kept_whole(tmp_path, label):
    raw, report = _write(tmp_path, marks=[_mark(label)])
    assert report.alarms[0].label == label
    assert raw.ThreatSequence[0].ATDAssessmentSequence[0].ThreatCategoryDescription == "other"


@pytest.mark.parametrize("note", ["a\\b\\c", "ü" * 20000, "ü" * 6000, "one\ntwo\ttabbed", "=^\\ 备注"])
def test_notes_are_kept_whole(tmp_path, note):
    _, report = _write(tmp_path, note=note)
    assert report.extra["note"] == note


def test_control_characters_become_replacement_characters(tmp_path):
    raw, report = _write(tmp_path, note="bell\x07 nul\x00 tab\tend", station="lane\x7f3", officer="olga",
                         marks=[_mark("a\x1bb\x85c", category="fire\x07arm")])
    assert report.extra["note"] == "bell\ufffd nul\ufffd tab\tend"
    assert report.alarms[0].label == "a\ufffdb\ufffdc"
    assert report.alarms[0].description == "fire\ufffdarm" and report.alarms[0].category == "ANOMALY"
    assert report.extra["station"] == "lane\ufffd3"


def test_an_undecodable_file_name_is_written_with_a_replacement_character(tmp_path):
    # A file name with bytes that are not UTF-8 reaches Python as lone surrogates (PEP 383).
    _, report = _write(tmp_path, scan=_record(files=["/inbox/caf\udce9.png"]))
    assert report.extra["source"] == "/inbox/caf\ufffd.png"


def test_an_odd_scan_hash_is_kept_whole(tmp_path):
    _, report = _write(tmp_path, scan=_record(sha256="f" * 64 + "\\" + "e" * 64))
    assert report.extra["scan_sha256"] == "f" * 64 + "\\" + "e" * 64


def test_a_very_long_file_name_is_kept_whole(tmp_path):
    source = "/inbox/" + "ordner/" * 1600 + "bag.png"  # over the LT limit of 10240
    _, report = _write(tmp_path, scan=_record(files=[source]))
    assert report.extra["source"] == source


# ---- short elements: shortened in a documented way, the exact text kept in the private block ----

@pytest.mark.parametrize("officer", ["Jane^Doe", "a=b=c=d", "back\\slash", "^", "Ольга=Ivanova^Q", "é" * 64])
def test_officer_names_with_pn_delimiters_round_trip(tmp_path, officer):
    raw, report = _write(tmp_path, officer=officer)
    assert report.operator == officer
    assert raw["OperatorsName"].VM <= 1 and not set("^=") & set(str(raw.OperatorsName))  # one plain name
    if not set("^=\\") & set(officer) and len(officer.encode()) <= 64:
        assert str(raw.OperatorsName) == officer  # an ordinary name is written as it is


def test_an_overlong_officer_name_is_cut_in_the_pn_and_kept_whole(tmp_path):
    officer = "Ж" * 70
    raw, report = _write(tmp_path, officer=officer)
    assert str(raw.OperatorsName) == "Ж" * 30 + "…"  # 63 UTF-8 bytes
    assert report.operator == officer


@pytest.mark.parametrize("station", ["customs-lane-03.port.example", "lane\\3", "Пункт досмотра №3"])
def test_station_names_over_16_characters_are_kept_whole(tmp_path, station):
    raw, report = _write(tmp_path, station=station)
    assert len(raw.StationName) <= 16
    assert report.extra["station"] == station


def test_a_short_station_name_is_written_as_it_is(tmp_path):
    raw, report = _write(tmp_path, station="Lane 3")
    assert raw.StationName == "Lane 3" and report.extra["station"] == "Lane 3"


@pytest.mark.parametrize("object_id", ["MSCU1234565\\MSCU7654321", " ".join(["Контейнер"] * 8)])
def test_object_ids_that_do_not_fit_an_lo_are_kept_whole(tmp_path, object_id):
    _, report = _write(tmp_path, scan=_record(metadata={"object_id": object_id}))
    assert report.object_id == object_id


@pytest.mark.parametrize(("kind", "ooi"), [("cargo", "CARGO"), ("hand-luggage", "HAND_LUGGAGE"),
                                           ("sehr großes Gepäckstück", "SEHR_GROSSES_GEP")])
def test_object_kinds_become_coded_strings(tmp_path, kind, ooi):
    raw, report = _write(tmp_path, scan=_record(metadata={"object_kind": kind}))
    assert raw.OOIType == ooi
    assert report.extra["object_kind"] == (ooi if kind.upper() == ooi else kind)


# ---- identifiers ----

def test_a_malformed_image_uid_is_not_written_as_a_uid_but_still_matches(tmp_path):
    bad = "1.2.03.4 "  # a leading zero: not a UID, though some producers write such
    raw, report = _write(tmp_path, scan=_record(metadata={"sop_instance_uid": bad.strip(),
                                                          "study_instance_uid": "1." + "2" * 70}),
                         marks=[_mark("x")])
    assert "ReferencedStudySequence" not in raw
    assert report.image_uids == (bad.strip(),)
    assert report.alarms[0].image_uid is None


def test_reason_codes_that_cannot_be_lo_values_are_refused(tmp_path):
    with pytest.raises(ValueError, match="reason"):
        write_operator_tdr(tmp_path / "r.dcs", scan=_record(), decision="refer", officer="o", marks=[],
                           decided_at=DECIDED, reasons=["r" * 65])
    with pytest.raises(ValueError, match="reason"):
        write_operator_tdr(tmp_path / "r.dcs", scan=_record(), decision="refer", officer="o", marks=[],
                           decided_at=DECIDED, reasons=["a\\b"])


def test_empty_values_write_a_conforming_file(tmp_path):
    raw, report = _write(tmp_path, officer="", note="   ", station="", marks=[_mark("")],
                         scan=_record(metadata={"object_id": "", "object_kind": ""}))
    assert report.operator is None and "note" not in report.extra and report.alarms[0].label is None


# ---- the whole export ----

def _rows(image_path, dicos_scan) -> list:
    odd = {"officer": "Ólafur^Þór=\\", "station": "station-with-a-long-host-name.example",
           "decided_at": DECIDED, "opened_at": OPENED, "reasons": ["firearm", "other"],
           "note": "Verdacht\\Waffe\x07 — 検査", "decision": "refer",
           "officer_marks": [{"box": [1, 1, 9, 9], "category": "firearm", "label": " ствол" * 20}],
           "detector_marks": [{"box": [2, 2, 8, 8], "category": "other", "label": "a\\b", "score": 0.7,
                               "verdict": "confirmed"}]}
    dicos = {"files": [str(image_path)], "sha256": dicos_scan.sha256, "format": "dicos", "metadata": {}}
    png = {"files": ["C:\\inbox\\Gepäck\\bag 7.png"], "sha256": "cd" * 32,
           "metadata": {"object_id": "X" * 80, "object_kind": "parcel"}}
    return [SimpleNamespace(seq=1, content={**odd, "scan": dicos}),
            SimpleNamespace(seq=2, content={**odd, "scan": png, "decision": "clear", "note": ""})]


def test_every_exported_report_conforms_and_reads_back(tmp_path):
    image = write(dx_dataset(gradient()), tmp_path / "image.dcs")
    scan = load_scan(image)
    paths = export_tdrs(_rows(image, scan), tmp_path / "out")
    assert [p.name for p in paths] == ["000001_image_tdr.dcs", "000002_bag 7_tdr.dcs"]
    for path in paths:
        assert conformance_problems(path) == []
        report = read_tdr(path)
        assert report.operator == "Ólafur^Þór=\\"
        assert report.extra["station"] == "station-with-a-long-host-name.example"
    first = read_tdr(paths[0])
    assert first.refers_to(scan)
    assert first.extra["note"] == "Verdacht\\Waffe\ufffd — 検査"
    assert sorted(a.label for a in first.alarms) == sorted(["a\\b", ("ствол " * 20).strip()])
    assert read_tdr(paths[1]).object_id == "X" * 80


def _flatten(ds: Dataset, where="") -> dict:
    flat = {}
    for elem in ds:
        name = f"{where}{elem.keyword or elem.tag}"
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                flat.update(_flatten(item, f"{name}[{i}]."))
        else:
            flat[name] = elem.value
    return flat


def test_the_same_export_twice_differs_only_in_new_uids(tmp_path):
    image = write(dx_dataset(gradient()), tmp_path / "image.dcs")
    rows = _rows(image, load_scan(image))
    first, second = export_tdrs(rows, tmp_path / "a"), export_tdrs(rows, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    new_uids = {"MediaStorageSOPInstanceUID", "SOPInstanceUID", "SeriesInstanceUID"}
    for a, b, expected in zip(first, second, (new_uids, new_uids | {"StudyInstanceUID"}), strict=True):
        da, db = pydicom.dcmread(a), pydicom.dcmread(b)
        flat_a = {**_flatten(da.file_meta), **_flatten(da)}
        flat_b = {**_flatten(db.file_meta), **_flatten(db)}
        assert flat_a.keys() == flat_b.keys()
        # The times are the decision's own, not the export's; a scan without a DICOS study
        # gets a new study UID each time.
        differ = {k for k in flat_a if flat_a[k] != flat_b[k]}
        # The meta group's length follows the new UIDs' lengths, which vary.
        assert differ - {"FileMetaInformationGroupLength"} == expected


@pytest.mark.skipif(not SHARED_DICOS.is_dir(), reason=SHARED_REASON)
def test_a_report_on_a_real_dicos_image_conforms(tmp_path):
    scan = load_scan(SHARED_DICOS / "V03_DXwithTDR_dx.dcs")
    path = write_operator_tdr(tmp_path / "r.dcs", scan=scan, decision="refer", officer="Ana^Lúcia",
                              marks=[_mark("Schraubendreher\\Klinge " * 4)], decided_at=DECIDED,
                              opened_at=OPENED, station="inspection-lane-12", note="ok")
    assert conformance_problems(path) == []
    report = read_tdr(path)
    assert report.refers_to(scan) and report.operator == "Ana^Lúcia"


def test_a_long_file_name_in_a_multibyte_script_does_not_fail_the_export(tmp_path):
    source = "/inbox/" + "检查图像" * 20 + ".png"  # 240 bytes: a legal name, too long with prefix and suffix
    row = SimpleNamespace(seq=7, content={"officer": "o", "decided_at": DECIDED, "decision": "clear",
                                          "scan": {"files": [source], "sha256": "ab" * 32}})
    (path,) = export_tdrs([row], tmp_path / "out")
    assert path.name.startswith("000007_检查图像") and len(path.name.encode()) <= 150
    assert read_tdr(path).extra["source"] == source
