"""Pieces several threats share: hollow shells, cartridges, insulated wires, cells."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..shapes import IDENTITY, Part, box, cylinder, ellipsoid, rotation, tube, wire

# Local z turned onto the x axis (a barrel along the object's length) or onto y.
AX_X = rotation(pitch=90)
AX_Y = rotation(roll=-90)


def along(angle_deg: float) -> np.ndarray:
    """A cylinder's axis lying in the object's xy plane, ``angle_deg`` from the x axis."""
    return rotation(yaw=angle_deg, pitch=90)


def hollow_box(material: str, center, half, wall: float, rot=IDENTITY) -> list[Part]:
    inner = [max(h - wall, 0.05) for h in half]
    return [box(material, center, half, rot), box(material, center, inner, rot, sign=-1.0)]


def cartridge(
    center,
    axis_deg: float,
    radius: float,
    case_length: float,
    bullet_length: float,
    in_plane_rot: np.ndarray = IDENTITY,
) -> list[Part]:
    """Brass case (thick base, thin wall, powder inside) with a lead bullet, pointing along axis_deg."""
    c = np.asarray(center, float)
    direction = in_plane_rot @ np.array([np.cos(np.radians(axis_deg)), np.sin(np.radians(axis_deg)), 0.0])
    rot = in_plane_rot @ along(axis_deg)
    case_mid = c - direction * bullet_length * 0.3
    parts = tube("brass", case_mid, radius, 0.5, case_length / 2, rot, closed=True)
    parts.append(cylinder("tnt", case_mid, radius - 0.5, case_length / 2 - 1.0, rot))
    tip = case_mid + direction * (case_length / 2 + bullet_length * 0.35)
    parts.append(
        cylinder("lead", tip - direction * bullet_length * 0.2, radius * 0.93, bullet_length * 0.3, rot)
    )
    parts.append(
        ellipsoid(
            "lead",
            tip + direction * bullet_length * 0.1,
            (radius * 0.92, radius * 0.92, bullet_length * 0.45),
            rot,
        )
    )
    return parts


def insulated_wire(points, radius: float, rng: np.random.Generator) -> list[Part]:
    """Copper core with PVC insulation (sometimes bare)."""
    parts = [wire("copper", points, radius)]
    if rng.random() < 0.8:
        parts.append(wire("pvc", points, radius * 2.2))
    return parts


def lead_wire(points, radius: float, rng: np.random.Generator) -> list[Part]:
    """An insulated wire trailing from a threat: in the image, not in the threat's box."""
    return [replace(part, lead=True) for part in insulated_wire(points, radius, rng)]


def smooth_curve(rng: np.random.Generator, start, end, wander: float, n: int = 12) -> np.ndarray:
    """A wire's path from start to end that bends like a loose cable (3-D, mm)."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    t = np.linspace(0, 1, n)[:, None]
    line = start + (end - start) * t
    bend = np.zeros((n, 3))
    for k in range(1, 3):
        amp = rng.normal(0, wander / k, 3)
        bend += np.sin(np.pi * k * t) * amp
    bend[:, 2] *= 0.3
    return line + bend


def cell(kind: str, center, rot=IDENTITY) -> list[Part]:
    """One battery cell along its local z: steel can, dense core, current collector."""
    if kind == "9v":
        parts = hollow_box("steel", center, (13.0, 8.5, 24.0), 0.3, rot)
        for i in range(6):
            offset = rot @ np.array([(i % 3 - 1) * 8.0, (i // 3 - 0.5) * 8.0, 0.0])
            parts.append(cylinder("battery_core", np.asarray(center) + offset, 3.6, 21.0, rot))
        return parts
    radius, half, core = {
        "aa": (7.25, 25.0, "battery_core"),
        "aaa": (5.25, 22.25, "battery_core"),
        "c": (13.0, 25.0, "battery_core"),
        "d": (17.0, 30.0, "battery_core"),
        "18650": (9.0, 32.5, "li_ion_core"),
    }[kind]
    parts = tube("steel", center, radius, 0.3, half, rot, closed=True)
    parts.append(cylinder(core, center, radius - 0.5, half - 2.0, rot))
    collector = "brass" if core == "battery_core" else "copper"
    parts.append(cylinder(collector, center, 0.8, half - 3.0, rot))
    return parts
