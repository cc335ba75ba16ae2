"""The Scan: what every reader produces and every other layer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class ScanMetadata:
    """What a sidecar file or the scanner's own header tells about a scan."""

    pixel_pitch_mm: float | None = None
    scanner: str | None = None
    # Nominal source energies in keV: tube kVp for baggage, linac endpoint (6 MeV = 6000) for cargo.
    energy_high_kev: float | None = None
    energy_low_kev: float | None = None
    object_id: str | None = None  # container number, bag tag, parcel id
    object_kind: str | None = None  # "cargo", "baggage", "parcel" or None when unknown
    manifest: str | None = None  # the declared content, as the shipper wrote it
    extra: dict[str, Any] = field(default_factory=dict)

    def display_items(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the fields that are known, in the order officers read them."""
        items: list[tuple[str, str]] = []
        if self.object_id:
            items.append(("Object", self.object_id))
        if self.object_kind:
            items.append(("Kind", self.object_kind))
        if self.scanner:
            items.append(("Scanner", self.scanner))
        if self.energy_high_kev:
            energies = _format_energy(self.energy_high_kev)
            if self.energy_low_kev:
                energies += " / " + _format_energy(self.energy_low_kev)
            items.append(("Energy", energies))
        if self.pixel_pitch_mm:
            items.append(("Pixel pitch", f"{self.pixel_pitch_mm:g} mm"))
        if self.manifest:
            items.append(("Manifest", self.manifest))
        return items


def _format_energy(kev: float) -> str:
    return f"{kev / 1000:g} MeV" if kev >= 1000 else f"{kev:g} kV"


@dataclass(eq=False)
class Scan:
    """One X-ray scan held as the scanner's numbers.

    ``high`` is the single-energy image, or the high-energy channel of a dual-energy scan;
    ``low`` is the low-energy channel. Both are uint16 with air bright: ``full_scale`` is the
    value of full transmission (255 for 8-bit files, 65535 for 16-bit). Files whose numbers do
    not fit uint16 losslessly (floats) keep their original values in ``raw_high``/``raw_low``
    so the pixel readout can show them. ``colour`` holds the file's own RGB when the file is
    already a pseudo-colour rendering (public datasets); ``high`` is then its luminance.
    """

    high: np.ndarray
    full_scale: int
    low: np.ndarray | None = None
    colour: np.ndarray | None = None
    raw_high: np.ndarray | None = None
    raw_low: np.ndarray | None = None
    metadata: ScanMetadata = field(default_factory=ScanMetadata)
    source: tuple[Path, ...] = ()
    source_format: str = ""
    sha256: str = ""
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.high.dtype != np.uint16 or self.high.ndim != 2:
            raise ValueError("Scan.high must be a 2-D uint16 array")
        if self.low is not None and (self.low.dtype != np.uint16 or self.low.shape != self.high.shape):
            raise ValueError("Scan.low must be uint16 and the same shape as Scan.high")
        if self.colour is not None and self.colour.shape != (*self.high.shape, 3):
            raise ValueError("Scan.colour must be (H, W, 3) matching Scan.high")
        if not 0 < self.full_scale <= 65535:
            raise ValueError("Scan.full_scale must be in 1..65535")

    @property
    def name(self) -> str:
        return self.source[0].name if self.source else "(unsaved scan)"

    @property
    def height(self) -> int:
        return int(self.high.shape[0])

    @property
    def width(self) -> int:
        return int(self.high.shape[1])

    @property
    def is_dual_energy(self) -> bool:
        return self.low is not None

    def transmission_high(self) -> np.ndarray:
        """Fraction of the beam that got through, as float32 in [0, 1]."""
        return np.minimum(self.high.astype(np.float32) / self.full_scale, 1.0)

    def transmission_low(self) -> np.ndarray | None:
        if self.low is None:
            return None
        return np.minimum(self.low.astype(np.float32) / self.full_scale, 1.0)

    def raw_value(self, x: int, y: int) -> tuple[float | int, ...]:
        """The file's own number(s) at a pixel: (high,) or (high, low), or (r, g, b) for colour files."""
        if self.colour is not None and self.low is None:
            return tuple(int(v) for v in self.colour[y, x])
        high = self.raw_high if self.raw_high is not None else self.high
        values: list[float | int] = [high[y, x].item()]
        if self.low is not None:
            low = self.raw_low if self.raw_low is not None else self.low
            values.append(low[y, x].item())
        return tuple(values)
