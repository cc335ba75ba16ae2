"""DICOS/DICOM pixel data to the Scan's channels: air bright, raw numbers kept.

pydicom decodes; this module checks what it is about to decode (size, decoder present, data
length) so that a bad file becomes a ScanError with a reason instead of a library traceback.
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, get_decoder

from .errors import ScanError
from .normalise import luminance, to_channel
from .sniff import check_dimensions

_ENCAPSULATED_HINT = "It was not opened; the scanner can usually export uncompressed or JPEG-lossless DICOS."


def decode_frames(ds: Dataset, name: str) -> np.ndarray:
    """All frames as an array (frames, rows, cols[, samples]) after checking the header."""
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        meta = getattr(ds, "file_meta", None)
        sop_class = ds.get("SOPClassUID") or (meta.get("MediaStorageSOPClassUID") if meta else None)
        if len(ds) == 0 or "Rows" in ds or "Image" in str(getattr(sop_class, "name", "")):
            raise ScanError(f"{name} is truncated or incomplete: it describes an image but holds no pixels.")
        raise ScanError(f"{name} is a DICOM file without an image in it.")
    rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    reason = check_dimensions(cols, rows, name)
    if reason:
        raise ScanError(reason)
    frames = _number_of_frames(ds)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if samples not in (1, 3):
        raise ScanError(f"{name} has {samples} samples per pixel; the station reads grey or RGB images.")
    if frames * rows * cols * samples > 4 * 400_000_000:
        raise ScanError(f"{name} holds {frames} frames of {cols} × {rows}; that is too large to open.")
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if syntax is not None and syntax.is_compressed:
        _check_decoder(syntax, name)
    elif "PixelData" in ds:
        _check_length(ds, rows, cols, frames, samples, name)
    try:
        array = ds.pixel_array
    except MemoryError as exc:
        raise ScanError(f"{name} is too large to open in the memory this station has.") from exc
    except Exception as exc:  # pydicom and its plugins raise many types for damaged data
        raise ScanError(f"{name} is damaged: its pixel data could not be decoded ({exc}).") from exc
    expected_ndim = 2 + (frames > 1) + (samples > 1)
    if array.ndim != expected_ndim:
        raise ScanError(f"{name} has pixel data that does not match its own header ({array.shape}).")
    return array if frames > 1 else array[None]


def _number_of_frames(ds: Dataset) -> int:
    try:
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        frames = 1
    return max(frames, 1)


def _check_decoder(syntax, name: str) -> None:
    try:
        available = get_decoder(syntax).is_available
    except NotImplementedError:
        available = False
    if not available:
        raise ScanError(
            f"{name} is compressed as {syntax.name}, which this station has no decoder for. "
            + _ENCAPSULATED_HINT
        )


def _check_length(ds: Dataset, rows: int, cols: int, frames: int, samples: int, name: str) -> None:
    bits = int(ds.get("BitsAllocated", 16) or 16)
    if bits not in (1, 8, 16, 32, 64):
        raise ScanError(f"{name} says its pixels are {bits} bits wide, which is not a valid DICOM size.")
    expected = (rows * cols * frames * samples * bits + 7) // 8
    actual = len(ds.PixelData)
    if actual < expected:
        raise ScanError(
            f"{name} is truncated or inconsistent: its header promises {frames} frame(s) of "
            f"{cols} × {rows} ({expected:,} bytes of pixels) but the file holds {actual:,} bytes."
        )


def grey_channel(
    frame: np.ndarray, ds: Dataset, name: str, warnings: list[str]
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """(uint16 channel with air bright, full scale, raw numbers when they differ from the channel)."""
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).upper()
    channel, scale, raw = _integer_or_float(frame, ds, name, warnings)
    if _air_is_dark(photometric, ds, name, warnings):
        raw = frame if raw is None else raw
        channel = (scale - np.minimum(channel, scale)).astype(np.uint16)
    return channel, scale, raw


def _integer_or_float(
    frame: np.ndarray, ds: Dataset, name: str, warnings: list[str]
) -> tuple[np.ndarray, int, np.ndarray | None]:
    if frame.dtype.kind == "f":
        if not np.isfinite(frame).all():
            raise ScanError(f"{name} holds pixels that are not numbers (NaN or infinity).")
        if float(frame.min()) < 0:
            return _stretch(frame, name, warnings)
        return to_channel(frame.astype(np.float32, copy=False), name)
    if frame.dtype == np.uint8:
        return frame.astype(np.uint16), 255, None
    if frame.dtype == np.uint16:
        return np.ascontiguousarray(frame), _stored_scale(ds, 16), None
    if frame.dtype.kind in "iu":
        low, high = int(frame.min()), int(frame.max())
        if low >= 0 and high <= 65535:
            # Signed or 32-bit containers holding 16-bit numbers: exact, nothing lost.
            return frame.astype(np.uint16), _stored_scale(ds, 16), frame
        if low >= 0:
            scaled = np.round(frame.astype(np.float64) * (65535.0 / high)).astype(np.uint16)
            return scaled, 65535, frame
        return _stretch(frame, name, warnings)
    raise ScanError(f"{name} has {frame.dtype.name} pixels, which the station does not read.")


def _stored_scale(ds: Dataset, container_bits: int) -> int:
    """Full transmission is the largest number the stored bits can hold (4095 for 12-bit data)."""
    try:
        stored = int(ds.get("BitsStored", container_bits) or container_bits)
    except (TypeError, ValueError):
        stored = container_bits
    return (1 << stored) - 1 if 8 < stored <= container_bits else 65535


def _stretch(frame: np.ndarray, name: str, warnings: list[str]) -> tuple[np.ndarray, int, np.ndarray]:
    # Negative numbers are not transmissions (e.g. CT Hounsfield units); show the range, keep the values.
    warnings.append(f"{name} holds negative pixel values; they are shown stretched, not as transmission.")
    values = frame.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    span = high - low or 1.0
    return np.round((values - low) * (65535.0 / span)).astype(np.uint16), 65535, frame


def _air_is_dark(photometric: str, ds: Dataset, name: str, warnings: list[str]) -> bool:
    """True when the file's numbers fall as transmission rises, so the channel must be inverted.

    MONOCHROME1 means "lowest number shown white"; stations show air white, so air has the
    lowest numbers. The DX Pixel Intensity Relationship Sign says the same thing physically;
    when the two disagree the photometric interpretation wins (it is what every viewer obeys)
    and the officer is told.
    """
    inverted = photometric == "MONOCHROME1"
    sign = ds.get("PixelIntensityRelationshipSign")
    try:
        sign = int(sign) if sign is not None else None
    except (TypeError, ValueError):
        sign = None
    if sign is not None and (sign < 0) != inverted:
        warnings.append(
            f"{name}: photometric interpretation {photometric} and intensity sign {sign:+d} disagree; "
            "the image is shown as its photometric interpretation asks."
        )
    return inverted


def colour_frame(frame: np.ndarray, ds: Dataset, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(uint8 RGB rendering, uint16 luminance, full scale) of a palette or RGB frame."""
    photometric = str(ds.get("PhotometricInterpretation", "")).upper()
    if photometric == "PALETTE COLOR":
        try:
            rgb = apply_color_lut(frame, ds)
        except Exception as exc:  # a missing or malformed lookup table
            raise ScanError(f"{name} is a palette-colour image whose palette is unreadable ({exc}).") from exc
    else:
        rgb = frame
    if rgb.dtype not in (np.uint8, np.uint16):
        raise ScanError(f"{name} is a {rgb.dtype.name} colour image; colour scans must be 8- or 16-bit.")
    scale = 255 if rgb.dtype == np.uint8 else 65535
    colour = rgb if rgb.dtype == np.uint8 else (rgb >> 8).astype(np.uint8)
    return np.ascontiguousarray(colour), luminance(rgb), scale


def is_colour(ds: Dataset) -> bool:
    photometric = str(ds.get("PhotometricInterpretation", "")).upper()
    return photometric == "PALETTE COLOR" or int(ds.get("SamplesPerPixel", 1) or 1) == 3
