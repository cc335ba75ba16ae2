"""Putting one threat into a scan's grid: a random 3-D pose, its own attenuation layer, its box."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..physics.materials import linear_mu_per_mm
from .canvas import Canvas
from .shapes import Part, footprint, posed, rotation
from .threats import THREAT_CATEGORIES, build_threat

# A threat is "visible" where it attenuates at least as much as this much steel would.
VISIBLE_STEEL_MM = 0.25


@dataclass(frozen=True)
class GroundTruth:
    """One threat in a scan: what it is, where it shows, what it is made of, how it lies."""

    label: str
    category: str  # "firearm" | "ied_component" | "other"
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in scan pixels (visible extent)
    material: str
    pose: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Difficulty:
    """Knobs 0..1: clutter over the threat, out-of-plane rotation, how small, how full the load."""

    clutter: float = 0.5
    rotation: float = 1.0
    size: float = 1.0
    density: float = 0.5


def random_pose(rng: np.random.Generator, difficulty: Difficulty) -> dict:
    """Yaw anywhere in the image plane; tilt and roll grow with the rotation knob."""
    spread = float(np.clip(difficulty.rotation, 0.0, 1.0))
    pitch = float(np.clip(rng.normal(0, 35 * spread), -80, 80))
    roll = float(rng.uniform(-180, 180) * spread)
    # Smaller-looking threats at higher size difficulty: real variation is ±15 %.
    scale = float(rng.uniform(0.85, 1.15) * (1.0 - 0.15 * np.clip(difficulty.size, 0, 1) * rng.random()))
    return {"yaw_deg": float(rng.uniform(0, 360)), "pitch_deg": pitch, "roll_deg": roll, "scale": scale}


def threat_layer(
    parts: list[Part], pose: dict, center_px: tuple[float, float], depth_mm: float, grid: Canvas
) -> Canvas:
    """The posed threat's own attenuation, on the pixels of ``grid`` it covers."""
    rot = rotation(pose["yaw_deg"], pose["pitch_deg"], pose["roll_deg"])
    offset = (center_px[0] * grid.pitch, center_px[1] * grid.pitch, depth_mm)
    world = [posed(p, rot, offset, pose.get("scale", 1.0)) for p in parts]
    bounds = np.array([footprint(p) for p in world])
    x1, y1 = bounds[:, 0].min() / grid.pitch, bounds[:, 1].min() / grid.pitch
    x2, y2 = bounds[:, 2].max() / grid.pitch, bounds[:, 3].max() / grid.pitch
    col0 = max(int(np.floor(x1)) - 1, grid.col0)
    row0 = max(int(np.floor(y1)) - 1, grid.row0)
    col1 = min(int(np.ceil(x2)) + 1, grid.col0 + grid.cols)
    row1 = min(int(np.ceil(y2)) + 1, grid.row0 + grid.rows)
    layer = Canvas(max(row1 - row0, 1), max(col1 - col0, 1), grid.pitch, grid.energies, row0, col0)
    layer.add(world)
    layer.clamp()
    return layer


def place_threat(
    label: str,
    rng: np.random.Generator,
    grid: Canvas,
    center_px: tuple[float, float],
    depth_mm: float,
    difficulty: Difficulty,
    pose: dict | None = None,
) -> tuple[Canvas, GroundTruth] | None:
    """Build, pose and project one threat; None when nothing of it would be visible in the grid."""
    parts, material, variant = build_threat(label, rng)
    pose = dict(pose or random_pose(rng, difficulty))
    pose["variant"] = variant
    pose["depth_mm"] = round(float(depth_mm), 1)
    layer = threat_layer(parts, pose, center_px, depth_mm, grid)
    threshold = VISIBLE_STEEL_MM * linear_mu_per_mm("steel", grid.energies[0])
    box = layer.visible_box(threshold)
    if box is None:
        return None
    pose = {k: round(v, 2) if isinstance(v, float) else v for k, v in pose.items()}
    truth = GroundTruth(label, THREAT_CATEGORIES.get(label, "other"), box, material, pose)
    return layer, truth
