"""What a DICOS header says about a scan, as ScanMetadata; every field optional.

Producers fill DICOS headers unevenly, so every read here tolerates a missing, empty or
malformed element and simply leaves the field unknown.
"""

from __future__ import annotations

import math
from typing import Any

from pydicom.dataset import Dataset

from .model import ScanMetadata

# SOP classes of DICOS (NEMA IIC 1) live under this root; anything else is plain DICOM.
DICOS_ROOT = "1.2.840.10008.5.1.4.1.1.501."
TDR_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.501.3"
DX_SOP_CLASSES = {"1.2.840.10008.5.1.4.1.1.501.2.1", "1.2.840.10008.5.1.4.1.1.501.2.2"}
CT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.501.1"

# DICOS OOI Type (4010,1042) to the station's object kinds.
_OOI_KINDS = {
    "BAGGAGE": "baggage", "CARRY_ON": "baggage", "CHECKED": "baggage", "BAG": "baggage",
    "CARGO": "cargo", "CONTAINER": "cargo", "VEHICLE": "cargo", "PALLET": "cargo",
    "PARCEL": "parcel", "MAIL": "parcel", "PACKAGE": "parcel",
}


def text(ds: Dataset, keyword: str) -> str | None:
    """The element as a stripped string, or None when absent, empty or unreadable."""
    try:
        value = ds.get(keyword)
    except Exception:  # a malformed element raises on access in some pydicom versions
        return None
    if value is None:
        return None
    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    value = str(value).strip()
    return value or None


def number(ds: Dataset, keyword: str, index: int = 0) -> float | None:
    """A positive number from the element (index into multi-valued ones), else None."""
    try:
        value = ds.get(keyword)
        if value is None:
            return None
        if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
            value = value[index]
        result = float(value)
    except (TypeError, ValueError, IndexError, AttributeError):
        return None
    return result if 0 < result < math.inf else None  # NaN fails both comparisons


def numbers(ds: Dataset, keyword: str) -> list[float]:
    try:
        value = ds.get(keyword)
        if value is None:
            return []
        many = isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue"
        values = value if many else [value]
        return [float(v) for v in values]
    except (TypeError, ValueError):
        return []


def is_dicos(ds: Dataset) -> bool:
    sop_class = text(ds, "SOPClassUID") or ""
    return sop_class.startswith(DICOS_ROOT) or text(ds, "DICOSVersion") is not None


def image_characteristics(ds: Dataset) -> set[str]:
    """DICOS Image Type values such as HIGH ENERGY, LOW ENERGY, INTENSITY, MULTI ENERGY."""
    values = ds.get("ImageType") or []
    if isinstance(values, str):
        values = values.split("\\")
    return {str(v).strip().upper().replace("_", " ") for v in values}


def energy_role(ds: Dataset) -> str | None:
    """'high' or 'low' when the header says which energy this image is."""
    kinds = image_characteristics(ds)
    if "HIGH ENERGY" in kinds or "HIGHENERGY" in kinds:
        return "high"
    if "LOW ENERGY" in kinds or "LOWENERGY" in kinds:
        return "low"
    return None


def scan_metadata(ds: Dataset) -> ScanMetadata:
    """ScanMetadata from the header; DICOS identifiers go in ``extra`` for linking TDRs."""
    pitch = number(ds, "ImagerPixelSpacing") or number(ds, "PixelSpacing")
    maker = " ".join(v for v in (text(ds, "Manufacturer"), text(ds, "ManufacturerModelName")) if v)
    ooi = (text(ds, "OOIType") or "").upper()
    kvp = numbers(ds, "KVP")
    metadata = ScanMetadata(
        pixel_pitch_mm=pitch,
        scanner=maker or text(ds, "StationName"),
        energy_high_kev=max(kvp) if kvp and max(kvp) > 0 else None,
        energy_low_kev=min(kvp) if len(kvp) > 1 and min(kvp) > 0 else None,
        object_id=text(ds, "PatientID"),  # DICOS reuses Patient ID as the object-of-inspection id
        object_kind=_OOI_KINDS.get(ooi, ooi.lower() or None),
        extra=_identifiers(ds),
    )
    return metadata


def _identifiers(ds: Dataset) -> dict[str, Any]:
    keys = {
        "sop_instance_uid": "SOPInstanceUID", "sop_class_uid": "SOPClassUID",
        "study_instance_uid": "StudyInstanceUID", "series_instance_uid": "SeriesInstanceUID",
        "modality": "Modality", "dicos_version": "DICOSVersion", "scan_id": "StudyID",
        "object_id_type": "TypeOfPatientID", "object_id_issuer": "IssuerOfPatientID",
        "scan_type": "ScanType", "acquisition_status": "AcquisitionStatus",
        "photometric_interpretation": "PhotometricInterpretation", "station_name": "StationName",
        "device_serial_number": "DeviceSerialNumber", "software_versions": "SoftwareVersions",
        "content_date": "ContentDate", "content_time": "ContentTime",
    }
    extra: dict[str, Any] = {"source": "dicos" if is_dicos(ds) else "dicom"}
    for key, keyword in keys.items():
        value = text(ds, keyword)
        if value is not None:
            extra[key] = value
    orientation = numbers(ds, "ImageOrientationPatient")
    if len(orientation) == 6:
        extra["image_orientation"] = orientation
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is not None:
        extra["transfer_syntax"] = str(getattr(syntax, "name", syntax))
    return extra
