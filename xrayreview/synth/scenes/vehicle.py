"""A tractor unit, a container chassis and an ISO container, seen from the side by a portal scanner.

Frame: x along the vehicle (driving direction to the left), y down with the ground at
``ground``, z across the vehicle (the beam), centred. Dimensions from ISO 668 and common
tractor units.
"""

from __future__ import annotations

import numpy as np

from ..shapes import Part, box, cylinder, rotation, tube
from ..threats.pieces import AX_X, AX_Y, hollow_box

CONTAINER_LENGTH_MM = {"20ft": 6058.0, "40ft": 12192.0}
CONTAINER_HEIGHT_MM = 2591.0
CONTAINER_WIDTH_MM = 2438.0
AX_Z = np.eye(3)  # a cylinder along z: wheels, axles seen end on


def wheel(x: float, ground: float, radius: float, duals: bool) -> list[Part]:
    """Tyres (rubber, with steel bead and belt) on a steel rim, both sides of the vehicle."""
    parts: list[Part] = []
    y = ground - radius
    sides = (-1, 1)
    for s in sides:
        for d in (-0.14, 0.14) if duals else (0.0,):
            z = s * (1000 + d * 1000)
            parts.append(cylinder("rubber", (x, y, z), radius, 140))
            parts.append(cylinder("rubber", (x, y, z), radius * 0.57, 140, sign=-1.0))
            parts += tube("steel", (x, y, z), radius * 0.95, 3, 120)  # belt
            parts += tube("steel", (x, y, z), radius * 0.58, 8, 125)  # rim barrel and bead
            parts.append(cylinder("steel", (x, y, z), radius * 0.56, 6))  # disc
        parts.append(cylinder("steel", (x, y, s * 850), 130, 150))  # hub and brake drum
    parts += tube("steel", (x, y, 0), 70, 14, 900)  # axle beam
    return parts


def container(x0: float, ground: float, deck: float, size: str, rng: np.random.Generator) -> list[Part]:
    """An ISO container standing on a deck ``deck`` mm above the ground; x0 is its front end."""
    length, height, half_w = CONTAINER_LENGTH_MM[size], CONTAINER_HEIGHT_MM, CONTAINER_WIDTH_MM / 2
    bottom = ground - deck
    top = bottom - height
    cx, cy = x0 + length / 2, bottom - height / 2
    parts: list[Part] = []
    # Roof sheet and top side rails, seen edge on: dark lines along the top.
    parts.append(box("steel", (cx, top + 4, 0), (length / 2, 1.0, half_w)))
    for s in (-1, 1):
        parts += hollow_box("steel", (cx, top + 30, s * (half_w - 30)), (length / 2 - 150, 30, 30), 3)
        parts.append(
            box("steel", (cx, bottom - 81, s * (half_w - 3)), (length / 2, 81, 2.25))
        )  # bottom rails
        parts.append(box("steel", (cx, bottom - 2, s * (half_w - 25)), (length / 2, 2.25, 25)))
    # Floor: plywood on steel cross members.
    parts.append(box("plywood", (cx, bottom - 150, 0), (length / 2 - 10, 14, half_w - 5)))
    spacing = rng.uniform(280, 340)
    for x in np.arange(x0 + 200, x0 + length - 150, spacing):
        parts.append(box("steel", (x, bottom - 80, 0), (2.25, 60, half_w - 5)))
    # End frames: corner posts, corner castings, front wall, doors with locking bars.
    for x_end, is_door in ((x0, False), (x0 + length, True)):
        inward = 1 if not is_door else -1
        parts += hollow_box("steel", (x_end + inward * 60, cy, 0), (60, height / 2, half_w), 6)
        for y in (top + 60, bottom - 60):
            parts.append(box("steel", (x_end + inward * 90, y, 0), (89, 59, half_w)))
        parts.append(box("steel", (x_end + inward * 8, cy, 0), (1.0, height / 2 - 100, half_w - 100)))
        if is_door:
            for z in (-0.8, -0.3, 0.3, 0.8):
                parts += tube("steel", (x_end - 40, cy, z * half_w), 13.5, 3.5, height / 2 - 60, AX_Y)
    return parts


def _ring(center, radius: float, rng: np.random.Generator) -> np.ndarray:
    """A steering wheel's rim seen from the side: a tilted circle."""
    t = np.linspace(0, 2 * np.pi, 25)
    tilt = np.radians(rng.uniform(30, 50))
    x = radius * np.cos(t) * np.cos(tilt)
    return np.c_[center[0] + x, center[1] + radius * 0.3 * np.sin(t), center[2] + radius * np.sin(t)]


def container_walls(rng: np.random.Generator, xs_mm: np.ndarray) -> np.ndarray:
    """Steel path length (mm) through both corrugated side walls at each x: flats seen square on,
    the sloping webs longer by 1/cos of their angle (trapezoid corrugation, ~278 mm pitch)."""
    sheet = rng.uniform(1.6, 2.0)
    period = 278.0
    phase = np.mod(xs_mm - rng.uniform(0, period), period) / period
    slope = 1.0 / np.cos(np.radians(rng.uniform(50, 60)))
    # flat 0.25, web 0.25, flat 0.25, web 0.25 of the period
    profile = np.where(np.mod(phase, 0.5) < 0.25, 1.0, slope)
    return (2 * sheet * profile).astype(np.float32)


def chassis(x0: float, length: float, ground: float, deck: float, rng: np.random.Generator) -> list[Part]:
    """A container chassis: two I-beams, cross members, landing legs, three rear axles."""
    parts: list[Part] = []
    cx = x0 + length / 2
    beam_top = ground - deck
    for s in (-1, 1):
        z = s * 500
        parts.append(box("steel", (cx, beam_top + 200, z), (length / 2, 200, 4)))
        parts.append(box("steel", (cx, beam_top + 6, z), (length / 2, 6, 75)))
        parts.append(box("steel", (cx, beam_top + 394, z), (length / 2, 6, 75)))
    for x in np.arange(x0 + 300, x0 + length, rng.uniform(600, 900)):
        parts.append(box("steel", (x, beam_top + 120, 0), (4, 60, 480)))
    parts.append(box("steel", (x0 + length * 0.3, ground - 450, 0), (60, 350, 700)))  # landing legs
    radius = 520.0
    for k in range(3 if length > 8000 else 2):
        parts += wheel(x0 + length - 800 - k * 1350, ground, radius, duals=True)
    parts.append(
        box("polyethylene", (x0 + length - 800 - 1350, ground - 2 * radius - 40, 0), (2200, 3, 1200))
    )
    return parts


def tractor(x0: float, ground: float, rng: np.random.Generator) -> list[Part]:
    """A 4×2 tractor unit facing left; x0 is its front bumper. About 6 m long."""
    length = rng.uniform(5800, 6600)
    cab_len, cab_h = rng.uniform(1900, 2300), rng.uniform(2200, 2700)
    cab_bottom = ground - 1200
    parts: list[Part] = []
    # Cab: thin steel shell, glass, seats, dashboard.
    cab_c = (x0 + cab_len / 2 + 100, cab_bottom - cab_h / 2, 0)
    parts += hollow_box("steel", cab_c, (cab_len / 2, cab_h / 2, 1150), 1.0)
    parts.append(box("glass", (x0 + 130, cab_bottom - cab_h * 0.7, 0), (4, cab_h * 0.2, 1050)))
    for z in (-550, 550):
        parts.append(box("foam", (x0 + cab_len * 0.55, cab_bottom - 450, z), (250, 400, 250)))
        parts += hollow_box("steel", (x0 + cab_len * 0.55, cab_bottom - 150, z), (220, 150, 220), 3)
    parts.append(box("abs", (x0 + 450, cab_bottom - 900, 0), (200, 200, 1000)))  # dashboard
    parts += hollow_box("steel", (x0 + 420, cab_bottom - 850, 0), (120, 60, 950), 2)  # dash frame
    parts.append(cylinder("steel", (x0 + 600, cab_bottom - 1000, -550), 22, 300, rotation(pitch=90, yaw=-50)))
    parts.append(
        Part(
            "wire",
            "steel",
            np.zeros(3),
            np.eye(3),
            (8.0,),
            points=_ring((x0 + 700, cab_bottom - 1250, -550), 230, rng),
        )
    )  # steering wheel rim
    for x in (x0 + 130, x0 + cab_len * 0.45, x0 + cab_len + 80):  # pillars and door frames
        parts += hollow_box("steel", (x, cab_bottom - cab_h / 2, 0), (35, cab_h / 2 - 20, 1120), 2)
    for z in (-550, 550):  # seat springs and sliding rails
        parts.append(box("steel", (x0 + cab_len * 0.55, cab_bottom - 320, z), (240, 6, 230)))
    if rng.random() < 0.7:  # luggage, a cool box, a toolbox on the bunk
        parts.append(box("textile", (x0 + cab_len * 0.8, cab_bottom - 900, 300), (250, 180, 250)))
        parts += hollow_box("steel", (x0 + cab_len * 0.85, cab_bottom - 450, -600), (200, 120, 150), 1.5)
    parts.append(box("steel", (x0 + 60, ground - 700, 0), (60, 150, 1200)))  # bumper
    for z in (-1150, 1150):  # steps and mudguards
        parts.append(box("polymer", (x0 + 1000, ground - 1100, z), (650, 8, 150)))
        parts.append(box("steel", (x0 + cab_len * 0.6, ground - 650, z), (200, 6, 100)))
    parts.append(box("polymer", (x0 + cab_len * 0.85, cab_bottom - 600, 0), (200, 500, 1100)))  # bunk
    # Engine and gearbox under the cab, radiator in front.
    parts.append(box("cast_iron", (x0 + 900, ground - 1150, 0), (550, 400, 380)))
    parts.append(box("aluminium", (x0 + 1650, ground - 1000, 0), (300, 230, 250)))
    parts.append(box("aluminium", (x0 + 200, ground - 1250, 0), (40, 500, 450)))
    # Frame rails, fuel tank, air tanks, batteries (lead), fifth wheel, exhaust.
    for s in (-1, 1):
        parts.append(box("steel", (x0 + length / 2, ground - 900, s * 430), (length / 2, 140, 5)))
    parts += tube("aluminium", (x0 + cab_len + 700, ground - 800, 1050), 300, 3, 700, AX_X, closed=True)
    parts.append(cylinder("diesel", (x0 + cab_len + 700, ground - 750, 1050), 290, 690, AX_X))
    parts += tube("steel", (x0 + cab_len + 700, ground - 800, -1050), 120, 3, 500, AX_X, closed=True)
    parts.append(box("lead", (x0 + cab_len + 600, ground - 750, -900), (250, 120, 15)))
    parts.append(box("steel", (x0 + length - 1100, ground - 1150, 0), (450, 30, 450)))
    parts += tube("steel", (x0 + cab_len + 150, cab_bottom - cab_h * 0.6, 900), 70, 2, cab_h * 0.6, AX_Y)
    parts += wheel(x0 + 1000, ground, 510, duals=False)
    parts += wheel(x0 + length - 1100, ground, 510, duals=True)
    return parts
