"""What containers carry: palletised cartons, sacks, bottles, tyres, machinery, steel coils.

Loads fill a container interior given in mm (x from the front, y down, z across). Cartons are
upright boxes (the fast path); what a row of cartons holds across the container's width is
folded into one box per stack, since only the summed path length reaches the detector.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..shapes import Part, box, cylinder, rotation, tube, upright_rows
from ..threats.pieces import AX_X, hollow_box

Interior = tuple[float, float, float, float, float]  # x1, x2, y_top, y_floor, half width (mm)

ORGANIC_GOODS = ("food", "textile", "paper", "cardboard", "chocolate", "soap", "wood", "polyethylene")
MIXED_GOODS = ("glass", "ceramic", "salt", "pvc", "aluminium")


def _pallet(x: float, width: float, floor: float, depth: float) -> list[Part]:
    """A wooden pallet seen from the side: deck boards edge on, three rows of blocks."""
    parts = [
        box("wood", (x, floor - 133, 0), (width / 2, 11, depth)),
        box("wood", (x, floor - 11, 0), (width / 2, 11, depth * 0.6)),
    ]
    for s in (-1, 0, 1):
        parts.append(box("wood", (x + s * (width / 2 - 50), floor - 72, 0), (50, 50, depth * 0.4)))
    return parts


def _carton_contents(
    rng: np.random.Generator,
    x: float,
    y: float,
    w: float,
    h: float,
    half_w: float,
    material: str,
    fill: float,
) -> list[Part]:
    """What one carton column holds, summed across the container: bulk goods, bottles or cans
    in rows, or small hard items (tools, fittings, appliances) scattered through soft goods."""
    depth = half_w * fill * rng.uniform(0.6, 1.0)
    style = rng.random()
    if style < 0.2:
        r = rng.uniform(25, 45)
        period = 2 * r + rng.uniform(2, 8)
        across = max(int(2 * half_w * fill // period), 1)
        shell = str(rng.choice(["glass", "aluminium", "polyethylene"]))
        return [
            upright_rows(shell, (x, y, 0), (w / 2 - 5, h / 2 - 10), across, period, r, r - 2),
            upright_rows("water", (x, y + h * 0.05, 0), (w / 2 - 5, h * 0.4), across, period, r - 2),
        ]
    parts = [box(material, (x, y, 0), (w / 2 - 5, h / 2 - 5, depth))]
    if style < 0.5:
        for _ in range(int(rng.integers(2, 12))):
            size = rng.uniform(15, min(w, h) * 0.25)
            parts.append(
                box(
                    str(rng.choice(["steel", "aluminium", "copper", "glass", "ceramic"])),
                    (x + rng.uniform(-0.4, 0.4) * w, y + rng.uniform(-0.4, 0.4) * h, 0),
                    (size, size * rng.uniform(0.3, 1.0), rng.uniform(5, 60) * fill),
                    rotation(yaw=float(rng.choice([0.0, 90.0, rng.uniform(0, 180)]))),
                )
            )
    return parts


def _stack(
    rng: np.random.Generator,
    x: float,
    width: float,
    floor: float,
    height: float,
    half_w: float,
    material: str,
    fill: float,
    pallet: bool,
) -> list[Part]:
    """Cartons stacked on a pallet: layers of cartons whose cardboard walls, seen edge on across
    the container, draw the grid of seams real cargo images show."""
    parts: list[Part] = []
    base = floor
    if pallet:
        parts += _pallet(x, width, floor, half_w * 0.9)
        base = floor - 145
    layers = max(int(rng.integers(1, 6)), 1)
    layer_h = height / layers
    across = half_w * min(fill * 1.6, 0.95)
    for k in range(layers):
        y = base - layer_h * (k + 0.5)
        mat = material if rng.random() < 0.85 else str(rng.choice(ORGANIC_GOODS))
        count = max(int(round(width / rng.uniform(300, 650))), 1)
        carton_w = width / count
        for i in range(count):
            cx = x - width / 2 + carton_w * (i + 0.5)
            parts += _carton_contents(rng, cx, y, carton_w, layer_h, half_w, mat, fill)
            parts.append(box("cardboard", (cx - carton_w / 2 + 3, y, 0), (3, layer_h / 2 - 3, across)))
        for edge in (y - layer_h / 2 + 3, y + layer_h / 2 - 3):
            parts.append(box("cardboard", (x, edge, 0), (width / 2, 3, across)))
    return parts


def cartons(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    x1, x2, top, floor, half_w = interior
    material = str(rng.choice(ORGANIC_GOODS + MIXED_GOODS[:3]))
    parts: list[Part] = []
    x = x1 + rng.uniform(0, 100)
    end = x1 + (x2 - x1) * np.clip(rng.uniform(0.4, 1.0) * (0.5 + density), 0.2, 1.0)
    pallet = rng.random() < 0.7
    while x < end:
        width = rng.uniform(800, 1250) if pallet else rng.uniform(300, 700)
        height = (floor - top) * rng.uniform(0.4, 0.97)
        parts += _stack(
            rng,
            x + width / 2,
            width,
            floor,
            height,
            half_w,
            material,
            rng.uniform(0.1, 0.45) * (0.5 + density),
            pallet,
        )
        x += width + rng.uniform(0, 150)
    return parts


def bottles(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Crates of bottles or cans in rows: thin-walled upright cylinders with their liquid."""
    x1, x2, top, floor, half_w = interior
    parts: list[Part] = []
    glass = rng.random() < 0.6
    r, h = (
        (rng.uniform(30, 45), rng.uniform(220, 320))
        if glass
        else (rng.uniform(28, 42), rng.uniform(100, 170))
    )
    wall, shell = (3.0, "glass") if glass else (0.3, str(rng.choice(["aluminium", "steel"])))
    liquid = str(rng.choice(["water", "water", "food"]))
    rows = int(np.clip((floor - top) / (h + 40) * rng.uniform(0.4, 1.0), 1, 10))
    end = x1 + (x2 - x1) * rng.uniform(0.3, 0.9)
    period = 2 * r + rng.uniform(2, 10)
    across = int(2 * half_w * rng.uniform(0.5, 0.95) // period)
    cx, hx = (x1 + 100 + end) / 2, (end - x1 - 100) / 2
    for k in range(rows):
        y = floor - (k + 0.5) * (h + 40)
        parts.append(upright_rows(shell, (cx, y, 0), (hx, h / 2), across, period, r, r - wall))
        parts.append(upright_rows(liquid, (cx, y + h * 0.08, 0), (hx, h * 0.42), across, period, r - wall))
        parts.append(box("cardboard", (cx, y + h / 2 + 15, 0), (hx, 5, half_w * 0.9)))
    return parts


def tyres(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Tyres upright in rows (rings: sidewalls face on, tread edge on) or laid flat in stacks."""
    x1, x2, top, floor, half_w = interior
    parts: list[Part] = []
    radius = rng.uniform(300, 520)
    width = rng.uniform(150, 320)
    end = x1 + (x2 - x1) * rng.uniform(0.3, 1.0)
    upright = rng.random() < 0.5
    behind = max(int(half_w * 2 * rng.uniform(0.5, 0.95) // width), 1) if upright else 1
    for x in np.arange(x1 + radius, end, 2 * radius + 20 if upright else 2 * radius + 60):
        levels = int((floor - top) // (2 * radius if upright else width))
        for level in range(max(levels, 1)):
            if upright:
                y, rot, half = floor - radius - level * 2 * radius, rotation(), behind * width / 2
            else:
                y, rot, half = floor - width / 2 - level * width, rotation(roll=90), width / 2
            for z in [0.0] if upright else np.linspace(-half_w * 0.6, half_w * 0.6, 3):
                parts += tube("rubber", (x, y, z), radius, 18, half, rot)  # tread
                parts.append(cylinder("rubber", (x, y, z), radius - 18, 12.0 * behind, rot))  # sidewalls
                parts.append(cylinder("rubber", (x, y, z), radius * 0.62, 12.0 * behind, rot, sign=-1.0))
                parts += tube("steel", (x, y, z), radius - 4, 1.5, half * 0.8, rot)  # belts
                parts += tube("steel", (x, y, z), radius * 0.64, 3, 8.0 * behind, rot)  # beads
    return parts


def machinery(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Crated machines: cast bodies, shafts, motors, in wooden crates."""
    x1, x2, top, floor, half_w = interior
    parts: list[Part] = []
    x = x1 + 100
    first = True
    while x < x2 - 600 and (first or rng.random() < 0.5 + density * 0.45):
        first = False
        w, h = rng.uniform(500, 1800), rng.uniform(400, (floor - top) * 0.9)
        d = rng.uniform(300, half_w)
        cx, cy = x + w / 2, floor - h / 2 - 100
        parts.append(box("wood", (cx, floor - 50, 0), (w / 2, 50, d)))
        parts += [
            box("wood", (cx, cy, 0), (w / 2, h / 2, d)),
            box("wood", (cx, cy, 0), (w / 2 - 20, h / 2 - 20, d - 20), sign=-1.0),
        ]
        for _ in range(int(rng.integers(2, 7))):
            px, py = cx + rng.uniform(-0.35, 0.35) * w, cy + rng.uniform(-0.3, 0.3) * h
            kind = rng.random()
            if kind < 0.4:
                parts.append(
                    box(
                        str(rng.choice(["cast_iron", "steel", "aluminium"])),
                        (px, py, 0),
                        (rng.uniform(50, w * 0.3), rng.uniform(50, h * 0.3), rng.uniform(30, d * 0.6)),
                        rotation(yaw=rng.choice([0, 0, rng.uniform(0, 90)])),
                    )
                )
            elif kind < 0.7:
                rad = rng.uniform(40, 200)
                parts += tube("steel", (px, py, 0), rad, rad * 0.3, rng.uniform(50, d * 0.8))
                parts.append(cylinder("copper", (px, py, 0), rad * 0.6, rng.uniform(30, d * 0.5)))
            else:
                parts.append(
                    cylinder("steel", (px, py, 0), rng.uniform(15, 60), rng.uniform(100, w * 0.4), AX_X)
                )
        x += w + rng.uniform(50, 600)
    return parts


def coils(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Steel coils in cradles: eye across the container (rings) or along it (rectangles)."""
    x1, x2, top, floor, half_w = interior
    parts: list[Part] = []
    count = int(rng.integers(1, 4 + int(density * 4)))
    for k in range(count):
        x = x1 + (k + 0.5) * (x2 - x1) / count
        r_out = rng.uniform(500, 900)
        r_in = rng.uniform(250, 320)
        if rng.random() < 0.6:
            w = rng.uniform(300, 900)
            parts.append(cylinder("steel", (x, floor - r_out - 50, 0), r_out, w / 2))
            parts.append(cylinder("steel", (x, floor - r_out - 50, 0), r_in, w / 2, sign=-1.0))
        else:
            w = rng.uniform(800, 1500)
            parts.append(cylinder("steel", (x, floor - r_out - 50, 0), r_out, w / 2, AX_X))
            parts.append(cylinder("steel", (x, floor - r_out - 50, 0), r_in, w / 2, AX_X, sign=-1.0))
        parts.append(box("wood", (x, floor - 50, 0), (r_out * 0.8, 50, half_w * 0.6)))
    return parts


def sacks(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Sacks of rice, sugar, flour, fertiliser piled up, seen as soft-edged layers."""
    x1, x2, top, floor, half_w = interior
    material = str(rng.choice(["food", "food", "salt", "chocolate"]))
    parts: list[Part] = []
    layers = int(rng.integers(3, 12))
    end = x1 + (x2 - x1) * rng.uniform(0.5, 1.0)
    for k in range(layers):
        y = floor - 120 - k * 200
        if y < top + 150:
            break
        for x in np.arange(x1 + rng.uniform(0, 400), end, rng.uniform(600, 900)):
            parts.append(
                cylinder(
                    material,
                    (x, y, 0),
                    110,
                    half_w * rng.uniform(0.5, 0.95) * (0.6 + density * 0.4),
                    rotation(yaw=rng.normal(0, 5)),
                )
            )
            parts.append(box(material, (x, y, 0), (300, 70, half_w * 0.4)))
    return parts


def cars(rng: np.random.Generator, interior: Interior, density: float) -> list[Part]:
    """Used cars shipped in containers: body shell, engine, wheels, seats, tank, battery."""
    x1, x2, top, floor, half_w = interior
    parts: list[Part] = []
    length = rng.uniform(3800, 4800)
    x = x1 + rng.uniform(50, 300)
    while x + length < x2:
        height, wheel_r = rng.uniform(1350, 1600), rng.uniform(290, 340)
        cx, base = x + length / 2, floor - wheel_r * 0.6
        body_top = base - height + wheel_r * 0.6
        parts += hollow_box(
            "steel", (cx, (base + body_top) / 2, 0), (length / 2, (base - body_top) / 2, 880), 0.8
        )
        parts.append(box("glass", (x + length * 0.32, body_top + 250, 0), (260, 4, 700), rotation(yaw=-35)))
        parts.append(box("cast_iron", (x + 450, base - 380, 0), (300, 250, 300)))  # engine
        parts.append(box("aluminium", (x + 850, base - 300, 0), (180, 150, 150)))  # gearbox
        parts.append(box("lead", (x + 300, base - 650, 500), (120, 90, 8)))  # battery plates
        parts += tube("steel", (cx + 300, base - 60, 300), 25, 1.5, length * 0.35, AX_X)  # exhaust
        parts.append(box("polyethylene", (x + length * 0.75, base - 180, 0), (300, 100, 400)))  # fuel tank
        parts.append(cylinder("diesel", (x + length * 0.75, base - 180, 0), 90, 280, AX_X))
        for sx in (x + length * 0.45, x + length * 0.65):  # seats
            parts.append(box("foam", (sx, base - 500, 0), (250, 300, 700)))
            parts.append(box("steel", (sx, base - 350, 0), (220, 8, 650)))
        for wx in (x + 750, x + length - 700):  # wheels: both sides, seen face on
            parts.append(cylinder("rubber", (wx, floor - wheel_r, 0), wheel_r, 200))
            parts.append(cylinder("rubber", (wx, floor - wheel_r, 0), wheel_r * 0.66, 200, sign=-1.0))
            parts.append(cylinder("steel", (wx, floor - wheel_r, 0), wheel_r * 0.64, 12))
            parts.append(cylinder("cast_iron", (wx, floor - wheel_r, 0), wheel_r * 0.5, 25))  # brake discs
        x += length + rng.uniform(100, 500)
    return parts


LOADS: dict[str, Callable[[np.random.Generator, Interior, float], list[Part]]] = {
    "cartons": cartons,
    "bottles": bottles,
    "tyres": tyres,
    "machinery": machinery,
    "coils": coils,
    "sacks": sacks,
    "cars": cars,
}
LOAD_WEIGHTS = {
    "cartons": 4.0,
    "bottles": 1.0,
    "tyres": 1.0,
    "machinery": 1.5,
    "coils": 0.7,
    "sacks": 1.2,
    "cars": 0.8,
}
MANIFEST = {
    "cartons": "general merchandise in cartons",
    "bottles": "beverages in glass bottles",
    "tyres": "tyres",
    "machinery": "machine parts",
    "coils": "steel coils",
    "sacks": "bagged goods",
    "cars": "used motor vehicles",
    "empty": "empty container",
}


def fill(rng: np.random.Generator, interior: Interior, density: float) -> tuple[list[Part], str]:
    """One or two load types side by side, or (rarely) nothing; returns parts and a manifest line."""
    if rng.random() < 0.08:
        return [], MANIFEST["empty"]
    names = list(LOAD_WEIGHTS)
    p = np.array([LOAD_WEIGHTS[n] for n in names])
    p /= p.sum()
    first = names[int(rng.choice(len(names), p=p))]
    x1, x2, top, floor, half_w = interior
    if rng.random() < 0.35:  # mixed load: two kinds, front and back
        second = names[int(rng.choice(len(names), p=p))]
        split = x1 + (x2 - x1) * rng.uniform(0.35, 0.65)
        parts = LOADS[first](rng, (x1, split, top, floor, half_w), density)
        parts += LOADS[second](rng, (split, x2, top, floor, half_w), density)
        return parts, f"{MANIFEST[first]}; {MANIFEST[second]}"
    return LOADS[first](rng, interior, density), MANIFEST[first]
