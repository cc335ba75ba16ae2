"""Labelled scans from disk for training beside the generated tiles: a site's own scans.

The station exports officers' confirmed and drawn marks as YOLO or COCO folders, and public
sets come as VOC, YOLO or COCO; any of them can train the model (`train-model --data DIR`).
Each image is rendered as the station renders it, so the model learns from exactly what it
will see at that site. Only labelled images count: an image without a label file is not known
to be clean, while a labelled image with no threat teaches what is not one (a site's own
trolley handles and laptops).
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..detection.datasets import DatasetError, LabelledImage, read_dataset
from .classes import CATEGORY_CODES, CLASSES, LABEL_TO_CLASS, category_code
from .data import Tile, fitted_tile

# Labels trained as plain background: threats the model has no class for (an officer's
# "other" mark, a knife in a public set) must not be taught as one of its classes.
BACKGROUND = "background"
BACKGROUND_LABELS = {BACKGROUND, "other"}
CACHED_IMAGES = 16  # rendered images a worker keeps: each is served several times


class TrainingInputError(ValueError):
    """A --data folder or --init weights that cannot train this model; the message says what to change."""


@dataclass(frozen=True)
class LabelledScan:
    path: Path
    boxes: tuple[tuple[float, float, float, float], ...]
    classes: tuple[int, ...]  # model class index, or a category code (see classes.category_code)


def class_code(label: str, supercategory: str | None, mapping: dict[str, str]) -> int | None:
    """The training class code of a truth: a model class, a category code, or None (background).

    Raises KeyError for a label that is none of these (the caller lists them all at once)."""
    name = mapping.get(label, label)
    name = LABEL_TO_CLASS.get(name, name)
    if name in CLASSES:
        return CLASSES.index(name)
    if name in CATEGORY_CODES:
        return category_code(name)
    if name in BACKGROUND_LABELS:
        return None
    if label not in mapping and supercategory in CATEGORY_CODES:
        return category_code(str(supercategory))
    raise KeyError(label)


def read_labelled(folders: Iterable[Path], mapping: dict[str, str]) -> tuple[list[LabelledScan], list[str]]:
    """The labelled images of ``folders`` with their truths as class codes, and notes to show.

    Raises TrainingInputError when a folder cannot be read, holds no labelled image, or uses
    labels that map to nothing (all of them named, with the --map that would fix them)."""
    _check_map(mapping)
    scans: list[LabelledScan] = []
    notes: list[str] = []
    unknown: set[str] = set()
    for folder in folders:
        try:
            dataset = read_dataset(Path(folder))
        except DatasetError as exc:
            raise TrainingInputError(f"--data {folder}: {exc}") from exc
        labelled = [image for image in dataset.images if image.labelled]
        if not labelled:
            raise TrainingInputError(f"--data {folder}: no image there has a label file "
                                    f"({dataset.label_format}), so none is known to be clean or not")
        # (The dataset's own notes are about scoring, where an unlabelled image counts as clean.)
        skipped = [image.path.name for image in dataset.images if not image.labelled]
        if skipped:
            shown = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
            notes.append(f"{folder}: {len(skipped)} image(s) without labels left out: {shown}")
        for image in labelled:
            scans.append(_coded(image, mapping, unknown))
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TrainingInputError(
            f"labels the model has no class for: {names}. Map each with --map NAME=CLASS, where CLASS "
            f"is one of {', '.join(CLASSES)}, a category ({', '.join(CATEGORY_CODES)}) or {BACKGROUND}")
    return scans, notes


def _check_map(mapping: dict[str, str]) -> None:
    """Refuses --map targets that class_code cannot resolve, naming each. Checked before any folder
    is read: otherwise a typo (Gun=handgn) only shows as "no class for: Gun", the label it was
    meant to fix, and the run would ask for the very --map it was given."""
    generator = [label for label in LABEL_TO_CLASS if label not in CLASSES]
    valid = [*CLASSES, *generator, *CATEGORY_CODES, *sorted(BACKGROUND_LABELS)]
    bad = []
    for name, target in mapping.items():
        if target in valid:
            continue
        # 0.8: a slip of the keys (handgn, Handgun), not a different word (knife is 0.6 from rifle)
        close = difflib.get_close_matches(target.lower(), valid, n=1, cutoff=0.8)
        bad.append(f"{name}={target}" + (f" (did you mean {close[0]}?)" if close else ""))
    if bad:
        raise TrainingInputError(
            f"--map {', '.join(bad)}: not a class the model has. CLASS is one of {', '.join(CLASSES)}, "
            f"a generator label ({', '.join(generator)}), a category ({', '.join(CATEGORY_CODES)}), "
            f"{' or '.join(sorted(BACKGROUND_LABELS))}")


def _coded(image: LabelledImage, mapping: dict[str, str], unknown: set[str]) -> LabelledScan:
    boxes, classes = [], []
    for truth in image.truths:
        try:
            code = class_code(truth.label, truth.supercategory, mapping)
        except KeyError:
            unknown.add(truth.label)
            continue
        if code is not None:
            boxes.append(tuple(float(v) for v in truth.box))
            classes.append(code)
    return LabelledScan(image.path, tuple(boxes), tuple(classes))


class LabelledTiles:
    """Rendered training tiles of labelled scans, a few kept in memory (one per worker)."""

    def __init__(self, scans: list[LabelledScan], coarsest_mm_per_px: float | None = None) -> None:
        self.scans = scans
        self.coarsest_mm_per_px = coarsest_mm_per_px
        self._cache: OrderedDict[int, Tile] = OrderedDict()
        self._failed: set[int] = set()

    def __len__(self) -> int:
        return len(self.scans)

    def tile(self, index: int) -> Tile | None:
        """Scan ``index`` as a Tile; None (said once) when its file cannot be read any more."""
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        if index in self._failed:
            return None
        from ..imaging.standard import render_standard  # noqa: PLC0415
        from ..scan import ScanError, load_scan  # noqa: PLC0415

        item = self.scans[index]
        try:
            scan = load_scan(item.path)
        except (ScanError, OSError) as exc:
            self._failed.add(index)
            print(f"labelled scan left out: {item.path}: {exc}", flush=True)
            if len(self._failed) == len(self.scans):
                raise TrainingInputError("none of the --data scans can be read any more") from exc
            return None
        tile = fitted_tile(render_standard(scan), list(item.boxes), list(item.classes),
                           scan.metadata.pixel_pitch_mm, self.coarsest_mm_per_px)
        self._cache[index] = tile
        if len(self._cache) > CACHED_IMAGES:
            self._cache.popitem(last=False)
        return tile
