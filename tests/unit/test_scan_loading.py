"""Loaders: every supported format and every kind of bad input."""

import json
import os
import struct

import cv2
import numpy as np
import pytest
import tifffile

from xrayreview.scan import ScanError, load_scan


def _gradient(dtype=np.uint16, shape=(40, 60)):
    info = np.iinfo(dtype)
    return np.linspace(0, info.max, shape[0] * shape[1]).reshape(shape).astype(dtype)


@pytest.mark.parametrize("ext", [".png", ".bmp", ".tif"])
def test_8bit_grey_keeps_raw_values(tmp_path, ext):
    image = _gradient(np.uint8)
    path = tmp_path / f"scan{ext}"
    cv2.imwrite(str(path), image)
    scan = load_scan(path)
    assert scan.full_scale == 255
    assert np.array_equal(scan.high, image.astype(np.uint16))
    assert scan.raw_value(5, 7) == (int(image[7, 5]),)


@pytest.mark.parametrize("ext", [".png", ".tif"])
def test_16bit_grey_is_exact(tmp_path, ext):
    image = _gradient()
    path = tmp_path / f"scan{ext}"
    cv2.imwrite(str(path), image) if ext == ".png" else tifffile.imwrite(path, image)
    scan = load_scan(path)
    assert scan.full_scale == 65535
    assert np.array_equal(scan.high, image)


def test_jpeg_rgb_keeps_colour(tmp_path):
    rgb = np.zeros((32, 48, 3), np.uint8)
    rgb[:, :, 0] = 200
    rgb[:, 24:, 2] = 150
    path = tmp_path / "bag.jpg"
    cv2.imwrite(str(path), rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 100])
    scan = load_scan(path)
    assert scan.colour is not None and scan.colour.shape == (32, 48, 3)
    assert abs(int(scan.colour[5, 5, 0]) - 200) <= 3
    assert len(scan.raw_value(1, 1)) == 3


def test_float_tiff_keeps_raw_numbers(tmp_path):
    image = np.linspace(0.0, 1.0, 600, dtype=np.float32).reshape(20, 30)
    path = tmp_path / "t.tif"
    tifffile.imwrite(path, image)
    scan = load_scan(path)
    assert scan.high.dtype == np.uint16
    assert scan.raw_value(29, 19) == (pytest.approx(1.0),)
    assert scan.raw_value(3, 2)[0] == pytest.approx(float(image[2, 3]))


def test_two_page_tiff_is_dual_energy(tmp_path):
    high, low = _gradient(), _gradient() // 2
    path = tmp_path / "de.tif"
    tifffile.imwrite(path, np.stack([high, low]))
    scan = load_scan(path)
    assert scan.is_dual_energy
    assert np.array_equal(scan.low, low)


def test_bigtiff_and_multipage(tmp_path):
    pages = [_gradient(), _gradient((20, 30)) if False else _gradient(shape=(20, 30))]
    path = tmp_path / "big.tif"
    with tifffile.TiffWriter(path, bigtiff=True) as writer:
        for page in pages:
            writer.write(page)
    scan = load_scan(path)
    assert scan.high.shape == (40, 60)
    assert any("pages" in w for w in scan.warnings)


def test_named_pair_opens_as_dual_energy_with_sidecar(tmp_path):
    high, low = _gradient(), _gradient() // 3
    tifffile.imwrite(tmp_path / "truck7_high.tif", high)
    tifffile.imwrite(tmp_path / "truck7_low.tif", low)
    (tmp_path / "truck7.json").write_text(json.dumps({
        "pixel_pitch_mm": 4.0, "energy_high_kev": 6000, "energy_low_kev": 4000,
        "container_id": "MSCU1234565", "manifest": "tiles, ceramic",
    }))
    scan = load_scan(tmp_path / "truck7_low.tif")
    assert np.array_equal(scan.high, high) and np.array_equal(scan.low, low)
    assert scan.metadata.pixel_pitch_mm == 4.0
    assert scan.metadata.object_id == "MSCU1234565"
    assert ("Energy", "6 MeV / 4 MeV") in scan.metadata.display_items()
    assert len(scan.sha256) == 64


def test_wrong_extension_still_opens_with_a_note(tmp_path):
    path = tmp_path / "really_jpeg.png"
    ok, buffer = cv2.imencode(".jpg", _gradient(np.uint8))
    path.write_bytes(buffer.tobytes())
    scan = load_scan(path)
    assert any("really a JPEG" in w for w in scan.warnings)


def test_broken_sidecar_is_a_warning_not_a_failure(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), _gradient(np.uint8))
    (tmp_path / "a.json").write_text("{not json")
    scan = load_scan(tmp_path / "a.png")
    assert scan.metadata.pixel_pitch_mm is None
    assert scan.warnings


def _png_bytes(image):
    return cv2.imencode(".png", image)[1].tobytes()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.png", b"", "empty"),
        ("notes.png", b"this is a text file, not a scan", "not a scan"),
        ("cut.png", None, "truncated"),
        ("cut.jpg", None, "truncated"),
        ("bomb.png", None, "megapixels"),
    ],
)
def test_bad_input_raises_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    if name == "cut.png":
        content = _png_bytes(_gradient(np.uint8, (200, 200)))[:300]
    elif name == "cut.jpg":
        content = cv2.imencode(".jpg", _gradient(np.uint8, (200, 200)))[1].tobytes()[:400]
    elif name == "bomb.png":
        data = bytearray(_png_bytes(_gradient(np.uint8)))
        data[16:24] = struct.pack(">II", 100_000, 100_000)
        content = bytes(data)
    path.write_bytes(content)
    with pytest.raises(ScanError, match=message):
        load_scan(path)


def test_unsupported_bit_depth(tmp_path):
    path = tmp_path / "int32.tif"
    tifffile.imwrite(path, np.zeros((10, 10), np.int32))
    with pytest.raises(ScanError, match="int32"):
        load_scan(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ScanError, match="does not exist"):
        load_scan(tmp_path / "nope.tif")
    with pytest.raises(ScanError, match="folder"):
        load_scan(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.png"
    cv2.imwrite(str(path), _gradient(np.uint8))
    path.chmod(0)
    with pytest.raises(ScanError, match="permission"):
        load_scan(path)


def test_permission_denied_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "locked.png"
    cv2.imwrite(str(path), _gradient(np.uint8))

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(ScanError, match="permission denied"):
        load_scan(path)
