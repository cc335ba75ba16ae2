"""The inbox queue with many scans waiting: only changed rows change, the list shows the oldest
and says how many more, Shift+N still takes the oldest, and the folder is looked at off the GUI
thread (the thread ending with the queue)."""

import os
import threading
import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from xrayreview.decisions import Account, Decision, Inbox, ScanInfo, now_utc, record_decision
from xrayreview.ui import review_queue
from xrayreview.ui.review_queue import DISPLAY_CAP, ReviewQueue

OFFICER = Account("olga", "officer")


@pytest.fixture
def scan_bytes(tmp_path) -> bytes:
    path = tmp_path / "one.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(1000, 60000, (20, 30), dtype=np.uint16))
    return path.read_bytes()


def _land(path, data, age_s):
    """A scan the scanner finished writing ``age_s`` ago (the content need not differ)."""
    path.write_bytes(data)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))


def _decide(log, path):
    resolved = str(path.resolve())
    record_decision(log, OFFICER, Decision(ScanInfo([resolved], "ab" * 32, 30, 20), "clear", now_utc()))


def _rows(widget):
    return [widget.list.item(i).text() for i in range(widget.list.count())]




def _record_changes(widget):
    changes = []
    model = widget.list.model()
    for name in ("rowsInserted", "rowsRemoved", "dataChanged", "modelReset", "layoutChanged"):
        getattr(model, name).connect(lambda *args, name=name: changes.append(
            (name, args[1], args[2]) if name.startswith("rows") else (name,)))
    return changes


def test_a_look_that_finds_nothing_new_changes_no_row(qtbot, queue, scan_bytes):
    widget, inbox, _log = queue
    for i in range(5):
        _land(inbox / f"bag{i}.png", scan_bytes, 100 - i)
    widget.refresh()
    assert _rows(widget) == [f"bag{i}.png" for i in range(5)]
    widget.list.setCurrentRow(2)
    changes = _record_changes(widget)
    widget.refresh()  # Shift+N, a decision
    widget._look_soon()  # the watcher, the timer
    qtbot.waitUntil(lambda: not widget._looking)
    assert changes == []
    assert widget.list.currentItem().text() == "bag2.png"  # the officer's place is kept


def test_a_new_scan_adds_its_row_and_keeps_the_officers_place(qtbot, queue, scan_bytes):
    widget, inbox, log = queue
    for i in range(5):
        _land(inbox / f"bag{i}.png", scan_bytes, 100 - i)
    widget.refresh()
    widget.list.setCurrentRow(2)
    changes = _record_changes(widget)
    _land(inbox / "late.png", scan_bytes, 100 - 2.5)  # written before bag3: listed before it
    _decide(log, inbox / "bag0.png")
    widget.refresh()
    assert _rows(widget) == ["bag1.png", "bag2.png", "late.png", "bag3.png", "bag4.png"]
    assert changes == [("rowsRemoved", 0, 0), ("rowsInserted", 2, 2)]
    assert widget.list.currentItem().text() == "bag2.png"


def test_the_list_shows_the_oldest_and_says_how_many_more(qtbot, queue, scan_bytes):
    widget, inbox, log = queue
    total = DISPLAY_CAP + 50
    for i in range(total):
        _land(inbox / f"bag{i:04d}.png", scan_bytes, 1000 - i)
    widget.refresh()
    assert widget.list.count() == DISPLAY_CAP
    assert _rows(widget)[0] == "bag0000.png" and _rows(widget)[-1] == f"bag{DISPLAY_CAP - 1:04d}.png"
    assert widget.more.isVisibleTo(widget) and "50 more" in widget.more.text()
    assert f"{total} undecided" in widget.header.text()
    assert len(widget.pending) == total
    _decide(log, inbox / "bag0000.png")
    widget.refresh()
    assert widget.list.count() == DISPLAY_CAP and _rows(widget)[0] == "bag0001.png"
    assert "49 more" in widget.more.text() and f"{total - 1} undecided" in widget.header.text()


def test_shift_n_takes_the_oldest_even_past_the_cap(qtbot, queue, scan_bytes, monkeypatch):
    widget, inbox, _log = queue
    monkeypatch.setattr(review_queue, "DISPLAY_CAP", 3)
    for i in range(5):
        _land(inbox / f"bag{i}.png", scan_bytes, 100 - i)
    for i in range(3):  # the scanner wrote three broken files: all the rows shown are skipped
        widget.set_unopenable(inbox / f"bag{i}.png")
    assert all("could not be opened" in row for row in _rows(widget)) and len(_rows(widget)) == 3
    assert "2 more" in widget.more.text() and widget.next_button.isEnabled()
    assert "5 undecided" in widget.header.text() and "3 could not be opened" in widget.header.text()
    with qtbot.waitSignal(widget.open_requested) as opened:
        widget.next_action.trigger()  # Shift+N
    assert opened.args[0].name == "bag3.png"


def _watch_looks(monkeypatch) -> list[bool]:
    """For each look at the inbox from now on: whether it ran on the GUI thread."""
    on_gui_thread = []
    look = Inbox.look

    def spy(self, decided=()):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return look(self, decided)

    monkeypatch.setattr(Inbox, "look", spy)
    return on_gui_thread


def test_the_watcher_and_the_timer_look_off_the_gui_thread(qtbot, queue, scan_bytes, monkeypatch):
    widget, inbox, _log = queue
    on_gui_thread = _watch_looks(monkeypatch)
    _land(inbox / "bag.png", scan_bytes, 30)
    qtbot.waitUntil(lambda: widget.list.count() == 1, timeout=10000)  # the watcher saw it
    assert on_gui_thread and not any(on_gui_thread)


def test_in_a_big_folder_shift_n_does_not_look_on_the_gui_thread(qtbot, queue, scan_bytes, monkeypatch):
    widget, inbox, log = queue
    monkeypatch.setattr(review_queue, "SYNC_LOOK_MAX", 3)
    for i in range(5):
        _land(inbox / f"bag{i}.png", scan_bytes, 100 - i)
    widget._look_soon()
    qtbot.waitUntil(lambda: widget.list.count() == 5)
    on_gui_thread = _watch_looks(monkeypatch)
    _decide(log, inbox / "bag0.png")
    assert widget.open_next().name == "bag1.png"  # the decided scan left at once, without a look
    assert _rows(widget)[0] == "bag1.png" and "4 undecided" in widget.header.text()
    qtbot.waitUntil(lambda: not widget._looking)  # a fresh look was asked for, on the queue's thread
    assert on_gui_thread and not any(on_gui_thread)


def test_the_queue_thread_ends_with_the_queue(qtbot, tmp_path):
    widget = ReviewQueue()
    widget.set_inbox(tmp_path)
    thread = widget._thread
    assert thread.isRunning()
    widget.deleteLater()  # closed with the station, without leaving the inbox first
    QCoreApplication.sendPostedEvents(widget, QEvent.Type.DeferredDelete)
    assert not thread.isRunning()


def test_shift_n_before_the_first_look_waits_for_it_off_the_gui_thread(qtbot, tmp_path, scan_bytes,
                                                                      monkeypatch):
    # A folder not looked at yet is of unknown size: reading 60,000 files on the GUI thread at the
    # first Shift+N or decision after choosing the inbox froze the station for 1.5 s.
    inbox = tmp_path / "big-inbox"
    inbox.mkdir()
    for i in range(3):
        _land(inbox / f"bag{i}.png", scan_bytes, 100 - i)
    on_gui_thread = _watch_looks(monkeypatch)
    widget = ReviewQueue(settle_s=1.0)
    qtbot.addWidget(widget)
    try:
        widget.set_inbox(inbox)
        assert "looking" in widget.header.text() and widget.next_button.isEnabled()
        with qtbot.waitSignal(widget.open_requested, timeout=10000) as opened:
            assert widget.open_next() is None  # nothing known yet: it opens when the look lands
        assert opened.args[0].name == "bag0.png"  # the oldest
        assert on_gui_thread and not any(on_gui_thread)
        assert "3 undecided" in widget.header.text()
    finally:
        widget.set_inbox(None)
