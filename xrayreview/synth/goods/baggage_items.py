"""Everyday things packed in bags, as primitives in their own frame (mm, x along the longest side).

Each builder returns the parts and a rough half-size (for placing it inside the bag).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..shapes import Part, box, cylinder, ellipsoid, prism, rotation, tube, wire
from ..threats.ied import timer_body
from ..threats.pieces import AX_X, AX_Y, cell, hollow_box, insulated_wire, smooth_curve

Item = tuple[list[Part], tuple[float, float]]


def shoes(rng: np.random.Generator) -> Item:
    length = rng.uniform(230, 310)
    parts: list[Part] = []
    for s in (-1, 1):
        y = s * rng.uniform(45, 60)
        parts.append(box("rubber", (0, y, -30), (length / 2, 42, rng.uniform(8, 15))))
        parts.append(ellipsoid("leather", (-length * 0.05, y, 0), (length * 0.45, 44, 40)))
        parts.append(ellipsoid("leather", (-length * 0.05, y, 0), (length * 0.43, 41, 37), sign=-1.0))
        if rng.random() < 0.5:  # steel shank in the sole
            parts.append(box("steel", (-length * 0.1, y, -25), (40, 6, 0.8)))
        if rng.random() < 0.4:
            parts.append(box("rubber", (-length * 0.4, y, -35), (30, 38, 15)))  # heel
    return parts, (length / 2, 110)


def bottle(rng: np.random.Generator) -> Item:
    kind = str(rng.choice(["glass", "polyethylene", "aluminium"]))
    r, h = rng.uniform(25, 45), rng.uniform(100, 320)
    wall = {"glass": rng.uniform(2.5, 4.5), "polyethylene": 0.4, "aluminium": 0.3}[kind]
    liquid = str(rng.choice(["water", "water", "cosmetic", "food"]))
    parts = tube(kind, (0, 0, 0), r, wall, h / 2, AX_X, closed=True)
    parts.append(cylinder(liquid, (-h * 0.05, 0, 0), r - wall, h / 2 * rng.uniform(0.6, 0.9), AX_X))
    parts += tube(kind, (h / 2 + 25, 0, 0), r * 0.4, wall, 25, AX_X)  # neck
    parts.append(
        cylinder("polyethylene" if kind != "glass" else "aluminium", (h / 2 + 52, 0, 0), r * 0.45, 6, AX_X)
    )
    return parts, (h / 2 + 55, r)


def book(rng: np.random.Generator) -> Item:
    w, h = rng.uniform(110, 250), rng.uniform(150, 300)
    parts: list[Part] = []
    for i in range(int(rng.integers(1, 4))):
        t = rng.uniform(5, 40)
        parts.append(
            box(
                "paper",
                (rng.normal(0, 8), rng.normal(0, 8), i * 45),
                (h / 2, w / 2, t / 2),
                rotation(yaw=rng.normal(0, 6)),
            )
        )
    return parts, (h / 2 + 10, w / 2 + 10)


def laptop(rng: np.random.Generator) -> Item:
    w, h = rng.uniform(300, 380), rng.uniform(200, 260)
    shell = str(rng.choice(["aluminium", "abs", "abs"]))
    parts = hollow_box(shell, (0, 0, 0), (w / 2, h / 2, 9), 1.2 if shell == "aluminium" else 2.0)
    parts.append(box("glass", (0, 0, -7), (w / 2 - 5, h / 2 - 5, 0.6)))
    parts.append(box("fr4", (-w * 0.15, -h * 0.15, 2), (w * 0.3, h * 0.25, 0.8)))
    for k in range(int(rng.integers(3, 7))):
        parts.append(box("li_ion_core", (-w * 0.35 + k * 62, h * 0.3, 3), (30, 25, 3)))
    parts.append(box("copper", (-w * 0.1, -h * 0.2, 4), (30, 30, 1.5)))  # heat sink and pipes
    parts.append(box("copper", (w * 0.05, -h * 0.25, 4), (55, 3, 1.5)))
    parts.append(cylinder("steel", (w * 0.3, -h * 0.3, 3), 30, 3))  # fan
    for x in (-w / 2 + 15, w / 2 - 15):
        parts.append(cylinder("steel", (x, -h / 2 + 8, 0), 4, 10))  # hinges
    return parts, (w / 2, h / 2)


def charger(rng: np.random.Generator) -> Item:
    w, h = rng.uniform(40, 90), rng.uniform(40, 70)
    parts = hollow_box("abs", (0, 0, 0), (w / 2, h / 2, 15), 2.0)
    parts.append(box("ferrite", (0, 0, 0), (10, 8, 8)))
    parts.append(box("copper", (0, 0, 0), (13, 11, 6)))
    parts.append(box("fr4", (0, 0, -8), (w / 2 - 4, h / 2 - 4, 0.8)))
    parts += [box("brass", (w / 2 + 8, s * 6, 0), (9, 1, 3)) for s in (-1, 1)]
    end = (rng.uniform(-120, 60), rng.uniform(-120, 120), 0)
    parts += insulated_wire(smooth_curve(rng, (-w / 2, 0, 0), end, 40, 16), 0.7, rng)
    return parts, (130, 130)


def cable_coil(rng: np.random.Generator) -> Item:
    r = rng.uniform(30, 90)
    turns = rng.uniform(3, 8)
    t = np.linspace(0, turns * 2 * np.pi, int(turns * 16))
    pts = np.c_[r * np.cos(t) * rng.uniform(0.7, 1.3), r * np.sin(t), rng.normal(0, 5, t.size)]
    pts[:, :2] += rng.normal(0, 6, (t.size, 2))
    parts = insulated_wire(pts, rng.uniform(0.4, 1.2), rng)
    parts.append(box("abs", (r, 0, 0), (15, 7, 5)))
    parts.append(box("steel", (r + 18, 0, 0), (5, 5, 2)))
    return parts, (r + 25, r + 10)


def toiletries(rng: np.random.Generator) -> Item:
    parts: list[Part] = [
        box("polymer", (0, 0, 0), (110, 60, 45)),
        box("polymer", (0, 0, 0), (109, 59, 44), sign=-1),
    ]
    for _ in range(int(rng.integers(2, 7))):
        x, y = rng.uniform(-80, 80), rng.uniform(-35, 35)
        kind = rng.random()
        rot = rotation(yaw=rng.uniform(0, 180), pitch=90)
        if kind < 0.3:  # aerosol can: aluminium with a steel valve
            parts += tube("aluminium", (x, y, 0), 22, 0.5, 70, rot, closed=True)
            parts.append(cylinder("cosmetic", (x, y, 0), 21, 50, rot))
        elif kind < 0.6:
            parts += tube(
                "polyethylene", (x, y, 0), rng.uniform(12, 25), 1.0, rng.uniform(40, 80), rot, closed=True
            )
            parts.append(cylinder("cosmetic", (x, y, 0), 11, 35, rot))
        elif kind < 0.8:  # toothbrush / razor
            parts.append(box("polymer", (x, y, 0), (85, 5, 5), rotation(yaw=rng.uniform(0, 180))))
            parts.append(box("steel", (x, y, 0), (10, 3, 0.3), rotation(yaw=rng.uniform(0, 180))))
        else:  # soap bar
            parts.append(box("soap", (x, y, 0), (40, 25, 12), rotation(yaw=rng.uniform(0, 180))))
    return parts, (110, 60)


def umbrella(rng: np.random.Generator) -> Item:
    length = rng.uniform(230, 300)
    parts = tube("aluminium", (0, 0, 0), 6, 0.8, length / 2, AX_X)
    for k in range(8):
        parts.append(cylinder("steel", (0, (k - 3.5) * 3.0, (k % 2) * 3.0), 0.9, length / 2 - 10, AX_X))
    parts.append(box("textile", (0, 0, 0), (length / 2, 20, 15)))
    parts.append(ellipsoid("polymer", (-length / 2 - 25, 0, 0), (30, 14, 14)))
    return parts, (length / 2 + 50, 30)


def poles(rng: np.random.Generator) -> Item:
    """Long harmless metal: a tripod, tent poles, hiking poles or a steel bar. A barrel-like
    tube in a bag is not by itself a gun."""
    kind = str(rng.choice(["tripod", "tent", "hiking", "bar"]))
    length = rng.uniform(350, 600)
    parts: list[Part] = []
    if kind == "bar":
        parts.append(box("steel", (0, 0, 0), (length / 2, rng.uniform(6, 15), rng.uniform(2, 6))))
        return parts, (length / 2, 15)
    count, radius = {"tripod": (3, 11.0), "tent": (int(rng.integers(4, 9)), 5.0), "hiking": (2, 9.0)}[kind]
    for k in range(count):
        y = (k - (count - 1) / 2) * radius * 2.1
        r = radius * rng.uniform(0.85, 1.15)
        parts += tube("aluminium", (0, y, 0), r, rng.uniform(0.8, 1.5), length / 2, AX_X)
        parts += tube("aluminium", (length * 0.05, y, 0), r * 0.8, 1.0, length * 0.42, AX_X)  # nested stage
    if kind == "tripod":
        parts += hollow_box("aluminium", (length / 2 + 25, 0, 0), (30, 40, 25), 3)  # head
    return parts, (length / 2 + 30, count * radius * 1.1 + 10)


def belt(rng: np.random.Generator) -> Item:
    r = rng.uniform(50, 90)
    t = np.linspace(0, 2 * np.pi * rng.uniform(1.5, 2.5), 40)
    pts = np.c_[r * np.cos(t), r * np.sin(t), np.zeros_like(t)]
    parts = [Part("wire", "leather", np.zeros(3), np.eye(3), (7.0,), points=pts)]
    parts += hollow_box(str(rng.choice(["steel", "brass", "zinc"])), (r, 0, 0), (22, 28, 3), 5)
    return parts, (r + 25, r + 10)


def electronics(rng: np.random.Generator) -> Item:
    """Camera, headphones, hair dryer, tablet or e-reader."""
    which = rng.integers(4)
    if which == 0:
        parts = hollow_box("abs", (0, 0, 0), (60, 40, 35), 2.0)
        parts.append(box("aluminium", (0, 0, 0), (55, 35, 3)))
        parts += [cylinder("glass", (40, 0, 0), 25, 8 - 3 * k) for k in range(2)]
        parts += tube("aluminium", (40, 0, 10), 28, 1.5, 25)
        parts += cell("18650", (-35, 0, 0), AX_Y)
        return parts, (70, 45)
    if which == 1:
        parts = tube("abs", (0, 0, 0), 80, 3, 10, AX_Y)
        for s in (-1, 1):
            parts.append(cylinder("ferrite", (s * 75, 40, 0), 18, 4))
            parts.append(cylinder("polymer", (s * 75, 40, 0), 35, 15))
        return parts, (115, 80)
    if which == 2:
        parts = tube("abs", (0, 0, 0), 35, 2, 70, AX_X)
        parts.append(cylinder("copper", (0, 0, 0), 14, 25, AX_X))
        parts.append(box("ceramic", (40, 0, 0), (25, 20, 2)))
        parts.append(prism("abs", [(-20, 20), (10, 20), (5, 130), (-15, 130)], 18))
        parts += insulated_wire(
            smooth_curve(rng, (-5, 130, 0), (rng.uniform(-100, 100), 220, 0), 40), 0.9, rng
        )
        return parts, (130, 230)
    w, h = rng.uniform(120, 180), rng.uniform(170, 250)
    parts = hollow_box("aluminium", (0, 0, 0), (w / 2, h / 2, 4), 0.8)
    parts.append(box("glass", (0, 0, -3.5), (w / 2 - 3, h / 2 - 3, 0.4)))
    parts.append(box("li_ion_core", (0, h * 0.1, 0), (w * 0.4, h * 0.3, 2.0)))
    parts.append(box("fr4", (0, -h * 0.35, 0), (w * 0.4, 15, 0.6)))
    return parts, (w / 2, h / 2)


def phone_or_clock(rng: np.random.Generator) -> Item:
    """A phone, travel alarm clock or kitchen timer, unwired: the same objects an IED's timer is
    made from, here as the harmless goods nearly every bag holds."""
    variant = str(rng.choice(["phone", "phone", "alarm-clock", "digital"]))
    parts, _, (w, h) = timer_body(rng, variant)
    return parts, (w / 2, h / 2)


def small_metal(rng: np.random.Generator) -> Item:
    """Keys, coins, a lock, glasses, a pen: the small metal things every bag has."""
    parts: list[Part] = []
    for _ in range(int(rng.integers(1, 5))):
        x, y = rng.normal(0, 30, 2)
        kind = rng.random()
        if kind < 0.3:
            parts.append(box("brass", (x, y, 0), (25, 6, 1.2), rotation(yaw=rng.uniform(0, 180))))
        elif kind < 0.55:
            parts.append(
                cylinder(str(rng.choice(["brass", "steel", "copper"])), (x, y, 0), rng.uniform(8, 14), 1.0)
            )
        elif kind < 0.75:
            parts += hollow_box("zinc", (x, y, 0), (15, 12, 6), 3, rotation(yaw=rng.uniform(0, 180)))
        else:
            parts.append(cylinder("polymer", (x, y, 0), 5, 70, rotation(yaw=rng.uniform(0, 180), pitch=90)))
            parts.append(cylinder("steel", (x, y, 0), 1.2, 55, rotation(yaw=rng.uniform(0, 180), pitch=90)))
    return parts, (60, 60)


def food(rng: np.random.Generator) -> Item:
    parts: list[Part] = []
    kind = rng.random()
    if kind < 0.4:
        parts.append(
            box("chocolate", (0, 0, 0), (rng.uniform(50, 110), rng.uniform(25, 45), rng.uniform(5, 12)))
        )
    elif kind < 0.7:  # jar: glass with a steel lid
        parts += tube("glass", (0, 0, 0), 40, 3.5, 50, closed=True)
        parts.append(cylinder("food", (0, 0, 0), 36, 40))
        parts.append(cylinder("steel", (0, 0, 52), 41, 1))
    else:  # a packet of biscuits, nuts, coffee
        parts.append(box("food", (0, 0, 0), (rng.uniform(60, 110), rng.uniform(40, 70), rng.uniform(20, 40))))
        parts.append(box("aluminium", (0, 0, 0), (110, 70, 0.03)))
    return parts, (110, 70)


def clothing_hardware(rng: np.random.Generator) -> Item:
    """What clothes carry: zips, jeans rivets and buttons, underwires, hooks, a watch."""
    parts: list[Part] = []
    for _ in range(int(rng.integers(1, 4))):
        start = np.array([-150 + rng.normal(0, 30), rng.normal(0, 40), rng.normal(0, 10)])
        end = start + [rng.uniform(100, 300), rng.normal(0, 40), 0]
        teeth = str(rng.choice(["brass", "steel", "aluminium", "polymer"]))
        parts.append(wire(teeth, smooth_curve(rng, start, end, 20), rng.uniform(1.2, 2.5)))
        parts += hollow_box("zinc", tuple(start), (10, 4.5, 2.5), 1.2, rotation(yaw=rng.uniform(0, 360)))
    for _ in range(int(rng.integers(0, 8))):
        x, y = rng.normal(0, 80, 2)
        parts.append(
            cylinder(
                str(rng.choice(["copper", "brass", "polymer", "steel"])),
                (x, y, 0),
                rng.uniform(3, 9),
                rng.uniform(0.8, 2.0),
            )
        )
    if rng.random() < 0.3:  # underwires
        for s in (-1, 1):
            t = np.linspace(0.2, np.pi - 0.2, 12)
            pts = np.c_[s * 70 + 55 * np.cos(t), 40 * np.sin(t), np.zeros_like(t)]
            parts.append(wire("steel", pts, 0.9))
    if rng.random() < 0.2:  # a watch
        parts += tube("steel", (0, 0, 0), 20, 3, 5)
        parts.append(cylinder("glass", (0, 0, 4), 17, 0.8))
        parts.append(cylinder("battery_core", (0, 0, -2), 5.5, 1.2))
    return parts, (230, 130)


def tools(rng: np.random.Generator) -> Item:
    """Harmless metal look-alikes a detector must learn to pass: knives, scissors, cutlery,
    screwdrivers, spanners, pliers."""
    which = int(rng.integers(5))
    if which == 0:  # kitchen or pocket knife: thin steel blade, organic handle
        blade = rng.uniform(60, 200)
        parts = [
            prism("steel", [(0, -8), (blade, -2), (blade, 2), (0, 12)], 1.0),
            box(str(rng.choice(["wood", "polymer"])), (-55, 2, 0), (55, 10, 7)),
        ]
        parts += [cylinder("brass", (-55 + k * 35, 2, 0), 2, 8) for k in range(3)]
    elif which == 1:  # scissors
        parts = []
        for s in (-1, 1):
            parts.append(
                prism(
                    "steel",
                    [(0, -3), (110, s * 6 - 2), (110, s * 6 + 2), (0, 3)],
                    1.2,
                    rot=rotation(yaw=s * 8),
                )
            )
            parts += [
                cylinder("polymer", (-25, s * 18, 0), 18, 4),
                cylinder("polymer", (-25, s * 18, 0), 12, 4, sign=-1.0),
            ]
        parts.append(cylinder("steel", (0, 0, 0), 3, 4))
    elif which == 2:  # cutlery
        parts = [
            box("steel", (0, k * 25, 0), (90, rng.uniform(4, 10), 1.2))
            for k in range(int(rng.integers(2, 5)))
        ]
    elif which == 3:  # screwdriver or spanner
        if rng.random() < 0.5:
            parts = [
                cylinder("steel", (60, 0, 0), 3, 60, AX_X),
                cylinder("polymer", (-30, 0, 0), 14, 45, AX_X),
            ]
        else:
            parts = [box("steel", (0, 0, 0), (90, 7, 3))]
            parts += [cylinder("steel", (s * 95, 0, 0), 16, 3) for s in (-1, 1)]
    else:  # pliers
        parts = [
            prism("steel", [(0, -6), (80, -2), (80, 2), (0, 6)], 5),
            box("polymer", (-60, -12, 0), (60, 6, 6), rotation(yaw=-8)),
            box("polymer", (-60, 12, 0), (60, 6, 6), rotation(yaw=8)),
        ]
        parts += [box("steel", (-60, s * 12, 0), (55, 3, 3), rotation(yaw=s * 8)) for s in (-1, 1)]
    return parts, (130, 50)


BAG_ITEMS: dict[str, tuple[float, Callable[[np.random.Generator], Item]]] = {
    "shoes": (1.0, shoes),
    "bottle": (1.2, bottle),
    "book": (1.0, book),
    "laptop": (0.6, laptop),
    "charger": (1.0, charger),
    "cable_coil": (0.8, cable_coil),
    "toiletries": (1.0, toiletries),
    "umbrella": (0.4, umbrella),
    "poles": (0.5, poles),
    "belt": (0.6, belt),
    "electronics": (0.9, electronics),
    "phone_or_clock": (1.0, phone_or_clock),
    "small_metal": (1.2, small_metal),
    "food": (0.8, food),
    "clothing_hardware": (2.5, clothing_hardware),
    "tools": (0.8, tools),
}


def draw_item(rng: np.random.Generator) -> tuple[str, Item]:
    names = list(BAG_ITEMS)
    weights = np.array([BAG_ITEMS[n][0] for n in names])
    name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    return name, BAG_ITEMS[name][1](rng)
