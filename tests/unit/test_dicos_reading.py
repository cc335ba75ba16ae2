"""DICOS DX files open as Scans: pixel kinds, air bright, dual energy, metadata, real samples."""

import numpy as np
import pytest
from dicos_factory import SHARED_DICOS, SHARED_REASON, dx_dataset, gradient, write

from xrayreview.imaging.standard import render_standard
from xrayreview.scan import ScanError, load_scan


def test_monochrome2_uint16_is_exact(tmp_path):
    pixels = gradient()
    scan = load_scan(write(dx_dataset(pixels), tmp_path / "a.dcs"))
    assert scan.source_format == "dicos"
    assert scan.full_scale == 65535
    assert np.array_equal(scan.high, pixels)
    assert scan.raw_value(3, 2) == (int(pixels[2, 3]),)


def test_monochrome1_is_inverted_so_air_is_bright(tmp_path):
    pixels = gradient()
    pixels[:, :5] = 0  # air: lowest number, shown white under MONOCHROME1
    scan = load_scan(write(dx_dataset(pixels, photometric="MONOCHROME1"), tmp_path / "m1.dcs"))
    assert np.array_equal(scan.high, 65535 - pixels)
    assert scan.high[:, :5].min() == 65535
    assert scan.raw_value(0, 0) == (0,)  # the readout shows the file's own number
    assert not scan.warnings


def test_contradicting_intensity_sign_is_reported(tmp_path):
    ds = dx_dataset(gradient(), photometric="MONOCHROME1", PixelIntensityRelationshipSign=1)
    scan = load_scan(write(ds, tmp_path / "m1.dcs"))
    assert any("disagree" in w for w in scan.warnings)


def test_12_bit_data_has_12_bit_full_scale(tmp_path):
    pixels = (gradient() >> 4).astype(np.uint16)
    ds = dx_dataset(pixels)
    ds.BitsStored, ds.HighBit = 12, 11
    scan = load_scan(write(ds, tmp_path / "b12.dcs"))
    assert scan.full_scale == 4095
    assert np.array_equal(scan.high, pixels)


def test_32_bit_integers_scaled_with_raw_numbers_kept(tmp_path):
    pixels = (gradient().astype(np.uint32) * 1000).astype(np.uint32)
    scan = load_scan(write(dx_dataset(pixels), tmp_path / "b32.dcs"))
    assert scan.high.dtype == np.uint16
    assert scan.high.max() == 65535
    assert scan.raw_value(4, 5) == (int(pixels[5, 4]),)


def test_float_pixels_keep_their_values(tmp_path):
    pixels = np.linspace(0.05, 0.95, 1200, dtype=np.float32).reshape(30, 40)
    scan = load_scan(write(dx_dataset(pixels), tmp_path / "f.dcs"))
    assert scan.raw_value(7, 3)[0] == pytest.approx(float(pixels[3, 7]))
    assert scan.high[29, 39] == round(0.95 * 65535)


def test_palette_colour_becomes_a_colour_scan(tmp_path):
    index = np.tile(np.arange(64, dtype=np.uint8), (16, 1))
    ds = dx_dataset(index, photometric="PALETTE COLOR")
    ramp = (np.arange(256, dtype=np.uint16) * 257).astype("<u2").tobytes()
    zero = np.zeros(256, "<u2").tobytes()
    for colour, data in (("Red", ramp), ("Green", zero), ("Blue", zero)):
        setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [256, 0, 16])
        setattr(ds, f"{colour}PaletteColorLookupTableData", data)
    scan = load_scan(write(ds, tmp_path / "p.dcs"))
    assert scan.colour is not None and scan.colour.shape == (16, 64, 3)
    assert scan.colour[0, 63, 0] == 63 and scan.colour[0, 63, 1] == 0


def test_rgb_becomes_a_colour_scan(tmp_path):
    rgb = np.zeros((10, 12, 3), np.uint8)
    rgb[..., 0] = 250
    scan = load_scan(write(dx_dataset(rgb, photometric="RGB"), tmp_path / "rgb.dcs"))
    assert np.array_equal(scan.colour, rgb)


@pytest.mark.parametrize("low_first", [False, True])
def test_two_frames_are_a_dual_energy_pair(tmp_path, low_first):
    high = gradient()
    low = (high * 0.6).astype(np.uint16)  # the low energy is absorbed more: darker
    frames = np.stack([low, high] if low_first else [high, low])
    scan = load_scan(write(dx_dataset(frames), tmp_path / "de.dcs"))
    assert scan.is_dual_energy
    assert np.array_equal(scan.high, high) and np.array_equal(scan.low, low)


def test_separate_energy_files_are_joined(tmp_path):
    high = gradient()
    low = (high * 0.5).astype(np.uint16)
    study = "1.2.3.4.5"
    high_ds = dx_dataset(high, ImageType=["ORIGINAL", "HIGH ENERGY"], StudyInstanceUID=study, KVP=6000)
    low_ds = dx_dataset(low, ImageType=["ORIGINAL", "LOW ENERGY"], StudyInstanceUID=study, KVP=4000)
    write(high_ds, tmp_path / "obj_a.dcs")
    write(low_ds, tmp_path / "obj_b.dcs")
    write(dx_dataset(low, ImageType=["ORIGINAL", "LOW ENERGY"]), tmp_path / "other_object.dcs")
    for name in ("obj_a.dcs", "obj_b.dcs"):
        scan = load_scan(tmp_path / name)
        assert scan.is_dual_energy, name
        assert np.array_equal(scan.high, high) and np.array_equal(scan.low, low)
        assert (scan.metadata.energy_high_kev, scan.metadata.energy_low_kev) == (6000, 4000)
        assert scan.metadata.extra["sop_instance_uid"] == high_ds.SOPInstanceUID
        assert [p.name for p in scan.source] == ["obj_a.dcs", "obj_b.dcs"]


def test_lone_energy_file_opens_single_with_a_note(tmp_path):
    ds = dx_dataset(gradient(), ImageType=["ORIGINAL", "HIGH ENERGY"])
    scan = load_scan(write(ds, tmp_path / "alone.dcs"))
    assert not scan.is_dual_energy
    assert any("partner" in w for w in scan.warnings)


def test_metadata_from_the_header(tmp_path):
    ds = dx_dataset(gradient(), ImagerPixelSpacing=[4.0, 4.0], KVP=6000, PatientID="MSKU1234565",
                    Manufacturer="Acme", ManufacturerModelName="Linac 6")
    scan = load_scan(write(ds, tmp_path / "meta.dcs"))
    meta = scan.metadata
    assert meta.pixel_pitch_mm == 4.0
    assert meta.energy_high_kev == 6000
    assert meta.object_id == "MSKU1234565"
    assert meta.object_kind == "cargo"
    assert meta.scanner == "Acme Linac 6"
    assert meta.extra["sop_instance_uid"] == ds.SOPInstanceUID


def test_derived_maps_open_with_a_note(tmp_path):
    ds = dx_dataset(gradient(), ImageType=["DERIVED", "Z_EFFECTIVE"])
    scan = load_scan(write(ds, tmp_path / "zeff.dcs"))
    assert any("z effective values" in w for w in scan.warnings)


def test_plain_medical_dicom_opens_with_a_note(tmp_path):
    ds = dx_dataset(gradient(), sop_class="1.2.840.10008.5.1.4.1.1.4", modality="MR", dicos=False)
    scan = load_scan(write(ds, tmp_path / "mr.dcm"))
    assert scan.source_format == "dicom"
    assert any("not a DICOS" in w for w in scan.warnings)


def test_volume_is_refused_clearly(tmp_path):
    ds = dx_dataset(np.stack([gradient()] * 5), sop_class="1.2.840.10008.5.1.4.1.1.2", modality="CT",
                    dicos=False)
    with pytest.raises(ScanError, match="5 frames"):
        load_scan(write(ds, tmp_path / "ct.dcm"))


needs_samples = pytest.mark.skipif(not SHARED_DICOS.is_dir(), reason=SHARED_REASON)


@needs_samples
@pytest.mark.parametrize("name", ["V02_DX_dx.dcs", "V03_DX_01_ExplicitLittleEndian.dcs",
                                  "V03_DXwithTDR_dx.dcs", "V03_Orientation_DX.dcs"])
def test_real_samples_open(name):
    scan = load_scan(SHARED_DICOS / name)
    assert scan.source_format == "dicos"
    assert scan.metadata.object_kind == "baggage"
    assert scan.metadata.energy_high_kev == 5000
    assert scan.metadata.extra["sop_instance_uid"]
    assert render_standard(scan).shape == (scan.height, scan.width, 3)


@needs_samples
def test_real_sample_orientation_and_compression():
    # The orientation sample marks its top-left corner and bottom-right corner in white.
    scan = load_scan(SHARED_DICOS / "V03_Orientation_DX.dcs")
    assert (scan.width, scan.height) == (100, 200)
    assert scan.high[0, 0] == 65535 and scan.high[-1, -1] == 65535
    assert scan.high[-1, 0] == 0 and scan.high[0, -1] == 0
    # The JPEG-lossless V02 file holds the same picture as the V03 one: lossless decoding is exact.
    assert np.array_equal(load_scan(SHARED_DICOS / "V02_DX_dx.dcs").high, scan.high)
