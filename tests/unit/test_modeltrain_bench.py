"""`xrayreview bench training`: the step train-model takes, timed against the plain fp32 step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="training needs the optional 'train' extra (PyTorch)")

from xrayreview.cli import main  # noqa: E402


def test_the_training_bench_times_both_steps_and_writes_the_ratio(tmp_path: Path) -> None:
    assert main(["bench", "training", "--quick", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "training.md").read_text(encoding="utf-8")
    assert "xrayreview bench training" in report
    rows = [line for line in report.splitlines() if re.match(r"\| (fp32|bf16),", line)]
    assert len(rows) == 2 and "baseline" in rows[0] and "train-model's choice" in rows[1]
    assert rows[0].endswith("| 1.00× |")
    speedup = float(re.search(r"\| ([0-9.]+)× \|$", rows[1]).group(1))
    assert speedup > 0  # a figure, not a verdict: timing belongs to the bench, not to a test
