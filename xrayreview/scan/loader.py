"""Open any scan file the station supports: the one entry point, `load_scan`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .decode import decode_raster, decode_tiff
from .errors import ScanError
from .model import Scan, ScanMetadata
from .normalise import is_grey_rgb, luminance, same_depth, to_channel, to_channel_pair
from .pairing import find_pair, split_energy_tag
from .sidecar import read_sidecar, sidecar_path
from .sniff import sniff_format

SUPPORTED = "PNG, JPEG, BMP, TIFF/BigTIFF or DICOS"
_EXTENSIONS = {
    "png": {".png"}, "jpeg": {".jpg", ".jpeg", ".jpe"}, "bmp": {".bmp"},
    "tiff": {".tif", ".tiff"}, "dicom": {".dcs", ".dcm", ".dicom", ""},
}


def load_scan(source: str | Path | Sequence[str | Path], *, pair: bool = True) -> Scan:
    """Open a scan: one file, or a (high, low) pair of files.

    With ``pair`` a file named by the dual-energy convention (see ``pairing``) is opened
    together with its partner. Every failure is a ScanError with a readable message.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        # DICOS files say in their headers which energy they hold (the DICOS reader pairs them by
        # that), so the file-name convention is only for formats that cannot say it themselves.
        found = find_pair(path) if pair and not starts_as_dicom(path) else None
        if found:
            high_path, low_path, stem = found
            return _load_pair(high_path, low_path, stem)
        scan = _load_single(path)
        half = split_energy_tag(path) if pair and scan.source_format not in ("dicos", "dicom") else None
        if half is not None:
            # One half of a pair whose partner is gone (a copy cut short, a run stopped): shown, but
            # as single energy, so the officer must know it is not the whole scan.
            scan.warnings.append(f"{path.name} is the {half[1]}-energy half of a dual-energy pair whose "
                                 "other file is missing; it is shown alone, as a single-energy scan.")
        return scan
    paths = [Path(p) for p in source]
    if len(paths) == 1:
        return load_scan(paths[0], pair=pair)
    if len(paths) == 2:
        return _load_pair(paths[0], paths[1], None)
    raise ScanError("A scan is one file or a pair of files (high and low energy).")


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise ScanError(f"{path.name} is a folder, not a scan file.")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ScanError(f"{path} does not exist.") from exc
    except PermissionError as exc:
        raise ScanError(f"{path.name} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise ScanError(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    if not data:
        raise ScanError(f"{path.name} is empty (0 bytes); the scanner may not have finished writing it.")
    return data


def decode_file(path: Path, data: bytes) -> tuple[list[np.ndarray], str, list[str]]:
    """Decoded arrays, the real format, and warnings (e.g. a misleading extension)."""
    kind = sniff_format(data[:132])
    if kind is None:
        raise ScanError(
            f"{path.name} is not a scan the station reads: its content is not {SUPPORTED}."
        )
    warnings = []
    if path.suffix.lower() not in _EXTENSIONS[kind]:
        warnings.append(f"{path.name} is really a {kind.upper()} file despite its extension.")
    if kind == "dicom":
        raise ScanError(f"{path.name} is a DICOM file; it is opened by the DICOS reader.")
    if kind == "tiff":
        return decode_tiff(data, path.name), kind, warnings
    return [decode_raster(kind, data, path.name)], kind, warnings


def _is_dicom(data: bytes) -> bool:
    return sniff_format(data[:132]) == "dicom"


def starts_as_dicom(path: Path) -> bool:
    """Whether the file at ``path`` begins as DICOM (DICOS) does; False when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return _is_dicom(handle.read(132))
    except OSError:
        return False  # read_bytes reports why, in the officer's words


def _load_single(path: Path) -> Scan:
    data = read_bytes(path)
    if _is_dicom(data):
        from .dicos import read_dicos  # noqa: PLC0415 - pydicom is only paid for when needed

        return read_dicos(path, data)
    arrays, kind, warnings = decode_file(path, data)
    scan = _scan_from_arrays(arrays, path.name, warnings)
    scan.source = (path,)
    scan.source_format = kind
    scan.sha256 = hashlib.sha256(data).hexdigest()
    _attach_sidecar(scan, path, None)
    return scan


def _load_pair(high_path: Path, low_path: Path, stem: str | None) -> Scan:
    digest = hashlib.sha256()
    decoded = []
    warnings: list[str] = []
    kind = ""
    high_data = read_bytes(high_path)
    if _is_dicom(high_data) or starts_as_dicom(low_path):
        return _load_dicos_pair(high_path, high_data, low_path)
    for path, data in ((high_path, high_data), (low_path, read_bytes(low_path))):
        digest.update(data)
        arrays, kind, file_warnings = decode_file(path, data)
        warnings += file_warnings
        array = arrays[0]
        if array.ndim != 2:
            raise ScanError(f"{path.name} should be one grey energy channel, but it is colour.")
        decoded.append(array)
    if decoded[0].shape != decoded[1].shape:
        (high_h, high_w), (low_h, low_w) = decoded[0].shape, decoded[1].shape
        raise ScanError(
            f"The energy pair {high_path.name} ({high_w} × {high_h}) and "
            f"{low_path.name} ({low_w} × {low_h}) differ in size."
        )
    (high, high_scale, raw_high), (low, low_scale, raw_low) = to_channel_pair(
        decoded[0], decoded[1], high_path.name, low_path.name)
    if high_scale != low_scale:
        raise ScanError(f"The energy pair {high_path.name} and {low_path.name} differ in bit depth.")
    scan = Scan(
        high=high, low=low, full_scale=high_scale, raw_high=raw_high, raw_low=raw_low,
        source=(high_path, low_path), source_format=kind, sha256=digest.hexdigest(),
        warnings=warnings,
    )
    _attach_sidecar(scan, high_path, stem)
    return scan


def _load_dicos_pair(high_path: Path, high_data: bytes, low_path: Path) -> Scan:
    """The two energy files of one DICOS scan, as named (e.g. a logged decision reopened)."""
    from .dicos import read_dicos  # noqa: PLC0415 - pydicom is only paid for when needed

    if not _is_dicom(high_data) or not starts_as_dicom(low_path):
        read_bytes(low_path)  # a missing or empty file says so first
        raise ScanError(f"{high_path.name} and {low_path.name} are not both DICOS files, so they are "
                        "not the two energies of one scan.")
    scan = read_dicos(high_path, high_data, partner=low_path)
    if {p.resolve() for p in scan.source} != {high_path.resolve(), low_path.resolve()}:
        why = " ".join(scan.warnings[-1:])
        raise ScanError(f"{high_path.name} and {low_path.name} are not the two energies of one DICOS "
                        f"scan. {why}".strip())
    return scan


def _scan_from_arrays(arrays: list[np.ndarray], name: str, warnings: list[str]) -> Scan:
    first = arrays[0]
    if first.ndim == 3 and first.shape[2] == 1:
        first = first[:, :, 0]
    second = arrays[1] if len(arrays) >= 2 else None
    if first.ndim == 2 and second is not None and second.shape == first.shape and same_depth(first, second):
        if len(arrays) > 2:
            warnings.append(f"{name} has {len(arrays)} pages; the first two are used as high/low energy.")
        (high, scale, raw_high), (low, _, raw_low) = to_channel_pair(first, arrays[1], name, name)
        return Scan(high=high, low=low, full_scale=scale, raw_high=raw_high, raw_low=raw_low,
                    warnings=warnings)
    if len(arrays) > 1:
        # A second page of another size or depth is a thumbnail or a mask, not the other energy.
        warnings.append(f"{name} has {len(arrays)} pages of different sizes or depths; showing the first.")
    if first.ndim == 2:
        high, scale, raw = to_channel(first, name)
        return Scan(high=high, full_scale=scale, raw_high=raw, warnings=warnings)
    if first.ndim == 3 and first.shape[2] == 2:
        (high, scale, raw_high), (low, _, raw_low) = to_channel_pair(
            first[:, :, 0], first[:, :, 1], name, name)
        return Scan(high=high, low=low, full_scale=scale, raw_high=raw_high, raw_low=raw_low,
                    warnings=warnings)
    if first.ndim == 3 and first.shape[2] in (3, 4):
        rgb = first[:, :, :3]
        if rgb.dtype not in (np.uint8, np.uint16):
            raise ScanError(f"{name} is a {rgb.dtype.name} colour image; colour scans must be 8- or 16-bit.")
        if is_grey_rgb(rgb):
            high, scale, raw = to_channel(np.ascontiguousarray(rgb[:, :, 0]), name)
            return Scan(high=high, full_scale=scale, raw_high=raw, warnings=warnings)
        scale = 255 if rgb.dtype == np.uint8 else 65535
        colour = rgb if rgb.dtype == np.uint8 else (rgb >> 8).astype(np.uint8)
        return Scan(high=luminance(rgb), full_scale=scale, colour=np.ascontiguousarray(colour),
                    warnings=warnings)
    raise ScanError(f"{name} has an image layout the station does not read ({first.shape}).")


def _attach_sidecar(scan: Scan, path: Path, stem: str | None) -> None:
    found = sidecar_path(path, stem)
    if found is None:
        scan.metadata = ScanMetadata()
        return
    scan.metadata, warnings = read_sidecar(found)
    scan.warnings += warnings
