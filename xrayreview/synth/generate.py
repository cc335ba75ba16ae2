"""Whole scans and training tiles with threats in them, and their ground truth."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..scan.model import Scan
from .detector import expose
from .placement import Difficulty, GroundTruth, PlacedThreat, box_inside, into_outline, place_threat
from .scene import Scene
from .scenes.baggage import baggage_scene
from .scenes.cargo import cargo_scene
from .shapes import IDENTITY, Part, footprint, posed, rotation
from .threats import THREAT_CATEGORIES, draw_label
from .visibility import seen_box

KINDS = ("cargo", "baggage")
# IED parts that are built together when the generator assembles a device.
ASSEMBLY = ("wiring", "battery", "timer", "detonator", "circuit_board")
DEFAULT_DIFFICULTY = Difficulty()
LONG_GUNS = ("rifle", "shotgun")
LONG_BAG_MM = 1250.0  # a rifle or shotgun case
MAIN_CHARGES = ("pipe_bomb", "explosive_charge")


def generate_scan(
    kind: str,
    seed: int,
    *,
    threats: Sequence[str] | None = None,
    clean: bool = False,
    difficulty: Difficulty = DEFAULT_DIFFICULTY,
    pixel_pitch_mm: float | None = None,
    shapes: str = "any",
) -> tuple[Scan, list[GroundTruth]]:
    """A whole cargo or baggage scan (dual energy, uint16, full scale 65535) and its threats.

    ``threats`` names the labels to hide (default: one to three drawn at random); ``clean``
    hides none; ``shapes`` picks the threat-shape pool ("heldout" for test sets a model
    trained on "train" shapes has never seen). Everything follows from ``seed``.
    """
    _check(kind, threats)
    rng = np.random.default_rng([seed, KINDS.index(kind), 1])
    labels = [] if clean else list(threats) if threats is not None else _draw_threats(rng, kind)
    if kind == "cargo":
        scene = cargo_scene(rng, difficulty, pixel_pitch_mm)
    else:
        scene = baggage_scene(rng, difficulty, pixel_pitch_mm, min_length_mm=_bag_length(labels))
    return complete_scene(scene, rng, labels, difficulty, assemble=threats is None, shapes=shapes)


def complete_scene(
    scene: Scene,
    rng: np.random.Generator,
    labels: list[str],
    difficulty: Difficulty,
    assemble: bool = False,
    shapes: str = "any",
) -> tuple[Scan, list[GroundTruth]]:
    """Hide the threats in a built scene and expose it on the scene's detector."""
    truths = _hide_threats(scene, labels, rng, difficulty, assemble=assemble, shapes=shapes)
    return _finish(scene, rng), truths


def generate_tile(
    seed: int,
    size: int = 640,
    kind: str | None = None,
    *,
    clean_probability: float = 0.15,
    shapes: str = "any",
) -> tuple[Scan, list[GroundTruth]]:
    """A ``size`` × ``size`` training scene: a whole bag, or a window on a truck, with random
    kind, pitch, energies, noise, clutter, pose and difficulty; threats from the ``shapes`` pool."""
    rng = np.random.default_rng([seed, 7])
    kind = kind or ("cargo" if rng.random() < 0.5 else "baggage")
    _check(kind, None)
    difficulty = Difficulty(*(float(v) for v in rng.uniform(0.1, 1.0, 4)))
    if kind == "cargo":
        layout = cargo_scene(np.random.default_rng([seed, 8]), difficulty, window=(0, 0, 1, 1))
        row0, col0 = cargo_window(layout, rng, size)
        scene = cargo_scene(np.random.default_rng([seed, 8]), difficulty, window=(row0, col0, size, size))
    labels = [] if rng.random() < clean_probability else _draw_threats(rng, kind)
    if kind == "baggage":
        scene = baggage_scene(rng, difficulty, size_px=(size, size), min_length_mm=_bag_length(labels))
    truths = _hide_threats(scene, labels, rng, difficulty, assemble=True, shapes=shapes)
    # A window on a truck counts its pixels from the window's corner.
    dx, dy = scene.canvas.col0, scene.canvas.row0
    truths = [replace(t, box=(t.box[0] - dx, t.box[1] - dy, t.box[2] - dx, t.box[3] - dy)) for t in truths]
    return _finish(scene, rng, digest=False), truths


# Share of cargo tiles anywhere along the vehicle rather than on its load: the station looks
# at the whole scan, and a model that never saw a cab took its steering wheel for a gun.
WHOLE_VEHICLE_SHARE = 0.15


def cargo_window(layout: Scene, rng: np.random.Generator, size: int) -> tuple[int, int]:
    """(row0, col0) of a size x size training window on a cargo scene laid out whole: mostly
    where the load is, sometimes anywhere from the cab's bumper to the container's rear."""
    x1, y1, x2, y2 = layout.interior
    full_rows, full_cols = layout.full_shape
    if rng.random() < WHOLE_VEHICLE_SHARE:
        x1, x2 = 0.0, float(full_cols)
    elif layout.goods_span is not None and rng.random() < 0.85:  # mostly where the load is
        x1, x2 = layout.goods_span
    centre_x = rng.uniform(x1, max(x2, x1 + 1)) + rng.normal(0, size * 0.15)
    col0 = int(np.clip(centre_x - size / 2, 0, max(full_cols - size, 0)))
    row0 = int(np.clip(rng.uniform(y1 - size * 0.3, y2 - size * 0.5), 0, max(full_rows - size, 0)))
    return row0, col0


def _bag_length(labels: Sequence[str]) -> float:
    """The shortest bag (mm) these threats travel in: a long gun's case, else any bag."""
    return LONG_BAG_MM if any(label in LONG_GUNS for label in labels) else 0.0


def _check(kind: str, threats: Sequence[str] | None) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown scene kind {kind!r}; choose cargo or baggage")
    unknown = [t for t in threats or () if t not in THREAT_CATEGORIES]
    if unknown:
        raise ValueError(f"unknown threat(s) {', '.join(unknown)}; known: {', '.join(THREAT_CATEGORIES)}")


def _draw_threats(rng: np.random.Generator, kind: str) -> list[str]:
    count = int(rng.choice([1, 1, 1, 2, 2, 3]))
    return [draw_label(rng) for _ in range(count)]


def _hide_threats(
    scene: Scene,
    labels: list[str],
    rng: np.random.Generator,
    difficulty: Difficulty,
    assemble: bool,
    shapes: str = "any",
) -> list[GroundTruth]:
    placed_threats: list[PlacedThreat] = []
    canvas = scene.canvas
    x1, y1, x2, y2 = scene.interior
    # Keep threats inside the part of the grid this canvas covers (a tile may see only a window).
    x1, x2 = max(x1, canvas.col0), min(x2, canvas.col0 + canvas.cols)
    y1, y2 = max(y1, canvas.row0), min(y2, canvas.row0 + canvas.rows)
    if x2 <= x1 or y2 <= y1:
        x1, y1 = canvas.col0, canvas.row0
        x2, y2 = canvas.col0 + canvas.cols, canvas.row0 + canvas.rows
    anchor: tuple[float, float] | None = None  # the parts of a device gather round its charge or first part
    for label in labels:
        group = [label]
        if assemble and label in MAIN_CHARGES and rng.random() < 0.4:
            group += [str(v) for v in rng.choice(ASSEMBLY, size=int(rng.integers(1, 4)), replace=False)]
        elif assemble and label in ASSEMBLY:
            # A battery, a circuit board or a length of wire alone is in every other bag (cameras,
            # chargers, laptops); what makes them parts of a device is that they come together.
            others = [part for part in ASSEMBLY if part != label]
            group += [str(v) for v in rng.choice(others, size=int(rng.integers(1, 3)), replace=False)]
        for member in group:
            near_charge = anchor is not None and member in ASSEMBLY
            if near_charge:
                spot = (
                    anchor[0] + rng.normal(0, 80 / canvas.pitch),
                    anchor[1] + rng.normal(0, 80 / canvas.pitch),
                )
            else:
                spot = _spot(canvas, (x1, y1, x2, y2), rng, difficulty.clutter, scene.outline)
            depth = rng.uniform(*scene.depth_mm)
            placed = place_threat(
                member, rng, canvas, spot, depth, difficulty, fit=(x1, y1, x2, y2), shapes=shapes,
                outline=scene.outline,
            )
            if placed is None:
                continue
            layer, truth = placed.layer, placed.truth
            if member in MAIN_CHARGES or (anchor is None and len(group) > 1):
                anchor = tuple(truth.pose["center_px"])
            canvas.add_canvas(layer)
            placed_threats.append(placed)
            _cover(scene, rng, truth, difficulty)
    if not scene.detector.noise:  # a noiseless test scene shows every trace
        return [placed.truth for placed in placed_threats]
    # Judged once everything is in the beam: clutter laid on later can hide an earlier threat.
    truths = []
    for placed in placed_threats:
        box = seen_box(placed.layer, canvas, scene.detector, body=placed.body)
        if box is not None:
            truths.append(replace(placed.truth, box=box))
    return truths


def _spot(
    canvas, area, rng: np.random.Generator, clutter: float, outline: np.ndarray | None = None
) -> tuple[float, float]:
    """Where to hide a threat: among a few random spots in the area (and the outline, if any),
    one inside the goods rather than in open space, and the more clutter is asked for, the
    denser the spot (not black)."""
    x1, y1, x2, y2 = area
    xs, ys = rng.uniform(x1, x2, 16), rng.uniform(y1, y2, 16)
    rows = np.clip(ys.astype(int) - canvas.row0, 0, canvas.rows - 1)
    cols = np.clip(xs.astype(int) - canvas.col0, 0, canvas.cols - 1)
    values = canvas.high[rows, cols]
    within = np.ones(len(xs), bool)
    if outline is not None:
        within = np.array([box_inside(outline, (x, y), (0.0, 0.0)) for x, y in zip(xs, ys, strict=True)])
    usable = np.flatnonzero((values < 4.0) & within)
    loaded = usable[values[usable] > values.min() + 0.05]  # something there besides the walls
    usable = loaded if loaded.size else usable
    if usable.size == 0:
        return float(xs[0]), float(ys[0])
    order = usable[np.argsort(values[usable], kind="stable")]
    pick = order[int(round(np.clip(0.35 + 0.65 * clutter, 0, 1) * (len(order) - 1)))]
    return float(xs[pick]), float(ys[pick])


def _cover(scene: Scene, rng: np.random.Generator, truth: GroundTruth, difficulty: Difficulty) -> None:
    """Lay clutter over a threat, more of it at higher clutter difficulty."""
    count = int(rng.poisson(1.5 * difficulty.clutter))
    x1, y1, x2, y2 = truth.box
    pitch = scene.canvas.pitch
    for _ in range(count):
        parts, _ = scene.clutter(rng)
        at = (rng.uniform(x1, x2) * pitch, rng.uniform(y1, y2) * pitch, rng.uniform(*scene.depth_mm))
        rot = rotation(yaw=rng.uniform(0, 360)) if scene.metadata.object_kind != "cargo" else rotation()
        laid = [posed(p, rot, at) for p in parts]
        if scene.outline is not None:
            laid = _packed_inside(laid, scene.outline, pitch)
        scene.canvas.add(laid)


def _packed_inside(parts: list[Part], outline: np.ndarray, pitch: float) -> list[Part]:
    """The item moved as little as needed to lie inside the bag's outline; nothing when it
    cannot lie there at this angle (a pole across a small bag was never packed like that)."""
    extent = np.array([footprint(p) for p in parts]) / pitch
    x1, y1 = extent[:, 0].min(), extent[:, 1].min()
    x2, y2 = extent[:, 2].max(), extent[:, 3].max()
    middle = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    half = np.array([(x2 - x1) / 2, (y2 - y1) / 2])
    x, y = into_outline(outline, middle[0], middle[1], (-half[0], -half[1], half[0], half[1]))
    if not box_inside(outline, np.array([x, y]), half):
        return []
    shift = ((x - middle[0]) * pitch, (y - middle[1]) * pitch, 0.0)
    return [posed(p, IDENTITY, shift) for p in parts]


def _finish(scene: Scene, rng: np.random.Generator, digest: bool = True) -> Scan:
    """Expose the scene; tiles for training skip the SHA-256 the station logs for real scans."""
    scene.canvas.clamp()  # carved holes may round a hair below zero
    high, low = expose(scene.canvas.high, scene.canvas.low, scene.detector, rng)
    scene.metadata.extra.setdefault("generator", "xrayreview.synth")
    scene.metadata.extra["air_count"] = round(scene.detector.air_count)
    sha = hashlib.sha256(high.tobytes() + low.tobytes()).hexdigest() if digest else ""
    return Scan(
        high=high,
        low=low,
        full_scale=65535,
        metadata=scene.metadata,
        source_format="synthetic",
        sha256=sha,
        warnings=[],
    )
