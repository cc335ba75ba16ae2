"""Write an officer's decision as a DICOS operator threat detection report (TDR).

The report points at the DICOS image by its SOP Instance UID; for any other scan it carries
the scan's SHA-256 in the station's private block so the report still names its image. The
station's own words (decision key, reason codes, note, mark labels) go in that private
block too, so ``xrayreview.scan.tdr.read_tdr`` gives them back exactly.

Every value conforms to its VR (DICOM PS3.5 6.2), whatever was typed:

- Free text (note, mark labels, the scan's file name) is kept whole: an LO when it is a valid
  one, else an LT, or a UT past the LT's 10,240. Leading and trailing blanks are dropped.
- Standard elements with short VRs are adapted, and the exact text then goes in the private
  block as well (read_tdr prefers it): the officer's name (PN) and the object ID (LO) have
  ``\\`` (and in the name ``^`` and ``=``, which structure a PN) turned into spaces and are cut to
  64, the station name (SH) to 16, a cut value ending in "…"; the object kind (OOI Type, CS) is
  upper-cased, anything but A–Z, 0–9 and "_" turned into "_", cut to 16.
- Limits are counted in UTF-8 bytes, not the characters the standard counts for these VRs:
  a value of exactly the limit in characters but an odd number of bytes gets a padding space,
  which pydicom's strict reader counts as one character too many. Bytes satisfy every reading.
- Control characters a VR does not allow (in free text all but TAB, LF, FF and CR) and lone
  surrogates (file-name bytes that are not UTF-8) become U+FFFD in both places.
- An image, study or class UID that is not a valid UID (PS3.5 9.1: at most 64 digits and dots,
  no leading zeros; some producers write them) is not copied into a UI element: the image
  UID goes in the private block, where read_tdr still matches the scan by it; a fresh study
  UID is made. Reason codes that cannot be LO values are refused.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from .. import __version__
from ..scan.dicos_meta import DX_SOP_CLASSES, TDR_SOP_CLASS
from ..scan.model import Scan
from ..scan.tdr import (
    P_DECISION,
    P_IMAGE_UID,
    P_LABEL,
    P_NOTE,
    P_OBJECT_ID,
    P_OBJECT_KIND,
    P_OPENED_AT,
    P_OPERATOR,
    P_REASONS,
    P_SCAN_SHA256,
    P_SOURCE,
    P_STATION,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
)
from .files import failure, partial_of

# Station decision -> DICOS Alarm Decision.
ALARM_DECISIONS = {"refer": "ALARM", "clear": "CLEAR", "rescan": "UNKNOWN"}
# Station mark category -> DICOS Threat Category (defined terms); the key itself goes in the description.
THREAT_CATEGORIES = {"firearm": "PI", "ied_component": "EXPLOSIVE", "explosive": "EXPLOSIVE",
                     "contraband": "CONTRABAND", "other": "ANOMALY"}
DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.501.2.1"
# Notes, names and labels may be in any script; without this the default repertoire (ASCII)
# turns every other letter into '?'.
UTF8 = "ISO_IR 192"
LT_MAX_CHARS = 10240  # longer notes go in a UT element, which has no limit
# PS3.5 6.2: LO, SH and PN hold no control characters (ESC only for ISO 2022 code extensions,
# which UTF-8 does not use; pydicom's reader then fails on it); LT, ST and UT allow TAB, LF, FF
# and CR. Lone surrogates (file-name bytes that are not UTF-8) cannot be encoded at all:
# pydicom would write "?" with a warning, or fail where warnings are errors.
_NOT_IN_SHORT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")  # PS3.5 9.1


@dataclass(frozen=True)
class ReportedScan:
    """What the report needs to know about its image; built from a Scan or a logged scan record."""

    sha256: str
    image_uid: str | None = None
    image_class_uid: str | None = None
    study_uid: str | None = None
    object_id: str | None = None
    object_kind: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, scan: Scan | Mapping[str, Any]) -> ReportedScan:
        if isinstance(scan, Scan):
            extra = scan.metadata.extra
            return cls(scan.sha256, extra.get("sop_instance_uid"), extra.get("sop_class_uid"),
                       extra.get("study_instance_uid"), scan.metadata.object_id, scan.metadata.object_kind,
                       str(scan.source[0]) if scan.source else None)
        meta = scan.get("metadata") or {}
        files = scan.get("files") or []
        return cls(str(scan.get("sha256") or ""), meta.get("sop_instance_uid"), meta.get("sop_class_uid"),
                   meta.get("study_instance_uid"), meta.get("object_id"), meta.get("object_kind"),
                   str(files[0]) if files else None)


def write_operator_tdr(
    path: str | Path,
    *,
    scan: Scan | Mapping[str, Any],
    decision: str,
    officer: str,
    marks: Iterable[Mapping[str, Any]],
    decided_at: datetime | str,
    opened_at: datetime | str | None = None,
    reasons: Sequence[str] = (),
    note: str = "",
    station: str | None = None,
    machine_report_uid: str | None = None,
) -> Path:
    """Write the report to ``path`` (atomically) and return it.

    ``marks`` are the log's mark dicts: ``{"box": [x1, y1, x2, y2], "category", "label", "score"?}``
    in scan pixels; detector marks the officer dismissed (``verdict == "dismissed"``) are left out.
    """
    if decision not in ALARM_DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(ALARM_DECISIONS)}, not {decision!r}")
    subject = ReportedScan.of(scan)
    if not subject.sha256 and not subject.image_uid:
        raise ValueError("the scan needs a SHA-256 or a DICOS image UID for the report to name it")
    for reason in reasons:  # codes from the station's list; a multi-valued LO cannot hold others
        if not _is_lo(reason):
            raise ValueError(f"a reason code must be a valid LO value (64 bytes, no backslash): {reason!r}")
    if machine_report_uid and not _is_uid(machine_report_uid):
        raise ValueError(f"machine_report_uid is not a valid UID: {machine_report_uid!r}")
    odd_image_uid = subject.image_uid if subject.image_uid and not _is_uid(subject.image_uid) else None
    # Not copied into UI elements, where it would make the report non-conforming (see above).
    subject = dataclasses.replace(subject, **{k: None for k in ("image_uid", "image_class_uid", "study_uid")
                                             if getattr(subject, k) and not _is_uid(getattr(subject, k))})
    kept = [m for m in marks if m.get("verdict") != "dismissed"]
    decided = _as_datetime(decided_at)
    opened = _as_datetime(opened_at) if opened_at is not None else None
    ds = _base_dataset(subject, decided, officer, station)
    ds.AlarmDecision = ALARM_DECISIONS[decision]
    ds.AlarmDecisionTime = _dt(decided)
    if opened is not None:
        ds.TotalProcessingTime = max(0.0, (decided - opened).total_seconds() * 1000.0)
    ds.ThreatSequence = DicomSequence([_threat_item(i, m, subject) for i, m in enumerate(kept)])
    ds.NumberOfTotalObjects = len(kept)
    ds.NumberOfAlarmObjects = len(kept)
    if machine_report_uid:
        reference = Dataset()
        reference.ReferencedSOPClassUID = TDR_SOP_CLASS
        reference.ReferencedSOPInstanceUID = machine_report_uid
        ds.ReferencedTDRInstanceSequence = DicomSequence([reference])
    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    _put_text(block, P_SCAN_SHA256, subject.sha256, short=True)
    block.add_new(P_DECISION, "LO", decision)
    if reasons:
        block.add_new(P_REASONS, "LO", list(reasons))
    if note.strip():
        _put_text(block, P_NOTE, note)
    if opened is not None:
        block.add_new(P_OPENED_AT, "DT", _dt(opened))
    if subject.source:
        _put_text(block, P_SOURCE, subject.source)
    if odd_image_uid:
        _put_text(block, P_IMAGE_UID, odd_image_uid, short=True)
    return _save(ds, Path(path))


def _base_dataset(subject: ReportedScan, decided: datetime, officer: str, station: str | None) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = TDR_SOP_CLASS
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = UTF8
    ds.SOPClassUID = TDR_SOP_CLASS
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "TDR"
    # DA and TM carry no zone: without (0008,0201) a reader takes them for the scanner's local time.
    utc = decided.astimezone(UTC)
    date, time = utc.strftime("%Y%m%d"), utc.strftime("%H%M%S.%f")
    for keyword in ("InstanceCreation", "Study", "Series", "Content"):
        setattr(ds, f"{keyword}Date", date)
        setattr(ds, f"{keyword}Time", time)
    ds.TimezoneOffsetFromUTC = "+0000"
    ds.Manufacturer = "xrayreview"
    ds.ManufacturerModelName = "xrayreview review station"
    ds.SoftwareVersions = __version__
    if station and station.strip():
        _set_short(ds, "StationName", station, 16, P_STATION)
    _set_short(ds, "PatientID", subject.object_id or "", 64, P_OBJECT_ID)
    kind = (subject.object_kind or "").strip().upper()
    if kind:
        # A CS value: A-Z, 0-9, space and "_", 16 at most; DICOS's terms use "_" for spaces.
        ds.OOIType = re.sub(r"[^A-Z0-9_]", "_", kind)[:16]
        if ds.OOIType != kind:
            _put_text(ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True), P_OBJECT_KIND,
                      subject.object_kind or "", short=True)
    ds.StudyInstanceUID = subject.study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.InstanceNumber = 1
    ds.DICOSVersion = "V03"
    ds.TDRType = "OPERATOR"
    _set_short(ds, "OperatorsName", officer, 64, P_OPERATOR, specials="\\^=")
    ds.ThreatDetectionAlgorithmAndVersion = ["xrayreview operator review", __version__]
    ds.AbortFlag = "SUCCESS"
    if subject.image_uid:
        reference = Dataset()
        reference.ReferencedSOPClassUID = _image_class(subject)
        reference.ReferencedSOPInstanceUID = subject.image_uid
        ds.ReferencedStudySequence = DicomSequence([reference])
    return ds


def _image_class(subject: ReportedScan) -> str:
    if subject.image_class_uid in DX_SOP_CLASSES:
        return subject.image_class_uid
    return subject.image_class_uid or DX_FOR_PRESENTATION


def _threat_item(index: int, mark: Mapping[str, Any], subject: ReportedScan) -> Dataset:
    x0, y0, x1, y1 = (float(v) for v in mark["box"])
    if not (x1 > x0 and y1 > y0):
        raise ValueError(f"a mark's box must have x2 > x1 and y2 > y1: {mark['box']!r}")
    voxels = Dataset()
    voxels.ThreatROIBase = [x0, y0, 0.0]
    voxels.ThreatROIExtents = [x1 - x0, y1 - y0, 1.0]
    representation = Dataset()
    if subject.image_uid:
        reference = Dataset()
        reference.ReferencedSOPClassUID = _image_class(subject)
        reference.ReferencedSOPInstanceUID = subject.image_uid
        representation.ReferencedInstanceSequence = DicomSequence([reference])
    representation.ThreatROIVoxelSequence = DicomSequence([voxels])
    representation.BoundingPolygon = [x0, y0, 0.0, x1, y0, 0.0, x1, y1, 0.0, x0, y1, 0.0]
    category = str(mark.get("category") or "other")
    assessment = Dataset()
    assessment.ThreatCategory = THREAT_CATEGORIES.get(category, "ANOMALY")
    # An LT (PS3.5 6.2): the station's category key; anything past the LT's limit is cut.
    description = _NOT_IN_TEXT.sub("\ufffd", category).encode("utf-8")[:LT_MAX_CHARS]
    assessment.ThreatCategoryDescription = description.decode("utf-8", "ignore")
    assessment.ATDAssessmentFlag = "THREAT"
    assessment.ATDAbilityAssessment = "NO_INTERFERENCE"
    score = mark.get("score")
    if isinstance(score, (int, float)) and 0.0 <= float(score) <= 1.0:
        assessment.ATDAssessmentProbability = float(score)
    item = Dataset()
    item.PotentialThreatObjectID = index
    item.PTORepresentationSequence = DicomSequence([representation])
    item.ATDAssessmentSequence = DicomSequence([assessment])
    if str(mark.get("label") or "").strip():
        block = item.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
        _put_text(block, P_LABEL, str(mark["label"]), short=True)
    return item


def _is_uid(value: str) -> bool:
    return len(value) <= 64 and _UID.fullmatch(value) is not None


def _size(text: str) -> int:
    # PS3.5 counts these VRs' limits in characters, but a full-length value of odd byte length
    # is padded with a space that pydicom's strict reader counts too (65 > 64): count UTF-8 bytes.
    return len(text.encode("utf-8"))


def _is_lo(text: str) -> bool:
    return _size(text) <= 64 and "\\" not in text and not _NOT_IN_SHORT.search(text)


def _short_text(value: str, limit: int, specials: str = "\\") -> str:
    """``value`` as one LO/SH/PN value (PS3.5 6.2): no control characters, ``specials`` (a
    backslash would split it into several values) as spaces, ``limit`` UTF-8 bytes at most."""
    text = _NOT_IN_SHORT.sub("\ufffd", value)
    for special in specials:
        text = text.replace(special, " ")
    text = text.strip()
    if _size(text) <= limit:
        return text
    return text.encode("utf-8")[:limit - _size("…")].decode("utf-8", "ignore").rstrip() + "…"


def _set_short(ds: Dataset, keyword: str, value: str, limit: int, offset: int, specials: str = "\\") -> None:
    """Set a short standard element; when it had to change, the exact text goes in the private block."""
    shown = _short_text(value, limit, specials)
    setattr(ds, keyword, shown)
    if shown != value.strip():
        _put_text(ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True), offset, value, short=True)


def _put_text(block: Any, offset: int, value: str, *, short: bool = False) -> None:
    """Free text in the private block, whole: with ``short`` an LO when it is a valid one (the
    VR these elements always had), else an LT, or a UT past the LT's limit (PS3.5 6.2)."""
    text = _NOT_IN_TEXT.sub("\ufffd", value.strip())
    if short and _is_lo(text):
        vr = "LO"
    else:
        vr = "LT" if _size(text) <= LT_MAX_CHARS else "UT"
    block.add_new(offset, vr, text)


def _as_datetime(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dt(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return moment.strftime("%Y%m%d%H%M%S.%f") + offset


def _save(ds: Dataset, path: Path) -> Path:
    partial = partial_of(path)
    try:
        ds.save_as(partial, enforce_file_format=True)
        os.replace(partial, path)
    except OSError as exc:
        raise failure(path, exc) from exc
    finally:
        partial.unlink(missing_ok=True)
    return path
