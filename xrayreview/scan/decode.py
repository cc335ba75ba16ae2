"""Decode one file's bytes into arrays of the scanner's own numbers."""

from __future__ import annotations

import io

import cv2
import numpy as np
import tifffile

from .errors import ScanError
from .sniff import check_dimensions, header_size


def decode_raster(kind: str, data: bytes, name: str) -> np.ndarray:
    """PNG, JPEG or BMP to (H, W) or (H, W, 3) RGB, uint8 or uint16."""
    size = header_size(kind, data)
    if size is None:
        raise ScanError(f"{name} is damaged: its {kind.upper()} header is incomplete.")
    reason = check_dimensions(*size, name)
    if reason:
        raise ScanError(reason)
    if kind == "jpeg" and b"\xff\xd9" not in data[-1024:]:
        raise ScanError(f"{name} is truncated: the JPEG data stops before its end marker.")
    if kind == "png" and not _png_complete(data):
        raise ScanError(f"{name} is truncated: the PNG data stops before its end.")
    # IMREAD_UNCHANGED ignores a JPEG's EXIF orientation, so a photo-style file would open turned
    # or mirrored against every other viewer; JPEG has no alpha to keep, so it is decoded without it.
    flags = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH if kind == "jpeg" else cv2.IMREAD_UNCHANGED
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise ScanError(f"{name} is damaged: the {kind.upper()} data could not be decoded.")
    if image.ndim == 3:
        if image.shape[2] == 4:
            image = image[:, :, :3]
        image = np.ascontiguousarray(image[:, :, ::-1])  # OpenCV decodes BGR
    return image


def _png_complete(data: bytes) -> bool:
    return data.rstrip(b"\x00")[-8:-4] == b"IEND"


# TIFF Orientation (tag 274) to the numpy steps that bring row 0 to the top, column 0 to the left.
_ORIENT = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1), 7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}


def _as_displayed(array: np.ndarray, page: tifffile.TiffPage) -> np.ndarray:
    """The page as its own tags say it is shown: tifffile returns stored order and numbers."""
    if array.ndim in (2, 3) and int(page.photometric) == 0 and array.dtype.kind == "u":
        # MinIsWhite: 0 is white (air). Scans hold air bright, as every other reader here does.
        top = (1 << int(page.bitspersample)) - 1 if page.bitspersample <= array.dtype.itemsize * 8 else None
        array = (top or np.iinfo(array.dtype).max) - array
    turn = _ORIENT.get(int(page.tags.valueof(274, 1) or 1)) if array.ndim in (2, 3) else None
    return np.ascontiguousarray(turn(array)) if turn else array


def decode_tiff(data: bytes, name: str) -> list[np.ndarray]:
    """Every page of a TIFF (or BigTIFF) as arrays, sizes checked before decoding."""
    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            pages = list(tif.pages)
            if not pages:
                raise ScanError(f"{name} is a TIFF with no images in it.")
            for page in pages:
                shape = page.shape
                if len(shape) < 2:
                    raise ScanError(f"{name} holds a TIFF page that is not an image.")
                height, width = (shape[0], shape[1]) if len(shape) == 2 or shape[-1] <= 4 else shape[-2:]
                reason = check_dimensions(int(width), int(height), name)
                if reason:
                    raise ScanError(reason)
            return [_as_displayed(page.asarray(), page) for page in pages]
    except ScanError:
        raise
    except MemoryError as exc:
        raise ScanError(f"{name} is too large to open in the memory this station has.") from exc
    except Exception as exc:  # tifffile raises many types for damaged files
        raise ScanError(f"{name} is damaged or not a readable TIFF ({exc}).") from exc
