"""The threat catalogue: every label the generator knows, its category, and its builder."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..shapes import Part
from . import firearms, ied

Builder = Callable[[np.random.Generator], tuple[list[Part], str, str]]

BUILDERS: dict[str, tuple[str, Builder]] = {
    "pistol": ("firearm", firearms.pistol),
    "revolver": ("firearm", firearms.revolver),
    "rifle": ("firearm", firearms.rifle),
    "shotgun": ("firearm", firearms.shotgun),
    "smg": ("firearm", firearms.smg),
    "gun_part": ("firearm", firearms.gun_part),
    "pipe_bomb": ("ied_component", ied.pipe_bomb),
    "detonator": ("ied_component", ied.detonator),
    "battery": ("ied_component", ied.battery),
    "wiring": ("ied_component", ied.wiring),
    "timer": ("ied_component", ied.timer),
    "circuit_board": ("ied_component", ied.circuit_board),
    "explosive_charge": ("ied_component", ied.explosive_charge),
}

THREAT_CATEGORIES: dict[str, str] = {label: category for label, (category, _) in BUILDERS.items()}

# How often each label is drawn when the caller does not choose: the items a detector must
# learn best (handguns, pipe bombs, charges) come up most.
DRAW_WEIGHTS: dict[str, float] = {
    "pistol": 3.0,
    "revolver": 1.5,
    "rifle": 1.0,
    "shotgun": 1.0,
    "smg": 1.0,
    "gun_part": 1.5,
    "pipe_bomb": 1.5,
    "detonator": 1.0,
    "battery": 1.0,
    "wiring": 0.7,
    "timer": 1.0,
    "circuit_board": 0.8,
    "explosive_charge": 1.5,
}


# Threat shapes can be drawn from numbered catalogues so that a test set can hold shapes a
# model never trained on: shape numbers divisible by HELDOUT_EVERY are withheld from
# "train" and are the only ones "heldout" draws. "any" draws shapes straight from the scene's
# random stream (no number), as the generator always did.
SHAPE_POOLS = ("any", "train", "heldout")
HELDOUT_EVERY = 10
SHAPES_PER_POOL = 1_000_000


def build_threat(
    label: str, rng: np.random.Generator, shapes: str = "any"
) -> tuple[list[Part], str, str, int | None]:
    """(parts in the object's own frame, main material, variant name, shape number or None)."""
    try:
        _, builder = BUILDERS[label]
    except KeyError:
        raise ValueError(f"unknown threat {label!r}; known: {', '.join(BUILDERS)}") from None
    if shapes == "any":
        return (*builder(rng), None)
    shape = draw_shape_number(rng, shapes)
    label_index = list(BUILDERS).index(label)
    return (*builder(np.random.default_rng([shape, label_index, 97])), shape)


def draw_shape_number(rng: np.random.Generator, shapes: str) -> int:
    """A catalogue number from the "train" or "heldout" pool (see SHAPE_POOLS)."""
    if shapes not in SHAPE_POOLS[1:]:
        raise ValueError(f"unknown shape pool {shapes!r}; choose one of {', '.join(SHAPE_POOLS)}")
    base = int(rng.integers(0, SHAPES_PER_POOL)) * HELDOUT_EVERY
    return base if shapes == "heldout" else base + int(rng.integers(1, HELDOUT_EVERY))


def is_heldout_shape(shape: int) -> bool:
    return shape % HELDOUT_EVERY == 0


def draw_label(rng: np.random.Generator) -> str:
    labels = list(DRAW_WEIGHTS)
    weights = np.array([DRAW_WEIGHTS[label] for label in labels])
    return labels[int(rng.choice(len(labels), p=weights / weights.sum()))]
