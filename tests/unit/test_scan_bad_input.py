"""Scans that used to open wrong without a word: energies on different scales, DICOS pairs
named by the file convention, MinIsWhite TIFFs, and orientation the file itself declares."""

import struct

import cv2
import numpy as np
import pytest
import tifffile
from dicos_factory import dx_dataset, gradient, write

from xrayreview.scan import ScanError, load_scan

SHAPE = (20, 30)


def _float(value: float) -> np.ndarray:
    return np.full(SHAPE, value, np.float32)


@pytest.mark.parametrize("layout", ["named pair", "two pages", "two samples"])
def test_float_energies_share_one_scale(tmp_path, layout):
    # Intensities above 1 are scaled by a maximum: it must be the pair's, or low/high is lost.
    high, low = _float(1000.0), _float(500.0)
    if layout == "named pair":
        tifffile.imwrite(tmp_path / "bag_high.tif", high)
        tifffile.imwrite(tmp_path / "bag_low.tif", low)
        path = tmp_path / "bag_high.tif"
    elif layout == "two pages":
        path = tmp_path / "bag.tif"
        tifffile.imwrite(path, np.stack([high, low]))
    else:
        path = tmp_path / "bag.tif"
        tifffile.imwrite(path, np.dstack([high, low]), photometric="minisblack", planarconfig="contig")
    scan = load_scan(path)
    assert scan.is_dual_energy
    assert scan.high[0, 0] == 65535 and abs(int(scan.low[0, 0]) - 32768) <= 1
    assert scan.raw_value(0, 0) == (1000.0, 500.0)


def test_float_transmissions_keep_their_values(tmp_path):
    tifffile.imwrite(tmp_path / "bag.tif", np.stack([_float(0.8), _float(0.4)]))
    scan = load_scan(tmp_path / "bag.tif")
    assert (scan.high[0, 0], scan.low[0, 0]) == (52428, 26214)


def test_pair_of_float_and_integer_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "bag_high.tif", _float(0.5))
    tifffile.imwrite(tmp_path / "bag_low.tif", np.full(SHAPE, 1000, np.uint16))
    with pytest.raises(ScanError, match="bag_high.tif and bag_low.tif differ in bit depth"):
        load_scan(tmp_path / "bag_low.tif")


@pytest.mark.parametrize("depths", [(np.uint16, np.uint8), (np.uint8, np.uint16)])
def test_pages_of_different_depth_are_not_an_energy_pair(tmp_path, depths):
    path = tmp_path / "mixed.tif"
    with tifffile.TiffWriter(path) as tif:
        for dtype in depths:
            tif.write(np.full(SHAPE, 200, dtype))
    scan = load_scan(path)
    assert not scan.is_dual_energy
    assert scan.full_scale == (65535 if depths[0] == np.uint16 else 255)
    assert any("different sizes or depths" in w for w in scan.warnings)


def _dicos_pair(folder, high_name, low_name):
    high = gradient()
    low = (high * 0.5).astype(np.uint16)
    write(dx_dataset(high, ImageType=["ORIGINAL", "HIGH ENERGY"], StudyInstanceUID="1.2.3", KVP=6000),
          folder / high_name)
    write(dx_dataset(low, ImageType=["ORIGINAL", "LOW ENERGY"], StudyInstanceUID="1.2.3", KVP=4000),
          folder / low_name)
    return high, low


@pytest.mark.parametrize("opened", ["bag_high.dcs", "bag_low.dcs"])
def test_dicos_files_named_by_the_pair_convention_open(tmp_path, opened):
    high, low = _dicos_pair(tmp_path, "bag_high.dcs", "bag_low.dcs")
    scan = load_scan(tmp_path / opened)
    assert scan.is_dual_energy
    assert np.array_equal(scan.high, high) and np.array_equal(scan.low, low)


def test_dicos_pair_reopens_from_its_logged_files(tmp_path):
    # A decision logs scan.source; the audit reopens exactly those two files.
    _dicos_pair(tmp_path, "obj_a.dcs", "obj_b.dcs")
    first = load_scan(tmp_path / "obj_b.dcs")
    again = load_scan(list(first.source), pair=True)
    assert again.is_dual_energy and again.sha256 == first.sha256
    assert again.source == first.source


def test_two_unrelated_dicos_files_are_not_a_pair(tmp_path):
    write(dx_dataset(gradient(), ImageType=["ORIGINAL", "HIGH ENERGY"]), tmp_path / "a.dcs")
    write(dx_dataset(gradient(), ImageType=["ORIGINAL", "HIGH ENERGY"]), tmp_path / "b.dcs")
    with pytest.raises(ScanError, match="a.dcs and b.dcs are not the two energies"):
        load_scan([tmp_path / "a.dcs", tmp_path / "b.dcs"])


def test_dicos_with_a_non_dicos_partner_is_refused(tmp_path):
    write(dx_dataset(gradient(), ImageType=["ORIGINAL", "HIGH ENERGY"]), tmp_path / "a.dcs")
    tifffile.imwrite(tmp_path / "b.tif", gradient())
    with pytest.raises(ScanError, match="not both DICOS"):
        load_scan([tmp_path / "a.dcs", tmp_path / "b.tif"])


def test_min_is_white_tiff_shows_air_bright(tmp_path):
    stored = np.zeros(SHAPE, np.uint16)
    stored[5:10, 5:10] = 60000  # with MinIsWhite, 0 is air (white) and 60000 a dense object
    tifffile.imwrite(tmp_path / "mw.tif", stored, photometric="miniswhite")
    scan = load_scan(tmp_path / "mw.tif")
    assert scan.high[0, 0] == 65535 and scan.high[6, 6] == 65535 - 60000


def _marked() -> np.ndarray:
    image = np.zeros((20, 40), np.uint8)
    image[:5, :10] = 255  # a bright block at the stored top left of a landscape image
    return image


@pytest.mark.parametrize("orientation, shape, corner", [(1, (20, 40), (0, 0)), (3, (20, 40), (19, 39)),
                                                         (6, (40, 20), (0, 19)), (8, (40, 20), (39, 0))])
def test_tiff_orientation_tag_is_honoured(tmp_path, orientation, shape, corner):
    path = tmp_path / "turned.tif"
    tifffile.imwrite(path, _marked(), extratags=[(274, "H", 1, orientation, False)])
    scan = load_scan(path)
    assert scan.high.shape == shape and scan.high[corner] == 255


def _with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    tiff = b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHIHH", 274, 3, 1, orientation, 0)
    payload = b"Exif\x00\x00" + tiff + struct.pack("<I", 0)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def test_jpeg_exif_orientation_is_honoured(tmp_path):
    jpeg = cv2.imencode(".jpg", _marked(), [cv2.IMWRITE_JPEG_QUALITY, 100])[1].tobytes()
    path = tmp_path / "turned.jpg"
    path.write_bytes(_with_exif_orientation(jpeg, 6))  # "rotate 90° clockwise to show"
    scan = load_scan(path)
    assert scan.high.shape == (40, 20)
    assert scan.high[1, 18] > 200 and scan.high[1, 1] < 50


@pytest.mark.parametrize("pitch", ["Infinity", "1e400", "NaN"])
def test_an_infinite_pitch_in_a_sidecar_is_ignored_with_a_warning(tmp_path, pitch):
    cv2.imwrite(str(tmp_path / "a.png"), gradient(dtype=np.uint8))
    (tmp_path / "a.json").write_text(f'{{"pixel_pitch_mm": {pitch}, "energy_high_kev": 1e400}}')
    scan = load_scan(tmp_path / "a.png")
    assert scan.metadata.pixel_pitch_mm is None and scan.metadata.energy_high_kev is None
    assert any("pixel_pitch_mm" in w for w in scan.warnings)


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")  # pydicom, writing the bad file
@pytest.mark.parametrize("spacing", ["inf", "nan", "-1"])
def test_a_dicos_pixel_spacing_that_is_no_length_is_ignored(tmp_path, spacing):
    path = write(dx_dataset(gradient(), ImagerPixelSpacing=[spacing, spacing]), tmp_path / "a.dcs")
    assert load_scan(path).metadata.pixel_pitch_mm is None


def test_half_of_a_pair_without_its_partner_opens_with_a_warning(tmp_path):
    cv2.imwrite(str(tmp_path / "bag_low.png"), gradient(dtype=np.uint8))
    scan = load_scan(tmp_path / "bag_low.png")
    assert not scan.is_dual_energy
    assert any("low-energy half of a dual-energy pair" in w for w in scan.warnings)
    cv2.imwrite(str(tmp_path / "bag_high.png"), gradient(dtype=np.uint8))
    assert not any("half" in w for w in load_scan(tmp_path / "bag_low.png").warnings)  # the pair opens


def test_float_transmissions_with_noise_above_one_are_clipped_not_rescaled(tmp_path):
    # Open air in a flat-field corrected scan reads 1.0 with noise: a few pixels at 1.04 must not
    # darken the whole scan (and shift every material ratio's display) by 4 %.
    high, low = _float(0.8), _float(0.4)
    high[0, :5] = 1.04
    low[0, :5] = 1.02
    tifffile.imwrite(tmp_path / "bag.tif", np.stack([high, low]))
    scan = load_scan(tmp_path / "bag.tif")
    assert (scan.high[5, 5], scan.low[5, 5]) == (52428, 26214)
    assert scan.high[0, 0] == scan.low[0, 0] == 65535
    assert scan.raw_value(0, 0) == pytest.approx((1.04, 1.02))



def test_a_hot_pixel_far_above_one_does_not_make_a_transmission_an_intensity(tmp_path):
    # One dead or hot detector pixel at 3.0 used to tip the whole scan into "intensity" and divide
    # every pixel by 3.
    high, low = np.full((100, 100), 0.8, np.float32), np.full((100, 100), 0.4, np.float32)
    high[0, 0] = 3.0
    tifffile.imwrite(tmp_path / "bag.tif", np.stack([high, low]))
    scan = load_scan(tmp_path / "bag.tif")
    assert (scan.high[5, 5], scan.low[5, 5]) == (52428, 26214)
    assert scan.high[0, 0] == 65535 and scan.raw_value(0, 0)[0] == pytest.approx(3.0)
