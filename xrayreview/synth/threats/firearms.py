"""Firearms as posed primitives, in the object's own frame: x towards the muzzle, y down, z across.

Sizes and materials follow public descriptions (DESIGN.md §5); each builder draws its own
variant (dimensions, frame material, loaded or not) from the generator it is given.
"""

from __future__ import annotations

import numpy as np

from ..shapes import Part, box, cylinder, prism, rotation, tube
from .pieces import AX_X, AX_Y, cartridge, hollow_box


def _magazine(
    rng: np.random.Generator,
    top,
    angle_deg: float,
    length: float,
    depth: float,
    width: float,
    rounds: int,
    radius: float,
    case: float,
    bullet: float,
    double_stack: bool = True,
) -> list[Part]:
    """A box magazine hanging from ``top`` along ``angle_deg`` (90 = straight down)."""
    rot = rotation(yaw=angle_deg - 90)
    top = np.asarray(top, float)
    axis = rot @ np.array([0.0, 1.0, 0.0])
    center = top + axis * length / 2
    parts = hollow_box("steel", center, (depth / 2, length / 2, width / 2), 0.8, rot)
    parts.append(box("polymer", top + axis * (length + 3), (depth / 2 + 1, 3, width / 2 + 1), rot))
    pitch = radius * (1.7 if double_stack else 2.05)
    for i in range(rounds):
        pos = top + axis * (4 + radius + i * pitch)
        if np.dot(pos - top, axis) > length - radius:
            break
        stagger = (i % 2 - 0.5) * radius * 1.1 if double_stack else 0.0
        pos = pos + rot @ np.array([0.0, 0.0, stagger])
        parts += cartridge(pos + rot @ np.array([bullet * 0.2, 0, 0]), 0.0, radius, case, bullet, rot)
    return parts


def _shrunk(outline, factor: float) -> list[tuple[float, float]]:
    """A convex outline scaled towards its centre: an inner wall line to carve a hollow."""
    pts = np.asarray(outline, float)
    centre = pts.mean(axis=0)
    return [tuple(p) for p in centre + (pts - centre) * factor]


def pistol(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    length = rng.uniform(150, 215)
    slide_h, slide_w = rng.uniform(25, 34), rng.uniform(20, 27)
    grip_h, grip_angle = rng.uniform(75, 105), rng.uniform(12, 22)
    polymer_frame = rng.random() < 0.65
    frame_mat = "polymer" if polymer_frame else rng.choice(["steel", "aluminium"])
    half = length / 2
    parts = hollow_box("steel", (0, 0, 0), (half, slide_h / 2, slide_w / 2), rng.uniform(2.5, 4.0))
    wall = parts[0].size[2] - parts[1].size[2]
    port = rng.uniform(18, 30)  # ejection port: a window in the right-hand wall
    parts.append(
        box(
            "steel",
            (-half * 0.25, -slide_h * 0.1, slide_w / 2 - wall / 2),
            (port / 2, slide_h * 0.25, wall / 2 - 0.05),
            sign=-1.0,
        )
    )
    parts += tube("steel", (4, -1, 0), rng.uniform(6, 7.5), 2.6, half - 6, AX_X)
    parts.append(cylinder("steel", (10, slide_h / 2 - 4, 0), 2.2, half * 0.55, AX_X))  # spring guide
    parts.append(box("steel", (half - 6, -slide_h / 2 - 2, 0), (2.5, 2.5, 1.5)))  # front sight
    parts.append(box("steel", (-half + 8, -slide_h / 2 - 2.5, 0), (3, 3, slide_w / 2 - 4)))  # rear sight
    # Frame: dust cover under the slide, the grip raked back, a trigger guard.
    frame_top = slide_h / 2
    parts.append(box(frame_mat, (-5, frame_top + 5, 0), (half * 0.8, 6, slide_w / 2 - 1.5)))
    rake = np.tan(np.radians(grip_angle)) * grip_h
    grip_front = -half + rng.uniform(40, 55)
    grip_back = -half + rng.uniform(0, 8)
    outline = [
        (grip_back, frame_top),
        (grip_front, frame_top),
        (grip_front - rake, frame_top + grip_h),
        (grip_back - rake - 4, frame_top + grip_h),
    ]
    parts.append(prism(frame_mat, outline, slide_w / 2))
    parts.append(prism(frame_mat, _shrunk(outline, 0.82), slide_w / 2 - 2.5, sign=-1.0))  # magazine well
    guard = [
        (grip_front, frame_top + 8),
        (grip_front + 38, frame_top + 8),
        (grip_front + 34, frame_top + 30),
        (grip_front + 4, frame_top + 30),
    ]
    parts.append(prism(frame_mat, guard, 4.5))
    parts.append(prism(frame_mat, _shrunk(guard, 0.6), 4.5, sign=-1.0))  # the finger's opening
    parts.append(box("steel", (grip_front + 16, frame_top + 16, 0), (2.5, 8, 3)))  # trigger
    parts.append(box("steel", (-5, frame_top + 2, 0), (half * 0.45, 2.5, slide_w / 2 - 3)))  # rails, bar
    for x in (grip_front - 4, grip_front + 26, -half + 14):
        parts.append(cylinder("steel", (x, frame_top + 6, 0), 1.5, slide_w / 2))  # pins across
    loaded = rng.random() < 0.85
    if loaded or rng.random() < 0.5:
        mag_len = grip_h + rng.uniform(-2, 25)
        rounds = int(rng.integers(0, 16)) if loaded else 0
        parts += _magazine(
            rng,
            ((grip_front + grip_back) / 2, frame_top + 2, 0),
            90 + grip_angle,
            mag_len,
            rng.uniform(30, 34),
            rng.uniform(19, 24),
            rounds,
            4.75,
            19.0,
            12.0,
        )
    return (
        parts,
        "steel" if not polymer_frame else "steel+polymer",
        f"{'polymer' if polymer_frame else 'metal'}",
    )


def revolver(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    barrel = rng.uniform(50, 150)
    cyl_r, cyl_len = rng.uniform(17.5, 22.5), rng.uniform(36, 44)
    chambers = int(rng.choice([5, 6, 6, 6, 7, 8]))
    parts: list[Part] = []
    parts += tube(
        "steel", (cyl_len / 2 + barrel / 2 + 4, -cyl_r * 0.55, 0), rng.uniform(8, 11), 4.0, barrel / 2, AX_X
    )
    if rng.random() < 0.6:  # ejector rod shroud under the barrel
        parts.append(
            cylinder("steel", (cyl_len / 2 + barrel * 0.35, -cyl_r * 0.05, 0), 4.5, barrel * 0.3, AX_X)
        )
    parts.append(cylinder("steel", (0, 0, 0), cyl_r, cyl_len / 2, AX_X))
    loaded = rng.random() < 0.7
    for k in range(chambers):
        a = 2 * np.pi * k / chambers + rng.uniform(0, 0.2)
        pos = (0, -np.cos(a) * cyl_r * 0.58, np.sin(a) * cyl_r * 0.58)
        parts.append(cylinder("steel", pos, 4.9, cyl_len / 2, AX_X, sign=-1.0))
        if loaded:
            parts += tube("brass", pos, 4.8, 0.5, cyl_len / 2 - 1, AX_X, closed=True)
            parts.append(
                cylinder("lead", (pos[0] + cyl_len * 0.3, pos[1], pos[2]), 4.5, cyl_len * 0.18, AX_X)
            )
    # Frame: top strap, bottom, recoil shield, grip frame, hammer, trigger guard.
    parts.append(box("steel", (0, -cyl_r - 3, 0), (cyl_len / 2 + 4, 3.5, 7)))
    parts.append(box("steel", (0, cyl_r + 3, 0), (cyl_len / 2 + 4, 4, 8)))
    parts.append(box("steel", (-cyl_len / 2 - 5, 0, 0), (5, cyl_r + 5, 9)))
    grip_h = rng.uniform(85, 115)
    rake = rng.uniform(20, 45)
    top = cyl_r * 0.7
    grip = [
        (-cyl_len / 2 - 22, top),
        (-cyl_len / 2 + 6, top),
        (-cyl_len / 2 - rake + 12, top + grip_h),
        (-cyl_len / 2 - rake - 26, top + grip_h),
    ]
    back_top, back_bottom = grip[0], grip[3]
    strap = [
        back_top,
        (back_top[0] + 11, back_top[1]),
        (back_bottom[0] + 11, back_bottom[1] - 4),
        (back_bottom[0], back_bottom[1] - 4),
    ]
    parts.append(prism("steel", strap, 5.0))  # the grip frame: a narrow steel strap inside the panels
    parts.append(prism(str(rng.choice(["wood", "rubber", "polymer"])), grip, 15.0))
    parts.append(box("steel", (-cyl_len / 2 - 12, -cyl_r - 2, 0), (7, 5, 4), rotation(yaw=-25)))
    parts.append(box("steel", (0, cyl_r + 18, 0), (14, 1.5, 4)))
    parts.append(box("steel", (-2, cyl_r + 12, 0), (2.5, 7, 3)))
    return parts, "steel", f"{chambers}-shot"


def long_gun(rng: np.random.Generator, kind: str) -> tuple[list[Part], str, str]:
    """Rifles and shotguns: a long barrel, a receiver, a trigger group, an organic stock."""
    shotgun = kind == "shotgun"
    barrel_len = rng.uniform(450, 720) if shotgun else rng.uniform(400, 620)
    rec_len, rec_h, rec_w = rng.uniform(160, 250), rng.uniform(40, 60), rng.uniform(24, 32)
    parts = hollow_box("steel", (0, 0, 0), (rec_len / 2, rec_h / 2, rec_w / 2), rng.uniform(2.5, 4.5))
    parts.append(cylinder("steel", (0, -rec_h * 0.1, 0), rec_w * 0.3, rec_len * 0.35, AX_X))  # bolt
    front = rec_len / 2 + barrel_len / 2 - 5
    variant = "rifle"
    if shotgun:
        radius, wall = rng.uniform(10.5, 12.0), rng.uniform(1.2, 2.2)
        double = rng.random() < 0.45
        if double:
            side = rng.random() < 0.5
            for s in (-1, 1):
                offset = (0, 0, s * radius) if side else (0, s * radius, 0)
                parts += tube(
                    "steel", (front, -rec_h * 0.15 + offset[1], offset[2]), radius, wall, barrel_len / 2, AX_X
                )
            variant = "side-by-side" if side else "over-under"
        else:
            parts += tube("steel", (front, -rec_h * 0.2, 0), radius, wall, barrel_len / 2, AX_X)
            mag_len = barrel_len * rng.uniform(0.5, 0.8)
            parts += tube("steel", (rec_len / 2 + mag_len / 2, rec_h * 0.2, 0), 11, 0.8, mag_len / 2, AX_X)
            variant = "pump"
    else:
        parts += tube(
            "steel", (front, -rec_h * 0.2, 0), rng.uniform(8.5, 12), rng.uniform(4, 6), barrel_len / 2, AX_X
        )
        if rng.random() < 0.6:  # magazine, curved ones as two angled boxes
            curve = rng.uniform(0, 18)
            mag_top = (rec_len * 0.15, rec_h / 2, 0)
            mag_len = rng.uniform(90, 200)
            parts += _magazine(
                rng,
                mag_top,
                90 - curve * 0.4,
                mag_len * 0.55,
                rng.uniform(55, 70),
                rng.uniform(20, 26),
                int(rng.integers(0, 12)),
                5.6,
                39,
                14,
            )
            lower = (
                mag_top[0] - mag_len * 0.55 * np.sin(np.radians(curve * 0.4)),
                rec_h / 2 + mag_len * 0.55,
                0,
            )
            parts += hollow_box(
                "steel",
                (lower[0] - mag_len * 0.2 * np.sin(np.radians(curve)), lower[1] + mag_len * 0.22, 0),
                (30, mag_len * 0.22, 11),
                0.8,
                rotation(yaw=curve),
            )
            variant = "magazine-fed"
        if rng.random() < 0.3:  # telescopic sight: aluminium tube with glass
            parts += tube("aluminium", (0, -rec_h / 2 - 25, 0), 13, 1.5, rng.uniform(120, 170), AX_X)
            parts.append(cylinder("glass", (140, -rec_h / 2 - 25, 0), 12, 4, AX_X))
            variant += "+scope"
    stock_mat = str(rng.choice(["wood", "wood", "polymer"]))
    stock_len, drop = rng.uniform(260, 360), rng.uniform(10, 40)
    back = -rec_len / 2
    stock = [
        (back + 5, -rec_h / 2 + 5),
        (back + 5, rec_h / 2),
        (back - stock_len, rec_h / 2 + drop + 110),
        (back - stock_len, rec_h / 2 + drop - 20),
        (back - stock_len * 0.3, -rec_h / 2 + drop * 0.3),
    ]
    parts.append(prism(stock_mat, stock, rng.uniform(17, 23)))
    if stock_mat == "polymer":  # hollow polymer stocks hide a steel buffer tube
        parts += tube("steel", (back - stock_len * 0.4, -rec_h * 0.05, 0), 15, 1.5, stock_len * 0.4, AX_X)
    parts.append(box("steel", (back - stock_len, rec_h / 2 + drop + 45, 0), (3, 70, 20)))  # butt plate
    fore = barrel_len * rng.uniform(0.3, 0.5)
    parts.append(box(stock_mat, (rec_len / 2 + fore / 2, 2, 0), (fore / 2, rec_h * 0.4, 20)))
    parts.append(box("steel", (-rec_len * 0.15, rec_h / 2 + 15, 0), (25, 1.5, 5)))  # trigger guard
    parts.append(box("steel", (-rec_len * 0.18, rec_h / 2 + 9, 0), (2.5, 8, 3)))  # trigger
    parts.append(cylinder("steel", (-rec_len * 0.2, rec_h / 2 - 5, 0), 2, 12))  # pins
    return parts, f"steel+{stock_mat}", variant


def smg(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    rec_len, rec_h, rec_w = rng.uniform(200, 320), rng.uniform(45, 60), rng.uniform(28, 36)
    parts = hollow_box("steel", (0, 0, 0), (rec_len / 2, rec_h / 2, rec_w / 2), rng.uniform(1.5, 3))
    parts.append(cylinder("steel", (-rec_len * 0.1, 0, 0), rec_w * 0.35, rec_len * 0.25, AX_X))  # bolt
    barrel = rng.uniform(80, 200)
    parts += tube("steel", (rec_len / 2 + barrel / 2 - 10, -3, 0), rng.uniform(7, 10), 3.5, barrel / 2, AX_X)
    grip_x = rng.uniform(-0.2, 0.1) * rec_len
    mag_x = rec_len * rng.uniform(-0.1, 0.3)
    parts += _magazine(
        rng,
        (mag_x, rec_h / 2, 0),
        90 + rng.uniform(-5, 8),
        rng.uniform(150, 250),
        33,
        24,
        int(rng.integers(0, 30)),
        4.75,
        19.0,
        12.0,
    )
    parts.append(
        prism(
            "polymer",
            [
                (grip_x - 40, rec_h / 2),
                (grip_x - 10, rec_h / 2),
                (grip_x - 25, rec_h / 2 + 95),
                (grip_x - 55, rec_h / 2 + 95),
            ],
            14,
        )
    )
    parts.append(box("steel", (grip_x, rec_h / 2 + 8, 0), (2, 7, 3)))
    folded = rng.random() < 0.5
    stock_len = rng.uniform(200, 300)
    for s in (-1, 1):
        if folded:
            parts.append(cylinder("steel", (0, rec_h / 2 - 2, s * (rec_w / 2 + 4)), 4, stock_len / 2, AX_X))
        else:
            parts.append(cylinder("steel", (-rec_len / 2 - stock_len / 2, s * 12, 0), 4, stock_len / 2, AX_X))
    end_x = -rec_len / 2 + (stock_len * 0.5 if folded else -stock_len)
    parts.append(box("steel", (end_x, 10, 0), (3, 50, 12)))
    parts.append(cylinder("steel", (end_x - 2, 0, 0), 3, 40, AX_Y))
    return parts, "steel", "folded" if folded else "extended"


def gun_part(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    """A part carried on its own: barrel, slide, revolver cylinder, loaded magazine, bolt."""
    which = str(rng.choice(["barrel", "slide", "cylinder", "magazine", "bolt"]))
    if which == "barrel":
        length = rng.uniform(90, 500)
        parts = tube("steel", (0, 0, 0), rng.uniform(6, 12), rng.uniform(2.5, 5), length / 2, AX_X)
        parts.append(cylinder("steel", (-length / 2 + 10, 0, 0), rng.uniform(10, 15), 10, AX_X))  # chamber
    elif which == "slide":
        length = rng.uniform(150, 200)
        parts = hollow_box("steel", (0, 0, 0), (length / 2, 15, 12), 4.5)
        parts += tube("steel", (5, 0, 0), 7, 2.6, length / 2 - 8, AX_X)
    elif which == "cylinder":
        parts, _, _ = revolver(rng)
        parts = [p for p in parts if abs(p.center[0]) < 25 and abs(p.center[1]) < 25]
    elif which == "magazine":
        parts = _magazine(
            rng,
            (0, -60, 0),
            90 + rng.uniform(-10, 10),
            rng.uniform(90, 130),
            32,
            22,
            int(rng.integers(3, 16)),
            4.75,
            19.0,
            12.0,
        )
    else:
        parts = [
            cylinder("steel", (0, 0, 0), rng.uniform(8, 12), rng.uniform(40, 80), AX_X),
            box("steel", (0, -12, 0), (30, 6, 6)),
        ]
    return parts, "steel", which


def rifle(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    return long_gun(rng, "rifle")


def shotgun(rng: np.random.Generator) -> tuple[list[Part], str, str]:
    return long_gun(rng, "shotgun")
