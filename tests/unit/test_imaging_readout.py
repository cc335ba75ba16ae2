"""Pixel readout on scans opened from real files: the file's own numbers come back."""

import json

import cv2
import numpy as np
import pytest
import tifffile

from xrayreview.imaging.display import DEFAULT, Renderer
from xrayreview.scan import load_scan


def test_8bit_png_reads_raw_value_and_transmission(tmp_path):
    image = np.arange(200, dtype=np.uint8).reshape(10, 20)
    cv2.imwrite(str(tmp_path / "bag.png"), image)
    info = Renderer(load_scan(tmp_path / "bag.png")).pixel_info(7, 3)
    assert info.raw == (67,)
    assert info.transmission == (pytest.approx(67 / 255),)
    assert info.material is None
    assert "raw 67" in info.label()


def test_16bit_tiff_reads_raw_value(tmp_path):
    image = (np.arange(200, dtype=np.uint16) * 300).reshape(10, 20)
    tifffile.imwrite(tmp_path / "truck.tif", image)
    info = Renderer(load_scan(tmp_path / "truck.tif")).pixel_info(19, 9)
    assert info.raw == (59700,)
    assert info.transmission == (pytest.approx(59700 / 65535),)


def test_float_tiff_reads_the_float_not_the_display_value(tmp_path):
    image = np.linspace(0.0, 1.0, 200, dtype=np.float32).reshape(10, 20)
    tifffile.imwrite(tmp_path / "t.tif", image)
    info = Renderer(load_scan(tmp_path / "t.tif")).pixel_info(3, 2)
    assert isinstance(info.raw[0], float)
    assert info.raw[0] == pytest.approx(float(image[2, 3]))
    assert info.transmission[0] == pytest.approx(float(image[2, 3]), abs=1e-4)


def test_dual_energy_pair_reads_both_channels_and_material(tmp_path):
    high = np.full((10, 20), 65535, np.uint16)
    low = high.copy()
    high[4, 5], low[4, 5] = 13053, 8653  # 10 cm of water at 140/80 kV
    tifffile.imwrite(tmp_path / "case_high.tif", high)
    tifffile.imwrite(tmp_path / "case_low.tif", low)
    (tmp_path / "case.json").write_text(json.dumps({"energy_high_kev": 140, "energy_low_kev": 80}))
    renderer = Renderer(load_scan(tmp_path / "case_high.tif"))
    info = renderer.pixel_info(5, 4)
    assert info.raw == (13053, 8653)
    assert info.transmission == (pytest.approx(13053 / 65535), pytest.approx(8653 / 65535))
    assert info.material == "organic"
    assert renderer.pixel_info(0, 0).material == "none"


def test_colour_file_reads_rgb(tmp_path):
    rgb = np.zeros((10, 20, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 120, 40
    cv2.imwrite(str(tmp_path / "sixray.png"), rgb[..., ::-1])
    scan = load_scan(tmp_path / "sixray.png")
    info = Renderer(scan).pixel_info(2, 2)
    assert info.raw == (200, 120, 40)
    assert info.material is None
    assert "luma" in info.label()
    full = Renderer(scan).render(DEFAULT, (0, 0, 20, 10), (20, 10))
    assert full[2, 2].tolist() == [200, 120, 40]


@pytest.mark.parametrize(("x", "y"), [(-1, 0), (0, -1), (20, 0), (0, 10)])
def test_outside_the_scan_there_is_no_readout(tmp_path, x, y):
    cv2.imwrite(str(tmp_path / "bag.png"), np.zeros((10, 20), np.uint8))
    assert Renderer(load_scan(tmp_path / "bag.png")).pixel_info(x, y) is None
