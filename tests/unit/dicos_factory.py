"""Build small real DICOS files with pydicom for the DICOS and TDR tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from xrayreview.paths import REPO_ROOT

DX_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.501.2.2"
SHARED_DICOS = REPO_ROOT.parent / "shared" / "dicos"
SHARED_REASON = f"DICOS sample files not present at {SHARED_DICOS} (third-party data, never committed)"


def new_dataset(sop_class: str) -> Dataset:
    """An empty dataset of ``sop_class`` with its file meta, in explicit VR little endian."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    return ds


def dx_dataset(pixels: np.ndarray, *, photometric: str = "MONOCHROME2", sop_class: str = DX_FOR_PROCESSING,
               modality: str = "DX", dicos: bool = True, **elements) -> Dataset:
    """A DX dataset holding ``pixels`` (frames first when 3-D) in explicit VR little endian."""
    ds = new_dataset(sop_class)
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    if dicos:
        ds.DICOSVersion = "V03"
        ds.OOIType = "CARGO"
    frames = pixels if pixels.ndim == 3 and photometric not in ("RGB",) else pixels[None]
    if photometric == "RGB":
        frames = pixels[None]
    ds.Rows, ds.Columns = frames.shape[1], frames.shape[2]
    if frames.shape[0] > 1:
        ds.NumberOfFrames = frames.shape[0]
    ds.SamplesPerPixel = 3 if photometric == "RGB" else 1
    if photometric == "RGB":
        ds.PlanarConfiguration = 0
    ds.PhotometricInterpretation = photometric
    bits = pixels.dtype.itemsize * 8
    if pixels.dtype.kind == "f":
        ds.BitsAllocated = bits
        if bits == 32:
            ds.FloatPixelData = pixels.astype("<f4").tobytes()
        else:
            ds.DoubleFloatPixelData = pixels.astype("<f8").tobytes()
    else:
        ds.BitsAllocated = bits
        ds.BitsStored = bits
        ds.HighBit = bits - 1
        ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
        ds.PixelData = pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()
    for keyword, value in elements.items():
        setattr(ds, keyword, value)
    return ds


def write(ds: Dataset, path: Path) -> Path:
    ds.save_as(path, enforce_file_format=True)
    return path


def gradient(shape=(30, 40), dtype=np.uint16) -> np.ndarray:
    top = np.iinfo(dtype).max if dtype().dtype.kind in "iu" else 1.0
    return np.linspace(top * 0.1, top * 0.9, shape[0] * shape[1]).reshape(shape).astype(dtype)
