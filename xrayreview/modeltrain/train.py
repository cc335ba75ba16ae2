"""The training loop: on-the-fly tiles, AdamW with warm-up and cosine decay, weight EMA,
checkpoints to resume from, a held-out check, and the export of what was learned.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from .classes import CLASSES
from .data import TRAIN_SEED_BASE, VALIDATION_SEED_BASE, TileStream, collate, quiet_worker, safe_tile
from .export import export_onnx, sidecar, write_sidecar
from .labelled import LabelledTiles, TrainingInputError, read_labelled
from .loss import detection_loss
from .net import NetConfig, ThreatDetector, anchor_points
from .val import category_groups, evaluate, predict
from .weights import load_checkpoint, load_weights, save_weights

MODEL_FILE = "threat-detector.onnx"


@dataclass
class TrainConfig:
    steps: int = 3000
    batch: int = 32
    lr: float = 2e-3
    weight_decay: float = 5e-4
    warmup: int = 300
    size: int = 640  # generated tile size (and the exported model's input)
    crop: int = 640  # training input size: smaller crops of the tiles train faster on a CPU
    workers: int = 2
    reuse: int = 2
    seed: int = 0
    val_tiles: int = 64
    val_every: int = 500
    checkpoint_every: int = 100
    time_limit_min: float = 0.0  # stop early (with a checkpoint) after this long; 0 = no limit
    accumulate: int = 1  # batches whose gradients make one optimizer step (batch 8 x 4 acts like 32)
    # Keep BatchNorm's running statistics fixed: a small CPU batch gives noisy batch statistics
    # that pull a model trained at batch 32 away from what it learnt.
    freeze_norm: bool = False
    precision: str = "auto"  # "auto", "fp32" or "bf16"; see pick_precision
    # Class name -> weight of its positives in the class loss (default 1); see detection_loss.
    class_weights: dict[str, float] = field(default_factory=dict)
    # Enlarge training tiles coarser than this pitch to it, as the station does before detection
    # (the sidecar's coarsest_mm_per_px); 0 trains on every pitch as generated.
    coarsest_mm_per_px: float = 0.0
    # Labelled folders of real scans trained beside the generated tiles (a site's own data), the
    # share of tiles they make up, and how their labels map to the model's classes.
    data: list[str] = field(default_factory=list)
    data_share: float = 0.5
    data_map: dict[str, str] = field(default_factory=dict)
    # Weights to start from (a weights file such as models/threat-detector.pt, or a run folder);
    # "" starts from random weights. A resumed run continues from its own checkpoint instead.
    init: str = ""
    net: NetConfig = field(default_factory=lambda: NetConfig(num_classes=len(CLASSES)))


def learning_rate(config: TrainConfig, step: int, elapsed_s: float = 0.0) -> float:
    warmup = min(config.warmup, config.steps // 10)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, config.steps - warmup)
    if config.time_limit_min > 0:
        # Under a time limit, anneal by whichever runs out first so the last steps still cool down.
        progress = max(progress, elapsed_s / (config.time_limit_min * 60.0))
    return config.lr * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


class EMA:
    """Exponential moving average of the weights: steadier than the last step, ships better."""

    def __init__(self, model: torch.nn.Module, decay: float = 0.995) -> None:
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        # Ramp the decay up so early averages are not dominated by the random start.
        decay = self.decay * (1.0 - math.exp(-step / 200.0))
        ema_state = self.model.state_dict()
        for name, value in model.state_dict().items():
            if value.dtype.is_floating_point:
                ema_state[name].mul_(decay).add_(value.detach(), alpha=1.0 - decay)
            else:
                ema_state[name].copy_(value)


def pick_device(asked: str) -> torch.device:
    if asked == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if asked == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda asked for, but torch sees no CUDA device")
    return torch.device(asked)


def pick_precision(asked: str, device: torch.device) -> str:
    """The number format the forward pass runs in: "bf16" or "fp32".

    bfloat16 halves the memory traffic of every layer, and this net's depthwise layers are
    bound by memory, not arithmetic. On a CPU it pays only where oneDNN has bfloat16
    instructions (AVX-512 BF16, AMX); elsewhere it is emulated and slower, so "auto" asks
    torch whether they are there. Weights, gradients and the loss stay in fp32 either way.
    """
    if asked not in ("auto", "fp32", "bf16"):
        raise ValueError(f"precision {asked!r}: expected auto, fp32 or bf16")
    if asked != "auto":
        return asked
    if device.type == "cuda":
        return "bf16"
    return "bf16" if device.type == "cpu" and cpu_has_bf16() else "fp32"


def cpu_has_bf16() -> bool:
    """Whether oneDNN runs bfloat16 natively on this CPU (torch's own check, as its tests use)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        return False


def training_mode(model: torch.nn.Module, freeze_norm: bool) -> None:
    """Put the model in training mode; with freeze_norm its BatchNorm layers keep their statistics."""
    model.train()
    if freeze_norm:
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.eval()


def class_weight_vector(weights: dict[str, float], device: torch.device) -> torch.Tensor | None:
    """The loss's per-class positive weights in the model's class order; None when all are 1."""
    unknown = sorted(set(weights) - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown class(es) {', '.join(unknown)}; the classes are {', '.join(CLASSES)}")
    if all(weights.get(name, 1.0) == 1.0 for name in CLASSES):
        return None
    return torch.tensor([float(weights.get(name, 1.0)) for name in CLASSES], device=device)


def batch_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor], points: torch.Tensor,
               strides: torch.Tensor, autocast: torch.autocast,
               memory_format: torch.memory_format = torch.channels_last,
               class_weights: torch.Tensor | None = None) -> tuple[torch.Tensor, dict]:
    """The detection loss of one collated batch (the forward pass under ``autocast``)."""
    device = points.device
    images = batch["images"].to(device, non_blocking=True).float() / 255.0
    with autocast:
        logits, distances = model(images.contiguous(memory_format=memory_format))
    # The loss in fp32 whatever the forward pass ran in: its box terms need the precision.
    return detection_loss(logits.float(), distances.float(), points, strides, batch["boxes"].to(device),
                          batch["classes"].to(device), batch["valid"].to(device), class_weights)


def _log(run_dir: Path, record: dict) -> None:
    print(json.dumps(record), flush=True)
    with (run_dir / "log.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def save_checkpoint(path: Path, model, ema: EMA, optimizer, step: int, config: TrainConfig) -> None:
    state = {"model": model.state_dict(), "ema": ema.model.state_dict(), "optimizer": optimizer.state_dict(),
             "step": step, "config": asdict(config)}
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)  # never leave a half-written checkpoint behind


def validation_set(config: TrainConfig) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    tiles = [safe_tile(VALIDATION_SEED_BASE + i, config.size) for i in range(config.val_tiles)]
    return [(t.image, t.boxes, t.classes) for t in tiles if t is not None]


def validate(model: torch.nn.Module, tiles, batch: int = 16) -> dict[str, float]:
    """AP50 per category, recall and false alarms per clean tile at a few thresholds."""
    predictions = []
    for start in range(0, len(tiles), batch):
        chunk = tiles[start:start + batch]
        images = torch.from_numpy(np.stack([t[0].transpose(2, 0, 1) for t in chunk]))
        predictions += predict(model, images, min_score=0.01)
    truths = [(t[1], t[2]) for t in tiles]
    result = {f"ap50_{k}": round(v, 4) for k, v in evaluate(predictions, truths, category_groups()).items()}
    clean = [i for i, t in enumerate(tiles) if len(t[1]) == 0]
    for threshold in (0.2, 0.3, 0.4, 0.5):
        kept = [(b[s >= threshold], s[s >= threshold], c[s >= threshold]) for b, s, c in predictions]
        found = total = 0
        for (boxes, _, _), (gt_boxes, _) in zip(kept, truths, strict=True):
            total += len(gt_boxes)
            for gt in gt_boxes:
                if len(boxes) and _best_iou(gt, boxes) >= 0.5:
                    found += 1
        result[f"recall@{threshold}"] = round(found / max(total, 1), 4)
        false_alarms = sum(len(kept[i][0]) for i in clean)
        result[f"fa_per_clean@{threshold}"] = round(false_alarms / max(len(clean), 1), 3)
    return result


def _best_iou(box: np.ndarray, boxes: np.ndarray) -> float:
    tl = np.maximum(box[:2], boxes[:, :2])
    br = np.minimum(box[2:], boxes[:, 2:])
    inter = np.clip(br - tl, 0, None).prod(1)
    union = (box[2:] - box[:2]).prod() + (boxes[:, 2:] - boxes[:, :2]).prod(1) - inter
    return float((inter / np.maximum(union, 1e-9)).max())


def train(config: TrainConfig, run_dir: Path, *, resume: bool, device_name: str = "auto") -> ThreatDetector:
    """Train (or continue training) and return the EMA model; checkpoints go to run_dir/last.pt."""
    run_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(device_name)
    torch.manual_seed(config.seed)
    torch.backends.cudnn.benchmark = True  # one fixed input size: let cuDNN pick its fastest kernels
    precision = pick_precision(config.precision, device)
    class_weights = class_weight_vector(config.class_weights, device)  # refused before any work starts
    # Channels-last lays out each pixel's channels together, the order oneDNN and cuDNN convolve in,
    # which spares a reorder around every layer (`xrayreview bench training` times the gain).
    model = ThreatDetector(config.net).to(device, memory_format=torch.channels_last)
    ema = EMA(model)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=config.lr)
    labelled = labelled_tiles(config)  # a folder that cannot train the model stops here, before any work
    step = 0
    checkpoint = run_dir / "last.pt"
    if config.init and not (resume and checkpoint.is_file()):
        start = load_weights(Path(config.init))
        try:
            model.load_state_dict(start.state_dict())
        except RuntimeError as exc:
            raise TrainingInputError(f"--init {config.init}: weights of another network") from exc
        ema.model.load_state_dict(start.state_dict())
        _log(run_dir, {"event": "initialised", "from": config.init})
    if resume and checkpoint.is_file():
        state = load_checkpoint(checkpoint, device)
        model.load_state_dict(state["model"])
        ema.model.load_state_dict(state["ema"])
        optimizer.load_state_dict(state["optimizer"])
        step = int(state["step"])
        _log(run_dir, {"event": "resumed", "step": step})
    settings = {"class_weights": config.class_weights, "coarsest_mm_per_px": config.coarsest_mm_per_px,
                "data": config.data, "data_share": config.data_share if config.data else 0,
                "labelled_scans": len(labelled) if labelled else 0}
    _log(run_dir, {"event": "started", "step": step, "device": device.type, "precision": precision,
                   **{key: value for key, value in settings.items() if value}})
    if step >= config.steps:
        return ema.model
    # Fresh seeds after a resume: each step consumes at most `batch` x `accumulate` new tiles.
    first_seed = TRAIN_SEED_BASE + config.seed * 100_000_000 + step * config.batch * config.accumulate
    stream = TileStream(first_seed, config.size, reuse=config.reuse, crop=config.crop,
                        coarsest_mm_per_px=config.coarsest_mm_per_px or None, labelled=labelled,
                        labelled_share=config.data_share)
    loader = DataLoader(stream, batch_size=config.batch, num_workers=config.workers, collate_fn=collate,
                        worker_init_fn=quiet_worker, pin_memory=device.type == "cuda",
                        # Fresh worker processes: forking after OpenCV's thread pool, CUDA or an open
                        # SQLite handle (xraydb) has been seen to hang the workers.
                        multiprocessing_context="spawn" if config.workers else None,
                        persistent_workers=config.workers > 0, prefetch_factor=4 if config.workers else None)
    points, strides = anchor_points(config.crop, config.crop, device)
    val_tiles = validation_set(config) if config.val_tiles else []
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16")
    started = time.time()
    # Seconds spent waiting for the tile workers since the last log line: tells whether a run
    # is held back by tile making (more workers, --reuse) or by the training step itself.
    waited, since_log, asked = 0.0, started, started
    training_mode(model, config.freeze_norm)
    pending = 0  # batches whose gradients wait for the next optimizer step
    summed: dict[str, float] = {}  # their losses, so the log reports the step's mean, not its last batch's
    for batch in loader:
        waited += time.time() - asked
        loss, parts = batch_loss(model, batch, points, strides, autocast, class_weights=class_weights)
        (loss / config.accumulate).backward()
        for key, value in {"loss": float(loss.detach()), **parts}.items():
            summed[key] = summed.get(key, 0.0) + float(value)
        pending += 1
        if pending < config.accumulate:
            asked = time.time()
            continue
        pending = 0
        lr = learning_rate(config, step, time.time() - started)
        for group in optimizer.param_groups:
            group["lr"] = lr
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        ema.update(model, step)
        elapsed = time.time() - started
        if step % 20 == 0 or step == 1:
            means = {k: round(v / config.accumulate, 4) for k, v in summed.items()}
            now = time.time()
            _log(run_dir, {"step": step, **means, "lr": round(lr, 6), "s": round(elapsed, 1),
                           "data_wait": round(waited / max(now - since_log, 1e-6), 2)})
            waited, since_log = 0.0, now
        summed = {}
        out_of_time = config.time_limit_min > 0 and elapsed > config.time_limit_min * 60
        done = step >= config.steps or out_of_time
        if step % config.checkpoint_every == 0 or done:
            save_checkpoint(checkpoint, model, ema, optimizer, step, config)
        if val_tiles and (step % config.val_every == 0 or done):
            _log(run_dir, {"step": step, "validation": validate(ema.model, val_tiles)})
            training_mode(model, config.freeze_norm)
        if done:
            break
        asked = time.time()
    return ema.model


def export(model: ThreatDetector, out_dir: Path, *, confidence: float, note: str = "",
           mirror: bool = False, known_performance: str = "", step: int | None = None) -> Path:
    """Write the ONNX model, its sidecar and its weights (for --init) into out_dir; returns the
    model's path."""
    model = copy.deepcopy(model).cpu().float().to(memory_format=torch.contiguous_format).eval()
    path = out_dir / MODEL_FILE
    export_onnx(model, path, description=note, mirror=mirror)
    extra = {"known_performance": known_performance} if known_performance else None
    write_sidecar(path.with_suffix(".json"), sidecar(confidence=confidence, extra=extra))
    save_weights(model, path.with_suffix(".pt"), step)
    return path


def labelled_tiles(config: TrainConfig) -> LabelledTiles | None:
    """The --data folders as training tiles (None without any); notes on them are printed."""
    if not config.data:
        return None
    scans, notes = read_labelled([Path(d) for d in config.data], config.data_map)
    for note in notes:
        print(f"note: {note}", flush=True)
    return LabelledTiles(scans, config.coarsest_mm_per_px or None)
