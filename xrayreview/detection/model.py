"""A detector model ready to serve: the onnxruntime session plus everything needed to feed it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..paths import MODELS_DIR
from .layouts import Layout, pick_layout
from .mirror import mirror_cells
from .spec import ModelSpec, build_spec
from .types import OTHER, ModelError, ModelInfo

DEFAULT_MODEL = MODELS_DIR / "threat-detector.onnx"
DEFAULT_IMGSZ = 640
# Tiles per run on an accelerator, where a batch fills the device. On CPU one tile per run is as
# fast or faster (measured in `xrayreview bench detection`): a batch's activations leave the cache.
ACCELERATOR_BATCH = 8

# Short names an operator can type; onnxruntime's own names are accepted as they are.
PROVIDER_ALIASES = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
    "openvino": "OpenVINOExecutionProvider",
    "directml": "DmlExecutionProvider",
    "dml": "DmlExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
}
_FLOAT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64}


PROVIDERS_ENV = "XRAYREVIEW_PROVIDERS"  # e.g. "cuda" or "openvino,cpu": what the station asks for


def choose_providers(asked: list[str] | None) -> tuple[list[str], list[str]]:
    """(providers to use, notes about asked ones that are not installed); CPU is always the fallback.

    Nothing asked: the XRAYREVIEW_PROVIDERS environment variable (comma-separated), else CPU.
    """
    if asked is None:
        asked = [p.strip() for p in os.environ.get(PROVIDERS_ENV, "").split(",") if p.strip()]
    available = ort.get_available_providers()
    chosen: list[str] = []
    notes: list[str] = []
    for name in asked or []:
        full = PROVIDER_ALIASES.get(name.lower(), name)
        if full in available:
            chosen.append(full)
        else:
            notes.append(f"{name} is not available here (installed: {', '.join(available)}); using CPU")
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen, notes


class ThreatModel:
    """An ONNX detector with its metadata; ``load`` refuses models that cannot serve."""

    def __init__(self, path: Path, session: ort.InferenceSession, spec: ModelSpec, layout: Layout,
                 sha256: str, notes: list[str]) -> None:
        self.path = path
        self.session = session
        self.spec = spec
        self.decoder = layout  # the Layout entry that decodes this model's output
        self.layout = layout.name
        self.sha256 = sha256
        self.notes = notes
        self.name = spec.name
        self.classes = spec.classes
        self.categories = spec.categories
        self.default_conf = spec.conf
        inp = session.get_inputs()[0]
        self.input_name = inp.name
        self.input_dtype = _FLOAT_TYPES.get(inp.type, np.float32)
        self.channels = _static(inp.shape[1]) or (1 if spec.input_convention == "grey" else 3)
        fixed = (_static(inp.shape[2]), _static(inp.shape[3]))
        self.fixed_size = fixed[0] is not None and fixed[1] is not None
        self.imgsz: tuple[int, int] = (
            (fixed[0], fixed[1]) if self.fixed_size else spec.imgsz or (DEFAULT_IMGSZ, DEFAULT_IMGSZ)
        )
        self.max_batch = _static(inp.shape[0]) or 0  # 0: any batch size
        self.resize = spec.resize or layout.resize
        on_cpu = session.get_providers()[0] == "CPUExecutionProvider"
        self.preferred_batch = 1 if on_cpu else ACCELERATOR_BATCH
        self.mirror_cells: np.ndarray | None = None  # set by load when the sidecar asks for the mirror pass

    @classmethod
    def load(cls, path: str | Path, *, providers: list[str] | None = None,
             threads: int | None = None) -> ThreatModel:
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"no model file at {path}")
        try:
            data = path.read_bytes()
        except OSError as exc:  # a share that dropped, a file being replaced: say so, never a traceback
            raise ModelError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
        if not data[:16].strip():
            raise ModelError(f"{path.name} is empty or not an ONNX model")
        chosen, notes = choose_providers(providers)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = int(threads)
        # Spinning worker threads would steal the CPU from the GUI thread between runs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(data, sess_options=options, providers=chosen)
        except Exception as exc:  # onnxruntime raises several private types for bad files
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{path.name} is not a usable ONNX model: {first[:300]}") from exc
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise ModelError(f"{path.name} takes {len(inputs)} inputs; a detector takes one image batch")
        shape = inputs[0].shape
        if len(shape) != 4:
            raise ModelError(f"{path.name}'s input has rank {len(shape)} ({shape}); a detector takes "
                             "[batch, channels, height, width]")
        if _static(shape[1]) not in (None, 1, 3):
            raise ModelError(f"{path.name}'s input has {shape[1]} channels; only 1 (grey) or 3 (colour) work")
        if inputs[0].type not in _FLOAT_TYPES:
            raise ModelError(f"{path.name} takes {inputs[0].type}; only float image inputs are supported")
        spec = build_spec(path, session.get_modelmeta().custom_metadata_map)
        out_shape = _output_shape(session, spec)
        nc = len(spec.classes) or None
        layout = pick_layout(out_shape, nc, named=spec.layout, hints=spec.hints, end_to_end=spec.end_to_end)
        if not spec.classes:
            implied = layout.class_count(int(out_shape[1]), int(out_shape[2]))
            spec.classes = [f"class{i}" for i in range(implied or 0)]
            spec.categories.update({c: OTHER for c in spec.classes})
        sha = hashlib.sha256(data).hexdigest()
        model = cls(path, session, spec, layout, sha, notes)
        if spec.mirror_min_scale is not None:
            model.mirror_cells = _mirror_cells_for(model, out_shape)
        return model

    def info(self) -> ModelInfo:
        return ModelInfo(self.name, self.sha256, str(self.path), self.default_conf, tuple(self.classes),
                         self.spec.known_performance)

    def label(self, class_id: int) -> str:
        return self.classes[class_id] if 0 <= class_id < len(self.classes) else f"class{class_id}"

    def category(self, label: str) -> str:
        return self.categories.get(label, OTHER)

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Raw output [B, rows, cols] for a float batch [B, C, H, W] already in the model's convention."""
        return self.session.run(None, {self.input_name: batch.astype(self.input_dtype, copy=False)})[0]

    def __repr__(self) -> str:
        return f"ThreatModel({self.name!r}, {self.layout}, {len(self.classes)} classes, {self.imgsz})"


def _mirror_cells_for(model: ThreatModel, out_shape: tuple[int, ...]) -> np.ndarray:
    cells = mirror_cells(model.imgsz)
    if model.layout != "yolov8" or out_shape[-1] != len(cells):
        raise ModelError(f"the sidecar asks for the mirror pass (mirror_min_scale), which needs the "
                         f"YOLOv8 layout with cells at strides 8, 16 and 32 ({len(cells)} for "
                         f"{model.imgsz[1]}×{model.imgsz[0]}); this model's output is {model.layout} "
                         f"{list(out_shape)}")
    return cells


def _static(dim: object) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


def _output_shape(session: ort.InferenceSession, spec: ModelSpec) -> tuple[int, ...]:
    """The first output's shape; models with symbolic dimensions are probed with one blank image."""
    shape = session.get_outputs()[0].shape
    if len(shape) == 3 and all(_static(d) for d in shape[1:]):
        return tuple(d if isinstance(d, int) else 1 for d in shape)
    inp = session.get_inputs()[0]
    h = _static(inp.shape[2]) or (spec.imgsz or (DEFAULT_IMGSZ,))[0]
    w = _static(inp.shape[3]) or (spec.imgsz or (DEFAULT_IMGSZ, DEFAULT_IMGSZ))[1]
    c = _static(inp.shape[1]) or 3
    probe = np.zeros((1, c, h, w), _FLOAT_TYPES.get(inp.type, np.float32))
    try:
        out = session.run(None, {inp.name: probe})[0]
    except Exception as exc:
        raise ModelError(f"the model fails on a blank {w}×{h} image: {str(exc)[:300]}") from exc
    return tuple(out.shape)


def cpu_threads_for_ui() -> int:
    """Leave one core to the GUI thread so the station stays responsive while the model runs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)
