"""A detector model ready to serve: the onnxruntime session plus everything needed to feed it."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..paths import MODELS_DIR
from .layouts import Layout, pick_layout
from .mirror import mirror_cells
from .spec import MAX_INPUT_SIDE, MIN_INPUT_SIDE, ModelSpec, build_spec
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
ERROR_TEXT_LIMIT = 300  # characters of onnxruntime's own message kept in ours (its first line)
_ORT_PREFIX = re.compile(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ")
_ORT_SOURCE = re.compile(r"\S*onnxruntime_src/\S+:\d+ [^(]*\([^)]*\) ")


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
        size = spec.imgsz or (DEFAULT_IMGSZ, DEFAULT_IMGSZ)
        # A side the input fixes is that side even where the other is free ([batch, 3, 640, width]).
        self.imgsz: tuple[int, int] = (fixed[0] or size[0], fixed[1] or size[1])
        self.max_batch = _static(inp.shape[0]) or 0  # 0: any batch size
        self.resize = spec.resize or layout.resize
        on_cpu = session.get_providers()[0] == "CPUExecutionProvider"
        self.preferred_batch = 1 if on_cpu else ACCELERATOR_BATCH
        self.mirror_cells: np.ndarray | None = None  # set by load when the sidecar asks for the mirror pass
        self.out_shape: tuple[int, ...] = ()  # the output shape loading found; set by load
        # onnxruntime logs a failed run itself, in colour, over the progress bar; run() reports it instead.
        self._run_options = ort.RunOptions()
        self._run_options.log_severity_level = 4

    @classmethod
    def load(cls, path: str | Path, *, providers: list[str] | None = None,
             threads: int | None = None) -> ThreatModel:
        path = Path(path)
        if path.is_dir():
            raise ModelError(f"{path.name} is a folder, not an ONNX model file ({path})")
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
            if "external data" in str(exc).lower():
                # Loaded from the bytes just hashed, the model cannot reach a weights file beside it;
                # onnxruntime's message then speaks of a path under the current folder.
                raise ModelError(f"{path.name} keeps its weights in a separate file; the station takes a "
                                 "model in one file (re-save it with onnx.save(model, path) and no "
                                 "external data)") from exc
            raise ModelError(f"{path.name} is not a usable ONNX model: {_first_line(exc)}") from exc
        try:
            return cls._checked(path, session, data, notes)
        except ModelError as exc:
            # Every refusal names the file: the station and `detect` show this one line alone.
            message = str(exc)
            raise ModelError(message if message.startswith(path.name) else f"{path.name}: {message}") from exc

    @classmethod
    def _checked(cls, path: Path, session: ort.InferenceSession, data: bytes,
                 notes: list[str]) -> ThreatModel:
        """The model on ``session`` once its input, output and metadata are known to serve."""
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
        for axis, side in (("high", shape[2]), ("wide", shape[3])):
            if _static(side) and not MIN_INPUT_SIDE <= side <= MAX_INPUT_SIDE:
                raise ModelError(f"{path.name}'s input is {side} px {axis}; the station feeds tiles of "
                                 f"{MIN_INPUT_SIDE} to {MAX_INPUT_SIDE} px")
        output = session.get_outputs()[0]
        if output.type not in _FLOAT_TYPES:
            # Integer or boolean scores decode to marks of score 0 or 1; strings and sequences do not decode.
            raise ModelError(f"{path.name}'s output is {output.type}; a detector's output is a float "
                             "tensor of boxes and scores")
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
        model.out_shape = out_shape
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
        """Raw output [B, rows, cols] for a float batch [B, C, H, W] already in the model's convention.

        ModelError, naming the model, when the run fails or its output is not what loading found.
        """
        count = len(batch)
        feed = batch.astype(self.input_dtype, copy=False)
        if self.max_batch > count:  # a fixed batch size: fill it with blank images, drop their outputs
            feed = np.concatenate([feed, np.zeros((self.max_batch - count, *feed.shape[1:]), feed.dtype)])
        try:
            out = self.session.run(None, {self.input_name: feed}, self._run_options)[0]
        except Exception as exc:  # onnxruntime's private types; a failed run ends this scan, not the caller
            raise ModelError(f"{self.path.name} failed to run: {_first_line(exc)}") from exc
        if not isinstance(out, np.ndarray) or out.ndim != 3:
            raise ModelError(f"{self.path.name} gave an output of shape {list(np.shape(out))}; loading found "
                             f"{list(self.out_shape)}")
        # Decoding trusts the rows or columns that carry the classes: an output that changed them
        # since loading would be read as other classes, or not at all.
        if not self.decoder.fits(out.shape[1], out.shape[2], len(self.classes) or None):
            raise ModelError(f"{self.path.name} gave an output of shape {list(out.shape)} where loading "
                             f"found {list(self.out_shape)} ({self.layout}, {len(self.classes)} classes)")
        if len(out) < count:  # the images without an output would pass as scanned and clean
            raise ModelError(f"{self.path.name} gave {len(out)} result{'s' * (len(out) != 1)} for a batch "
                             f"of {count} images")
        return out[:count]

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


def _first_line(exc: BaseException) -> str:
    """onnxruntime's message without its status prefix and C++ source location, which filled the
    line before the words that say what went wrong."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    text = _ORT_PREFIX.sub("", text.splitlines()[0])
    return _ORT_SOURCE.sub("", text)[:ERROR_TEXT_LIMIT]


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
    probe = np.zeros((_static(inp.shape[0]) or 1, c, h, w), _FLOAT_TYPES.get(inp.type, np.float32))
    try:
        out = session.run(None, {inp.name: probe})[0]
    except Exception as exc:
        raise ModelError(f"the model fails on a blank {w}×{h} image: {_first_line(exc)}") from exc
    return tuple(out.shape)


def cpu_threads_for_ui() -> int:
    """Leave one core to the GUI thread so the station stays responsive while the model runs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)
