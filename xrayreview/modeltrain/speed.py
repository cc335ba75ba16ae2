"""How fast an exported model runs one 640 x 640 tile on this machine's CPU (onnxruntime)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def tile_speed(path: Path, *, threads: int = 2, repeats: int = 50, size: int = 640) -> dict[str, float]:
    """Median and best milliseconds per tile (batch 1, after warm-up) and the file size in MB."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    # A rendered-looking tile (not zeros) so no kernel takes a shortcut.
    tile = np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)
    for _ in range(5):
        session.run(None, {name: tile})
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        session.run(None, {name: tile})
        times.append((time.perf_counter() - started) * 1000.0)
    return {"median_ms": statistics.median(times), "best_ms": min(times),
            "file_mb": path.stat().st_size / 1e6, "threads": threads}
