"""IED components as posed primitives, in the object's own frame (x along the longest side)."""

from __future__ import annotations

import numpy as np

from ..shapes import Part, box, cylinder, posed, rotation, tube
from .pieces import AX_X, AX_Y, cell, insulated_wire, lead_wire, smooth_curve


def pipe_bomb(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    radius = rng.uniform(12.5, 37.5)
    wall = rng.uniform(3, 6)
    length = rng.uniform(150, 300)
    filler = str(rng.choice(["explosive", "tnt", "tnt", "explosive"]))
    parts = tube("steel", (0, 0, 0), radius, wall, length / 2, AX_X)
    parts.append(cylinder(filler, (0, 0, 0), radius - wall, length / 2 - 3, AX_X))
    cap_len = rng.uniform(18, 35)
    cap_r = radius + rng.uniform(3, 7)
    for s in (-1, 1):
        x = s * (length / 2 - cap_len / 2 + 6)
        parts.append(cylinder("steel", (x, 0, 0), cap_r, cap_len / 2, AX_X))
        parts.append(cylinder("steel", (x - s * 4, 0, 0), radius, cap_len / 2 - 4, AX_X, sign=-1.0))
    end = length / 2 + 6
    parts += lead_wire(
        smooth_curve(
            rng,
            (end - 4, rng.uniform(-radius, radius) * 0.5, 0),
            (end + rng.uniform(60, 200), rng.uniform(-80, 80), 0),
            30,
        ),
        rng.uniform(0.4, 0.9),
        rng,
    )
    if rng.random() < 0.6:  # a detonator inside, near the wired cap
        parts += tube("aluminium", (end - cap_len - 30, 0, 0), 3.5, 0.4, 25, AX_X, closed=True)
        parts.append(cylinder("lead_azide", (end - cap_len - 50, 0, 0), 2.8, 4, AX_X))
    return parts, f"steel+{filler}", f"d{2 * radius:.0f}"


def detonator(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    radius, length = rng.uniform(3.0, 4.0), rng.uniform(40, 80)
    shell = str(rng.choice(["aluminium", "copper"]))
    parts = tube(shell, (0, 0, 0), radius, 0.4, length / 2, AX_X, closed=True)
    parts.append(cylinder("explosive", (length * 0.1, 0, 0), radius - 0.45, length * 0.3, AX_X))
    parts.append(cylinder("lead_azide", (length / 2 - 6, 0, 0), radius - 0.45, 3.5, AX_X))  # dense spot
    parts.append(cylinder("rubber", (-length / 2 + 5, 0, 0), radius - 0.45, 4, AX_X))
    leg = rng.uniform(80, 250)
    for s in (-1, 1):
        start = (-length / 2, s * 1.0, 0)
        end = (-length / 2 - leg * rng.uniform(0.6, 1.0), s * rng.uniform(10, 60), rng.uniform(-10, 10))
        parts += lead_wire(smooth_curve(rng, start, end, leg * 0.2), rng.uniform(0.25, 0.45), rng)
    return parts, shell, "electric"


def battery(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    kind = str(rng.choice(["aa", "aa", "9v", "18650", "18650", "d", "c", "aaa"]))
    count = 1 if rng.random() < 0.35 else int(rng.integers(2, 7))
    if kind == "9v":
        count = min(count, 3)
    radius = {"aa": 7.25, "aaa": 5.25, "c": 13, "d": 17, "18650": 9, "9v": 13}[kind]
    parts: list[Part] = []
    per_row = 2 if count > 3 and rng.random() < 0.5 else count
    for i in range(count):
        col, row = i % per_row, i // per_row
        parts += cell(kind, (col * (2 * radius + 0.6), row * 70.0, 0), AX_Y)
    if count > 1:  # a holder or a taped pack
        w = per_row * (2 * radius + 0.6) + 4
        h = (count // per_row + (count % per_row > 0)) * 70.0
        parts.append(
            box(
                str(rng.choice(["abs", "polyethylene"])),
                (w / 2 - radius - 2, h / 2 - 35, 0),
                (w / 2, h / 2, radius + 1.5),
            )
        )
        if rng.random() < 0.7:
            parts += lead_wire(
                smooth_curve(rng, (0, -38, 0), (rng.uniform(-80, 80), -rng.uniform(80, 200), 0), 30), 0.4, rng
            )
    return parts, "steel+battery", f"{count}x{kind}"


def wiring(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    strands = int(rng.integers(2, 7))
    span = rng.uniform(120, 350)
    parts: list[Part] = []
    start = np.array([0.0, 0.0, 0.0])
    for _ in range(strands):
        end = start + [rng.uniform(0.4, 1.0) * span, rng.normal(0, span * 0.3), rng.normal(0, 10)]
        parts += insulated_wire(
            smooth_curve(rng, start + rng.normal(0, 8, 3), end, span * 0.15, 16), rng.uniform(0.3, 1.0), rng
        )
    if rng.random() < 0.5:  # a connector or switch on the loom
        parts.append(box("brass", (span * 0.5, 0, 0), (6, 4, 3)))
        parts.append(box("abs", (span * 0.5, 0, 0), (12, 8, 6)))
    return parts, "copper", f"{strands}-strand"


def _components(rng: np.random.Generator, w: float, h: float, count: int) -> list[Part]:
    """Chips, capacitors, a crystal, connectors scattered over a w × h board at z = 0."""
    parts: list[Part] = []
    for _ in range(count):
        x, y = rng.uniform(-w / 2 + 5, w / 2 - 5), rng.uniform(-h / 2 + 5, h / 2 - 5)
        kind = rng.random()
        if kind < 0.4:  # chip: silicon die in epoxy, copper lead frame
            a, b = rng.uniform(3, 12), rng.uniform(3, 8)
            parts.append(box("polymer", (x, y, 2), (a, b, 1.2)))
            parts.append(box("copper", (x, y, 1.5), (a + 1, b * 0.9, 0.15)))
            parts.append(box("silicon", (x, y, 2), (a * 0.4, b * 0.4, 0.3)))
        elif kind < 0.7:  # electrolytic capacitor: aluminium can
            r = rng.uniform(2.5, 6)
            parts += tube(
                "aluminium",
                (x, y, r + 1),
                r,
                0.3,
                rng.uniform(4, 10),
                AX_X if rng.random() < 0.3 else rotation(),
                closed=True,
            )
        elif kind < 0.85:  # quartz crystal / relay in a steel can
            parts.append(box("steel", (x, y, 3), (5, 2.2, 2)))
        else:  # pin header
            parts.append(box("brass", (x, y, 3), (rng.uniform(5, 15), 1.3, 3)))
    return parts


def circuit_board(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    w, h = rng.uniform(40, 150), rng.uniform(30, 100)
    parts = [
        box("fr4", (0, 0, 0), (w / 2, h / 2, 0.8)),
        box("copper", (0, 0, 0), (w / 2 - 1, h / 2 - 1, 0.04)),
    ]
    parts += _components(rng, w, h, int(rng.integers(4, 16)))
    return parts, "fr4+copper", f"{w:.0f}x{h:.0f}"


def timer(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    """A digital kitchen timer, an alarm clock or a mobile phone wired in as a device's timer.

    The leads are what make it a threat: the same clocks and phones travel in bags as goods
    (see goods.baggage_items), so without them the detector could only learn "phone = IED".
    """
    variant = str(rng.choice(["digital", "alarm-clock", "phone"]))
    parts, material, (_, h) = timer_body(rng, variant)
    for side in (-1, 1):
        start = (side * 8.0, -h / 2, 0.0)
        end = (side * rng.uniform(10, 90), -h / 2 - rng.uniform(60, 180), rng.normal(0, 5))
        parts += lead_wire(smooth_curve(rng, start, end, 25), rng.uniform(0.3, 0.5), rng)
    return parts, material, variant


def timer_body(rng: np.random.Generator, variant: str) -> tuple[list[Part], str, tuple[float, float]]:
    """A clock or phone as sold, unwired: its parts, material and (width, height) in mm."""
    if variant == "phone":
        w, h = rng.uniform(60, 78), rng.uniform(120, 160)
        parts = [box("aluminium", (0, 0, 0), (w / 2, h / 2, 4))]
        parts.append(box("aluminium", (0, 0, 0), (w / 2 - 1.5, h / 2 - 1.5, 3.5), sign=-1.0))
        parts.append(box("glass", (0, 0, -4), (w / 2 - 1, h / 2 - 1, 0.5)))
        parts.append(box("li_ion_core", (0, h * 0.1, 0), (w / 2 - 6, h * 0.28, 2.5)))
        parts.append(box("fr4", (0, -h * 0.3, 0), (w / 2 - 4, h * 0.15, 0.6)))
        parts += _components(rng, w - 10, h * 0.25, 8)
        return parts, "aluminium+li_ion", (w, h)
    w, h = rng.uniform(50, 110), rng.uniform(40, 90)
    parts = [
        box("abs", (0, 0, 0), (w / 2, h / 2, 12)),
        box("abs", (0, 0, 0), (w / 2 - 2, h / 2 - 2, 10), sign=-1.0),
    ]
    parts.append(box("glass", (0, -h * 0.15, -10), (w * 0.35, h * 0.2, 0.7)))  # display
    parts.append(box("fr4", (0, 0, 2), (w / 2 - 4, h / 2 - 4, 0.8)))
    parts += _components(rng, w - 8, h - 8, int(rng.integers(3, 9)))
    for x in (-w * 0.25, w * 0.25):
        parts += cell("aaa" if variant == "alarm-clock" else "aa", (x, h * 0.15, 6), AX_X)
    parts.append(cylinder("brass", (w * 0.3, -h * 0.3, 6), 10, 0.3))  # piezo buzzer
    return parts, "abs+fr4", (w, h)


def explosive_charge(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    """Blocks (one or taped together) or a sheet; sometimes with a detonator pushed in."""
    material = str(rng.choice(["explosive", "explosive", "tnt"]))
    parts: list[Part] = []
    if rng.random() < 0.3:
        w, h, t = rng.uniform(120, 300), rng.uniform(80, 250), rng.uniform(3, 8)
        parts.append(box(material, (0, 0, 0), (w / 2, h / 2, t / 2)))
        variant = "sheet"
    else:
        blocks = int(rng.integers(1, 5))
        w, h, t = rng.uniform(50, 180), rng.uniform(35, 80), rng.uniform(20, 55)
        for i in range(blocks):
            parts.append(box(material, (0, i * (h + 1), 0), (w / 2, h / 2, t / 2)))
        parts.append(
            box(
                "polyethylene",
                (0, (blocks - 1) * (h + 1) / 2, 0),
                (w / 2 + 1, blocks * (h + 1) / 2, t / 2 + 0.5),
            )
        )  # wrapping
        variant = f"{blocks}-block"
    if rng.random() < 0.4:
        det, _, _ = detonator(rng)
        parts += [posed(p, rotation(yaw=rng.uniform(-30, 30)), (w * 0.3, 0, 0)) for p in det]
        variant += "+detonator"
    return parts, material, variant
