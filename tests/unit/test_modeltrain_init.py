"""`train-model --init RUN_FOLDER` and --resume read checkpoints without running code in them,
and a checkpoint of another program is refused in one line."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")

from xrayreview.modeltrain.classes import CLASSES  # noqa: E402
from xrayreview.modeltrain.labelled import TrainingInputError  # noqa: E402
from xrayreview.modeltrain.net import NetConfig, ThreatDetector  # noqa: E402
from xrayreview.modeltrain.train import EMA, TrainConfig, save_checkpoint  # noqa: E402
from xrayreview.modeltrain.weights import load_checkpoint, load_weights  # noqa: E402

TINY = NetConfig(num_classes=len(CLASSES), widths=(8, 16, 16, 24), depths=(1, 1, 1, 1), neck=16)


class _RunsCode:
    """What a hostile checkpoint carries: unpickling it calls os.system."""

    def __init__(self, marker) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_run_folder_of_this_model_starts_a_fine_tune(tmp_path):
    model = ThreatDetector(TINY)
    optimizer = torch.optim.AdamW(model.parameters(), 1e-3)
    (tmp_path / "run").mkdir()
    save_checkpoint(tmp_path / "run" / "last.pt", model, EMA(model), optimizer, 7, TrainConfig(net=TINY))
    loaded = load_weights(tmp_path / "run")
    for name, value in EMA(model).model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value)
    state = load_checkpoint(tmp_path / "run" / "last.pt", "cpu")  # what --resume reads
    assert state["step"] == 7 and "optimizer" in state


def test_a_run_folder_from_elsewhere_cannot_run_code_when_read(tmp_path):
    marker = tmp_path / "code-ran"
    (tmp_path / "shared").mkdir()
    torch.save({"config": _RunsCode(marker), "ema": {}}, tmp_path / "shared" / "last.pt")
    with pytest.raises(TrainingInputError, match="cannot read it as a checkpoint"):
        load_weights(tmp_path / "shared")
    assert not marker.exists()


def test_another_programs_checkpoint_is_refused_in_one_line(tmp_path):
    (tmp_path / "other").mkdir()
    torch.save({"model": {}, "step": 3}, tmp_path / "other" / "last.pt")
    with pytest.raises(TrainingInputError, match="not a checkpoint of this model"):
        load_weights(tmp_path / "other")


@pytest.mark.parametrize("args, said", [
    (["--map", "gun=handgun"], "need --data"),
    (["--data-share", "0.8"], "need --data"),
    (["--init", "models/threat-detector.pt", "--export-only"], "--init starts a training run"),
])
def test_options_that_would_do_nothing_are_refused(tmp_path, capsys, args, said):
    from xrayreview.cli import main  # noqa: PLC0415

    assert main(["train-model", "--run-dir", str(tmp_path / "run"), *args]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_exporting_another_programs_checkpoint_is_one_line(tmp_path, capsys):
    from xrayreview.cli import main  # noqa: PLC0415

    (tmp_path / "run").mkdir()
    torch.save({"model": {}, "step": 3}, tmp_path / "run" / "last.pt")
    assert main(["train-model", "--export-only", "--run-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "not a checkpoint of this model" in err and "Traceback" not in err
