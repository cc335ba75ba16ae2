"""Exports killed half-way (SIGKILL, the real exporters): no half file under a real name.

A single-file export (CSV, JSON, PDF, the training results) leaves only ``NAME.partial`` and
the earlier file, if any, as it was. A folder export (YOLO, COCO, TDR) is known unfinished by
its last file (``data.yaml``, ``annotations.json``, ``SHA256SUMS.txt``) missing, also when the
folder held a finished export before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from killing import run_killed

from xrayreview.decisions import (
    Account,
    Decision,
    DecisionLog,
    ModelInfo,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports import labels, pdf, tabular, tdr_folder, training_pdf
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import read_tdr
from xrayreview.training import export as training_export
from xrayreview.training.records import TrainingLog

SUMMARY = {"session": 1, "trainee": "omar", "scans": 2, "mean_seconds": 3.0, "stray_marks": 0,
           "overall": {"events": 1, "hits": 1, "clean": 1, "false_alarms": 0, "hit_rate": 1.0,
                       "false_alarm_rate": 0.0, "d_prime": 1.35, "a_prime": 1.0}}
EXPORTS: dict[str, Callable[[list, TrainingLog, Path], object]] = {
    "csv": lambda rows, _training, target: tabular.export_csv(rows, target),
    "json": lambda rows, _training, target: tabular.export_json(rows, target),
    "pdf": lambda rows, _training, target: pdf.export_pdf(rows, target),
    "yolo": lambda rows, _training, target: labels.export_yolo(rows, target),
    "coco": lambda rows, _training, target: labels.export_coco(rows, target),
    "tdr": lambda rows, _training, target: tdr_folder.export_tdrs(rows, target),
    "training_csv": lambda _rows, training, target: training_export.export_results_csv(training, target),
    "training_pdf": lambda _rows, training, target: training_pdf.export_training_pdf(
        training_export.summaries(training), target),
}
CHILD = """
import sys
from pathlib import Path
from killing import pause_in_file
from test_killed_exports import EXPORTS
from xrayreview.decisions import DecisionLog, load_decisions
from xrayreview.training.records import TrainingLog
log, training = DecisionLog(Path(sys.argv[1])), TrainingLog(Path(sys.argv[2]))
kind, rows, target = sys.argv[3], load_decisions(log)[:int(sys.argv[4])], Path(sys.argv[5])
pause_in_file(sys.argv[6], int(sys.argv[7]), (sys.argv[8],))
EXPORTS[kind](rows, training, target)
print("DONE", flush=True)
"""


@pytest.fixture
def logs(tmp_path: Path) -> tuple[Path, Path, list[int]]:
    """A decision log with four referred scans (marks confirmed and drawn) and a training log."""
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as log:
        for i in range(4):
            image = np.arange(90 * 140, dtype=np.uint32).reshape(90, 140) * (7 + i) % 65535
            cv2.imwrite(str(tmp_path / f"bag{i}.png"), image.astype(np.uint16))
            mark = {"label": "pistol", "category": "firearm", "score": 0.9, "box": [20, 10, 60, 30],
                    "verdict": "confirmed"}
            record_decision(log, Account("olga", "officer"), Decision(
                ScanInfo.from_scan(load_scan(tmp_path / f"bag{i}.png")), "refer", now_utc(),
                reasons=["firearm"], model=ModelInfo("reference", "d" * 64, 0.3), detector_marks=[mark],
                officer_marks=[{"category": "other", "box": [100, 60, 130, 85]}]))
        seqs = [row.seq for row in load_decisions(log)]
    with TrainingLog(tmp_path / "training.sqlite", station_id="lane-1") as training:
        for trainee in ("omar", "olga"):
            training.append("training_summary", {**SUMMARY, "trainee": trainee})
    return tmp_path / "log.sqlite", tmp_path / "training.sqlite", seqs


def _export(kind: str, logs: tuple[Path, Path, list[int]], target: Path, count: int = 4) -> None:
    """The same export in this process, unpaused: what a finished one looks like."""
    with DecisionLog(logs[0]) as log, TrainingLog(logs[1]) as training:
        EXPORTS[kind](load_decisions(log)[:count], training, target)


def _kill_export(kind: str, logs: tuple[Path, Path, list[int]], target: Path, pause: tuple[str, int, str],
                 count: int = 4) -> None:
    lines = run_killed(CHILD, logs[0], logs[1], kind, count, target, *pause)
    assert not any(line.startswith("DONE") for line in lines)


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.partial"))


MARKERS = {"yolo": "data.yaml", "coco": "annotations.json", "tdr": "SHA256SUMS.txt"}
SINGLE = [("csv", "out.csv", "__exit__"), ("json", "out.json", "write"), ("pdf", "out.pdf", "write"),
          ("training_csv", "results.csv", "__exit__"), ("training_pdf", "results.pdf", "write")]


@pytest.mark.parametrize(("kind", "name", "call"), SINGLE, ids=[s[0] for s in SINGLE])
def test_single_file_export_killed_keeps_the_earlier_file(tmp_path: Path, logs: tuple[Path, Path, list[int]],
                                                          kind: str, name: str, call: str) -> None:
    target = tmp_path / "exports" / name
    target.parent.mkdir()
    target.write_bytes(b"the export of last week\n")
    _kill_export(kind, logs, target, (name, 1, call))
    assert target.read_bytes() == b"the export of last week\n"  # untouched, not half replaced
    assert _partials(target.parent) == [f"{name}.partial"]
    _export(kind, logs, target)  # exported again: whole, and the leftover is gone
    assert target.stat().st_size > 100 and _partials(target.parent) == []


@pytest.mark.parametrize("kind", ["yolo", "coco", "tdr"])
def test_folder_export_killed_half_way(tmp_path: Path, logs: tuple[Path, Path, list[int]], kind: str) -> None:
    """Killed at the third decision's file: two whole ones are there, no finished-looking set."""
    out, finished = tmp_path / "out", tmp_path / "finished"
    _export(kind, logs, finished)
    third = f"{logs[2][2]:06d}_*"
    _kill_export(kind, logs, out, (third + (".dcs" if kind == "tdr" else ".png"), 1, "write"))
    assert len(_partials(out)) == 1
    whole = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix != ".partial")
    assert not (out / MARKERS[kind]).exists()
    if kind == "tdr":  # two whole reports, the first two of the finished set
        assert [p.name for p in whole] == sorted(p.name for p in finished.glob("*.dcs"))[:2]
        assert all(read_tdr(p).decision == "ALARM" for p in whole)
    else:
        for path in whole:  # every image and label file is the finished one, byte for byte
            assert path.read_bytes() == (finished / path.relative_to(out)).read_bytes(), path
        assert len([p for p in whole if p.suffix == ".png"]) == 2
    _export(kind, logs, out)  # exported again: finished, with no leftover
    assert _partials(out) == [] and (out / MARKERS[kind]).exists()
    if kind == "coco":
        assert len(json.loads((out / "annotations.json").read_text(encoding="utf-8"))["images"]) == 4
    if kind == "tdr":  # the marker lists the reports of this export, each as written
        sums = dict(line.split("  ")[::-1] for line in (out / MARKERS[kind]).read_text("utf-8").splitlines())
        assert sorted(sums) == sorted(p.name for p in out.glob("*.dcs")) and len(sums) == 4
        assert all(hashlib.sha256((out / name).read_bytes()).hexdigest() == sums[name] for name in sums)


@pytest.mark.parametrize("kind", ["yolo", "coco", "tdr"])
def test_export_over_a_finished_one_killed_does_not_look_finished(
        tmp_path: Path, logs: tuple[Path, Path, list[int]], kind: str) -> None:
    """Last week's export of two decisions is in the folder; this week's of four is killed at the fourth.

    The old data.yaml / annotations.json / SHA256SUMS.txt must not make the mixed folder pass
    for a finished export: YOLO would take the fourth image, there without its label file, for
    background; a TDR set would look complete with the fourth decision's report missing.
    """
    out = tmp_path / "out"
    _export(kind, logs, out, count=2)
    assert (out / MARKERS[kind]).exists()
    fourth = f"{logs[2][3]:06d}_*"
    suffix = {"yolo": ".txt", "coco": ".png", "tdr": ".dcs"}[kind]
    _kill_export(kind, logs, out, (fourth + suffix, 1, "write"))
    marker = out / MARKERS[kind]
    assert not marker.exists(), f"{marker.name} of the earlier export makes an unfinished one look finished"
    _export(kind, logs, out)
    assert marker.exists() and _partials(out) == []
