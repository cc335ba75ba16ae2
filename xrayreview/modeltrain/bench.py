"""`xrayreview bench training`: how fast one training step of the reference detector runs here.

A step is what `train-model` does per batch: forward pass, loss, backward pass, AdamW update,
on generated tiles. The baseline, timed in the same run and in turns with it, is the plain
step: fp32 weights and activations in PyTorch's default (channels-first) layout. The measured
step is the one `train-model` takes on this machine: channels-last, and bfloat16 where
`pick_precision` finds it native.
"""

from __future__ import annotations

import statistics
import time


def run(quick: bool) -> str:
    try:
        import torch  # noqa: PLC0415
    except ImportError:
        return "Not measured: needs PyTorch (`pip install '.[train]'`).\n"
    from .classes import CLASSES  # noqa: PLC0415
    from .data import TRAIN_SEED_BASE, TileStream, collate  # noqa: PLC0415
    from .net import NetConfig, ThreatDetector, anchor_points  # noqa: PLC0415
    from .train import pick_precision  # noqa: PLC0415

    batch_size, crop, turns = (2, 320, 3) if quick else (8, 640, 7)
    stream = iter(TileStream(TRAIN_SEED_BASE, 640, reuse=1, crop=crop))
    batch = collate([next(stream) for _ in range(batch_size)])
    cpu = torch.device("cpu")
    points, strides = anchor_points(crop, crop, cpu)
    precision = pick_precision("auto", cpu)
    ways = {
        "fp32, channels-first (baseline)": (torch.contiguous_format, "fp32"),
        f"{precision}, channels-last (train-model's choice)": (torch.channels_last, precision),
    }
    steppers = {name: _stepper(ThreatDetector(NetConfig(len(CLASSES))), batch, points, strides, fmt, prec)
                for name, (fmt, prec) in ways.items()}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for step in steppers.values():
        step()  # first run: oneDNN picks and caches its kernels
    for _ in range(turns):
        for name, step in steppers.items():
            started = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times[next(iter(ways))])
    rows = ["| step | median s per batch | tiles a second | speed against the baseline |",
            "| --- | --- | --- | --- |"]
    for name, seconds in times.items():
        median = statistics.median(seconds)
        rows.append(f"| {name} | {median:.3f} | {batch_size / median:.1f} | {base / median:.2f}× |")
    return (f"One training step (forward, loss, backward, AdamW) on a batch of {batch_size} generated "
            f"{crop} × {crop} tiles, {torch.get_num_threads()} torch threads; medians of {turns} turns, "
            "the two taking turns. Tile making is not counted (worker processes do it while the "
            "step runs).\n\n" + "\n".join(rows) + "\n")


def _stepper(model, batch, points, strides, memory_format, precision):
    import torch  # noqa: PLC0415

    from .train import batch_loss  # noqa: PLC0415

    model = model.to(memory_format=memory_format).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")

    def step() -> None:
        loss, _ = batch_loss(model, batch, points, strides, autocast, memory_format)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step
