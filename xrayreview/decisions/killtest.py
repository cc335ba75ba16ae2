"""kill -9 at random moments while a child process streams decisions: none acknowledged is lost.

The child prints ``ACK seq hash`` only after the commit returned, exactly as the UI
acknowledges a decision; the parent kills it at a random moment (during start-up, in a
transaction, between them), then checks every acknowledged record is in the file unchanged
and that the whole chain verifies. Used by the unit test (a few kills) and by
``xrayreview bench log`` (hundreds).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import REPO_ROOT


@dataclass
class KillReport:
    kills: int = 0
    acknowledged: int = 0
    lost: int = 0
    chain_breaks: list[str] = field(default_factory=list)
    records: int = 0


def kill_loop(db: Path, kills: int, seed: int = 6, max_delay_s: float = 0.4) -> KillReport:
    from .log import verify  # noqa: PLC0415 - keep the child's import light

    rng = random.Random(seed)
    report = KillReport()
    acked: dict[int, str] = {}
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for _ in range(kills):
        child = subprocess.Popen([sys.executable, "-m", "xrayreview.decisions.killtest", str(db)],
                                 stdout=subprocess.PIPE, env=env, cwd=REPO_ROOT)
        # Wait for the first acknowledgement half the time, so kills also land mid-stream.
        first = child.stdout.readline() if rng.random() < 0.5 and child.stdout is not None else b""
        time.sleep(rng.uniform(0.0, max_delay_s))
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate()
        report.kills += 1
        for line in (first + rest).split(b"\n"):
            parts = line.split()
            if len(parts) == 3 and parts[0] == b"ACK":
                acked[int(parts[1])] = parts[2].decode()
        if not db.exists():
            continue  # killed before it created the file: nothing acknowledged, nothing to check
        result = verify(db)
        if not result.ok:
            report.chain_breaks.append(str(result))
    report.acknowledged = len(acked)
    if db.exists():
        report.lost = _count_lost(db, acked)
        report.records = verify(db).records
    else:
        report.lost = len(acked)
    return report


def _count_lost(db: Path, acked: dict[int, str]) -> int:
    from .schema import connect_read_only  # noqa: PLC0415

    conn = connect_read_only(db)
    try:
        stored = dict(conn.execute("SELECT seq, hash FROM records"))
    finally:
        conn.close()
    return sum(1 for seq, digest in acked.items() if stored.get(seq) != digest)


def _child(db: Path) -> None:
    from .accounts import Account  # noqa: PLC0415
    from .log import DecisionLog, now_utc  # noqa: PLC0415
    from .recording import record_decision  # noqa: PLC0415
    from .records import Decision, ModelInfo, ScanInfo  # noqa: PLC0415

    log = DecisionLog(db, station_id="kill-test")
    officer = Account("kill-test", "officer")
    n = 0
    while True:
        n += 1
        decision = Decision(
            ScanInfo([f"/inbox/scan_{os.getpid()}_{n}.tif"], f"{n:064x}", 1600, 700),
            "refer" if n % 7 == 0 else "clear", now_utc(), reasons=["firearm"] if n % 7 == 0 else [],
            model=ModelInfo("reference", "f" * 64, 0.35),
            detector_marks=[{"label": "pistol", "category": "firearm", "score": 0.5,
                             "box": [10, 10, 60, 40], "verdict": "dismissed"}],
        )
        appended = record_decision(log, officer, decision)
        sys.stdout.write(f"ACK {appended.seq} {appended.hash}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
