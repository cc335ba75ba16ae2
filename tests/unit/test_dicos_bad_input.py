"""Bad DICOM input gives one clear ScanError and leaves the file and the station untouched."""

import numpy as np
import pytest
from dicos_factory import SHARED_DICOS, SHARED_REASON, dx_dataset, gradient, write
from pydicom.encaps import encapsulate
from pydicom.uid import HTJ2KLossless

from xrayreview.scan import ScanError, load_scan


def _good(tmp_path):
    return write(dx_dataset(gradient()), tmp_path / "good.dcs")


def test_truncated_file(tmp_path):
    data = _good(tmp_path).read_bytes()
    cut = tmp_path / "cut.dcs"
    cut.write_bytes(data[: len(data) - 700])
    with pytest.raises(ScanError, match="truncated|damaged"):
        load_scan(cut)
    assert cut.read_bytes() == data[: len(data) - 700]
    assert load_scan(tmp_path / "good.dcs").width == 40  # the next scan still opens


def test_header_cut_inside_an_element(tmp_path):
    data = _good(tmp_path).read_bytes()
    cut = tmp_path / "cut.dcs"
    cut.write_bytes(data[:300])
    with pytest.raises(ScanError, match="truncated|damaged"):
        load_scan(cut)


def test_garbage_after_the_magic(tmp_path):
    path = tmp_path / "junk.dcs"
    path.write_bytes(b"\0" * 128 + b"DICM" + bytes(range(256)) * 4)
    with pytest.raises(ScanError):
        load_scan(path)


def test_dimensions_larger_than_the_data(tmp_path):
    ds = dx_dataset(gradient())
    ds.Rows = 300
    with pytest.raises(ScanError, match="300"):
        load_scan(write(ds, tmp_path / "big.dcs"))


def test_zero_rows(tmp_path):
    ds = dx_dataset(gradient())
    ds.Rows = 0
    with pytest.raises(ScanError, match="not an image"):
        load_scan(write(ds, tmp_path / "zero.dcs"))


def test_missing_transfer_syntax_decoder(tmp_path):
    ds = dx_dataset(gradient())
    ds.file_meta.TransferSyntaxUID = HTJ2KLossless
    ds.PixelData = encapsulate([b"\xff\x4f\xff\x51" + b"\0" * 64])
    with pytest.raises(ScanError, match="no decoder"):
        load_scan(write(ds, tmp_path / "htj2k.dcs"))


def test_damaged_compressed_data(tmp_path):
    ds = dx_dataset(gradient())
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.70"  # JPEG lossless, but the data is junk
    ds.PixelData = encapsulate([b"\xff\xd8" + b"\x13" * 64])
    with pytest.raises(ScanError, match="could not be decoded"):
        load_scan(write(ds, tmp_path / "junk_jpeg.dcs"))


def test_no_pixels(tmp_path):
    ds = dx_dataset(gradient())
    del ds.PixelData
    with pytest.raises(ScanError, match="holds no pixels"):
        load_scan(write(ds, tmp_path / "empty.dcs"))


def test_nan_float_pixels(tmp_path):
    pixels = np.full((8, 8), np.nan, np.float32)
    with pytest.raises(ScanError, match="not numbers"):
        load_scan(write(dx_dataset(pixels), tmp_path / "nan.dcs"))


def test_a_threat_report_is_not_a_scan_and_says_so(tmp_path):
    from xrayreview.reports.tdr import write_operator_tdr

    scan = load_scan(_good(tmp_path))
    path = write_operator_tdr(tmp_path / "op_tdr.dcs", scan=scan, decision="clear", officer="A",
                              marks=[], decided_at="2026-01-01T10:00:00+00:00")
    with pytest.raises(ScanError, match="threat detection report"):
        load_scan(path)


@pytest.mark.skipif(not SHARED_DICOS.is_dir(), reason=SHARED_REASON)
def test_truncated_real_jpeg_lossless_sample(tmp_path):
    data = (SHARED_DICOS / "V03_DXwithTDR_dx.dcs").read_bytes()
    cut = tmp_path / "cut.dcs"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ScanError):
        load_scan(cut)
