"""What a detector model says about itself: its embedded metadata and the sidecar beside it.

Exported detectors carry metadata (``names`` as a Python dict literal, ``imgsz``, ``stride``,
``task``); the sidecar ``MODEL.json`` adds what the export lacks. Sidecar keys, all optional::

    {"name": "threat-detector v1",
     "classes": ["pistol", "pipe_bomb"],          # or {"0": "pistol", ...}
     "categories": {"pistol": "firearm", "pipe_bomb": "ied_component"},
     "input": "rgb" | "bgr" | "grey",            # colour convention of the model input
     "mm_per_px": 4.0,                            # the pixel pitch the model was trained at
     "coarsest_mm_per_px": 3.5,                   # coarser scans are enlarged to this pitch
     "conf": 0.25, "iou": 0.5,                    # default thresholds
     "imgsz": 640 | [640, 640],                   # tile size when the input size is dynamic
     "layout": "yolov8",                          # yolov5 | yolov8 | end_to_end | rtdetr
     "resize": "letterbox" | "stretch",
     "tile_overlap": 0.25, "whole_scan_pass": false,
     "whole_scan_min_scale": 0.0,                # no whole-scan pass where the fit is smaller
     "mirror_min_scale": 0.3,                    # scans that fit a tile at this scale also run mirrored
     "known_performance": "Held-out tests: ..."}  # shown to the officer beside the model's name

Sidecar values win over embedded metadata; nothing here is ever evaluated as code.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .categories import guess_category
from .types import CATEGORIES, ModelError

INPUT_CONVENTIONS = ("rgb", "bgr", "grey")
RESIZE_MODES = ("letterbox", "stretch")
KNOWN_PERFORMANCE_LIMIT = 600  # a few lines in the detector panel, not a model card
# Tile sides the station feeds. Below, a scan takes millions of runs; above, one tile's batch alone
# takes gigabytes. Detectors are exported at 320 to 1536 px.
MIN_INPUT_SIDE = 16
MAX_INPUT_SIDE = 8192


@dataclass
class ModelSpec:
    """The facts about a model that decoding and tiling need, gathered from every source."""

    name: str = ""
    classes: list[str] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    imgsz: tuple[int, int] | None = None
    stride: int = 32
    task: str = ""
    input_convention: str = "rgb"
    mm_per_px: float | None = None
    # Scans coarser than this are enlarged to it before detection: a model trained over a range
    # of pitches finds the smallest threats at the coarse end poorly, a few pixels too small.
    coarsest_mm_per_px: float | None = None
    conf: float = 0.25
    iou: float = 0.5
    layout: str | None = None
    resize: str | None = None
    tile_overlap: float = 0.25
    whole_scan_pass: bool = False
    # The whole-scan pass runs only where fitting the scan to the input keeps at least this
    # scale: shrunk further, a model trained at native pitch finds little but noise there.
    whole_scan_min_scale: float = 0.0
    # Scans that fit one tile at this scale or more (bags, not containers) are also searched
    # mirrored and the two outputs averaged (YOLOv8 layout only); None: never.
    mirror_min_scale: float | None = None
    hints: str = ""  # free text (description, author) that may name the architecture
    # What the model's makers measured, in a sentence or two; the station shows it beside the
    # model's name so an officer knows how far to trust the marks.
    known_performance: str = ""
    end_to_end: bool = False


def sidecar_for(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def build_spec(model_path: Path, metadata: dict[str, str]) -> ModelSpec:
    """Combine embedded metadata and the sidecar (if any) into one ModelSpec."""
    spec = ModelSpec(name=model_path.stem)
    _apply_metadata(spec, metadata)
    sidecar = sidecar_for(model_path)
    if sidecar.is_file():
        _apply_sidecar(spec, _read_json(sidecar))
    for cls in spec.classes:
        spec.categories.setdefault(cls, guess_category(cls))
    return spec


def parse_names(text: str) -> list[str]:
    """Class names from the ``names`` metadata: a dict literal {0: 'a', ...} or a list literal."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ModelError(f"the model's 'names' metadata is not a readable list of classes "
                         f"({_reason(exc)})") from exc
    return _names_from(value, "the model's 'names' metadata")


def parse_imgsz(value: Any) -> tuple[int, int] | None:
    """(height, width) from 640, "640", "[640, 640]" or [h, w]."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:  # deep nesting: not a size
            raise ModelError(f"imgsz {value[:40]!r} is not a size ({_reason(exc)})") from exc
    sides = list(value) if isinstance(value, list | tuple) else [value, value]
    # Whole pixel counts only (True is an int to Python, 1.5 px no side): a size of 0 or 1 px once
    # laid millions of tiles over a scan, and 100000 px asked for a 112 GiB batch.
    if len(sides) == 2 and all(_whole(v) and MIN_INPUT_SIDE <= v <= MAX_INPUT_SIDE for v in sides):
        return int(sides[0]), int(sides[1])
    raise ModelError(f"imgsz {str(value)[:40]} is not a size (one number or [height, width], "
                     f"whole pixels from {MIN_INPUT_SIDE} to {MAX_INPUT_SIDE})")


def _whole(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def _reason(exc: BaseException) -> str:
    """An exception's message, or its kind where it has none (MemoryError from deep nesting)."""
    return str(exc) or type(exc).__name__


def _names_from(value: Any, where: str) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dict):
        try:
            indexed = {int(k): str(v) for k, v in value.items()}
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{where}: class indices must be numbers") from exc
        if sorted(indexed) != list(range(len(indexed))):
            raise ModelError(f"{where}: class indices must run 0..{len(indexed) - 1} without gaps")
        return [indexed[i] for i in range(len(indexed))]
    raise ModelError(f"{where} must be a list or a {{index: name}} mapping")


def _apply_metadata(spec: ModelSpec, meta: dict[str, str]) -> None:
    if "names" in meta:
        spec.classes = parse_names(meta["names"])
    if "imgsz" in meta:
        spec.imgsz = parse_imgsz(meta["imgsz"])
    # A stride of 0 would divide by zero where tiles snap to it; such a value is no stride at all.
    if meta.get("stride", "").strip().isdigit() and int(meta["stride"]) > 0:
        spec.stride = int(meta["stride"])
    spec.task = meta.get("task", "")
    spec.end_to_end = meta.get("end2end", "").strip().lower() in ("true", "1")
    spec.hints = " ".join(meta.get(key, "") for key in ("description", "author", "model", "arch"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # nesting: no sidecar
        raise ModelError(f"the model's sidecar {path.name} is not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelError(f"the model's sidecar {path.name} must hold a JSON object")
    return data


def _apply_sidecar(spec: ModelSpec, data: dict[str, Any]) -> None:
    where = "the model's sidecar"
    if "name" in data:
        spec.name = str(data["name"])
    if "classes" in data:
        spec.classes = _names_from(data["classes"], f"{where} 'classes'")
    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        raise ModelError(f"{where} 'categories' must map class names to {', '.join(CATEGORIES)}")
    for cls, category in categories.items():
        if category not in CATEGORIES:
            raise ModelError(f"{where}: category {category!r} of {cls!r} is not one of "
                             f"{', '.join(CATEGORIES)}")
        spec.categories[str(cls)] = category
    convention = str(data.get("input", spec.input_convention)).lower().replace("gray", "grey")
    if convention not in INPUT_CONVENTIONS:
        raise ModelError(f"{where}: input {convention!r} is not one of {', '.join(INPUT_CONVENTIONS)}")
    spec.input_convention = convention
    if data.get("imgsz") is not None:
        spec.imgsz = parse_imgsz(data["imgsz"])
    if data.get("resize") is not None:
        if data["resize"] not in RESIZE_MODES:
            raise ModelError(f"{where}: resize must be one of {', '.join(RESIZE_MODES)}")
        spec.resize = data["resize"]
    if data.get("layout") is not None:
        spec.layout = str(data["layout"])
    spec.mm_per_px = _positive(data, "mm_per_px", spec.mm_per_px)
    spec.coarsest_mm_per_px = _positive(data, "coarsest_mm_per_px", spec.coarsest_mm_per_px)
    spec.conf = _fraction(data, "conf", spec.conf)
    spec.iou = _fraction(data, "iou", spec.iou)
    spec.tile_overlap = _fraction(data, "tile_overlap", spec.tile_overlap)
    if spec.tile_overlap >= 0.9:
        raise ModelError(f"{where}: tile_overlap must be below 0.9")
    # bool() would read "no" or "false" as true.
    spec.whole_scan_pass = data.get("whole_scan_pass", spec.whole_scan_pass)
    if not isinstance(spec.whole_scan_pass, bool):
        raise ModelError(f"{where}: whole_scan_pass must be true or false")
    spec.whole_scan_min_scale = _fraction(data, "whole_scan_min_scale", spec.whole_scan_min_scale)
    if data.get("mirror_min_scale") is not None:
        spec.mirror_min_scale = _fraction(data, "mirror_min_scale", 0.0)
    known = data.get("known_performance", spec.known_performance)
    if not isinstance(known, str) or len(known) > KNOWN_PERFORMANCE_LIMIT:
        raise ModelError(f"{where}: known_performance must be text of at most "
                         f"{KNOWN_PERFORMANCE_LIMIT} characters")
    spec.known_performance = " ".join(known.split())


def _positive(data: dict[str, Any], key: str, default: float | None) -> float | None:
    value = data.get(key, default)
    if value is None:
        return None
    # JSON as Python reads it allows Infinity and NaN: an infinite pitch shrank scans to one pixel.
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ModelError(f"the model's sidecar: {key} must be a positive number")
    return float(value)


def _fraction(data: dict[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ModelError(f"the model's sidecar: {key} must be a number between 0 and 1")
    return float(value)
