"""The inbox queue: new scans appear while it runs, pairs count once, decided scans leave it."""

import os
import time

import cv2
import numpy as np

from xrayreview.decisions import Account, Decision, ScanInfo, now_utc, record_decision
from xrayreview.scan import load_scan


def _scan_file(path, age_s=30.0, seed=0):
    image = np.random.default_rng(seed).integers(1000, 60000, (40, 60), dtype=np.uint16)
    cv2.imwrite(str(path), image)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))




def test_new_scans_appear_and_next_opens_the_oldest_undecided(qtbot, queue):
    widget, inbox, log = queue
    assert widget.list.count() == 0 and not widget.next_button.isEnabled()
    _scan_file(inbox / "truck_high.png", 60, 1)
    _scan_file(inbox / "truck_low.png", 59, 2)
    _scan_file(inbox / "bag.png", 30, 3)
    qtbot.waitUntil(lambda: widget.list.count() == 2, timeout=5000)  # the watcher saw them
    assert widget.list.item(0).text() == "truck_high.png + truck_low.png"
    with qtbot.waitSignal(widget.open_requested) as opened:
        widget.open_next()
    assert opened.args[0].name == "truck_high.png"
    scan = load_scan(opened.args[0])
    record_decision(log, Account("olga", "officer"), Decision(ScanInfo.from_scan(scan), "clear", now_utc()))
    assert widget.open_next().name == "bag.png"
    assert widget.list.count() == 1


def test_files_still_being_written_wait(qtbot, queue):
    widget, inbox, _log = queue
    _scan_file(inbox / "arriving.png", age_s=0.0)
    widget.refresh()
    assert widget.list.count() == 0 and "1 still arriving" in widget.header.text()
    stamp = time.time() - 5
    os.utime(inbox / "arriving.png", (stamp, stamp))
    widget.refresh()  # changed since the last look: not yet
    widget.refresh()
    assert widget.list.count() == 1


def test_files_opened_by_hand_join_the_queue(qtbot, queue, tmp_path):
    widget, _inbox, _log = queue
    _scan_file(tmp_path / "manual.png")
    widget.add_files([tmp_path / "manual.png"])
    assert widget.open_next().name == "manual.png"
