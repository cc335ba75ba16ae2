"""Posed 3-D primitives and their exact projected path length along the beam.

World frame in millimetres: x to the right (image columns), y down (image rows), z along the
beam. A part's ``rotation`` maps its local axes to the world. Path lengths come from analytic
ray intersection per pixel centre (slab method for boxes and convex prisms, quadratics for
cylinders and ellipsoids), evaluated only inside the part's footprint; parts a few pixels
across are supersampled so their attenuation integral survives coarse cargo pitches.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

_EPS = 1e-9
IDENTITY = np.eye(3)
IDENTITY.setflags(write=False)
_BIG = 1e9


@dataclass(frozen=True)
class Part:
    """One primitive of one material. ``sign`` -1 carves a hole out of a part of the same material."""

    kind: str  # "box" | "cylinder" | "ellipsoid" | "prism" | "wire"
    material: str
    center: np.ndarray  # (3,) mm
    rotation: np.ndarray  # (3, 3) local -> world
    size: tuple[float, ...]  # box/ellipsoid: half extents; cylinder: (radius, half length);
    # prism: (half depth,); wire: (radius,)
    outline: np.ndarray | None = None  # prism: convex polygon (N, 2), counter-clockwise, local xy
    points: np.ndarray | None = None  # wire: polyline (N, 3), local
    sign: float = 1.0
    # A lead trailing from a threat (a detonator's leg wires): drawn, but outside the threat's
    # ground-truth box, because where loose wire ends is no part of what the threat looks like.
    lead: bool = False


def rotation(yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    """Rotation (degrees): roll about local x, then pitch about y, then yaw about the beam axis z."""
    if yaw == 0 and pitch == 0 and roll == 0:
        return IDENTITY  # the same object: upright boxes take the fast path by identity
    a, b, c = np.radians([yaw, pitch, roll])
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rx = np.array([[1, 0, 0], [0, np.cos(c), -np.sin(c)], [0, np.sin(c), np.cos(c)]])
    return rz @ ry @ rx


def box(material: str, center, half, rot=IDENTITY, sign: float = 1.0) -> Part:
    return Part("box", material, np.asarray(center, float), np.asarray(rot, float), tuple(half), sign=sign)


def cylinder(
    material: str, center, radius: float, half_length: float, rot=IDENTITY, sign: float = 1.0
) -> Part:
    """Solid cylinder along its local z axis."""
    return Part(
        "cylinder",
        material,
        np.asarray(center, float),
        np.asarray(rot, float),
        (radius, half_length),
        sign=sign,
    )


def tube(
    material: str, center, radius: float, wall: float, half_length: float, rot=IDENTITY, closed: bool = False
) -> list[Part]:
    """A pipe: an outer cylinder minus the bore (closed ends keep a wall-thick cap)."""
    inner_half = half_length - wall if closed else half_length
    return [
        cylinder(material, center, radius, half_length, rot),
        cylinder(material, center, radius - wall, inner_half, rot, sign=-1.0),
    ]


def ellipsoid(material: str, center, semi_axes, rot=IDENTITY, sign: float = 1.0) -> Part:
    return Part(
        "ellipsoid", material, np.asarray(center, float), np.asarray(rot, float), tuple(semi_axes), sign=sign
    )


def prism(
    material: str, outline, half_depth: float, center=(0, 0, 0), rot=IDENTITY, sign: float = 1.0
) -> Part:
    """A convex outline in the local xy plane, extruded ±half_depth along local z."""
    poly = np.asarray(outline, float)
    area2 = np.sum(poly[:, 0] * np.roll(poly[:, 1], -1) - np.roll(poly[:, 0], -1) * poly[:, 1])
    if area2 < 0:
        poly = poly[::-1]
    return Part(
        "prism",
        material,
        np.asarray(center, float),
        np.asarray(rot, float),
        (half_depth,),
        outline=poly,
        sign=sign,
    )


def upright_rows(
    material: str, center, half_xy, across: int, period: float, radius: float, inner_radius: float = 0.0
) -> Part:
    """A row of upright cylinders (or pipes, with ``inner_radius``) side by side along x,
    ``across`` of them behind each other along the beam: bottles, cans, drums in a container."""
    pattern = np.array([period, radius, inner_radius, float(across)])
    return Part(
        "rows",
        material,
        np.asarray(center, float),
        IDENTITY,
        (half_xy[0], half_xy[1], radius),
        outline=pattern,
    )


def wire(material: str, points, radius: float) -> Part:
    return Part("wire", material, np.zeros(3), IDENTITY, (radius,), points=np.asarray(points, float))


def posed(part: Part, rot: np.ndarray, offset, scale: float = 1.0) -> Part:
    """The part after the whole object is scaled, rotated and moved."""
    offset = np.asarray(offset, float)
    if part.kind == "wire":
        pts = (rot @ (part.points * scale).T).T + offset
        return replace(part, points=pts, size=(part.size[0] * scale,))
    outline = None if part.outline is None else part.outline * scale
    return replace(
        part,
        center=rot @ (part.center * scale) + offset,
        rotation=rot @ part.rotation,
        size=tuple(s * scale for s in part.size),
        outline=outline,
    )


def footprint(part: Part) -> tuple[float, float, float, float]:
    """World-xy bounding box (x1, y1, x2, y2) in mm of where the part can attenuate."""
    r = part.rotation
    if part.kind == "wire":
        lo, hi = part.points[:, :2].min(0), part.points[:, :2].max(0)
        pad = part.size[0]
        return lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad
    if part.kind in ("box", "rows"):
        ext = np.abs(r[:2, :]) @ np.asarray(part.size)
    elif part.kind == "ellipsoid":
        ext = np.sqrt((r[:2, :] ** 2) @ np.asarray(part.size) ** 2)
    elif part.kind == "cylinder":
        radius, half = part.size
        ext = np.abs(r[:2, 2]) * half + radius * np.sqrt(np.maximum(1 - r[:2, 2] ** 2, 0))
    else:  # prism
        d = part.size[0]
        local = np.concatenate([np.c_[part.outline, np.full(len(part.outline), s * d)] for s in (-1, 1)])
        world = (r @ local.T).T
        lo, hi = world[:, :2].min(0), world[:, :2].max(0)
        return part.center[0] + lo[0], part.center[1] + lo[1], part.center[0] + hi[0], part.center[1] + hi[1]
    return part.center[0] - ext[0], part.center[1] - ext[1], part.center[0] + ext[0], part.center[1] + ext[1]


def path_length(
    part: Part, pitch: float, clip: tuple[int, int, int, int]
) -> tuple[int, int, np.ndarray] | None:
    """(row0, col0, mean path length in mm per pixel) over the part's footprint within
    ``clip`` = (row0, col0, rows, cols) of the pixel grid; None when it misses the grid."""
    x1, y1, x2, y2 = footprint(part)
    r0, c0, rows, cols = clip
    c_lo = max(int(np.floor(x1 / pitch)), c0)
    c_hi = min(int(np.ceil(x2 / pitch)), c0 + cols)
    r_lo = max(int(np.floor(y1 / pitch)), r0)
    r_hi = min(int(np.ceil(y2 / pitch)), r0 + rows)
    if c_hi <= c_lo or r_hi <= r_lo:
        return None
    if part.kind == "wire":
        return r_lo, c_lo, _wire(part, pitch, r_lo, c_lo, r_hi - r_lo, c_hi - c_lo)
    if part.kind == "rows":
        return r_lo, c_lo, _rows(part, pitch, r_lo, c_lo, r_hi - r_lo, c_hi - c_lo)
    if part.kind == "box" and part.rotation is IDENTITY:
        return r_lo, c_lo, _upright_box(part, pitch, r_lo, c_lo, r_hi - r_lo, c_hi - c_lo)
    smallest = min(x2 - x1, y2 - y1) / pitch
    if part.kind == "prism" and abs(part.rotation[2, 2]) > 1 - 1e-9 and smallest >= 40:
        return r_lo, c_lo, _flat_prism(part, pitch, r_lo, c_lo, r_hi - r_lo, c_hi - c_lo)
    if part.kind == "box" and abs(part.rotation[2, 2]) > 1 - 1e-9 and smallest >= 6:
        return r_lo, c_lo, _flat_box(part, pitch, r_lo, c_lo, r_hi - r_lo, c_hi - c_lo)
    ss = 1 if smallest >= 6 else 2 if smallest >= 2.5 else 4
    xs = (np.arange(c_lo * ss, c_hi * ss) + 0.5) * (pitch / ss)
    ys = (np.arange(r_lo * ss, r_hi * ss) + 0.5) * (pitch / ss)
    lengths = _INTERSECT[part.kind](part, xs, ys)
    if ss > 1:
        h, w = r_hi - r_lo, c_hi - c_lo
        lengths = lengths.reshape(h, ss, w, ss).mean(axis=(1, 3))
    return r_lo, c_lo, lengths


def _coverage(lo_mm: float, hi_mm: float, pitch: float, first: int, count: int) -> np.ndarray:
    """Share of each pixel in a row (or column) that the interval [lo, hi] covers."""
    edges = (np.arange(first, first + count + 1, dtype=np.float32)) * pitch
    return np.maximum(np.minimum(edges[1:], hi_mm) - np.maximum(edges[:-1], lo_mm), 0) * np.float32(1 / pitch)


def _upright_box(part: Part, pitch: float, r0: int, c0: int, rows: int, cols: int) -> np.ndarray:
    """An unrotated box (most of a container and its load): constant depth, exact edge coverage."""
    (cx, cy, _), (hx, hy, hz) = part.center, part.size
    cov_x = _coverage(cx - hx, cx + hx, pitch, c0, cols)
    cov_y = _coverage(cy - hy, cy + hy, pitch, r0, rows)
    return np.outer(cov_y * np.float32(2 * hz), cov_x).astype(np.float32)


def _flat_box(part: Part, pitch: float, r0: int, c0: int, rows: int, cols: int) -> np.ndarray:
    """A box turned only about the beam (a bag lying on the belt): constant depth inside a
    rotated rectangle, edges anti-aliased by their distance to the pixel centre."""
    r = part.rotation.astype(np.float32)
    hx, hy, hz = (np.float32(v) for v in part.size)
    dx = ((np.arange(c0, c0 + cols, dtype=np.float32) + 0.5) * pitch - np.float32(part.center[0]))[None, :]
    dy = ((np.arange(r0, r0 + rows, dtype=np.float32) + 0.5) * pitch - np.float32(part.center[1]))[:, None]
    inside_x = hx - np.abs(r[0, 0] * dx + r[1, 0] * dy)
    inside_y = hy - np.abs(r[0, 1] * dx + r[1, 1] * dy)
    cover = np.minimum(inside_x, inside_y) * np.float32(1 / pitch) + np.float32(0.5)
    return np.minimum(np.maximum(cover, 0), 1) * (2 * hz)


def _flat_prism(part: Part, pitch: float, r0: int, c0: int, rows: int, cols: int) -> np.ndarray:
    """A large prism extruded along the beam (a bag's shell): its outline filled by OpenCV, which
    grows it by about half a pixel all round, a small share only for outlines this size."""
    shift = 4
    world = part.outline @ part.rotation[:2, :2].T + part.center[:2]
    pts = np.round((world / pitch - [c0 + 0.5, r0 + 0.5]) * (1 << shift)).astype(np.int32)
    mask = np.zeros((rows, cols), np.uint8)
    cv2.fillConvexPoly(mask, pts, 1, cv2.LINE_8, shift)
    return mask.astype(np.float32) * np.float32(2 * part.size[0])


def _rows(part: Part, pitch: float, r0: int, c0: int, rows: int, cols: int) -> np.ndarray:
    period, radius, inner, across = part.outline
    (cx, cy, _), (hx, hy, _) = part.center, part.size
    ss = 4
    xs = (np.arange(c0 * ss, (c0 + cols) * ss, dtype=np.float32) + 0.5) * np.float32(pitch / ss)
    u = np.mod(xs - (cx - hx), period) - period / 2
    chord = 2 * np.sqrt(np.maximum(radius * radius - u * u, 0))
    if inner > 0:
        chord -= 2 * np.sqrt(np.maximum(inner * inner - u * u, 0))
    chord *= (xs >= cx - hx) & (xs <= cx + hx)
    profile = chord.reshape(cols, ss).mean(axis=1) * np.float32(across)
    cov_y = _coverage(cy - hy, cy + hy, pitch, r0, rows)
    return np.outer(cov_y, profile).astype(np.float32)


def _local_rays(part: Part, xs: np.ndarray, ys: np.ndarray):
    """Ray origins (3 arrays broadcasting to (len(ys), len(xs))) and the direction, in local axes."""
    rt = part.rotation.T.astype(np.float32)
    dx = (xs - part.center[0]).astype(np.float32)[None, :]
    dy = (ys - part.center[1]).astype(np.float32)[:, None]
    dz = np.float32(-part.center[2])
    origins = [rt[k, 0] * dx + rt[k, 1] * dy + rt[k, 2] * dz for k in range(3)]
    return origins, rt[:, 2]


def _slab(o: np.ndarray, d: float, lo: float, hi: float):
    d = d if abs(d) > _EPS else _EPS
    t1 = (lo - o) / d
    t2 = (hi - o) / d
    return np.minimum(t1, t2), np.maximum(t1, t2)


def _box(part: Part, xs, ys) -> np.ndarray:
    origins, d = _local_rays(part, xs, ys)
    near, far = None, None
    for k in range(3):
        h = part.size[k]
        t_near, t_far = _slab(origins[k], float(d[k]), -h, h)
        near = t_near if near is None else np.maximum(near, t_near)
        far = t_far if far is None else np.minimum(far, t_far)
    return np.maximum(far - near, 0.0).astype(np.float32)


def _cylinder(part: Part, xs, ys) -> np.ndarray:
    (ox, oy, oz), d = _local_rays(part, xs, ys)
    radius, half = part.size
    a = float(d[0] ** 2 + d[1] ** 2)
    z_near, z_far = _slab(oz, float(d[2]), -half, half)
    if a < 1e-10:  # beam along the axis: a disc seen face on
        inside = ox * ox + oy * oy < radius * radius
        return np.where(inside, np.maximum(z_far - z_near, 0.0), 0.0).astype(np.float32)
    b = 2.0 * (ox * d[0] + oy * d[1])
    c = ox * ox + oy * oy - radius * radius
    disc = np.maximum(b * b - 4.0 * a * c, 0.0)
    root = np.sqrt(disc)
    near = np.maximum((-b - root) / (2 * a), z_near)
    far = np.minimum((-b + root) / (2 * a), z_far)
    return np.maximum(far - near, 0.0).astype(np.float32)


def _ellipsoid(part: Part, xs, ys) -> np.ndarray:
    origins, d = _local_rays(part, xs, ys)
    s = np.asarray(part.size, np.float32)
    o = [origins[k] / s[k] for k in range(3)]
    ds = d / s
    a = float(np.dot(ds, ds))
    b = 2.0 * (o[0] * ds[0] + o[1] * ds[1] + o[2] * ds[2])
    c = o[0] * o[0] + o[1] * o[1] + o[2] * o[2] - 1.0
    return (np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0)) / a).astype(np.float32)


def _prism(part: Part, xs, ys) -> np.ndarray:
    (ox, oy, oz), d = _local_rays(part, xs, ys)
    half = part.size[0]
    near, far = _slab(oz, float(d[2]), -half, half)
    poly = part.outline
    edges = np.roll(poly, -1, axis=0) - poly
    normals = np.c_[edges[:, 1], -edges[:, 0]]  # outward for a counter-clockwise outline
    for n, p in zip(normals, poly, strict=True):
        offset = float(n @ p)
        num = offset - (n[0] * ox + n[1] * oy)
        den = float(n[0] * d[0] + n[1] * d[1])
        if den > _EPS:
            far = np.minimum(far, num / den)
        elif den < -_EPS:
            near = np.maximum(near, num / den)
        else:
            far = np.where(num < 0, -_BIG, far)
    return np.maximum(far - near, 0.0).astype(np.float32)


def _wire(part: Part, pitch: float, r0: int, c0: int, rows: int, cols: int) -> np.ndarray:
    """A thin wire as a drawn polyline whose pixel sum keeps the wire's true cross-section."""
    radius = part.size[0]
    width_px = max(1, int(round(2 * radius / pitch)))
    patch = np.zeros((rows, cols), np.float32)
    shift = 4
    pts = np.round((part.points[:, :2] / pitch - [c0, r0] - 0.5) * (1 << shift)).astype(np.int32)
    cv2.polylines(patch, [pts], False, 1.0, width_px, cv2.LINE_8, shift)
    return patch * np.float32(np.pi * radius * radius / (width_px * pitch))


_INTERSECT = {"box": _box, "cylinder": _cylinder, "ellipsoid": _ellipsoid, "prism": _prism}
