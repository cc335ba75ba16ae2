"""How fast an exported model runs one 640 x 640 tile on this machine's CPU (onnxruntime),
read against the YOLOv8n-shaped yardstick timed in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def _session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _timed_run(session: ort.InferenceSession, tile: np.ndarray) -> float:
    name = session.get_inputs()[0].name
    started = time.perf_counter()
    session.run(None, {name: tile})
    return (time.perf_counter() - started) * 1000.0


def _tile(size: int) -> np.ndarray:
    # A rendered-looking tile (not zeros) so no kernel takes a shortcut.
    return np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)


def speed_against_yardstick(path: Path, *, threads: int = 2, repeats: int = 50,
                            size: int = 640) -> dict[str, float]:
    """Median ms per tile of the model and of the YOLOv8n-shaped yardstick, and their ratio.

    The two take turns in blocks of ten runs, so both see the same drift in the machine's load;
    the first run of each block is not counted, because the other session's idle threads are
    still spinning for a moment after its last run.
    """
    from .yardstick import export_yardstick  # noqa: PLC0415 - needs torch, as training does

    with tempfile.TemporaryDirectory() as folder:
        yardstick = _session(export_yardstick(Path(folder) / "yardstick.onnx", size), threads)
    model, tile = _session(path, threads), _tile(size)
    ours: list[float] = []
    theirs: list[float] = []
    block = 10
    for _ in range(max(1, -(-repeats // block))):
        for session, times in ((model, ours), (yardstick, theirs)):
            _timed_run(session, tile)
            times += [_timed_run(session, tile) for _ in range(block)]
    model_ms, yardstick_ms = statistics.median(ours), statistics.median(theirs)
    return {"median_ms": model_ms, "yardstick_ms": yardstick_ms, "ratio": model_ms / yardstick_ms,
            "file_mb": path.stat().st_size / 1e6, "threads": threads}
