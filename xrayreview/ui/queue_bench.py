"""`xrayreview bench queue`: the officer's inbox queue with thousands of scans waiting.

Real files in a temporary folder: one small PNG scan, hard-linked under every name (the content
need not differ), one in ten names half of a dual-energy pair; decisions recorded through the
public API into a real SQLite log. Baselines from the same run: a plain ``os.scandir`` of the same
folder (what any look must pay), and the look as it was before (``Path.iterdir``, stat and
is_file, resolve per file, on the GUI thread, every row rebuilt).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem

from ..decisions import (
    Account,
    Decision,
    DecisionLog,
    Inbox,
    ScanInfo,
    decided_files,
    now_utc,
    record_decision,
)
from ..decisions.inbox import SCAN_SUFFIXES
from ..scan.pairing import split_energy_tag
from .review_queue import DISPLAY_CAP, SYNC_LOOK_MAX, ReviewQueue
from .stall_meter import StallMeter, spin_until

SIZES = (100, 1_000, 10_000, 50_000)
QUICK_SIZES = (100, 1_000)
DECIDED_SHARE = 0.9  # "most already decided": a folder that is never emptied
OFFICER = Account("bench", "officer")


def run(quick: bool = False) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    repeats, rounds = (3, 3) if quick else (7, 6)
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="xrayreview-bench-queue-") as tmp:
        root = Path(tmp)
        scan = root / "scan.png"
        cv2.imwrite(str(scan), np.random.default_rng(0).integers(1000, 60000, (40, 60), dtype=np.uint16))
        with DecisionLog(root / "log.sqlite") as log:
            for size in QUICK_SIZES if quick else SIZES:
                for share in (0.0, DECIDED_SHARE):
                    folder, record_s = _inbox(root, scan, size, share, log)
                    row = _measure(app, folder, log, repeats, rounds)
                    rows.append({"size": size, "share": share, "record_s": record_s, **row})
            records = decided_files(log)[1]
            log_read = _median(lambda: decided_files(log), repeats)
    return _report(rows, records, log_read)


def _inbox(root: Path, scan: Path, size: int, share: float, log: DecisionLog) -> tuple[Path, float]:
    """``size`` scan files; the first ``share`` of them decided (one record each, as an officer would)."""
    folder = root / f"inbox-{size}-{int(share * 100)}"
    folder.mkdir()
    source = root / f"{folder.name}.png"  # a copy per folder: a file takes at most 65,000 links
    source.write_bytes(scan.read_bytes())
    old = time.time() - 3600
    os.utime(source, (old, old))
    names: list[str] = []
    for start in range(0, size, 10):
        names += [f"truck{start:06d}_high.png", f"truck{start:06d}_low.png"]
        names += [f"bag{start + k:06d}.png" for k in range(2, 10)]
    for name in names[:size]:
        os.link(source, folder / name)
    started = time.perf_counter()
    for name in names[:int(size * share)]:
        path = str((folder / name).resolve())
        info = ScanInfo([path], hashlib.sha256(path.encode()).hexdigest(), 60, 40)
        record_decision(log, OFFICER, Decision(info, "clear", now_utc()))
    return folder, time.perf_counter() - started


def _measure(app: QApplication, folder: Path, log: DecisionLog, repeats: int,
             rounds: int) -> dict[str, float]:
    queue = ReviewQueue(settle_s=1.0, pair_wait_s=1.0)
    queue.resize(320, 700)
    queue.show()
    try:
        queue.set_log(log)
        queue.set_inbox(folder)  # the first look runs on the queue's thread
        spin_until(lambda: queue._listed is not None and not queue._looking, 120.0, check_ms=2)
        inbox, decided = queue.inbox, queue._decided_now()
        prefix = os.path.realpath(folder) + os.sep
        fig: dict[str, float] = {"waiting": len(queue.pending), "sync": float(queue._listed <= SYNC_LOOK_MAX)}
        fig["scandir"] = _median(lambda: [entry.name for entry in os.scandir(folder)], repeats)
        fig["first_look"] = _median(lambda: Inbox(folder, 1.0, 1.0).look(decided), repeats)
        fig["look"] = _median(lambda: inbox.look(decided), repeats)
        fig["before"] = _median(lambda: _look_before(folder, decided), repeats)
        fig["stat"] = _timed_on_fresh(
            folder, lambda entries: [e.stat() for e in entries if prefix + e.name not in decided], repeats)
        fig["decided"] = _timed_on_fresh(
            folder, lambda entries: [prefix + e.name in decided for e in entries], repeats)
        fig["refresh"] = _median(queue.refresh, repeats)
        spin_until(lambda: not queue._looking, 120.0, check_ms=2)
        fig["show"] = _median(queue._show, repeats)  # the GUI's part of a look that found nothing new
        fig["rebuild_before"] = _median(lambda: _rebuild_all(queue.pending), repeats)
        fig["stall"], fig["latency"] = _stall(queue, folder, rounds, queue._look_soon, "w")
        fig["stall_idle"], _ = _stall(queue, None, rounds, queue._look_soon, "i")
        fig["stall_next"], _ = _stall(queue, folder, rounds, queue.open_next, "n")
        if queue.pending:  # the loader reported the oldest file broken: the header counts such files
            queue.set_unopenable(queue.pending[0][0])
            fig["show_broken"] = _median(queue._show, repeats)
        return fig
    finally:
        queue.set_inbox(None)
        queue.close()
        queue.deleteLater()
        app.processEvents()


def _look_before(folder: Path, decided: frozenset[str]) -> list[tuple[Path, ...]]:
    """The look as it was: every entry stat()ed twice and resolved, whether decided or not."""
    ready, groups = {}, {}
    for path in folder.iterdir():
        if path.name.startswith(".") or path.suffix.lower() not in SCAN_SUFFIXES:
            continue
        stat = path.stat()
        if not path.is_file():
            continue
        ready[path] = stat.st_mtime
        tag = split_energy_tag(path)
        if tag:
            groups.setdefault((tag[0].lower(), path.suffix.lower()), {})[tag[1]] = path
    items = [tuple(halves.values()) for halves in groups.values()]
    items += [(path,) for path in ready if split_energy_tag(path) is None]
    undecided = [files for files in items if not any(str(f.resolve()) in decided for f in files)]
    return sorted(undecided, key=lambda files: (ready[files[0]], files[0].name))


def _rebuild_all(pending: list[tuple[Path, ...]]) -> None:
    """The list as it was: cleared and every waiting scan added again on every look."""
    widget = QListWidget()
    for files in pending:
        item = QListWidgetItem(" + ".join(p.name for p in files))
        item.setToolTip(item.text())
        widget.addItem(item)
    widget.clear()


def _stall(queue: ReviewQueue, folder: Path | None, rounds: int,
           trigger: Callable[[], object], tag: str) -> tuple[float, float]:
    """Longest gap of a 5 ms GUI-thread timer over ``rounds`` looks asked for by ``trigger`` (the
    watcher and the timer call ``_look_soon``; Shift+N calls ``open_next``), a new scan landing
    before each (``folder``) or nothing new (None); and the median time from a file landing to
    the queue counting it."""
    meter = StallMeter()
    latencies = []
    meter.start()
    for n in range(rounds):
        shown = queue.header.text()
        started = time.perf_counter()
        if folder is not None:
            os.link(folder.parent / f"{folder.name}.png", folder / f"zz-{tag}{n:03d}.png")
        trigger()
        if folder is not None:
            spin_until(lambda shown=shown: queue.header.text() != shown, 60.0, check_ms=2)
            latencies.append(time.perf_counter() - started)
        spin_until(lambda: False, 0.05, check_ms=2)  # let a look the watcher asked for run too
        spin_until(lambda: not queue._looking, 60.0, check_ms=2)
    meter.stop()
    latency = statistics.median(latencies) if latencies else float("nan")
    return meter.longest, latency


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _timed_on_fresh(folder: Path, fn: Callable[[list[os.DirEntry]], object], repeats: int) -> float:
    """``fn`` on a fresh listing each time (a DirEntry keeps its stat once asked)."""
    times = []
    for _ in range(repeats):
        entries = list(os.scandir(folder))
        started = time.perf_counter()
        fn(entries)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _report(rows: list[dict[str, float]], records: int, log_read: float) -> str:
    def ms(seconds: float) -> str:
        if seconds != seconds:  # not measured (nothing waiting)
            return "–"
        return f"{seconds * 1000:.2f} ms" if seconds < 0.001 else f"{seconds * 1000:.1f} ms"

    def inbox(row: dict[str, float]) -> str:
        decided = f", {row['share']:.0%} decided" if row["share"] else ", none decided"
        return f"{int(row['size']):,} files{decided}"

    lines = [
        "Inbox on a temporary folder; every figure a median unless it says longest. The list shows the "
        f"oldest {DISPLAY_CAP} scans and says how many more wait. Looks asked for by the folder watcher "
        "and the 2 s timer run on the queue's own thread. Shift+N and a decision look on the GUI thread "
        f"in a folder of up to {SYNC_LOOK_MAX:,} entries; in a bigger one they take the latest look less "
        "what was decided since and ask the queue's thread for a fresh one.",
        "",
        "A look at the folder:",
        "",
        "| inbox | waiting | plain scandir (baseline) | look | look / scandir | look as before "
        "| before / now | first look (names worked out) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {inbox(row)} | {int(row['waiting']):,} | {ms(row['scandir'])} | {ms(row['look'])} "
            f"| {row['look'] / row['scandir']:.1f}× | {ms(row['before'])} "
            f"| {row['before'] / row['look']:.1f}× | {ms(row['first_look'])} |")
    lines += [
        "",
        "The GUI thread (target: no event-loop stall over 50 ms):",
        "",
        "| inbox | Shift+N looks on | refresh() on the GUI thread | longest stall: watcher/timer look, "
        "new scan each time | same, nothing new | Shift+N, new scan each time | new file → counted "
        "| as before: look + rebuild, both on the GUI thread |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        where = "GUI thread" if row["sync"] else "queue's thread"
        lines.append(
            f"| {inbox(row)} | {where} | {ms(row['refresh'])} | {row['stall']:.1f} ms "
            f"| {row['stall_idle']:.1f} ms | {row['stall_next']:.1f} ms | {ms(row['latency'])} "
            f"| {ms(row['before'] + row['rebuild_before'])} |")
    lines += [
        "",
        "Where the time goes (the look's parts timed alone on the same folder):",
        "",
        "| inbox | stat of undecided files | decided checks (no resolve) | GUI part of a look, nothing new "
        "| same, one file could not be opened | every row rebuilt, as before |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {inbox(row)} | {ms(row['stat'])} | {ms(row['decided'])} | {ms(row['show'])} "
            f"| {ms(row.get('show_broken', float('nan')))} | {ms(row['rebuild_before'])} |")
    recorded = sum(row["record_s"] for row in rows)
    lines += [
        "",
        f"Decided files come from the log: {records:,} decisions recorded one by one through "
        f"`record_decision` ({recorded:.0f} s). The queue reads only records newer than the last it saw; "
        f"reading all of them (at sign-in or when the log changes) takes {ms(log_read)}.",
        "",
        "A stall is the longest gap of a 5 ms timer on the GUI thread while the queue looks (5 ms is the "
        "timer's own period: no stall at all); a look on "
        "the queue's thread still shares Python's GIL with the GUI thread, so it slows the GUI thread "
        "without stopping it. Before this change every look (watcher, timer, Shift+N, decision) ran on "
        "the GUI thread and rebuilt every row: the last column.",
    ]
    return "\n".join(lines) + "\n"
