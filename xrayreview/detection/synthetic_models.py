"""Small ONNX detectors built in code, for the tests and the benchmark.

They are real ONNX files run by onnxruntime: one emits fixed rows in any output layout, one
finds dark squares (so tiling and merging can be checked end to end), one is a conv net of a
production detector's size with random weights (for speed figures). Needs the ``onnx`` package
(test and bench extras), imported only here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _onnx():
    import onnx  # noqa: PLC0415 - a test/bench dependency, not a runtime one
    from onnx import TensorProto, helper, numpy_helper  # noqa: PLC0415

    return onnx, TensorProto, helper, numpy_helper


def _save(graph, path: Path, metadata: dict[str, str] | None) -> Path:
    onnx, _, helper, _ = _onnx()
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path = Path(path)
    onnx.save(model, str(path))
    return path


def _input(imgsz: tuple[int, int], channels: int, dynamic_batch: bool, dynamic_size: bool):
    _, TensorProto, helper, _ = _onnx()
    h, w = ("height", "width") if dynamic_size else imgsz
    return helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                         ["batch" if dynamic_batch else 1, channels, h, w])


def constant_model(path: Path, rows: np.ndarray, *, imgsz: tuple[int, int] = (64, 64), channels: int = 3,
                   dynamic_batch: bool = True, dynamic_size: bool = False,
                   metadata: dict[str, str] | None = None) -> Path:
    """A model whose output for every image is ``rows`` (2-D), stacked to [batch, R, C]."""
    _, TensorProto, helper, numpy_helper = _onnx()
    rows = np.asarray(rows, np.float32)[None]
    nodes = [
        helper.make_node("Shape", ["images"], ["shape"]),
        helper.make_node("Slice", ["shape", "zero", "one"], ["batch"]),
        helper.make_node("Concat", ["batch", "rest"], ["out_shape"], axis=0),
        helper.make_node("Expand", ["rows", "out_shape"], ["output0"]),
    ]
    inits = [
        numpy_helper.from_array(rows, "rows"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
        numpy_helper.from_array(np.array(rows.shape[1:], np.int64), "rest"),
    ]
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", *rows.shape[1:]])
    graph = helper.make_graph(nodes, "constant", [_input(imgsz, channels, dynamic_batch, dynamic_size)],
                              [out], inits)
    return _save(graph, path, metadata)


def dark_square_model(path: Path, *, imgsz: int = 64, cell: int = 16,
                      metadata: dict[str, str] | None = None) -> Path:
    """YOLOv8 layout, one class: each cell×cell cell scores 1 − its mean brightness, box = the cell."""
    _, TensorProto, helper, numpy_helper = _onnx()
    n = (imgsz // cell) ** 2
    centres = (np.arange(imgsz // cell, dtype=np.float32) + 0.5) * cell
    cy, cx = np.meshgrid(centres, centres, indexing="ij")
    boxes = np.stack([cx.ravel(), cy.ravel(), np.full(n, cell, np.float32), np.full(n, cell, np.float32)])
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["grey"], axes=[1], keepdims=1),
        helper.make_node("AveragePool", ["grey"], ["cells"], kernel_shape=[cell, cell], strides=[cell, cell]),
        helper.make_node("Sub", ["one_f", "cells"], ["dark"]),
        helper.make_node("Reshape", ["dark", "score_shape"], ["scores"]),
        helper.make_node("Shape", ["images"], ["shape"]),
        helper.make_node("Slice", ["shape", "zero", "one"], ["batch"]),
        helper.make_node("Concat", ["batch", "box_rest"], ["box_shape"], axis=0),
        helper.make_node("Expand", ["boxes", "box_shape"], ["batch_boxes"]),
        helper.make_node("Concat", ["batch_boxes", "scores"], ["output0"], axis=1),
    ]
    inits = [
        numpy_helper.from_array(np.array(1.0, np.float32), "one_f"),
        numpy_helper.from_array(np.array([-1, 1, n], np.int64), "score_shape"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
        numpy_helper.from_array(np.array([4, n], np.int64), "box_rest"),
        numpy_helper.from_array(boxes[None].astype(np.float32), "boxes"),
    ]
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 5, n])
    graph = helper.make_graph(nodes, "dark_squares", [_input((imgsz, imgsz), 3, True, False)], [out], inits)
    return _save(graph, path, metadata or {"names": "{0: 'dark_square'}", "imgsz": f"[{imgsz}, {imgsz}]"})


def conv_detector(path: Path, *, imgsz: int = 640, classes: int = 8, width: int = 64,
                  seed: int = 0) -> tuple[Path, float]:
    """A conv net of a small production detector's cost, YOLOv8 layout; returns (path, GFLOPs per image).

    Weights are random (scaled to keep activations tame) and class logits are biased low so
    that few boxes pass a threshold, as with a real model on mostly harmless content.
    """
    _, TensorProto, helper, numpy_helper = _onnx()
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    flops = 0.0
    size = imgsz
    # (out channels, kernel, stride): three stride-2 stages down to stride 8, then two 3×3 there.
    plan = [(16, 3, 2), (32, 3, 2), (width, 3, 2), (width, 3, 1), (width, 3, 1)]
    current, channels = "images", 3
    for i, (out_ch, k, stride) in enumerate(plan):
        size //= stride
        w = rng.normal(0, np.sqrt(2 / (channels * k * k)), (out_ch, channels, k, k)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"),
                  numpy_helper.from_array(np.zeros(out_ch, np.float32), f"b{i}")]
        nodes += [helper.make_node("Conv", [current, f"w{i}", f"b{i}"], [f"c{i}"], kernel_shape=[k, k],
                                   strides=[stride, stride], pads=[k // 2] * 4),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]
        flops += 2 * size * size * out_ch * channels * k * k
        current, channels = f"r{i}", out_ch
    head = 4 + classes
    w = rng.normal(0, 0.05, (head, channels, 1, 1)).astype(np.float32)
    bias = np.concatenate([[0, 0, 3, 3], np.full(classes, -6.0)]).astype(np.float32)
    inits += [numpy_helper.from_array(w, "w_head"), numpy_helper.from_array(bias, "bh")]
    flops += 2 * size * size * head * channels
    n = size * size
    stride = imgsz // size
    ys, xs = np.meshgrid(np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32), indexing="ij")
    grid = np.stack([(xs.ravel() + 0.5) * stride, (ys.ravel() + 0.5) * stride])[None]
    inits += [
        numpy_helper.from_array(np.array([0, head, n], np.int64), "flat"),
        numpy_helper.from_array(grid.astype(np.float32), "grid"),
        numpy_helper.from_array(np.array([4, classes], np.int64), "split"),
        numpy_helper.from_array(np.array([[[float(stride)], [float(stride)]]], np.float32), "scale"),
    ]
    nodes += [
        helper.make_node("Conv", [current, "w_head", "bh"], ["head"], kernel_shape=[1, 1]),
        helper.make_node("Reshape", ["head", "flat"], ["flat_head"]),
        helper.make_node("Split", ["flat_head", "split"], ["box_raw", "cls_raw"], axis=1),
        helper.make_node("Split", ["box_raw", "half"], ["xy_raw", "wh_raw"], axis=1),
        helper.make_node("Tanh", ["xy_raw"], ["xy_off"]),
        helper.make_node("Mul", ["xy_off", "scale"], ["xy_px"]),
        helper.make_node("Add", ["xy_px", "grid"], ["xy"]),
        helper.make_node("Exp", ["wh_raw"], ["wh_exp"]),
        helper.make_node("Mul", ["wh_exp", "scale"], ["wh"]),
        helper.make_node("Sigmoid", ["cls_raw"], ["cls"]),
        helper.make_node("Concat", ["xy", "wh", "cls"], ["output0"], axis=1),
    ]
    inits.append(numpy_helper.from_array(np.array([2, 2], np.int64), "half"))
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", head, n])
    graph = helper.make_graph(nodes, "conv_detector", [_input((imgsz, imgsz), 3, True, False)], [out], inits)
    names = "{" + ", ".join(f"{i}: 'threat{i}'" for i in range(classes)) + "}"
    meta = {"names": names, "imgsz": f"[{imgsz}, {imgsz}]", "stride": "32", "task": "detect",
            "description": "random-weight YOLOv8-layout benchmark net"}
    return _save(graph, path, meta), flops / 1e9


def matmul_model(path: Path, size: int = 2048) -> Path:
    """One float32 MatMul of two [size, size] inputs: onnxruntime's own matrix-multiply peak."""
    _, TensorProto, helper, _ = _onnx()
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [size, size])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [size, size])
    c = helper.make_tensor_value_info("c", TensorProto.FLOAT, [size, size])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul", [a, b], [c])
    return _save(graph, path, None)
