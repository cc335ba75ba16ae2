"""Tell a file's real format from its first bytes, and read image sizes from headers.

Sizes are read before any pixel is decoded so that a decompression bomb is refused
without allocating its memory.
"""

from __future__ import annotations

import struct

# Refused above this: a 40 ft container with the truck at 3 mm/px is ~6 MP, the largest
# real cargo images ~100 MP; 400 MP leaves headroom yet stops a bomb before it allocates GBs.
MAX_PIXELS = 400_000_000
MAX_SIDE = 200_000

MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
)


def sniff_format(head: bytes) -> str | None:
    """'png', 'jpeg', 'bmp', 'tiff', 'dicom' or None for anything else."""
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    return None


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def bmp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 26:
        return None
    width, height = struct.unpack("<ii", data[18:26])
    return abs(width), abs(height)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG markers to the first start-of-frame and read its size."""
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if i + 4 > n:
            return None
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > n:
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def header_size(kind: str, data: bytes) -> tuple[int, int] | None:
    return {"png": png_size, "bmp": bmp_size, "jpeg": jpeg_size}.get(kind, lambda _: None)(data)


def check_dimensions(width: int, height: int, what: str) -> str | None:
    """A reason to refuse these dimensions, or None when they are plausible."""
    if width <= 0 or height <= 0:
        return f"{what} says it is {width} × {height} pixels, which is not an image."
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        return (
            f"{what} claims to be {width:,} × {height:,} pixels; that is beyond any scanner "
            f"(limit {MAX_PIXELS // 1_000_000} megapixels), so it was not opened."
        )
    return None
