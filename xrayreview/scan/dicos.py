"""Open DICOS (NEMA's DICOM for security) projection scans as Scan objects.

``load_scan`` hands every file with the DICM magic here. DX images become single- or
dual-energy scans; threat detection reports (TDR) are refused with a message that says what
they are, and ``is_tdr`` lets a caller route them to ``xrayreview.scan.tdr.read_tdr`` first.
Plain medical DICOM with a usable 2-D image is opened with a warning.
"""

from __future__ import annotations

import hashlib
import io
import warnings as python_warnings
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from .dicos_meta import (
    CT_SOP_CLASS,
    TDR_SOP_CLASS,
    energy_role,
    image_characteristics,
    is_dicos,
    scan_metadata,
    text,
)
from .dicos_pixels import colour_frame, decode_frames, grey_channel, is_colour
from .errors import ScanError
from .model import Scan

# A folder beside a scan is searched for its other-energy partner only up to this many files,
# so opening a scan in a crowded inbox stays fast.
MAX_PARTNER_CANDIDATES = 200
DICOM_SUFFIXES = {".dcs", ".dcm", ".dicom", ""}
# DICOS image characteristics that are computed maps, not detector intensities.
DERIVED_IMAGES = {"MU", "DENSITY", "Z EFFECTIVE", "ZEFFECTIVE", "COMPTON", "PHOTOELECTRIC",
                  "BASIS MATERIAL 1", "BASIS MATERIAL 2"}


def parse(data: bytes, name: str, *, header_only: bool = False) -> Dataset:
    """The dataset, or a ScanError saying why the file is not readable DICOM."""
    try:
        with python_warnings.catch_warnings():
            # Real producers write slightly invalid UIDs and values; they are still readable.
            python_warnings.simplefilter("ignore")
            return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=header_only)
    except MemoryError as exc:
        raise ScanError(f"{name} is too large to open in the memory this station has.") from exc
    except Exception as exc:  # pydicom raises many types for damaged or cut-off files
        raise ScanError(f"{name} is a damaged or truncated DICOM file ({exc}).") from exc


def peek(path: Path, keywords: list[str]) -> Dataset | None:
    """A few header elements of a DICOM file, read without its pixels; None when it is not DICOM.

    Folder searches (an image's other energy, the reports about it) use this so that a full
    inbox costs a few kilobytes per file, not every image's pixel data.
    """
    try:
        with path.open("rb") as handle:
            if handle.read(132)[128:132] != b"DICM":
                return None
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")
            return pydicom.dcmread(path, stop_before_pixels=True, specific_tags=keywords)
    except Exception:  # unreadable, damaged, or vanished while searching: simply not a match
        return None


def is_tdr_dataset(ds: Dataset) -> bool:
    meta = getattr(ds, "file_meta", None)
    media_class = text(meta, "MediaStorageSOPClassUID") if meta is not None else None
    return (TDR_SOP_CLASS in (text(ds, "SOPClassUID"), media_class) or text(ds, "Modality") == "TDR"
            or "ThreatSequence" in ds)


def is_tdr(data: bytes) -> bool:
    """True when the bytes are a DICOS threat detection report (alarms, no image)."""
    if len(data) < 132 or data[128:132] != b"DICM":
        return False
    try:
        return is_tdr_dataset(parse(data, "file", header_only=True))
    except ScanError:
        return False


def read_dicos(path: Path, data: bytes, *, partner: Path | None = None) -> Scan:
    """A Scan from a DICOS (or plain DICOM) image file whose bytes are ``data``.

    A single-energy image is joined with its other energy: ``partner`` when given (a pair
    named by the caller), else the matching file found beside it.
    """
    with python_warnings.catch_warnings():
        # pydicom validates values lazily, on access; real producers' invalid UIDs are harmless.
        python_warnings.simplefilter("ignore", UserWarning)
        return _read(path, data, partner)


def _read(path: Path, data: bytes, partner: Path | None = None) -> Scan:
    name = path.name
    ds = parse(data, name)
    if is_tdr_dataset(ds):
        image = _referenced_image(ds)
        raise ScanError(
            f"{name} is a DICOS threat detection report (alarms, no image)"
            + (f" for the scan with UID {image}" if image else "")
            + ". Open that scan instead; the report belongs beside it."
        )
    warnings: list[str] = []
    if not is_dicos(ds):
        modality = text(ds, "Modality") or "medical"
        warnings.append(
            f"{name} is a {modality} DICOM file, not a DICOS security scan; it is shown as a plain "
            "image without security information."
        )
    derived = image_characteristics(ds) & DERIVED_IMAGES
    if derived:
        warnings.append(
            f"{name} holds {', '.join(sorted(derived)).lower()} values, not X-ray intensities; "
            "it is shown as stored and its colours do not mean material classes."
        )
    frames = decode_frames(ds, name)
    scan = _scan_from_frames(frames, ds, name, warnings)
    scan.metadata = scan_metadata(ds)
    scan.source = (path,)
    scan.source_format = "dicos" if is_dicos(ds) else "dicom"
    scan.sha256 = hashlib.sha256(data).hexdigest()
    if scan.low is None and scan.colour is None and energy_role(ds):
        _join_partner(scan, ds, path, data, partner)
    return scan


def _referenced_image(ds: Dataset) -> str | None:
    for item in ds.get("ReferencedStudySequence") or []:
        uid = text(item, "ReferencedSOPInstanceUID")
        if uid:
            return uid
    return None


def _scan_from_frames(frames: np.ndarray, ds: Dataset, name: str, warnings: list[str]) -> Scan:
    count = frames.shape[0]
    if count > 2:
        is_ct = text(ds, "SOPClassUID") == CT_SOP_CLASS
        what = "a DICOS CT volume" if is_ct else "a volume or a series of slices"
        raise ScanError(
            f"{name} holds {count} frames ({what}); the station reviews 2-D projection scans, "
            "so it was not opened."
        )
    if text(ds, "SOPClassUID") == CT_SOP_CLASS:
        warnings.append(f"{name} is a CT slice, not a projection; it is shown as a plain image.")
    if is_colour(ds):
        if count > 1:
            warnings.append(f"{name} has {count} colour frames; showing the first.")
        colour, high, scale = colour_frame(frames[0], ds, name)
        return Scan(high=high, full_scale=scale, colour=colour, warnings=warnings)
    channels = [grey_channel(frame, ds, name, warnings) for frame in frames]
    if count == 1:
        high, scale, raw = channels[0]
        return Scan(high=high, full_scale=scale, raw_high=raw, warnings=warnings)
    # Two frames are the two energies; the low-energy image is the darker one (it is absorbed more).
    first, second = channels
    (high, scale, raw_high), (low, _, raw_low) = (
        (first, second) if float(first[0].mean()) >= float(second[0].mean()) else (second, first)
    )
    return Scan(high=high, low=low, full_scale=scale, raw_high=raw_high, raw_low=raw_low, warnings=warnings)


def _join_partner(scan: Scan, ds: Dataset, path: Path, data: bytes, partner: Path | None = None) -> None:
    """Make a dual-energy scan when the other energy's file lies beside this one (or is ``partner``)."""
    role = energy_role(ds)
    found = find_partner(ds, path) if partner is None else _named_partner(ds, partner, scan.warnings)
    if found is None:
        if partner is None:
            scan.warnings.append(
                f"{path.name} is the {role}-energy image; its partner was not found beside it.")
        return
    partner_path, partner_data, partner_ds = found
    try:
        partner_frames = decode_frames(partner_ds, partner_path.name)
        other, other_scale, other_raw = grey_channel(partner_frames[0], partner_ds, partner_path.name, [])
    except ScanError as exc:
        scan.warnings.append(f"The {role}-energy partner {partner_path.name} could not be used: {exc}")
        return
    if other.shape != scan.high.shape or other_scale != scan.full_scale:
        scan.warnings.append(f"{partner_path.name} differs in size or depth from {path.name}; not paired.")
        return
    energy = scan.metadata.energy_high_kev
    partner_energy = _kvp(partner_ds)
    digest = hashlib.sha256()
    if role == "high":
        scan.low, scan.raw_low = other, other_raw
        scan.source = (path, partner_path)
        digest.update(data)
        digest.update(partner_data)
        scan.metadata.energy_low_kev = partner_energy
    else:
        scan.low, scan.raw_low = scan.high, scan.raw_high
        scan.high, scan.raw_high = other, other_raw
        scan.source = (partner_path, path)
        digest.update(partner_data)
        digest.update(data)
        scan.metadata.energy_high_kev, scan.metadata.energy_low_kev = partner_energy, energy
        scan.metadata.extra["sop_instance_uid"] = text(partner_ds, "SOPInstanceUID")
        scan.metadata.extra["low_sop_instance_uid"] = text(ds, "SOPInstanceUID")
    if role == "high":
        scan.metadata.extra["low_sop_instance_uid"] = text(partner_ds, "SOPInstanceUID")
    scan.sha256 = digest.hexdigest()


def _named_partner(ds: Dataset, partner: Path, warnings: list[str]) -> tuple[Path, bytes, Dataset] | None:
    """The named file as the other energy, or None (with a warning) when its header says otherwise."""
    try:
        partner_data = partner.read_bytes()
        partner_ds = parse(partner_data, partner.name)
    except OSError as exc:
        warnings.append(f"{partner.name} cannot be read: {exc.strerror or exc}.")
        return None
    except ScanError as exc:
        warnings.append(str(exc))
        return None
    wanted = {"high": "low", "low": "high"}[energy_role(ds) or "high"]
    if energy_role(partner_ds) != wanted:
        warnings.append(f"{partner.name} is not the {wanted}-energy image of the same object.")
        return None
    return partner, partner_data, partner_ds


def _kvp(ds: Dataset) -> float | None:
    try:
        value = float(ds.get("KVP"))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def find_partner(ds: Dataset, path: Path) -> tuple[Path, bytes, Dataset] | None:
    """The file beside ``path`` holding the same object's other energy, read in full."""
    wanted = {"high": "low", "low": "high"}.get(energy_role(ds) or "")
    if wanted is None or not path.parent.is_dir():
        return None
    study, object_id = text(ds, "StudyInstanceUID"), text(ds, "PatientID")
    size = (ds.get("Rows"), ds.get("Columns"))
    candidates = sorted(p for p in path.parent.iterdir() if p != path and p.suffix.lower() in DICOM_SUFFIXES)
    for candidate in candidates[:MAX_PARTNER_CANDIDATES]:
        header = peek(candidate, ["StudyInstanceUID", "PatientID", "ImageType", "Rows", "Columns"])
        if header is None:
            continue
        same_object = (
            (study is not None and text(header, "StudyInstanceUID") == study)
            or (study is None and object_id is not None and text(header, "PatientID") == object_id)
        )
        same_size = (header.get("Rows"), header.get("Columns")) == size
        if same_object and same_size and energy_role(header) == wanted:
            try:
                candidate_data = candidate.read_bytes()
                return candidate, candidate_data, parse(candidate_data, candidate.name)
            except (OSError, ScanError):
                continue
    return None
