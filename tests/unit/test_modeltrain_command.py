"""`xrayreview train-model` end to end on a tiny budget: generated tiles, checkpoint, resume, export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")
pytest.importorskip("onnx", reason="export needs onnx")

from xrayreview.cli import main  # noqa: E402
from xrayreview.modeltrain.classes import CLASSES  # noqa: E402
from xrayreview.modeltrain.data import TileStream, collate, make_tile  # noqa: E402


def test_generated_tiles_are_standard_renderings_with_boxes_inside() -> None:
    tile = make_tile(10_000_123, 640)
    assert tile.image.shape == (640, 640, 3) and tile.image.dtype == np.uint8
    assert len(tile.boxes) == len(tile.classes)
    if len(tile.boxes):
        assert tile.boxes.min() >= 0 and tile.boxes.max() <= 640
        assert set(tile.classes.tolist()) <= set(range(len(CLASSES)))


def test_tiles_coarser_than_the_limit_are_enlarged_to_it_as_the_station_enlarges_scans() -> None:
    coarse, fine = 10_000_308, 10_000_312  # cargo at 4.92 and 3.41 mm a pixel, two threats each
    as_generated = make_tile(coarse, 640, kind="cargo")
    enlarged = make_tile(coarse, 640, kind="cargo", coarsest_mm_per_px=3.5)
    factor = 4.92 / 3.5
    assert enlarged.image.shape == (round(640 * factor), round(640 * factor), 3)
    np.testing.assert_allclose(enlarged.boxes, as_generated.boxes * factor, rtol=1e-3)
    assert enlarged.classes.tolist() == as_generated.classes.tolist() and len(enlarged.boxes) == 2
    untouched = make_tile(fine, 640, kind="cargo", coarsest_mm_per_px=3.5)
    assert untouched.image.shape == (640, 640, 3)
    np.testing.assert_array_equal(untouched.boxes, make_tile(fine, 640, kind="cargo").boxes)


def test_enlarged_tiles_are_cropped_back_to_the_training_size() -> None:
    # From this seed on, most tiles are cargo coarser than 3 mm with threats in them (886, 1,050,
    # 877 px once enlarged), and a pool of one serves each tile as it is made.
    stream = iter(TileStream(10_000_306, 640, reuse=1, pool=1, crop=320, coarsest_mm_per_px=3.0))
    for _ in range(6):
        image, boxes, classes = next(stream)
        assert image.shape == (3, 320, 320) and len(boxes) == len(classes)
        if len(boxes):
            assert float(boxes.min()) >= 0 and float(boxes.max()) <= 320


def test_stream_serves_augmented_crops_that_collate_into_a_batch() -> None:
    stream = iter(TileStream(10_000_200, 640, reuse=2, crop=256))
    batch = collate([next(stream) for _ in range(4)])
    assert batch["images"].shape == (4, 3, 256, 256) and batch["images"].dtype == torch.uint8
    assert batch["boxes"].shape[:2] == batch["valid"].shape


def test_train_resume_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    run_dir, out = tmp_path / "run", tmp_path / "models"
    common = ["train-model", "--out", str(out), "--run-dir", str(run_dir), "--batch", "2", "--crop", "256",
              "--workers", "0", "--val-tiles", "2", "--val-every", "1000"]
    assert main([*common, "--steps", "2"]) == 0
    assert torch.load(run_dir / "last.pt", weights_only=False)["step"] == 2
    assert main([*common, "--steps", "3", "--resume"]) == 0
    assert torch.load(run_dir / "last.pt", weights_only=False)["step"] == 3
    records = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    assert any(r.get("event") == "resumed" for r in records)
    assert any("validation" in r for r in records)
    # With no workers the tiles are made between steps, so some of the time went to waiting.
    waits = [r["data_wait"] for r in records if "loss" in r]
    assert waits and all(0.0 <= w <= 1.0 for w in waits) and max(waits) > 0.0
    assert (out / "threat-detector.onnx").stat().st_size < 10_000_000
    assert json.loads((out / "threat-detector.json").read_text())["classes"] == list(CLASSES)
    # Two checkpoints of one history averaged into the exported model.
    early = tmp_path / "early"
    early.mkdir()
    (early / "last.pt").write_bytes((run_dir / "last.pt").read_bytes())
    assert main([*common, "--steps", "5", "--resume"]) == 0
    assert main([*common, "--export-only", "--average-with", str(early)]) == 0
    from xrayreview.modeltrain.weights import average_trained, load_trained  # noqa: PLC0415

    mean = average_trained([run_dir, early]).state_dict()
    late, first = load_trained(run_dir).state_dict(), load_trained(early).state_dict()
    name = next(k for k, v in late.items() if v.dtype.is_floating_point and not torch.equal(v, first[k]))
    assert torch.allclose(mean[name], (late[name] + first[name]) / 2)


def test_continuing_with_accumulated_batches_and_fixed_norm_statistics(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    run_dir, out = tmp_path / "run", tmp_path / "models"
    common = ["train-model", "--out", str(out), "--run-dir", str(run_dir), "--batch", "1", "--crop", "256",
              "--workers", "0", "--val-tiles", "0"]
    assert main([*common, "--steps", "1"]) == 0
    before = torch.load(run_dir / "last.pt", weights_only=False)["model"]
    assert main([*common, "--steps", "2", "--resume", "--accumulate", "2", "--freeze-norm"]) == 0
    state = torch.load(run_dir / "last.pt", weights_only=False)
    assert state["step"] == 2  # two batches made one optimizer step
    after = state["model"]
    statistics = [k for k in before if k.endswith(("running_mean", "running_var"))]
    weights = [k for k in before if k.endswith(".weight") and before[k].ndim == 4]
    assert statistics and all(torch.equal(before[k], after[k]) for k in statistics)
    assert any(not torch.equal(before[k], after[k]) for k in weights)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_either_number_format_trains_and_the_log_says_which(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, precision: str) -> None:
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    run_dir = tmp_path / "run"
    assert main(["train-model", "--out", str(tmp_path / "models"), "--run-dir", str(run_dir), "--batch", "2",
                 "--crop", "256", "--workers", "0", "--val-tiles", "0", "--steps", "2",
                 "--precision", precision]) == 0
    records = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    assert next(r for r in records if r.get("event") == "started")["precision"] == precision
    assert all(np.isfinite(r["loss"]) for r in records if "loss" in r)
    weights = torch.load(run_dir / "last.pt", weights_only=False)["model"]
    assert all(torch.isfinite(v).all() for v in weights.values() if v.dtype.is_floating_point)


def test_auto_precision_takes_bf16_only_where_the_hardware_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from xrayreview.modeltrain import train as training  # noqa: PLC0415

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(training, "cpu_has_bf16", lambda: False)
    assert training.pick_precision("auto", cpu) == "fp32"
    assert training.pick_precision("bf16", cpu) == "bf16"  # asked for: emulated, but honoured
    monkeypatch.setattr(training, "cpu_has_bf16", lambda: True)
    assert training.pick_precision("auto", cpu) == "bf16"
    assert training.pick_precision("auto", cuda) == "bf16"
    assert training.pick_precision("fp32", cuda) == "fp32"
    with pytest.raises(ValueError, match="fp16"):
        training.pick_precision("fp16", cpu)


def one_step_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> tuple[Path, dict, dict]:
    """A one-step run with ``options``: its folder, its log's "started" record, its saved config."""
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    run_dir = tmp_path / "run"
    assert main(["train-model", "--run-dir", str(run_dir), "--batch", "2", "--crop", "256", "--workers", "0",
                 "--val-tiles", "0", "--steps", "1", *options]) == 0
    records = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    started = next(r for r in records if r.get("event") == "started")
    return run_dir, started, torch.load(run_dir / "last.pt", weights_only=False)["config"]


def test_class_weights_reach_the_run_and_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, started, saved = one_step_run(tmp_path, monkeypatch,
                                     "--class-weight", "detonator=3", "--class-weight", "battery=2")
    assert started["class_weights"] == {"detonator": 3.0, "battery": 2.0}
    assert saved["class_weights"] == {"detonator": 3.0, "battery": 2.0}


def test_an_export_carries_what_its_weights_were_measured_to_do(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir, _, _ = one_step_run(tmp_path, monkeypatch, "--known-performance", "Finds 1 of 2 guns.")
    sidecar = json.loads((run_dir / "export" / "threat-detector.json").read_text())
    assert sidecar["known_performance"] == "Finds 1 of 2 guns."


def test_the_training_pitch_limit_reaches_the_run_and_its_log(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _, started, saved = one_step_run(tmp_path, monkeypatch, "--coarsest-mm-per-px", "3.5")
    assert started["coarsest_mm_per_px"] == 3.5 and saved["coarsest_mm_per_px"] == 3.5


def test_a_run_without_out_exports_into_its_run_folder_not_over_the_shipped_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xrayreview.commands import train_model  # noqa: PLC0415

    # The shipped folder, moved into tmp_path: were the default still models/, the export would
    # land there, not in the repository.
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(train_model, "MODELS_DIR", shipped)
    run_dir, _, _ = one_step_run(tmp_path, monkeypatch)
    assert (run_dir / "export" / "threat-detector.onnx").is_file()
    assert (run_dir / "export" / "threat-detector.json").is_file()
    assert not shipped.exists()


def test_class_weight_vector_follows_the_class_order_and_refuses_unknown_names() -> None:
    from xrayreview.modeltrain.train import class_weight_vector  # noqa: PLC0415

    cpu = torch.device("cpu")
    assert class_weight_vector({}, cpu) is None and class_weight_vector({"handgun": 1.0}, cpu) is None
    vector = class_weight_vector({"detonator": 3.0}, cpu)
    assert vector.tolist() == [3.0 if name == "detonator" else 1.0 for name in CLASSES]
    with pytest.raises(ValueError, match="fuse"):
        class_weight_vector({"fuse": 2.0}, cpu)


def test_bad_arguments_get_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("fuse=2", "detonator=0", "detonator=lots", "detonator"):
        assert main(["train-model", "--class-weight", bad, "--run-dir", str(tmp_path)]) == 2
        assert "--class-weight" in capsys.readouterr().err
    assert main(["train-model", "--steps", "0", "--run-dir", str(tmp_path)]) == 2
    assert "must be positive" in capsys.readouterr().err
    assert main(["train-model", "--accumulate", "0", "--run-dir", str(tmp_path)]) == 2
    assert "must be positive" in capsys.readouterr().err
    assert main(["train-model", "--coarsest-mm-per-px", "-1", "--run-dir", str(tmp_path)]) == 2
    assert "--coarsest-mm-per-px" in capsys.readouterr().err
    assert main(["train-model", "--known-performance", "x" * 601, "--run-dir", str(tmp_path)]) == 2
    assert "at most 600 characters" in capsys.readouterr().err
    assert main(["train-model", "--export-only", "--run-dir", str(tmp_path / "none"),
                 "--out", str(tmp_path)]) == 2
    assert "nothing to export" in capsys.readouterr().err
    assert main(["train-model", "--average-with", str(tmp_path), "--run-dir", str(tmp_path)]) == 2
    assert "needs --export-only" in capsys.readouterr().err
