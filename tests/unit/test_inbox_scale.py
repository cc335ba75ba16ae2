"""A look at a big inbox does little per file: decided files are not stat()ed, no path is resolved
per file, a look that finds nothing new builds nothing new, and oldest-first holds as scans come
and go. Looks from two threads take turns."""

import os
import threading
import time
from pathlib import Path

import pytest

from xrayreview.decisions import Inbox
from xrayreview.decisions import inbox as inbox_module


def _write(path, age, data=b"x" * 100):
    path.write_bytes(data)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))


def _names(items):
    return [[f.name for f in item.files] for item in items]


def _key(path):
    return str(Path(path).resolve())


class _CountingEntry:
    """A DirEntry that counts stat() calls (the C type cannot be patched)."""

    def __init__(self, entry, stats):
        self._entry, self._stats = entry, stats
        self.name, self.path = entry.name, entry.path

    def is_file(self):
        return self._entry.is_file()

    def is_symlink(self):
        return self._entry.is_symlink()

    def stat(self):
        self._stats.append(self.name)
        return self._entry.stat()


_SCANDIR = os.scandir


class _CountingListing:
    def __init__(self, folder, stats):
        self._listing, self._stats = _SCANDIR(folder), stats

    def __enter__(self):
        return (_CountingEntry(entry, self._stats) for entry in self._listing)

    def __exit__(self, *exc):
        self._listing.close()


def test_decided_files_are_neither_stat_ed_nor_resolved(tmp_path, monkeypatch):
    for i in range(20):
        _write(tmp_path / f"bag{i:02d}.png", age=100 - i)
    decided = {_key(tmp_path / f"bag{i:02d}.png") for i in range(15)}
    stats, resolves = [], []
    monkeypatch.setattr(inbox_module.os, "scandir", lambda folder: _CountingListing(folder, stats))
    resolve = Path.resolve
    monkeypatch.setattr(Path, "resolve",
                        lambda self, strict=False: resolves.append(self) or resolve(self, strict))
    inbox = Inbox(tmp_path, settle_s=2.0)
    assert [item.name for item in inbox.pending(decided)] == [f"bag{i:02d}.png" for i in range(15, 20)]
    assert sorted(stats) == [f"bag{i:02d}.png" for i in range(15, 20)]
    assert resolves == []  # the folder is resolved once with os.path.realpath, never a file
    assert inbox.settling == 0


def test_a_decided_file_being_rewritten_is_not_arriving(tmp_path):
    _write(tmp_path / "old.png", age=0)
    assert Inbox(tmp_path).look({_key(tmp_path / "old.png")}).settling == 0


def test_a_look_that_finds_nothing_new_builds_nothing_new(tmp_path):
    for i in range(10):
        _write(tmp_path / f"bag{i}.png", age=50 - i)
    _write(tmp_path / "van_high.tif", age=60)
    _write(tmp_path / "van_low.tif", age=59)
    inbox = Inbox(tmp_path, settle_s=2.0, pair_wait_s=30.0)
    first = inbox.look()
    again = inbox.look()
    assert again.items is first.items and again.number > first.number
    _write(tmp_path / "new.png", age=20)
    third = inbox.look()
    assert third.items[-1].name == "new.png"
    assert all(a is b for a, b in zip(first.items, third.items[:-1], strict=True))  # the same objects


def test_oldest_first_holds_as_scans_come_go_and_change(tmp_path):
    for i in range(6):
        _write(tmp_path / f"bag{i}.png", age=100 - 10 * i)  # ages 100, 90, ..., 50
    inbox = Inbox(tmp_path, settle_s=2.0, pair_wait_s=30.0)
    assert [item.name for item in inbox.pending()] == [f"bag{i}.png" for i in range(6)]
    (tmp_path / "bag2.png").unlink()
    _write(tmp_path / "early.png", age=95)  # older than bag1, found later
    _write(tmp_path / "truck_high.png", age=75)
    _write(tmp_path / "truck_low.png", age=74)  # the pair counts from its newer half
    _write(tmp_path / "bag0.png", age=55, data=b"y" * 200)  # rewritten: waits one look, then moves
    assert [item.name for item in inbox.pending()] == [
        "early.png", "bag1.png", "truck_high.png", "bag3.png", "bag4.png", "bag5.png"]
    pending = inbox.pending()
    assert [item.name for item in pending] == [
        "early.png", "bag1.png", "truck_high.png", "bag3.png", "bag4.png", "bag0.png", "bag5.png"]
    assert pending == sorted(pending, key=lambda item: (item.modified, item.name))


def test_a_link_in_the_inbox_is_decided_by_its_target(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inbox_dir = tmp_path / "inbox"
    inbox_dir.mkdir()
    _write(elsewhere / "target.png", age=30)
    (inbox_dir / "linked.png").symlink_to(elsewhere / "target.png")
    _write(inbox_dir / "plain.png", age=20)
    inbox = Inbox(inbox_dir, settle_s=2.0)
    assert [item.name for item in inbox.pending()] == ["linked.png", "plain.png"]
    assert inbox.pending()[0].keys == (_key(elsewhere / "target.png"),)
    assert [item.name for item in inbox.pending({_key(elsewhere / "target.png")})] == ["plain.png"]


def test_an_inbox_reached_through_a_link_matches_the_logs_resolved_paths(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "share").symlink_to(real)
    _write(real / "a.png", age=30)
    _write(real / "b.png", age=20)
    inbox = Inbox(tmp_path / "share", settle_s=2.0)
    items = inbox.pending({_key(real / "a.png")})
    assert _names(items) == [["b.png"]]
    assert items[0].files == (tmp_path / "share" / "b.png",)  # opened as the officer named the folder


def test_a_decided_half_keeps_its_partner_from_being_offered_alone(tmp_path):
    _write(tmp_path / "van_high.tif", age=100)
    _write(tmp_path / "van_low.tif", age=99)
    inbox = Inbox(tmp_path, settle_s=2.0, pair_wait_s=10.0)
    assert inbox.pending({_key(tmp_path / "van_high.tif")}) == []


def test_looks_from_two_threads_take_turns(tmp_path):
    for i in range(50):
        _write(tmp_path / f"bag{i:02d}.png", age=100 - i)
    inbox = Inbox(tmp_path, settle_s=2.0)
    results, errors = [], []

    def look_often():
        try:
            results.extend(inbox.look() for _ in range(20))
        except Exception as exc:  # noqa: BLE001 - reported below, on the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=look_often) for _ in range(2)]
    for worker in workers:
        worker.start()
    for i in range(10):
        _write(tmp_path / f"new{i}.png", age=10)
    for worker in workers:
        worker.join()
    assert errors == []
    numbers = [look.number for look in results]
    assert len(set(numbers)) == len(numbers) == 40
    for look in results:
        assert list(look.items) == sorted(look.items, key=lambda item: (item.modified, item.name))
    inbox.pending()  # a file a thread saw mid-write is ready once two looks agree on it
    assert len(inbox.pending()) == 60


@pytest.mark.parametrize("name", [".hidden.png", "notes.json", "scan.PNG.partial"])
def test_files_that_are_no_scans_are_left_out(tmp_path, name):
    _write(tmp_path / name, age=30)
    assert Inbox(tmp_path).pending() == []
