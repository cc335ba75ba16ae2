"""A truck with a 20 or 40 ft container through a linac portal scanner, side view."""

from __future__ import annotations

import numpy as np

from ...scan.model import ScanMetadata
from ..canvas import Canvas
from ..detector import Detector
from ..goods import cargo_loads
from ..placement import Difficulty
from ..scene import Scene
from ..shapes import Part, box
from . import vehicle

# Linac dual-energy pairs (nominal endpoints, keV) of portal and gantry scanners.
ENERGIES_KEV = ((6000.0, 4000.0), (9000.0, 6000.0), (6000.0, 3000.0), (7500.0, 4500.0))
SCANNERS = (
    "synthetic-portal-6MeV",
    "synthetic-gantry-9MeV",
    "synthetic-portal-6/3MeV",
    "synthetic-mobile-7.5MeV",
)
ABOVE_MM = 400.0  # image margin above the container roof
BELOW_MM = 150.0  # and below the ground line


def cargo_scene(
    rng: np.random.Generator,
    difficulty: Difficulty,
    pitch_mm: float | None = None,
    size: str | None = None,
    window: tuple[int, int, int, int] | None = None,
    with_truck: bool | None = None,
) -> Scene:
    """The whole vehicle, or only the pixels of ``window`` (row0, col0, rows, cols) of it."""
    pitch = float(pitch_mm or rng.uniform(3.0, 5.0))
    pick = int(rng.integers(len(ENERGIES_KEV)))
    energies = ENERGIES_KEV[pick]
    size = size or str(rng.choice(["20ft", "40ft"]))
    truck = with_truck if with_truck is not None else rng.random() < 0.85
    deck = rng.uniform(1150, 1400)
    ground = ABOVE_MM + vehicle.CONTAINER_HEIGHT_MM + deck
    x_front = rng.uniform(300, 800)
    cab_len = 6200.0 if truck else 0.0
    x_container = x_front + cab_len + rng.uniform(300, 700)
    length = vehicle.CONTAINER_LENGTH_MM[size]
    total_w = x_container + length + rng.uniform(600, 1200)
    rows_all = int((ground + BELOW_MM) / pitch)
    cols_all = int(total_w / pitch)
    row0, col0, rows, cols = window or (0, 0, rows_all, cols_all)
    canvas = Canvas(rows, cols, pitch, energies, row0, col0)

    parts: list[Part] = []
    if truck:
        parts += vehicle.tractor(x_front, ground, rng)
    parts += vehicle.chassis(x_container - 200, length + 400, ground, deck, rng)
    parts += vehicle.container(x_container, ground, deck, size, rng)
    bottom = ground - deck
    top = bottom - vehicle.CONTAINER_HEIGHT_MM
    interior = (
        x_container + 140,
        x_container + length - 140,
        top + 70,
        bottom - 165,
        vehicle.CONTAINER_WIDTH_MM / 2 - 10,
    )
    goods, manifest = cargo_loads.fill(rng, interior, float(np.clip(difficulty.density, 0, 1)))
    parts += goods
    centres = [p.center[0] for p in goods if p.kind != "wire"]
    span = (min(centres) / pitch, max(centres) / pitch) if centres else None
    canvas.add(parts)
    _add_walls(canvas, rng, x_container, length, top, bottom)
    metadata = ScanMetadata(
        pixel_pitch_mm=round(pitch, 3),
        scanner=SCANNERS[pick],
        energy_high_kev=energies[0],
        energy_low_kev=energies[1],
        object_id=_container_number(rng),
        object_kind="cargo",
        manifest=manifest,
        extra={"container_size": size, "with_truck": bool(truck)},
    )
    detector = Detector(
        air_count=float(rng.uniform(1e4, 1e5)),
        blur_sigma_px=float(rng.uniform(0.6, 1.1)),
        row_gain_spread=0.004,
        column_flicker=float(rng.uniform(0.002, 0.006)),
    )
    inside = tuple(v / pitch for v in (interior[0], interior[2], interior[1], interior[3]))
    return Scene(
        canvas,
        inside,
        (-interior[4] * 0.9, interior[4] * 0.9),
        metadata,
        detector,
        _clutter_for(interior),
        (rows_all, cols_all),
        span,
    )


def _add_walls(
    canvas: Canvas, rng: np.random.Generator, x0: float, length: float, top: float, bottom: float
) -> None:
    """The two corrugated side walls, as a path-length profile along x."""
    c1 = max(int(x0 / canvas.pitch), canvas.col0)
    c2 = min(int((x0 + length) / canvas.pitch), canvas.col0 + canvas.cols)
    r1 = max(int(top / canvas.pitch), canvas.row0)
    r2 = min(int(bottom / canvas.pitch), canvas.row0 + canvas.rows)
    if c2 <= c1 or r2 <= r1:
        return
    xs = (np.arange(c1, c2) + 0.5) * canvas.pitch
    profile = vehicle.container_walls(rng, xs)
    canvas.add_lengths("steel", r1, c1, np.broadcast_to(profile, (r2 - r1, c2 - c1)))


def _clutter_for(interior):
    def clutter(rng: np.random.Generator):
        """A carton or sack of soft goods standing in front of or behind a hidden threat."""
        w, h = rng.uniform(300, 800), rng.uniform(300, 800)
        material = str(rng.choice(cargo_loads.ORGANIC_GOODS))
        depth = rng.uniform(80, interior[4] * 0.3)
        parts = [box(material, (0, 0, 0), (w / 2, h / 2, depth))]
        parts += [box("cardboard", (0, s * (h / 2 - 3), 0), (w / 2, 3, depth)) for s in (-1, 1)]
        return parts, (w / 2, h / 2)

    return clutter


def _container_number(rng: np.random.Generator) -> str:
    owner = "".join(chr(ord("A") + int(v)) for v in rng.integers(0, 26, 3))
    return f"{owner}U{int(rng.integers(0, 10**6)):06d}{int(rng.integers(0, 10))}"
