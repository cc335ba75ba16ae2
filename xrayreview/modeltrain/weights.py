"""Weights on disk: a run's checkpoints, their means, and the weights file shipped beside the
ONNX model (models/threat-detector.pt) that fine-tuning starts from (train-model --init).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from .labelled import TrainingInputError
from .net import NetConfig, ThreatDetector

WEIGHTS_FORMAT = "xrayreview threat-detector weights 1"


def average_trained(run_dirs: list[Path]) -> ThreatDetector:
    """The mean of the EMA weights of several runs' last.pt (one run: its own weights).

    Checkpoints of one training history lie in one basin, so their mean is a model too, and
    often a better one than either end (a "model soup"); counters come from the first run.
    """
    models = [load_trained(d) for d in run_dirs]
    if len(models) == 1:
        return models[0]
    states = [m.state_dict() for m in models]
    mean = {name: (sum(s[name] for s in states) / len(states)) if value.dtype.is_floating_point else value
            for name, value in states[0].items()}
    models[0].load_state_dict(mean)
    return models[0]


def save_weights(model: ThreatDetector, path: Path, step: int | None) -> None:
    """The model's weights alone (no optimizer), for fine-tuning elsewhere with --init."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": WEIGHTS_FORMAT, "step": step, "net": asdict(model.config),
                "weights": model.state_dict()}, path)


def load_weights(path: Path) -> ThreatDetector:
    """Weights to start from: a file written by save_weights, or a run folder's EMA weights."""
    if path.is_dir():
        if not (path / "last.pt").is_file():
            raise TrainingInputError(f"--init {path}: no last.pt in that folder")
        return load_trained(path)
    try:
        # weights_only: a weights file from elsewhere must not be able to run code when unpickled.
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch.load fails in many ways on a file not made by torch.save
        raise TrainingInputError(f"--init {path}: cannot read it ({exc})") from exc
    if not isinstance(state, dict) or state.get("format") != WEIGHTS_FORMAT:
        raise TrainingInputError(f"--init {path}: not a weights file of this model (see models/README.md)")
    try:
        model = ThreatDetector(_net_config(state["net"]))
        model.load_state_dict(state["weights"])
    except (KeyError, TypeError, RuntimeError) as exc:
        raise TrainingInputError(f"--init {path}: damaged weights file ({exc})") from exc
    return model.eval()


def _net_config(stored: dict) -> NetConfig:
    return NetConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()})


def load_trained(run_dir: Path) -> ThreatDetector:
    """The EMA model of run_dir/last.pt (for exporting without training further, or --init)."""
    state = load_checkpoint(run_dir / "last.pt", "cpu")
    try:
        model = ThreatDetector(_net_config(state["config"]["net"]))
        model.load_state_dict(state["ema"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise TrainingInputError(f"{run_dir}: last.pt is not a checkpoint of this model ({exc!r})") from exc
    return model.eval()


def load_checkpoint(path: Path, device: str | torch.device) -> dict:
    """A run's checkpoint, read with weights_only: a run folder handed over from elsewhere (--init
    takes one) must not run code when unpickled. Checkpoints hold only tensors, numbers, strings,
    lists and dicts, which that reader allows."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch.load fails in many ways on a file not made by torch.save
        raise TrainingInputError(f"{path}: cannot read it as a checkpoint ({exc})") from exc
    if not isinstance(state, dict):
        raise TrainingInputError(f"{path}: not a checkpoint of this model")
    return state
