"""A bag or parcel seen from above on the belt: shell, frame, handle rods, wheels, clothes, goods."""

from __future__ import annotations

import cv2
import numpy as np

from ...scan.model import ScanMetadata
from ..canvas import Canvas
from ..detector import Detector
from ..goods.baggage_items import draw_item
from ..placement import Difficulty
from ..scene import Scene, garment_field
from ..shapes import Part, box, cylinder, posed, prism, rotation, wire
from ..threats.pieces import hollow_box

# Dual-energy tube scanners in service: (high, low) nominal kV.
ENERGIES_KV = ((140.0, 80.0), (160.0, 90.0), (150.0, 80.0), (130.0, 70.0))
SCANNERS = ("synthetic-bag-140", "synthetic-bag-160", "synthetic-parcel-150", "synthetic-bag-130")


def baggage_scene(
    rng: np.random.Generator,
    difficulty: Difficulty,
    pitch_mm: float | None = None,
    size_px: tuple[int, int] | None = None,
    min_length_mm: float = 0.0,
) -> Scene:
    """A whole bag with a margin of belt around it; ``size_px`` (rows, cols) fixes the image size
    (a training tile) and the bag is drawn to fit it, or to overflow it a little. A long gun
    travels in a long bag: ``min_length_mm``, which a tile may show only part of."""
    pitch = float(pitch_mm or rng.uniform(0.8, 1.5))
    pick = int(rng.integers(len(ENERGIES_KV)))
    energies = ENERGIES_KV[pick]
    kind = str(rng.choice(["hard", "soft", "soft", "backpack", "parcel"]))
    # Bags lie square on the belt about half the time; the rest at any angle, so that long
    # straight metal at a slant (a trolley handle) is not only ever seen on guns.
    yaw = float(rng.normal(0, 4) if rng.random() < 0.5 else rng.uniform(-45, 45))
    cos, sin = abs(np.cos(np.radians(yaw))), abs(np.sin(np.radians(yaw)))
    if size_px is None:
        length, width = max(rng.uniform(450, 800), min_length_mm), rng.uniform(300, 520)
        margin = rng.uniform(30, 120)
        span_x, span_y = length * cos + width * sin, length * sin + width * cos
        rows, cols = int((span_y + 2 * margin) / pitch), int((span_x + 2 * margin) / pitch)
    else:
        rows, cols = size_px
        fill = rng.uniform(0.7, 1.1)
        length, width = cols * pitch * fill, rows * pitch * fill * rng.uniform(0.7, 1.0)
        # A turned bag keeps about the same share of the tile.
        shrink = min(
            cols * pitch * fill / (length * cos + width * sin),
            rows * pitch * fill / (length * sin + width * cos),
            1.0,
        )
        # A long gun travels in a long bag, of which the tile sees a part.
        length, width = max(length * shrink, min_length_mm), width * shrink
        span_x, span_y = length * cos + width * sin, length * sin + width * cos
    canvas = Canvas(rows, cols, pitch, energies)
    cx, cy = cols * pitch / 2 + rng.normal(0, 15), rows * pitch / 2 + rng.normal(0, 15)
    rot = rotation(yaw=yaw)
    height = rng.uniform(150, 300) if kind != "backpack" else rng.uniform(120, 220)
    canvas.add(posed(p, rot, (cx, cy, 0)) for p in _shell(rng, kind, length, width, height))
    # Clothes fill most bags; parcels hold goods only.
    if kind != "parcel" or rng.random() < 0.3:
        # The clothes fill the bag's turned inner outline, computed over its upright bounding box.
        outline = rounded_rectangle(length / 2 - 10, width / 2 - 10, 40.0) @ rot[:2, :2].T + [cx, cy]
        c0, r0 = (int(v) for v in np.floor(outline.min(axis=0) / pitch))
        c1, r1 = (int(v) for v in np.ceil(outline.max(axis=0) / pitch))
        h, w = r1 - r0, c1 - c0
        if h > 4 and w > 4:
            amount = float(np.clip(difficulty.density + rng.normal(0, 0.2), 0.05, 1.0))
            inside = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(
                inside, np.round((outline / pitch - [c0, r0]) * 16).astype(np.int32), 1, cv2.LINE_8, 4
            )
            field = garment_field(rng, h, w, pitch, amount) * inside
            canvas.add_lengths("textile", r0, c0, field)
    items = int(4 + difficulty.density * 14 * rng.uniform(0.5, 1.3))
    for _ in range(items):
        _, (parts, (hx, hy)) = draw_item(rng)
        # Packed along the bag's sides mostly, and inside it.
        quarter = int(rng.integers(4))
        turn = quarter * 90 + (rng.normal(0, 12) if rng.random() < 0.7 else rng.uniform(0, 90))
        # Half-extents along the bag's length and width at this turn.
        c, s = abs(np.cos(np.radians(turn))), abs(np.sin(np.radians(turn)))
        ex, ey = hx * c + hy * s, hx * s + hy * c
        if ex > length / 2 or ey > width / 2:  # too long for this bag: it was not packed
            continue
        lx = rng.uniform(-1, 1) * max(length / 2 - ex - 15, 0)
        ly = rng.uniform(-1, 1) * max(width / 2 - ey - 15, 0)
        at = rot @ np.array([lx, ly, rng.uniform(-height / 3, height / 3)]) + [cx, cy, 0]
        item_rot = rotation(yaw=yaw + turn, pitch=rng.normal(0, 8), roll=rng.normal(0, 8))
        canvas.add(posed(p, item_rot, at) for p in parts)
    x1, y1 = (cx - span_x / 2 + 20) / pitch, (cy - span_y / 2 + 20) / pitch
    x2, y2 = (cx + span_x / 2 - 20) / pitch, (cy + span_y / 2 - 20) / pitch
    metadata = ScanMetadata(
        pixel_pitch_mm=round(pitch, 3),
        scanner=SCANNERS[pick],
        energy_high_kev=energies[0],
        energy_low_kev=energies[1],
        object_id=f"BAG-{rng.integers(10**6, 10**7)}",
        object_kind="parcel" if kind == "parcel" else "baggage",
    )
    detector = Detector(air_count=float(rng.uniform(1.5e4, 8e4)), blur_sigma_px=float(rng.uniform(0.5, 0.9)))
    interior = (max(x1, 0.0), max(y1, 0.0), min(x2, cols - 1.0), min(y2, rows - 1.0))
    # Threats go inside the case, 20 mm in from its walls, however the bag is turned.
    inner = rounded_rectangle(max(length / 2 - 20, 10.0), max(width / 2 - 20, 10.0), 40.0)
    outline = (inner @ rot[:2, :2].T + [cx, cy]) / pitch
    return Scene(canvas, interior, (-height / 3, height / 3), metadata, detector, _clutter_item, (rows, cols),
                 outline=outline)


def _clutter_item(rng: np.random.Generator):
    return draw_item(rng)[1]


def rounded_rectangle(half_x: float, half_y: float, radius: float, per_corner: int = 5) -> np.ndarray:
    """Counter-clockwise outline of a rectangle with rounded corners (convex), centred."""
    radius = min(radius, half_x * 0.9, half_y * 0.9)
    points = []
    for k, (sx, sy) in enumerate(((1, 1), (-1, 1), (-1, -1), (1, -1))):
        centre = (sx * (half_x - radius), sy * (half_y - radius))
        for a in np.linspace(0, np.pi / 2, per_corner):
            angle = a + k * np.pi / 2
            points.append((centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle)))
    return np.array(points)


def _shell(rng: np.random.Generator, kind: str, length: float, width: float, height: float) -> list[Part]:
    """The case itself in the bag's frame (centred, x along its length)."""
    hl, hw, hh = length / 2, width / 2, height / 2
    if kind == "parcel":
        return hollow_box("cardboard", (0, 0, 0), (hl, hw, hh), rng.uniform(4, 8)) + [
            box("polyethylene", (0, 0, -hh + 1), (hl, 25, 0.05))
        ]  # tape
    shell_mat, wall = ("polycarbonate", rng.uniform(2.0, 3.5)) if kind == "hard" else ("polymer", 1.2)
    corner = rng.uniform(20, 80) if kind == "hard" else rng.uniform(40, 120)
    parts = [
        prism(shell_mat, rounded_rectangle(hl, hw, corner), hh),
        prism(shell_mat, rounded_rectangle(hl - wall, hw - wall, corner - wall), hh - wall, sign=-1.0),
    ]
    # Piping and a zip round the lid (metal or plastic teeth), a second seam round the base.
    loop = rounded_rectangle(hl - 6, hw - 6, corner - 6, 4)
    loop = np.vstack([loop, loop[:1]])
    zip_mat = str(rng.choice(["brass", "steel", "polymer", "polymer"]))
    parts.append(wire(zip_mat, np.c_[loop, np.full(len(loop), hh - 3)], 1.4))
    parts.append(wire("polymer", np.c_[loop * 0.995, np.full(len(loop), -hh + 3)], 2.5))
    for _ in range(int(rng.integers(1, 3))):  # zip pulls
        at = loop[int(rng.integers(len(loop) - 1))]
        parts += hollow_box("zinc", (at[0], at[1], hh), (12, 5, 3), 1.5, rotation(yaw=rng.uniform(0, 180)))
    if kind == "backpack":
        parts += [box("polyethylene", (0, s * hw * 0.5, -hh + 5), (hl * 0.8, 25, 3)) for s in (-1, 1)]
        parts.append(box("steel", (-hl * 0.1, 0, -hh + 4), (hl * 0.7, 4, 1.5)))  # frame stay
        return parts
    # Trolley handle: two telescoping tubes along the length, on the base side. Real ones show
    # dense in a scan (two or three nested aluminium or steel stages, a track under them), and
    # they are the long straight metal a detector must learn not to take for a barrel.
    rod_len = length * rng.uniform(0.75, 0.95)
    spacing = width * rng.uniform(0.25, 0.45)
    base_y = rng.choice([-1, 1]) * width * rng.uniform(0.05, 0.2)
    bar_w, bar_t = rng.uniform(11, 18), rng.uniform(6, 10)
    rail_mat = "aluminium" if rng.random() < 0.65 else "steel"
    rail_wall = rng.uniform(1.2, 2.5) if rail_mat == "aluminium" else rng.uniform(0.7, 1.3)
    stages = int(rng.integers(2, 4))
    track = rng.random() < 0.5
    for s in (-1, 1):
        y = base_y + s * spacing / 2
        for k in range(stages):
            seg = rod_len * (1.0 - 0.05 * k)
            shrink = (rail_wall + 0.6) * k
            half = (seg / 2, bar_w - shrink, bar_t - shrink)
            parts += hollow_box(rail_mat, (-hl + 15 + seg / 2, y, -hh + 20), half, rail_wall)
        if track:
            under = (-hl + 15 + rod_len / 2, y, -hh + 9)
            parts.append(box("aluminium", under, (rod_len / 2, bar_w + 6, 1.5)))
        parts.append(box("steel", (-hl + 25, y, -hh + 20), (8, bar_w * 0.6, 4)))  # lock
    parts += hollow_box("abs", (hl - 15, base_y, -hh + 20), (15, spacing / 2 + 20, 18), 2.5)  # grip
    parts.append(box("aluminium", (-hl + 20, base_y, -hh + 20), (10, spacing / 2 + 15, 10)))
    # Wheels at one end (two or four): polyurethane tyre on an axle and a plastic housing.
    corners = [(-1, -1), (-1, 1)] + ([(1, -1), (1, 1)] if rng.random() < 0.5 else [])
    wheel_r = rng.uniform(22, 40)
    # Seen face on when the bag lies on its back, edge on when it lies on its side.
    wheel_rot = rotation() if rng.random() < 0.6 else rotation(roll=90)
    for sx, sy in corners:
        x, y = sx * (hl - wheel_r - 5), sy * (hw - wheel_r - 5)
        parts.append(cylinder("polymer", (x, y, -hh + 15), wheel_r, 12, wheel_rot))
        parts.append(cylinder("steel", (x, y, -hh + 15), 3.5, 20))
        parts.append(cylinder("abs", (x, y, -hh + 20), wheel_r + 8, 20))  # housing
    if kind == "soft":  # wire frame keeping a soft bag's shape
        parts.append(wire("steel", np.c_[loop * 0.98, np.full(len(loop), -hh + 5)], 1.5))
    return parts
