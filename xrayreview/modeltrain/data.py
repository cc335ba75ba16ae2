"""Training tiles made on the fly by the scan generator, rendered as the station renders them.

Each DataLoader worker draws its own seeds (never the held-out ones), renders the standard
pseudo-colour image (exactly the detector's input at run time) and augments it. Because the
generator is the slow part, a worker keeps a small pool of recent tiles and serves each a few
times, always with a fresh augmentation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from .augment import augment, clip_boxes
from .classes import class_index

if TYPE_CHECKING:
    from .labelled import LabelledTiles

# Seed ranges: training draws from TRAIN_SEED_BASE upwards; validation inside training uses
# VALIDATION_SEED_BASE; the published metrics use seeds below HELD_OUT_SEED_LIMIT (see models/README.md).
TRAIN_SEED_BASE = 10_000_000
VALIDATION_SEED_BASE = 5_000_000
HELD_OUT_SEED_LIMIT = 1_000_000


@dataclass
class Tile:
    image: np.ndarray  # uint8 RGB (H, W, 3)
    boxes: np.ndarray  # float32 [K, 4]
    classes: np.ndarray  # int64 [K]


def make_tile(seed: int, size: int, kind: str | None = None,
              coarsest_mm_per_px: float | None = None) -> Tile:
    """One generated tile with its boxes mapped to the model's classes. Threats come from the
    "train" shape pool only, so a test set made with ``--shapes heldout`` holds unseen shapes.

    With ``coarsest_mm_per_px`` a tile coarser than that pitch is enlarged to it, as the station
    enlarges such scans before the model sees them (the sidecar key of the same name), so the
    model trains on threats at the sizes it meets at run time. The tile may then exceed ``size``;
    augmentation crops it back.
    """
    from ..imaging.standard import render_standard  # noqa: PLC0415
    from ..synth import generate_tile  # noqa: PLC0415

    scan, truths = generate_tile(seed, size=size, kind=kind, shapes="train")
    image = render_standard(scan)
    boxes, classes = [], []
    for truth in truths:
        index = class_index(truth.label)
        if index is not None:
            boxes.append([float(v) for v in truth.box])
            classes.append(index)
    return fitted_tile(image, boxes, classes, scan.metadata.pixel_pitch_mm, coarsest_mm_per_px)


def fitted_tile(image: np.ndarray, boxes: list, classes: list, pitch: float | None,
                coarsest_mm_per_px: float | None) -> Tile:
    """A rendered image and its truths as a Tile: enlarged to ``coarsest_mm_per_px`` when its
    ``pitch`` is coarser, boxes clipped to the image (those left with no area dropped)."""
    from ..detection.tiling import resample  # noqa: PLC0415

    box_array = np.asarray(boxes, np.float32).reshape(-1, 4)
    if coarsest_mm_per_px and pitch and pitch > coarsest_mm_per_px:
        factor = pitch / coarsest_mm_per_px
        image = resample(image, factor)
        box_array = box_array * np.float32(factor)
    h, w = image.shape[:2]
    box_array, kept = clip_boxes(box_array, w, h)
    return Tile(image, box_array, np.asarray(classes, np.int64).reshape(-1)[kept])


def safe_tile(seed: int, size: int, coarsest_mm_per_px: float | None = None) -> Tile | None:
    """make_tile, or None when the generator fails on this seed (one bad scene must not stop a run)."""
    try:
        return make_tile(seed, size, coarsest_mm_per_px=coarsest_mm_per_px)
    except Exception as exc:  # noqa: BLE001 - any generator bug; the seed is reported and skipped
        print(f"generator failed on seed {seed}: {type(exc).__name__}: {exc}", flush=True)
        return None


class TileStream(IterableDataset):
    """An endless stream of (image uint8 [3, S, S], boxes [K, 4], classes [K])."""

    def __init__(self, seed_start: int, size: int = 640, reuse: int = 2, pool: int = 12,
                 augmentation: bool = True, crop: int | None = None,
                 coarsest_mm_per_px: float | None = None, labelled: LabelledTiles | None = None,
                 labelled_share: float = 0.0) -> None:
        super().__init__()
        self.seed_start, self.size, self.reuse, self.pool_size = seed_start, size, reuse, pool
        self.crop = crop or size
        self.augmentation = augmentation
        self.coarsest_mm_per_px = coarsest_mm_per_px
        # Labelled scans from disk (train-model --data) take this share of the tiles.
        self.labelled = labelled if labelled is not None and len(labelled) else None
        self.labelled_share = labelled_share if self.labelled is not None else 0.0

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        rng = np.random.default_rng([self.seed_start, worker])
        pool: list[Tile] = []
        counter = 0
        while True:
            # One new tile per `reuse` samples; the pool mixes them so a batch is not one scene.
            if self.labelled is not None and rng.random() < self.labelled_share:
                tile = self.labelled.tile(int(rng.integers(len(self.labelled))))
            else:
                seed = self.seed_start + worker + counter * workers
                counter += 1
                tile = safe_tile(seed, self.size, self.coarsest_mm_per_px)
            if tile is None:
                continue
            if len(pool) < self.pool_size:
                pool.append(tile)
            else:
                pool[int(rng.integers(len(pool)))] = tile
            for _ in range(self.reuse):
                chosen = pool[int(rng.integers(len(pool)))] if self.augmentation else tile
                yield self._sample(chosen, rng)

    def _sample(self, tile: Tile,
                rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        image, boxes, classes = tile.image, tile.boxes, tile.classes
        if self.augmentation:
            image, boxes, classes = augment(image, boxes, classes, rng, self.crop)
        return (torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))),
                torch.from_numpy(boxes.astype(np.float32)), torch.from_numpy(classes.astype(np.int64)))


def quiet_worker(_: int) -> None:
    """One thread per worker: many generating workers must not fight over the cores."""
    import cv2  # noqa: PLC0415

    torch.set_num_threads(1)
    cv2.setNumThreads(1)


def collate(samples: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Stack images; pad each tile's boxes to the batch's largest count (valid marks real ones)."""
    images = torch.stack([s[0] for s in samples])
    most = max(1, max(len(s[1]) for s in samples))
    boxes = torch.zeros(len(samples), most, 4)
    classes = torch.zeros(len(samples), most, dtype=torch.long)
    valid = torch.zeros(len(samples), most, dtype=torch.bool)
    for i, (_, b, c) in enumerate(samples):
        boxes[i, : len(b)], classes[i, : len(c)], valid[i, : len(c)] = b, c, True
    return {"images": images, "boxes": boxes, "classes": classes, "valid": valid}
