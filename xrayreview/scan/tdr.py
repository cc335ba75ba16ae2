"""Read DICOS threat detection reports (TDR): the alarms a scanner's or an officer's review raised.

A TDR holds no image; it points at one by SOP Instance UID. Producers write many variants
(2-D boxes as ROI base + extents, as a bounding polygon, 3-D boxes for CT, missing fields), so
every field here is optional and a malformed one becomes None, never an exception.
"""

from __future__ import annotations

import warnings as python_warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.valuerep import DT

from .dicos import DICOM_SUFFIXES, is_tdr_dataset, parse, peek
from .dicos_meta import number, numbers, text
from .errors import ScanError
from .model import Scan

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in image pixels

# The station's private block in the reports it writes (xrayreview.reports.tdr).
PRIVATE_GROUP = 0x0071
PRIVATE_CREATOR = "XRAYREVIEW 1"
# Element offsets inside that block (never renumber; only add).
P_SCAN_SHA256, P_DECISION, P_REASONS, P_NOTE, P_OPENED_AT, P_LABEL, P_SOURCE = range(1, 8)
# The exact text of a standard element the writer had to shorten or change to conform
# (PN, SH, LO and CS limits, a malformed image UID); only present when it did.
P_OPERATOR, P_STATION, P_OBJECT_ID, P_OBJECT_KIND, P_IMAGE_UID = range(8, 13)


@dataclass(frozen=True)
class TdrAlarm:
    """One potential threat object (PTO) of a report."""

    object_id: int | None
    category: str | None  # DICOS Threat Category, e.g. PI, EXPLOSIVE, ANOMALY
    description: str | None  # free text; the station writes its own category name here
    assessment: str | None  # ATD Assessment Flag: THREAT, NO_THREAT, UNKNOWN …
    ability: str | None  # ATD Ability Assessment: NO_INTERFERENCE, SHIELD …
    probability: float | None
    box: Box | None
    image_uid: str | None
    location: str | None = None
    label: str | None = None  # the station's own name for the object, in reports it wrote

    @property
    def is_threat(self) -> bool:
        """Whether the producer flagged this object as a threat (not an anomaly it ruled out)."""
        return (self.assessment or "").upper() in ("THREAT", "HIGH_THREAT", "")


@dataclass
class ThreatReport:
    """A TDR as the station uses it; fields a producer left out are None."""

    sop_instance_uid: str | None
    kind: str | None  # TDR Type: MACHINE, OPERATOR, GROUND_TRUTH
    decision: str | None  # Alarm Decision: ALARM, CLEAR, UNKNOWN
    decision_time: datetime | None
    algorithm: str | None
    algorithm_version: str | None
    processing_time_ms: float | None
    image_uids: tuple[str, ...]  # images the report refers to
    alarms: list[TdrAlarm]
    object_id: str | None = None
    operator: str | None = None
    abort: str | None = None
    source: Path | None = None
    # Station-written reports add: scan_sha256, station_decision, reasons ("A\\B"), note, opened_at.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_alarm(self) -> bool:
        return (self.decision or "").upper() == "ALARM"

    def refers_to(self, scan: Scan) -> bool:
        """True when this report is about ``scan`` (matched by the image's SOP Instance UID)."""
        uids = {scan.metadata.extra.get("sop_instance_uid"), scan.metadata.extra.get("low_sop_instance_uid")}
        uids.discard(None)
        return bool(uids & set(self.image_uids))

    def alarms_for(self, scan: Scan) -> list[TdrAlarm]:
        """The alarms that belong on this scan's image, boxes clipped to it."""
        if not self.refers_to(scan):
            return []
        uids = {scan.metadata.extra.get("sop_instance_uid"), scan.metadata.extra.get("low_sop_instance_uid")}
        shown = []
        for alarm in self.alarms:
            if alarm.image_uid is not None and alarm.image_uid not in uids:
                continue
            shown.append(_clip(alarm, scan.width, scan.height))
        return shown


def read_tdr(path: str | Path) -> ThreatReport:
    """Read a TDR file; ScanError with a plain reason when it is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScanError(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    if len(data) < 132 or data[128:132] != b"DICM":
        raise ScanError(f"{path.name} is not a DICOS file, so it holds no threat report.")
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore", UserWarning)
        ds = parse(data, path.name)
        if not is_tdr_dataset(ds):
            raise ScanError(f"{path.name} is a DICOS image, not a threat report; open it as a scan.")
        report = report_from_dataset(ds)
    report.source = path
    return report


def report_from_dataset(ds: Dataset) -> ThreatReport:
    algorithm = ds.get("ThreatDetectionAlgorithmAndVersion")
    parts = [str(v) for v in algorithm] if algorithm is not None and not isinstance(algorithm, str) else (
        [algorithm] if algorithm else [])
    alarms = [_alarm(item) for item in _items(ds, "ThreatSequence")]
    image_uids = [text(item, "ReferencedSOPInstanceUID") for item in _items(ds, "ReferencedStudySequence")]
    image_uids += [alarm.image_uid for alarm in alarms] + [_private(ds, P_IMAGE_UID)]
    extra = {}
    for key, keyword, exact in (("dicos_version", "DICOSVersion", None), ("scan_id", "StudyID", None),
                                ("object_kind", "OOIType", P_OBJECT_KIND),
                                ("station", "StationName", P_STATION)):
        value = (_private(ds, exact) if exact else None) or text(ds, keyword)
        if value:
            extra[key] = value
    for key, offset in (("scan_sha256", P_SCAN_SHA256), ("station_decision", P_DECISION),
                        ("reasons", P_REASONS), ("note", P_NOTE), ("opened_at", P_OPENED_AT),
                        ("source", P_SOURCE)):
        value = _private(ds, offset)
        if value:
            extra[key] = value
    return ThreatReport(
        sop_instance_uid=text(ds, "SOPInstanceUID"),
        kind=_upper(text(ds, "TDRType")),
        decision=_upper(text(ds, "AlarmDecision")),
        decision_time=_datetime(ds, "AlarmDecisionTime"),
        algorithm=parts[0] if parts else None,
        algorithm_version=parts[1] if len(parts) > 1 else None,
        processing_time_ms=_float(ds, "TotalProcessingTime"),
        image_uids=tuple(dict.fromkeys(uid for uid in image_uids if uid)),
        alarms=alarms,
        object_id=_private(ds, P_OBJECT_ID) or text(ds, "PatientID"),
        operator=_private(ds, P_OPERATOR) or text(ds, "OperatorsName"),
        abort=_upper(text(ds, "AbortFlag")),
        extra=extra,
    )


def find_reports(scan: Scan, known: Iterable[ThreatReport] = ()) -> list[ThreatReport]:
    """Reports lying beside the scan's file that refer to it (none when there are none).

    ``known`` are reports already read from that folder (the one the officer opened, see
    ``open_target``): they are taken as they are, not read again.
    """
    if not scan.source or not scan.metadata.extra.get("sop_instance_uid"):
        return []
    already = {report.source: report for report in known if report.source is not None}
    folder = scan.source[0].parent
    try:
        candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in DICOM_SUFFIXES and p.is_file())
    except OSError:
        return []
    found = []
    for candidate in candidates[:200]:
        if candidate in scan.source:
            continue
        report = already.get(candidate)
        if report is None:
            header = peek(candidate, ["SOPClassUID", "Modality"])
            if header is None or not is_tdr_dataset(header):
                continue
            try:
                report = read_tdr(candidate)
            except ScanError:
                continue
        if report.refers_to(scan):
            found.append(report)
    return found


def find_image(report: ThreatReport) -> Path | None:
    """The image file beside a report that the report is about, or None (a report without its image)."""
    if report.source is None or not report.image_uids:
        return None
    wanted = set(report.image_uids)
    try:
        candidates = sorted(p for p in report.source.parent.iterdir()
                            if p.suffix.lower() in DICOM_SUFFIXES and p.is_file() and p != report.source)
    except OSError:
        return None
    for candidate in candidates[:200]:
        header = peek(candidate, ["SOPInstanceUID", "SOPClassUID", "Modality"])
        if header is not None and not is_tdr_dataset(header) and text(header, "SOPInstanceUID") in wanted:
            return candidate
    return None


def open_target(path: Path) -> tuple[Path, ThreatReport | None]:
    """What opening ``path`` should show, and the threat report read to find it out.

    For a report whose image lies beside it: that image (the report then shows over it) and the
    report, which the caller hands to ``find_reports`` so that it is not read a second time.
    For anything else: ``path`` itself, and the report when it is one.
    """
    if path.suffix.lower() not in DICOM_SUFFIXES:
        return path, None
    header = peek(path, ["SOPClassUID", "Modality"])
    if header is None or not is_tdr_dataset(header):
        return path, None
    try:
        report = read_tdr(path)
    except ScanError:
        return path, None
    return find_image(report) or path, report


def image_to_open(path: Path) -> Path:
    """What opening ``path`` should show (see ``open_target``)."""
    return open_target(path)[0]


def _items(ds: Dataset, keyword: str) -> list[Dataset]:
    try:
        value = ds.get(keyword)
        return [item for item in value if isinstance(item, Dataset)] if value is not None else []
    except TypeError:
        return []


def _alarm(item: Dataset) -> TdrAlarm:
    representation = (_items(item, "PTORepresentationSequence") or [Dataset()])[0]
    assessment = (_items(item, "ATDAssessmentSequence") or [Dataset()])[0]
    image_uid = None
    for reference in _items(representation, "ReferencedInstanceSequence"):
        image_uid = text(reference, "ReferencedSOPInstanceUID")
        if image_uid:
            break
    object_id = item.get("PotentialThreatObjectID")
    try:
        object_id = int(object_id) if object_id is not None else None
    except (TypeError, ValueError):
        object_id = None
    return TdrAlarm(
        object_id=object_id,
        category=_upper(text(assessment, "ThreatCategory")),
        description=text(assessment, "ThreatCategoryDescription"),
        assessment=_upper(text(assessment, "ATDAssessmentFlag")),
        ability=_upper(text(assessment, "ATDAbilityAssessment")),
        probability=_float(assessment, "ATDAssessmentProbability"),
        box=_box(representation),
        image_uid=image_uid,
        location=text(representation, "PTOLocationDescription"),
        label=_private(item, P_LABEL),
    )


def _private(ds: Dataset, offset: int) -> str | None:
    """A value from the station's private block, None in other producers' reports."""
    try:
        element = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)[offset]
    except (KeyError, ValueError, TypeError):
        return None
    value = element.value
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    value = str(value).strip() if value is not None else ""
    return value or None


def _box(representation: Dataset) -> Box | None:
    """The alarm's image box: ROI base + extents when given, else the bounding polygon's extent."""
    for voxels in _items(representation, "ThreatROIVoxelSequence"):
        base, extents = numbers(voxels, "ThreatROIBase"), numbers(voxels, "ThreatROIExtents")
        if len(base) >= 2 and len(extents) >= 2 and extents[0] > 0 and extents[1] > 0:
            return (base[0], base[1], base[0] + extents[0], base[1] + extents[1])
    polygon = numbers(representation, "BoundingPolygon")
    if len(polygon) >= 6 and len(polygon) % 3 == 0:
        xs, ys = polygon[0::3], polygon[1::3]
        if max(xs) > min(xs) and max(ys) > min(ys):
            return (min(xs), min(ys), max(xs), max(ys))
    return None


def _clip(alarm: TdrAlarm, width: int, height: int) -> TdrAlarm:
    if alarm.box is None:
        return alarm
    x0, y0, x1, y1 = alarm.box
    clipped = (max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1))
    if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
        clipped = None  # outside the image: the producer's coordinates do not fit this scan
    return TdrAlarm(**{**alarm.__dict__, "box": clipped})


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _float(ds: Dataset, keyword: str) -> float | None:
    value = number(ds, keyword)
    if value is None and text(ds, keyword) in ("0", "0.0"):
        return 0.0
    return value


def _datetime(ds: Dataset, keyword: str) -> datetime | None:
    value = text(ds, keyword)
    if not value:
        return None
    try:
        parsed = DT(value)
    except (ValueError, TypeError):
        return None
    return datetime(parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second,
                    parsed.microsecond, parsed.tzinfo)
