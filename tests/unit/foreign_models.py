"""Small real ONNX models of the odd kinds a customs service may bring: wrong output types, outputs
that change shape, runs that fail inside onnxruntime, fixed batch sizes, weights kept in a
separate file. Built with the ``onnx`` helper API; every one is run by onnxruntime in the tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from xrayreview.detection.synthetic_models import _save, constant_model
from xrayreview.scan import Scan

NAMES = {"names": "{0: 'pistol', 1: 'detonator'}"}
# YOLOv8 layout, two classes, one anchor: a detonator at (15..25, 24..36) in every tile.
V8_ROWS = np.array([[20], [30], [10], [12], [0.1], [0.9]], np.float32)


def image_input(shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info("images", TensorProto.FLOAT, shape)


def graph_model(path: Path, nodes: list, outputs: list, inits: tuple = (),
                metadata: dict[str, str] | None = None, input_shape: list | None = None) -> Path:
    inputs = [image_input(input_shape or ["batch", 3, 64, 64])]
    return _save(helper.make_graph(nodes, path.stem, inputs, outputs, list(inits)), path, metadata)


def constant_output(path: Path, value: np.ndarray, elem_type: int,
                    metadata: dict[str, str] | None = None) -> Path:
    """A model that outputs ``value`` (any tensor type) whatever the image."""
    nodes = [helper.make_node("Constant", [], ["value"], value=numpy_helper.from_array(value, "v")),
             helper.make_node("Identity", ["value"], ["output0"])]
    out = helper.make_tensor_value_info("output0", elem_type, list(value.shape))
    return graph_model(path, nodes, [out], metadata=metadata)


def sequence_output(path: Path) -> Path:
    """A model whose output is a sequence of tensors, not a tensor."""
    nodes = [helper.make_node("Constant", [], ["value"], value=numpy_helper.from_array(V8_ROWS[None], "v")),
             helper.make_node("SequenceConstruct", ["value"], ["output0"])]
    out = helper.make_tensor_sequence_value_info("output0", TensorProto.FLOAT, None)
    return graph_model(path, nodes, [out], metadata=NAMES)


def failing_model(path: Path) -> Path:
    """Declares a [1, 6, 7] output (so loading does not run it) but reshapes the image to it: every
    run fails inside onnxruntime."""
    nodes = [helper.make_node("Reshape", ["images", "target"], ["output0"])]
    inits = (numpy_helper.from_array(np.array([1, 6, 7], np.int64), "target"),)
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 7])
    return graph_model(path, nodes, [out], inits, NAMES)


def growing_output_model(path: Path) -> Path:
    """Output [batch, 5 + k, 10] with k = int(10 × brightest pixel): on the blank image loading
    probes with it fits YOLOv8 with one class; on a real tile the rows grow."""
    nodes = [
        helper.make_node("ReduceMax", ["images"], ["peak"], keepdims=0),
        helper.make_node("Mul", ["peak", "ten"], ["peak10"]),
        helper.make_node("Cast", ["peak10"], ["k"], to=TensorProto.INT64),
        helper.make_node("Add", ["k", "five"], ["rows"]),
        helper.make_node("Reshape", ["rows", "one"], ["rows1"]),
        helper.make_node("Concat", ["batch_one", "rows1", "ten_i"], ["shape"], axis=0),
        helper.make_node("ConstantOfShape", ["shape"], ["output0"]),
    ]
    inits = (numpy_helper.from_array(np.array(10, np.float32), "ten"),
             numpy_helper.from_array(np.array(5, np.int64), "five"),
             numpy_helper.from_array(np.array([1], np.int64), "one"),
             numpy_helper.from_array(np.array([1], np.int64), "batch_one"),
             numpy_helper.from_array(np.array([10], np.int64), "ten_i"))
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, "rows", 10])
    return graph_model(path, nodes, [out], inits, None, input_shape=[1, 3, 64, 64])


def fixed_batch_model(path: Path, batch: int, rows: np.ndarray = V8_ROWS) -> Path:
    """``constant_model`` with its input batch fixed at ``batch`` (as some exports for accelerators are)."""
    constant_model(path, rows, metadata=NAMES)
    model = onnx.load(str(path))
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = batch
    onnx.save(model, str(path))
    return path


def fixed_batch_unknown_shape_model(path: Path, batch: int) -> Path:
    """Input batch fixed at ``batch``; output zeros [batch, 6, 1 + 0 × brightest pixel], a shape
    onnxruntime cannot know before a run, so loading runs the model to find it."""
    nodes = [
        helper.make_node("ReduceMax", ["images"], ["peak"], keepdims=0),
        helper.make_node("Mul", ["peak", "zero"], ["none"]),
        helper.make_node("Cast", ["none"], ["k"], to=TensorProto.INT64),
        helper.make_node("Add", ["k", "one"], ["cols"]),
        helper.make_node("Reshape", ["cols", "one_shape"], ["cols1"]),
        helper.make_node("Shape", ["images"], ["image_shape"]),
        helper.make_node("Slice", ["image_shape", "start", "one_shape"], ["batch"]),
        helper.make_node("Concat", ["batch", "six", "cols1"], ["shape"], axis=0),
        helper.make_node("ConstantOfShape", ["shape"], ["output0"]),
    ]
    inits = (numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(np.array(1, np.int64), "one"),
             numpy_helper.from_array(np.array([1], np.int64), "one_shape"),
             numpy_helper.from_array(np.array([0], np.int64), "start"),
             numpy_helper.from_array(np.array([6], np.int64), "six"))
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 6, "cols"])
    return graph_model(path, nodes, [out], inits, NAMES, input_shape=[batch, 3, 64, 64])


def external_weights_model(path: Path) -> Path:
    """A model whose weights live in a separate file beside it (``PATH.data``)."""
    rows = np.zeros((6, 400), np.float32)
    rows[:, :1] = V8_ROWS
    constant_model(path, rows, metadata=NAMES)
    onnx.save_model(onnx.load(str(path)), str(path), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=path.name + ".data", size_threshold=256)
    return path


def ramp_scan(height: int = 64, width: int = 64) -> Scan:
    """A grey gradient: no tile of it counts as empty background."""
    ramp = np.linspace(60, 230, width).astype(np.uint8)
    rgb = np.repeat(np.repeat(ramp[None, :, None], height, axis=0), 3, axis=2)
    return Scan(high=np.full((height, width), 200, np.uint16), full_scale=255, colour=rgb)
