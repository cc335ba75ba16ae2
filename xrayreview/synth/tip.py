"""Threat image projection: multiply a threat's own transmission into any existing scan.

Transmissions multiply (Beer–Lambert), so a threat projected into a real scan darkens it as
the object would have. The threat is built at the scan's energies and pixel pitch, blurred
like a detector would, and the photon noise its shadow would have carried is added back.
8-bit pseudo-colour files are darkened per channel by the threat's own standard rendering.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ..imaging.material import DEFAULT_ENERGIES_KEV
from ..imaging.standard import render_standard
from ..scan.model import Scan, ScanMetadata
from ..scan.normalise import luminance
from .canvas import Canvas
from .placement import Difficulty, GroundTruth, place_threat, random_pose
from .threats import THREAT_CATEGORIES

CARGO_ENERGIES_KEV = (6000.0, 4000.0)
BAGGAGE_PITCH_MM, CARGO_PITCH_MM = 1.0, 4.0
ASSUMED_AIR_COUNT = 3e4  # for the noise a projected shadow should carry, when the scan does not say
BLUR_SIGMA_PX = 0.7


def project_threat(
    scan: Scan,
    label: str,
    *,
    seed: int,
    center: tuple[float, float] | None = None,
    rotation_deg: float | None = None,
    scale: float = 1.0,
) -> tuple[Scan, GroundTruth]:
    """A new scan with the threat inside, and its ground truth.

    ``center`` (x, y) in pixels defaults to a random spot on the object; ``rotation_deg`` fixes
    the in-plane angle and lays the threat flat (a trainer's canonical view), otherwise the pose
    is random. The input scan is left untouched.
    """
    if label not in THREAT_CATEGORIES:
        raise ValueError(f"unknown threat {label!r}; known: {', '.join(THREAT_CATEGORIES)}")
    if not scale > 0:
        raise ValueError("scale must be positive")
    rng = np.random.default_rng([seed, 31])
    energies, pitch = _physics_of(scan)
    grid = Canvas(scan.height, scan.width, pitch, energies)
    if center is None:
        center = _random_spot(scan, rng)
    pose = None
    if rotation_deg is not None:
        pose = {"yaw_deg": float(rotation_deg), "pitch_deg": 0.0, "roll_deg": 0.0, "scale": float(scale)}
    else:
        pose = random_pose(rng, Difficulty())
        pose["scale"] = float(pose["scale"] * scale)
    placed = place_threat(label, rng, grid, (float(center[0]), float(center[1])), 0.0, Difficulty(), pose)
    if placed is None:
        raise ValueError(f"the {label} at {center} falls outside the {scan.width}×{scan.height} scan")
    return _multiply(scan, placed.layer, rng), placed.truth


def _physics_of(scan: Scan) -> tuple[tuple[float, float], float]:
    meta = scan.metadata
    cargo = (meta.object_kind == "cargo") or (meta.energy_high_kev or 0) >= 1000
    default = CARGO_ENERGIES_KEV if cargo else DEFAULT_ENERGIES_KEV
    high = meta.energy_high_kev or default[0]
    low = meta.energy_low_kev or (default[1] if not meta.energy_high_kev else high * default[1] / default[0])
    pitch = meta.pixel_pitch_mm or (CARGO_PITCH_MM if cargo else BAGGAGE_PITCH_MM)
    return (float(high), float(low)), float(pitch)


def _random_spot(scan: Scan, rng: np.random.Generator) -> tuple[float, float]:
    """Somewhere on the object rather than in the air around it, away from the edges."""
    t = scan.transmission_high()[::4, ::4]
    ys, xs = np.nonzero(t < 0.9)
    h, w = scan.height, scan.width
    if ys.size:
        keep = (xs * 4 > w * 0.1) & (xs * 4 < w * 0.9) & (ys * 4 > h * 0.1) & (ys * 4 < h * 0.9)
        if keep.any():
            ys, xs = ys[keep], xs[keep]
        k = int(rng.integers(ys.size))
        return float(xs[k] * 4 + 2), float(ys[k] * 4 + 2)
    return float(rng.uniform(0.25, 0.75) * w), float(rng.uniform(0.25, 0.75) * h)


def _multiply(scan: Scan, layer: Canvas, rng: np.random.Generator) -> Scan:
    r0, c0 = layer.row0, layer.col0
    region = (slice(r0, r0 + layer.rows), slice(c0, c0 + layer.cols))
    t_high = cv2.GaussianBlur(np.exp(-layer.high), (0, 0), BLUR_SIGMA_PX)
    t_low = cv2.GaussianBlur(np.exp(-layer.low), (0, 0), BLUR_SIGMA_PX)
    air = float(scan.metadata.extra.get("air_count", ASSUMED_AIR_COUNT)) if scan.full_scale > 255 else 0.0
    high = scan.high.copy()
    high[region] = _darken(scan.high[region], t_high, scan.full_scale, air, rng)
    low = None
    if scan.low is not None:
        low = scan.low.copy()
        low[region] = _darken(scan.low[region], t_low, scan.full_scale, air * 0.6, rng)
    colour = None
    if scan.colour is not None:
        colour = scan.colour.copy()
        shadow = _shadow_colour(layer)
        colour[region] = np.round(scan.colour[region].astype(np.float32) * shadow).astype(np.uint8)
        if scan.low is None and scan.full_scale == 255:
            high = luminance(colour)  # a colour file's high channel is its luma
    raw_high = None if scan.raw_high is None else _scaled(scan.raw_high, region, t_high)
    raw_low = None if scan.raw_low is None else _scaled(scan.raw_low, region, t_low)
    metadata = replace(scan.metadata, extra=dict(scan.metadata.extra))
    return Scan(
        high=high,
        low=low,
        colour=colour,
        full_scale=scan.full_scale,
        raw_high=raw_high,
        raw_low=raw_low,
        metadata=metadata,
        source=scan.source,
        source_format=scan.source_format,
        sha256="",
        warnings=list(scan.warnings),
    )


def _darken(
    values: np.ndarray, t: np.ndarray, full_scale: int, air: float, rng: np.random.Generator
) -> np.ndarray:
    out = values.astype(np.float32) * t
    if air > 0:
        # Photons the threat stopped would have left the shadow noisier than a scaled copy is.
        counts = out / full_scale * air
        deficit = np.maximum(counts * (1 - t), 0)
        out += rng.standard_normal(out.shape, dtype=np.float32) * np.sqrt(deficit) * (full_scale / air)
    return np.clip(np.round(out), 0, full_scale).astype(np.uint16)


def _scaled(raw: np.ndarray, region, t: np.ndarray) -> np.ndarray:
    out = raw.copy()
    out[region] = raw[region] * t.astype(raw.dtype, copy=False)
    return out


def _shadow_colour(layer: Canvas) -> np.ndarray:
    """Per-channel factor (0..1): the threat alone on air in the station's pseudo-colour."""
    t_high = np.exp(-layer.high)
    t_low = np.exp(-layer.low)
    alone = Scan(
        high=np.round(t_high * 65535).astype(np.uint16),
        low=np.round(t_low * 65535).astype(np.uint16),
        full_scale=65535,
        metadata=ScanMetadata(energy_high_kev=layer.energies[0], energy_low_kev=layer.energies[1]),
    )
    rgb = render_standard(alone).astype(np.float32) / 255.0
    return cv2.GaussianBlur(rgb, (0, 0), BLUR_SIGMA_PX)
