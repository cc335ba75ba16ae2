"""Training sessions and the trainer's library killed (SIGKILL) at chosen and random moments.

A trainee's answer is acknowledged (feedback shown) only after ``TrainingSession.answer``
returned, i.e. after its record committed. After any kill: every acknowledged answer is in
the training log, the log verifies, an unfinished session has no summary (so it is in no score,
no table, no export: a score from part of a session would be wrong), a session with all its
answers has its summary (the last answer and the summary commit together), and the trainee can
start again. The library file is replaced whole on every save, so a kill leaves the last saved one.
"""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from killing import Child, run_killed

from xrayreview.decisions.log import verify
from xrayreview.training.export import export_results_csv, summaries
from xrayreview.training.library import Library
from xrayreview.training.plan import SessionSpec
from xrayreview.training.records import TRAINING_LOG, TrainingLog
from xrayreview.training.scoring import Threat
from xrayreview.training.session import TrainingSession
from xrayreview.training.sources import import_scan, open_library

SESSION_CHILD = """
import sys
from pathlib import Path
from killing import pause_in_sql
from test_killed_training import library, spec
from xrayreview.training.records import TrainingLog
from xrayreview.training.session import TrainingSession
log = TrainingLog(Path(sys.argv[1]), station_id="kill")
folder, scans, gate = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if sys.argv[5] != "-":  # the real log's own connection: pause inside its transaction
    pause_in_sql(log._log._conn, sys.argv[5], int(sys.argv[6]))
session = TrainingSession.start(spec(scans), library(folder), "omar", log=log)
print("SESSION", session.session_id, flush=True)
for i in range(scans):
    if gate == "gate":
        sys.stdin.readline()
    item, _scan = session.next_scan()
    decision = "refer" if item.threats or i % 5 == 0 else "clear"
    session.answer(decision, [t.box for t in item.threats], seconds=1.5)
    print("ACK", session.session_id, i, decision, flush=True)
print("DONE", flush=True)
"""


def spec(scans: int) -> SessionSpec:
    return SessionSpec(scans=scans, threat_share=0.5, known_share=1.0, seed=3, time_limit_s=None)


def library(folder: Path) -> Library:
    """A clean scan and one with a known pistol: sessions with hits and false alarms, no generator."""
    return Library.of_files([folder / "clean.png", folder / "known.png"],
                            {"known.png": [Threat((20.0, 20.0, 40.0, 40.0), "firearm", "pistol")]})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    image = np.full((60, 80), 60000, np.uint16)
    image[10:50, 10:70] = 20000
    for name in ("clean.png", "known.png"):
        cv2.imwrite(str(tmp_path / name), image)
    return tmp_path


def _acked(lines: list[str]) -> set[tuple[int, int, str]]:
    return {(int(p[1]), int(p[2]), p[3]) for p in (line.split() for line in lines) if p[0] == "ACK"}


def _after_restart(path: Path, folder: Path, lines: list[str], killed_sessions: int = 1,
                   finished: int = 0) -> list[tuple]:
    """What a restarted station finds; returns the answers in the log."""
    result = verify(path, label=TRAINING_LOG)  # what `xrayreview training verify` runs, read-only
    assert result.ok, str(result)
    with TrainingLog(path) as log:
        stored = [(r.content["session"], r.content["item"]["index"], r.content["decision"])
                  for r in log.records("training_answer")]
        assert _acked(lines) <= set(stored), "an acknowledged answer is not in the training log"
        assert len(list(log.records("training_session"))) == killed_sessions
        _no_session_answered_without_its_score(log)
        # A score only for a session with all its answers: an unfinished one has no summary, so it
        # is in no score, no results table, no export.
        before = summaries(log)
        assert len(before) == finished
        for row in before:
            assert row["scans"] == sum(1 for answer in stored if answer[0] == row["session"])
        assert export_results_csv(log, folder / "results.csv") == finished
        # The trainee starts again and finishes: one more score, from that session only.
        again = TrainingSession.start(spec(4), library(folder), "omar", log=log)
        for _ in range(4):
            item, _scan = again.next_scan()
            again.answer("refer" if item.threats else "clear", [t.box for t in item.threats], seconds=1.0)
        rows = summaries(log)
        assert [(r["session"], r["scans"]) for r in rows[len(before):]] == [(again.session_id, 4)]
        assert log.verify().ok
    return stored


def _no_session_answered_without_its_score(log: TrainingLog) -> None:
    """Every session holding all its answers has its summary: no finished session goes unscored."""
    planned = {r.seq: r.content["spec"]["scans"] for r in log.records("training_session")}
    answers: dict[int, int] = {}
    for record in log.records("training_answer"):
        answers[record.content["session"]] = answers.get(record.content["session"], 0) + 1
    scored = {r.content["session"] for r in log.records("training_summary")}
    for session, scans in planned.items():
        assert answers.get(session, 0) <= scans
        assert (answers.get(session, 0) == scans) == (session in scored), (
            f"session #{session}: {answers.get(session, 0)} of {scans} answers, "
            f"{'a' if session in scored else 'no'} summary")


def test_killed_between_answers(folder: Path) -> None:
    path = folder / "training.sqlite"
    with Child(SESSION_CHILD, path, folder, 6, "gate", "-") as child:
        for i in range(3):
            child.send()
            child.expect(f"ACK 1 {i}")
        lines = child.kill()  # waiting for the fourth answer
    assert len(_acked(lines)) == 3
    assert len(_after_restart(path, folder, lines)) == 3


@pytest.mark.parametrize("statement", ["INSERT", "COMMIT"])
def test_killed_while_an_answer_is_written(folder: Path, statement: str) -> None:
    """Killed inside the fourth answer's transaction (before its row, before its commit)."""
    path = folder / "training.sqlite"
    lines = run_killed(SESSION_CHILD, path, folder, 6, "run", statement, 5)  # 1: the session, 2-4: answers
    assert len(_acked(lines)) == 3
    stored = _after_restart(path, folder, lines)
    assert sorted(s[1] for s in stored if s[0] == 1) == [0, 1, 2]  # the fourth rolled back, not half there


@pytest.mark.parametrize("statement", ["INSERT", "COMMIT"])
def test_killed_between_the_last_answer_and_its_summary(folder: Path, statement: str) -> None:
    """Killed after the last answer's row, before the summary's row (INSERT #6) or before the commit
    of both (COMMIT #5): the last answer is not kept without its score, so the session is unfinished
    (the trainee saw no feedback for it) and never a finished session that no score counts."""
    path = folder / "training.sqlite"
    nth = 6 if statement == "INSERT" else 5  # 1 session, 2-5 answers (the 4th with the summary: 6)
    lines = run_killed(SESSION_CHILD, path, folder, 4, "run", statement, nth)
    assert len(_acked(lines)) == 3  # the kill came before the last answer's feedback
    stored = _after_restart(path, folder, lines)
    assert sorted(s[1] for s in stored if s[0] == 1) == [0, 1, 2]  # the 4th rolled back with its score


def test_a_finished_session_has_one_score(folder: Path) -> None:
    path = folder / "training.sqlite"
    with Child(SESSION_CHILD, path, folder, 4, "run", "-") as child:
        child.expect("DONE")
        lines = child.kill()
    assert len(_acked(lines)) == 4
    _after_restart(path, folder, lines, finished=1)


def test_random_kills_lose_no_acknowledged_answer(folder: Path) -> None:
    path = folder / "training.sqlite"
    rng = random.Random(11)
    lines: list[str] = []
    for _ in range(3):
        with Child(SESSION_CHILD, path, folder, 1000, "run", "-") as child:
            child.expect("SESSION")  # started; then killed anywhere in its stream of answers
            lines += child.kill_after(rng.uniform(0.0, 0.1))
        result = verify(path, label=TRAINING_LOG)
        assert result.ok, str(result)
    assert _acked(lines), "the children answered nothing before their kill"
    # A fast disk may let a child finish its 1,000 answers first: then its score is whole.
    with TrainingLog(path) as log:
        finished = len(summaries(log))
    assert finished >= lines.count("DONE")  # each child that said it finished has its score
    _after_restart(path, folder, lines, killed_sessions=3, finished=finished)


LIBRARY_CHILD = """
import sys
from pathlib import Path
from killing import pause_in_file
from xrayreview.training.sources import generated_entry, import_scan, open_library
path, folder = Path(sys.argv[1]), Path(sys.argv[2])
if sys.argv[3] != "-":
    pause_in_file(path.name, int(sys.argv[3]), (sys.argv[4],))
library = open_library(path)
for i in range(40):
    entry, _scan = import_scan(folder / "scans" / f"scan_{i:02d}.png", clean=True)
    library.add(entry)
    library.add(generated_entry("baggage", 100 + i))
    library.save(path)
    print("SAVED", len(library.scans), flush=True)
"""


@pytest.fixture
def scans(folder: Path) -> Path:
    (folder / "scans").mkdir()
    image = cv2.imread(str(folder / "clean.png"), cv2.IMREAD_UNCHANGED)
    for i in range(40):
        cv2.imwrite(str(folder / "scans" / f"scan_{i:02d}.png"), image)
    return folder


@pytest.mark.parametrize("call", ["write", "__exit__"])
def test_library_killed_while_saved_keeps_the_last_saved_one(scans: Path, call: str) -> None:
    path = scans / "data" / "training_library.json"
    path.parent.mkdir()
    lines = run_killed(LIBRARY_CHILD, path, scans, 3, call)  # the third save
    saved = [int(line.split()[1]) for line in lines if line.startswith("SAVED")]
    assert len(saved) == 2
    library = open_library(path)
    assert len(library.scans) == saved[-1]
    imported = [entry for entry in library.scans if entry.id.startswith("import:")]
    assert len(imported) == 2 and all(entry.load().width == 80 for entry in imported)
    library.add(import_scan(scans / "scans" / "scan_39.png", clean=True)[0])
    library.save(path)  # the trainer goes on: saved whole, the leftover gone
    assert len(Library.load(path).scans) == saved[-1] + 1
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_library_random_kills(scans: Path) -> None:
    path = scans / "training_library.json"
    rng = random.Random(5)
    for _ in range(3):
        with Child(LIBRARY_CHILD, path, scans, "-", "-") as child:
            child.expect("SAVED")
            lines = child.kill_after(rng.uniform(0.0, 0.05))
        library = Library.load(path)  # never a half-written library
        assert len(library.scans) >= max(int(line.split()[1]) for line in lines if line.startswith("SAVED"))
        path.unlink()  # the next child starts from a new library


def test_a_half_written_scan_is_never_imported(folder: Path) -> None:
    """What a killed writer of an earlier version left (a truncated TIFF) is refused with a message."""
    from xrayreview.scan.model import Scan, ScanMetadata
    from xrayreview.synth.export import write_scan
    from xrayreview.training.errors import TrainingError

    rng = np.random.default_rng(2)
    high = rng.integers(0, 65535, (300, 400), dtype=np.uint16)
    scan = Scan(high, 65535, metadata=ScanMetadata(pixel_pitch_mm=2.0, energy_high_kev=160.0))
    whole = write_scan(folder / "whole", "bag", scan, [])
    data = whole.read_bytes()
    for cut in (100, len(data) // 2, len(data) - 10):
        half = folder / "half" / f"bag_{cut}.tif"
        half.parent.mkdir(exist_ok=True)
        half.write_bytes(data[:cut])
        with pytest.raises(TrainingError, match="cannot be added to the library"):
            import_scan(half, clean=True)
