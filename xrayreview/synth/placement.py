"""Putting one threat into a scan's grid: a random 3-D pose, its own attenuation layer, its box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import cv2
import numpy as np

from ..physics.materials import linear_mu_per_mm
from .canvas import Canvas
from .shapes import IDENTITY, Part, footprint, posed, rotation
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
    """Yaw anywhere in the image plane. Things rest on their broad side (a pistol lies flat in a
    bag), so roll and tilt stay near flat; the rotation knob widens them and, more often, stands
    the object on edge or end."""
    spread = float(np.clip(difficulty.rotation, 0.0, 1.0))
    if rng.random() < 0.25 * spread:  # on edge or end: the hard views
        roll = float(rng.uniform(-180, 180))
        pitch = float(np.clip(rng.normal(0, 45), -80, 80))
    else:
        roll = float(rng.choice([0.0, 180.0]) + rng.normal(0, 8 + 20 * spread))
        pitch = float(np.clip(rng.normal(0, 6 + 20 * spread), -80, 80))
    # Smaller-looking threats at higher size difficulty: real variation is ±15 %.
    scale = float(rng.uniform(0.85, 1.15) * (1.0 - 0.15 * np.clip(difficulty.size, 0, 1) * rng.random()))
    return {"yaw_deg": float(rng.uniform(0, 360)), "pitch_deg": pitch, "roll_deg": roll, "scale": scale}


class PlacedThreat(NamedTuple):
    layer: Canvas  # the threat's own attenuation, to fold into the scene
    truth: GroundTruth
    body: np.ndarray | None  # bool, layer-sized: pixels the box may span (None: all; leads excluded)


def threat_layer(
    parts: list[Part],
    pose: dict,
    center_px: tuple[float, float],
    depth_mm: float,
    grid: Canvas,
    fit: tuple[float, float, float, float] | None = None,
    outline: np.ndarray | None = None,
) -> tuple[Canvas, np.ndarray | None]:
    """The posed threat's own attenuation on the pixels of ``grid`` it covers, and where its body
    lies on them when leads trail from it (else None). With ``fit`` (x1, y1, x2, y2 in pixels)
    the centre moves as little as needed to keep it all inside; with ``outline`` (a convex
    polygon, N x 2 pixels) it then moves towards the outline's centre until its extent is inside
    that too, or reaches the centre."""
    rot = rotation(pose["yaw_deg"], pose["pitch_deg"], pose["roll_deg"])
    scale = pose.get("scale", 1.0)
    local = [posed(p, rot, (0.0, 0.0, depth_mm), scale) for p in parts]
    extent = np.array([footprint(p) for p in local]) / grid.pitch
    lo_x, lo_y = extent[:, 0].min(), extent[:, 1].min()
    hi_x, hi_y = extent[:, 2].max(), extent[:, 3].max()
    cx, cy = center_px
    if fit is not None:
        cx = _inside(cx, fit[0] - lo_x, fit[2] - hi_x)
        cy = _inside(cy, fit[1] - lo_y, fit[3] - hi_y)
    if outline is not None:
        cx, cy = into_outline(outline, cx, cy, (lo_x, lo_y, hi_x, hi_y))
    pose["center_px"] = [round(float(cx), 1), round(float(cy), 1)]
    shift = np.array([cx * grid.pitch, cy * grid.pitch, 0.0])
    world = [posed(p, IDENTITY, shift) for p in local]
    x1, y1, x2, y2 = lo_x + cx, lo_y + cy, hi_x + cx, hi_y + cy
    col0 = max(int(np.floor(x1)) - 1, grid.col0)
    row0 = max(int(np.floor(y1)) - 1, grid.row0)
    col1 = min(int(np.ceil(x2)) + 1, grid.col0 + grid.cols)
    row1 = min(int(np.ceil(y2)) + 1, grid.row0 + grid.rows)
    layer = Canvas(max(row1 - row0, 1), max(col1 - col0, 1), grid.pitch, grid.energies, row0, col0)
    leads = [p for p in world if p.lead]
    layer.add([p for p in world if not p.lead])
    body = (layer.high > 0) if leads else None  # where the body lies, before its leads are drawn
    layer.add(leads)
    layer.clamp()
    return layer, body


def _fitting_yaw(
    parts: list[Part], pose: dict, pitch: float, fit, rng: np.random.Generator,
    outline: np.ndarray | None = None,
) -> float:
    """An in-plane angle at which the threat fits the outline if there is one, else the area (a
    rifle lies along a bag's length, also in a bag turned on the belt); the drawn one when it
    fits, else the best of a few tries."""
    width, height = fit[2] - fit[0], fit[3] - fit[1]
    axis = 0.0  # the frame the fit is judged in, against the image's axes
    if outline is not None:
        # Judged in the bag's own frame, squared up: there a rifle along a turned case has a
        # tight box, where in the image's axes its box would fill the case's diagonal.
        axis = _long_axis_deg(outline)
        centre = outline.mean(axis=0)
        turn = np.radians(-axis)
        squared = (outline - centre) @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    best, best_over = pose["yaw_deg"], np.inf
    for attempt in range(8):
        yaw = pose["yaw_deg"] if attempt == 0 else float(rng.uniform(0, 360))
        if attempt == 1 and outline is not None:
            # Along the bag's length, either way round: random tries seldom hit the few degrees
            # at which a rifle fits a rifle case.
            yaw = axis + (180.0 if yaw >= 180.0 else 0.0)
        rot = rotation(yaw - axis, pose["pitch_deg"], pose["roll_deg"])
        extent = (
            np.array([footprint(posed(p, rot, (0, 0, 0), pose.get("scale", 1.0))) for p in parts]) / pitch
        )
        span_x = extent[:, 2].max() - extent[:, 0].min()
        span_y = extent[:, 3].max() - extent[:, 1].min()
        if outline is None:
            over = max(span_x - width, 0) + max(span_y - height, 0)
        else:  # the bag, not the area (a tile's window on a long bag is smaller than a rifle)
            half = np.array([span_x / 2, span_y / 2])
            share = _largest_holding(lambda s, h=half: box_inside(squared, np.zeros(2), h * s), steps=12)
            over = (1.0 - share) * max(span_x, span_y)
        if over <= 0:
            return yaw
        if over < best_over:
            best, best_over = yaw, over
    return best


def _long_axis_deg(outline: np.ndarray) -> float:
    """Direction (degrees, image axes) of the outline's longest extent."""
    spread = np.cov((outline - outline.mean(axis=0)).T)
    values, vectors = np.linalg.eigh(spread)
    x, y = vectors[:, int(np.argmax(values))]
    return float(np.degrees(np.arctan2(y, x)))


_CORNERS = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])


def box_inside(outline: np.ndarray, middle, half) -> bool:
    """Whether the box with this middle and these half-sides (pixels) lies inside the convex outline."""
    contour = outline.astype(np.float32).reshape(-1, 1, 2)
    return all(cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0
               for x, y in np.asarray(middle) + _CORNERS * np.asarray(half))


def _largest_holding(test, steps: int) -> float:
    """The largest t in 0..1 for which ``test(t)`` holds (it holds up to some t and not past it),
    by bisection; 0 when it holds nowhere."""
    if test(1.0):
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if test(mid) else (lo, mid)
    return lo


def into_outline(
    outline: np.ndarray, cx: float, cy: float, extent: tuple[float, float, float, float]
) -> tuple[float, float]:
    """The centre nearest (cx, cy) at which the extent (offsets from the centre) lies inside the
    convex outline, found along the line that takes the extent's middle to the outline's centre;
    the extent's middle on the outline's centre when it fits nowhere (bigger than the bag)."""
    lo_x, lo_y, hi_x, hi_y = extent
    half = np.array([(hi_x - lo_x) / 2, (hi_y - lo_y) / 2])
    middle = np.array([(lo_x + hi_x) / 2, (lo_y + hi_y) / 2])  # of the extent, from the centre
    start, centre = np.array([cx, cy]) + middle, outline.mean(axis=0)
    share = _largest_holding(lambda s: box_inside(outline, centre + (start - centre) * s, half), steps=16)
    if share == 1.0:
        return cx, cy
    x, y = centre + (start - centre) * share - middle
    return float(x), float(y)


def _inside(value: float, low: float, high: float) -> float:
    """``value`` moved into [low, high]; the middle when the range is empty (too big to fit)."""
    if low > high:
        return (low + high) / 2
    return min(max(value, low), high)


def place_threat(
    label: str,
    rng: np.random.Generator,
    grid: Canvas,
    center_px: tuple[float, float],
    depth_mm: float,
    difficulty: Difficulty,
    pose: dict | None = None,
    fit: tuple[float, float, float, float] | None = None,
    shapes: str = "any",
    outline: np.ndarray | None = None,
) -> PlacedThreat | None:
    """Build, pose and project one threat; None when nothing of its body would be visible in the grid.

    ``shapes`` picks the shape catalogue pool (see ``threats.SHAPE_POOLS``)."""
    parts, material, variant, shape = build_threat(label, rng, shapes)
    pose_chosen = pose is not None
    pose = dict(pose or random_pose(rng, difficulty))
    pose["variant"] = variant
    if shape is not None:
        pose["shape"] = shape
    pose["depth_mm"] = round(float(depth_mm), 1)
    if fit is not None and not pose_chosen:
        pose["yaw_deg"] = _fitting_yaw(parts, pose, grid.pitch, fit, rng, outline)
    layer, body = threat_layer(parts, pose, center_px, depth_mm, grid, fit, outline)
    threshold = VISIBLE_STEEL_MM * linear_mu_per_mm("steel", grid.energies[0])
    box = layer.visible_box(threshold, within=body)
    if box is None:
        return None
    pose = {k: round(v, 2) if isinstance(v, float) else v for k, v in pose.items()}
    truth = GroundTruth(label, THREAT_CATEGORIES.get(label, "other"), box, material, pose)
    return PlacedThreat(layer, truth, body)
