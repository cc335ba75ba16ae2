"""`detect`: run a threat model over a whole scan, tile by tile, and return the merged marks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..imaging.standard import render_standard
from ..scan.model import Scan
from .merge import merge_tiles, nms
from .mirror import average_with_mirror
from .model import ThreatModel
from .tiling import (
    Placement,
    Tile,
    block_means,
    busy_region,
    cut_by_edge,
    fit,
    is_uniform,
    region_grid,
    resample,
    tile_grid,
    to_batch,
)
from .types import Detection, DetectionResult, ModelError

MAX_CANDIDATES = 3000  # best raw boxes per tile that go through the tile's own NMS
MAX_PER_IMAGE = 100  # boxes a tile hands on to the merge across tiles
RESAMPLE_TOLERANCE = 0.05  # pitches this close to the model's are used as they are
EDGE_MARGIN = 8.0  # px: a box this near a tile's inner edge may be only the part of an object that tile saw
# A box more than this many model inputs across is no box: the model cannot have seen such an object.
MAX_BOX_SPAN = 4.0
# Resampling beyond these factors is a pitch stated wrongly, not a scan to search.
MIN_RESAMPLE, MAX_RESAMPLE = 1 / 16, 16.0
SCORE_SLACK = 1e-3  # rounding lets a confidence pass 1 by a hair; more than this is not a confidence


@dataclass(frozen=True)
class _Job:
    image: np.ndarray  # uint8 RGB, at most the model input size
    placement: Placement
    tile: Tile | None  # None for the whole-scan pass


@dataclass
class Options:
    """How to run a model over a scan; the defaults come from the model's sidecar."""

    batch: int | None = None  # tiles per run; None: what suits the model's execution provider
    skip_empty: bool = True
    whole_scan: bool | None = None
    overlap: float | None = None


def detect(model: ThreatModel, scan: Scan, *, conf: float | None = None,
           progress: Callable[[int, int], None] | None = None,
           should_stop: Callable[[], bool] | None = None,
           options: Options | None = None) -> DetectionResult:
    """Detections on ``scan`` with score ≥ ``conf`` (the model's default when None), boxes in scan pixels.

    ``progress(done, total)`` is called after every run of the model; when ``should_stop()``
    turns true the result so far comes back marked ``cancelled``.
    """
    started = time.perf_counter()
    options = options or Options()
    conf = model.default_conf if conf is None else float(conf)
    rgb = render_standard(scan)
    factor = resample_factor(model, scan)
    if factor != 1.0:
        rgb = resample(rgb, factor)
    jobs, skipped = plan_jobs(model, rgb, options)
    mirror = mirrored_search(model, rgb.shape)
    batch = model.max_batch or max(1, options.batch or model.preferred_batch)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    done = 0
    model_s = 0.0
    cancelled = False
    buffer = np.empty((min(batch, len(jobs)), 3, *model.imgsz), np.float32) if jobs else None
    for first in range(0, len(jobs), batch):
        if should_stop and should_stop():
            cancelled = True
            break
        chunk = jobs[first:first + batch]
        images = to_batch([job.image for job in chunk], model.imgsz, model.spec.input_convention,
                          model.channels, out=buffer)
        ran = time.perf_counter()
        outputs = model.run(images)
        if mirror:
            flipped = model.run(np.ascontiguousarray(images[..., ::-1]))
            outputs = average_with_mirror(np.asarray(outputs, np.float32), np.asarray(flipped, np.float32),
                                          model.mirror_cells, model.imgsz[1])
        model_s += time.perf_counter() - ran
        for offset, (job, out) in enumerate(zip(chunk, outputs, strict=False)):
            boxes, scores, ids = _decode(model, job, out, conf, rgb.shape)
            cut = (np.zeros(len(ids), bool) if job.tile is None
                   else cut_by_edge(boxes, job.tile, rgb.shape[1], rgb.shape[0], EDGE_MARGIN))
            found.append((boxes, scores, ids, np.full(len(ids), first + offset), cut))
        done += len(chunk)
        if progress:
            progress(done, len(jobs))
    detections = _merge(model, found, factor, scan)
    return DetectionResult(detections, time.perf_counter() - started, done, skipped, cancelled, model_s)


def resample_factor(model: ThreatModel, scan: Scan) -> float:
    """Model pixels per scan pixel: to the model's pitch, and no coarser than its coarsest, where
    the scan states its pitch; else 1."""
    pitch = scan.metadata.pixel_pitch_mm
    if not pitch:
        return 1.0
    target = model.spec.mm_per_px or pitch
    if model.spec.coarsest_mm_per_px:
        target = min(target, model.spec.coarsest_mm_per_px)
    factor = pitch / target
    if not MIN_RESAMPLE <= factor <= MAX_RESAMPLE:
        # A mistyped pitch (0.004 mm for 4 mm) would ask for a million times the pixels, or none.
        raise ModelError(f"{model.path.name} would resample this scan {factor:.3g}× (the scan states "
                         f"{pitch:g} mm a pixel, the model asks for {target:g}); check the scan's pixel "
                         "pitch and the sidecar's mm_per_px")
    return 1.0 if abs(factor - 1.0) < RESAMPLE_TOLERANCE else factor


def mirrored_search(model: ThreatModel, shape: tuple[int, ...]) -> bool:
    """Whether the scan is small enough (its fit to one tile at least the sidecar's
    ``mirror_min_scale``) to be searched mirrored as well."""
    if model.mirror_cells is None or model.spec.mirror_min_scale is None:
        return False
    tile_h, tile_w = model.imgsz
    return min(tile_h / shape[0], tile_w / shape[1]) >= model.spec.mirror_min_scale


def plan_jobs(model: ThreatModel, rgb: np.ndarray, options: Options) -> tuple[list[_Job], int]:
    """The images to run (native tiles, then the optional whole-scan view) and how many tiles were skipped."""
    height, width = rgb.shape[:2]
    tile_h, tile_w = model.imgsz
    overlap = model.spec.tile_overlap if options.overlap is None else options.overlap
    full_grid = tile_grid(width, height, tile_w, tile_h, overlap, model.spec.stride)
    tiles = full_grid
    blocks = block_means(rgb) if options.skip_empty and len(full_grid) > 1 else None
    if blocks is not None:
        region = busy_region(blocks)
        tiles = [] if region is None else region_grid(region, width, height, tile_w, tile_h, overlap,
                                                                model.spec.stride)
        tiles = [tile for tile in tiles if not is_uniform(blocks, tile)]
    jobs = [_Job(rgb[t.y:t.y + t.h, t.x:t.x + t.w], Placement(pad_x=-t.x, pad_y=-t.y), t) for t in tiles]
    # Skipped counts the runs of the plain full grid that were spared.
    skipped = max(0, len(full_grid) - len(tiles))
    whole = model.spec.whole_scan_pass if options.whole_scan is None else options.whole_scan
    if (whole and len(full_grid) > 1
            and min(tile_h / height, tile_w / width) >= model.spec.whole_scan_min_scale):
        image, placement = fit(rgb, model.imgsz, model.resize)
        jobs.append(_Job(image, placement, None))
    return jobs, skipped


def _decode(model: ThreatModel, job: _Job, out: np.ndarray, conf: float,
            shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and inf rows are dropped by sane()
        decoded = model.decoder.decode(np.asarray(out, np.float32), conf, model.imgsz)
        boxes, scores, ids = sane(model, *decoded)
    if len(scores) > MAX_CANDIDATES:
        best = np.argpartition(-scores, MAX_CANDIDATES)[:MAX_CANDIDATES]
        boxes, scores, ids = boxes[best], scores[best], ids[best]
    # NMS within the tile first keeps the merge across tiles small (its cost grows with the square).
    best = nms(boxes, scores, ids, model.spec.iou)[:MAX_PER_IMAGE]
    boxes, scores, ids = boxes[best], scores[best], ids[best]
    boxes = job.placement.to_image(boxes.astype(np.float32))
    height, width = shape[:2]
    np.clip(boxes[:, 0::2], 0, width, out=boxes[:, 0::2])
    np.clip(boxes[:, 1::2], 0, height, out=boxes[:, 1::2])
    real = (boxes[:, 2] - boxes[:, 0] >= 1) & (boxes[:, 3] - boxes[:, 1] >= 1)
    boxes, scores, ids = boxes[real], scores[real], ids[real]
    return boxes, scores.astype(np.float32), ids


def sane(model: ThreatModel, boxes: np.ndarray, scores: np.ndarray,
         ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decoded rows that are boxes with confidences: NaN or infinite numbers, empty or inverted boxes
    and boxes many inputs across are dropped (clipped to the tile they became marks across the whole
    scan, and one NaN box in the NMS could suppress every other); ModelError for scores above 1.
    """
    sizes = boxes[:, 2:] - boxes[:, :2]
    limit = MAX_BOX_SPAN * np.array(model.imgsz[::-1], np.float32)
    keep = (np.isfinite(boxes).all(axis=1) & np.isfinite(scores)
            & (sizes > 0).all(axis=1) & (sizes <= limit).all(axis=1))
    boxes, scores, ids = boxes[keep], scores[keep], ids[keep]
    if len(scores) and scores.max() > 1 + SCORE_SLACK:
        # Raw logits: every threshold the officer sets would pass them all.
        raise ModelError(f"{model.path.name} gives scores up to {scores.max():.3g}, where a detector's "
                         "confidences run from 0 to 1 (raw logits?); no threshold can apply to them")
    return boxes, np.minimum(scores, 1), ids


def _merge(model: ThreatModel, found: list, factor: float, scan: Scan) -> list[Detection]:
    if not found:
        return []
    boxes = np.concatenate([f[0] for f in found])
    scores = np.concatenate([f[1] for f in found])
    ids = np.concatenate([f[2] for f in found])
    sources = np.concatenate([f[3] for f in found])  # which run of the model found each box
    cut = np.concatenate([f[4] for f in found])
    boxes, scores, ids = merge_tiles(boxes, scores, ids, sources, model.spec.iou, cut)
    boxes = boxes / np.float32(factor)
    np.clip(boxes[:, 0::2], 0, scan.width, out=boxes[:, 0::2])
    np.clip(boxes[:, 1::2], 0, scan.height, out=boxes[:, 1::2])
    detections = []
    for box, score, class_id in zip(boxes, scores, ids, strict=True):
        label = model.label(int(class_id))
        detections.append(Detection(label, model.category(label), float(score),
                                    tuple(float(v) for v in box)))  # type: ignore[arg-type]
    return detections
