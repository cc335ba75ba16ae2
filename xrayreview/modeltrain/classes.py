"""What the reference model finds: its classes, the generator labels behind them, their categories.

Plain data, no torch, so the export, the data pipeline and the tests share one definition.
"""

from __future__ import annotations

# Order is the model's output order; never reorder without retraining.
CLASSES: tuple[str, ...] = (
    "handgun",
    "long_gun",
    "pipe_bomb",
    "detonator",
    "battery",
    "wiring_circuit",
    "explosive",
)

CATEGORY: dict[str, str] = {
    "handgun": "firearm",
    "long_gun": "firearm",
    "pipe_bomb": "ied_component",
    "detonator": "ied_component",
    "battery": "ied_component",
    "wiring_circuit": "ied_component",
    "explosive": "ied_component",
}

# Generator label -> model class. Loose gun parts (slides, barrels, cylinders, magazines) are
# handgun-sized steel parts; giving them the handgun class keeps them in the firearm category
# without a class of their own that would have few, very varied examples.
LABEL_TO_CLASS: dict[str, str] = {
    "pistol": "handgun",
    "revolver": "handgun",
    "gun_part": "handgun",
    "rifle": "long_gun",
    "shotgun": "long_gun",
    "smg": "long_gun",
    "pipe_bomb": "pipe_bomb",
    "detonator": "detonator",
    "battery": "battery",
    "wiring": "wiring_circuit",
    "timer": "wiring_circuit",
    "circuit_board": "wiring_circuit",
    "explosive_charge": "explosive",
}


def class_index(label: str) -> int | None:
    """The model's class index for a generator label, or None for labels the model ignores."""
    name = LABEL_TO_CLASS.get(label)
    return None if name is None else CLASSES.index(name)

# A threat labelled only by its category (an officer's "firearm" mark) is trained as that
# category: the loss lets it teach the category's class the model already finds most likely
# there (see assign.resolve_categories). Such a truth's class code is len(CLASSES) + index here.
CATEGORY_CODES: tuple[str, ...] = ("firearm", "ied_component")


def category_code(category: str) -> int:
    """The class code of a truth known only by ``category`` (one of CATEGORY_CODES)."""
    return len(CLASSES) + CATEGORY_CODES.index(category)


def category_members() -> list[list[int]]:
    """For each of CATEGORY_CODES, the indices of the model classes in it."""
    return [[i for i, name in enumerate(CLASSES) if CATEGORY[name] == category]
            for category in CATEGORY_CODES]
