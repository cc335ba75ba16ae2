"""The inbox the scanner writes into: which scans are ready and still undecided, oldest first.

A file counts as ready once it has stopped changing: its modification time is at least
``settle_s`` old and its size and time did not change since the previous look. A
dual-energy pair is one scan, ready when both halves are (a lone half waits ``pair_wait_s``
for its partner, then counts on its own).

A folder that is never emptied holds tens of thousands of files, so a look does as little per
file as it can: one directory listing, no path resolving (the folder is resolved once), no
size-and-time check on files already decided (they are never offered again), and what a name
means (a scan? half of a pair?) worked out once per name.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from ..scan.pairing import split_energy_tag

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".tif", ".tiff", ".dcs", ".dcm", ".dicom"}

# Every look is numbered, across inboxes and threads: a slow look that ends after a quicker,
# later one is known to be older and can be dropped.
_LOOK_NUMBERS = itertools.count(1)
_UNKNOWN = object()
_SINGLE: tuple[tuple[str, str] | None, str] = (None, "")  # the meaning of a scan name without a pair tag
_OLDEST_FIRST = itemgetter(0, 1)  # (modified, first file's name), as the officer expects them


@dataclass(frozen=True, slots=True)
class InboxItem:
    files: tuple[Path, ...]  # (high, low) for a pair, else one file
    modified: float
    # The files' resolved paths, as the decision log records them: a queue can drop a scan decided
    # while a look ran without resolving its paths again (a system call per folder level).
    keys: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        return self.files[0].name

    @property
    def open_path(self) -> Path:
        """What to hand to load_scan: either file of a pair opens both."""
        return self.files[0]


@dataclass(frozen=True)
class InboxLook:
    """One look at the folder: ready undecided scans, oldest first, and files still arriving."""

    number: int
    items: tuple[InboxItem, ...]
    settling: int
    listed: int  # entries in the folder, scans or not: what a look there costs


class Inbox:
    def __init__(self, folder: Path, settle_s: float = 2.0, pair_wait_s: float = 30.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self.pair_wait_s = pair_wait_s
        self._clock = clock
        # Size and time of each undecided scan file at the previous look (plain numbers, not tuples:
        # tens of thousands of new tuples a look would keep Python's garbage collector busy).
        self._seen: dict[str, float] = {}
        self._sizes: dict[str, int] = {}
        self._names: dict[str, tuple[tuple[str, str] | None, str] | None] = {}  # name -> (pair, half)
        self._base = ""  # the folder resolved, as at the previous look
        # The previous look's scans, kept so that a look which finds nothing new builds nothing new
        # and sorts an already sorted list (a name for a single file, (high, low) for a pair).
        self._cache: dict[str | tuple[str, str], InboxItem] = {}
        self._order: list[tuple[float, str, str | tuple[str, str], InboxItem]] = []
        self._listed: tuple[InboxItem, ...] = ()
        # A queue looks from a worker thread (the watcher, the timer) and from the GUI thread (the
        # officer's Shift+N): one look at a time, each comparing with the one before.
        self._lock = threading.Lock()
        self.settling = 0  # scan files seen on the last look that are still being written
        self.listed = 0  # entries in the folder at the last look

    def look(self, decided: Collection[str] = ()) -> InboxLook:
        """Ready scans none of whose files is in ``decided`` (resolved path strings), oldest first.

        Safe to call from any thread; ``decided`` must not change while the look runs.
        """
        decided_set = decided if isinstance(decided, (set, frozenset)) else set(decided)
        with self._lock:
            number = next(_LOOK_NUMBERS)
            items = self._look(decided_set)
            return InboxLook(number, items, self.settling, self.listed)

    def pending(self, decided: Collection[str] = ()) -> list[InboxItem]:
        """Ready scans none of whose files is in ``decided`` (resolved path strings), oldest first."""
        return list(self.look(decided).items)

    def next(self, decided: Collection[str] = ()) -> InboxItem | None:
        pending = self.look(decided).items
        return pending[0] if pending else None

    def _look(self, decided: Collection[str]) -> tuple[InboxItem, ...]:
        now = self._clock()
        try:
            base = os.path.realpath(self.folder)
            if base != self._base:  # the folder (or a link on its way) points elsewhere now
                self._names, self._cache, self._order, self._listed, self._base = {}, {}, [], (), base
            with os.scandir(self.folder) as listing:
                ready, groups, keys, count = self._scan(listing, decided, now)
        except OSError:
            return ()
        self.listed = count
        if len(self._names) > 2 * count + 1000:  # forget names long gone from a folder that is emptied
            self._names = {name: self._names[name] for name in keys}
        return self._ordered(self._items(ready, groups, keys, now))

    def _scan(self, listing: Iterable[os.DirEntry], decided: Collection[str], now: float) -> tuple[
            dict[str, float], dict[tuple[str, str], dict[str, str]], dict[str, str], int]:
        prefix = self._base if self._base.endswith(os.sep) else self._base + os.sep
        names, seen_then, sizes_then = self._names, self._seen, self._sizes
        seen: dict[str, float] = {}
        sizes: dict[str, int] = {}
        ready: dict[str, float] = {}
        groups: dict[tuple[str, str], dict[str, str]] = {}
        keys: dict[str, str] = {}
        count = 0
        for entry in listing:
            count += 1
            name = entry.name
            meaning = names.get(name, _UNKNOWN)
            if meaning is _UNKNOWN:
                meaning = names[name] = _meaning(name)
            if meaning is None:
                continue
            try:
                if not entry.is_file():  # from the listing itself; a link is followed
                    continue
                # The log records resolved paths: only a link needs resolving, the folder was resolved once.
                key = os.path.realpath(entry.path) if entry.is_symlink() else prefix + name
                if key not in decided:  # a decided file is never offered: its size and time do not matter
                    stat = entry.stat()
                    size, mtime = stat.st_size, stat.st_mtime
                    seen[name], sizes[name] = mtime, size
                    if (size and now - mtime >= self.settle_s and seen_then.get(name, mtime) == mtime
                            and sizes_then.get(name, size) == size):
                        ready[name] = mtime
            except OSError:
                continue  # vanished between listing and looking
            keys[name] = key
            if meaning[0] is not None:  # a decided half still keeps its partner from being offered alone
                groups.setdefault(meaning[0], {})[meaning[1]] = name
        self._seen, self._sizes = seen, sizes
        self.settling = len(seen) - len(ready)
        return ready, groups, keys, count

    def _items(self, ready: dict[str, float], groups: dict[tuple[str, str], dict[str, str]],
               keys: dict[str, str], now: float) -> dict[str | tuple[str, str], InboxItem]:
        """This look's scans, the previous look's objects where nothing changed. A decided file is
        never in ``ready``, so a pair with a decided half is never offered."""
        cache, folder = self._cache, self.folder
        current: dict[str | tuple[str, str], InboxItem] = {}

        def add(which: str | tuple[str, str], files: tuple[str, ...], modified: float) -> None:
            file_keys = tuple(keys[f] for f in files)
            item = cache.get(which)
            if item is None or item.modified != modified or item.keys != file_keys:
                item = InboxItem(tuple(folder / f for f in files), modified, file_keys)
            current[which] = item

        in_pair: set[str] = set()
        for halves in groups.values():
            in_pair.update(halves.values())
            if len(halves) == 2:
                high, low = halves["high"], halves["low"]
                if high in ready and low in ready:
                    add((high, low), (high, low), max(ready[high], ready[low]))
            else:
                (lone,) = halves.values()
                if lone in ready and now - ready[lone] >= self.pair_wait_s:
                    add(lone, (lone,), ready[lone])
        for name, mtime in ready.items():
            if name in in_pair:
                continue
            item = cache.get(name)
            if item is None or item.modified != mtime or item.keys[0] != keys[name]:
                item = InboxItem((folder / name,), mtime, (keys[name],))
            current[name] = item
        self._cache = current
        return current

    def _ordered(self, current: dict[str | tuple[str, str], InboxItem]) -> tuple[InboxItem, ...]:
        """Oldest first. The previous order, less what went, plus what came, is nearly sorted: the
        sort is then quick (it runs in C, holding the interpreter the GUI thread also needs)."""
        order = [entry for entry in self._order if current.get(entry[2]) is entry[3]]
        if len(order) == len(current) == len(self._order):
            return self._listed  # nothing came, nothing went
        if len(order) < len(current):
            known = {entry[2] for entry in order}
            order += [(item.modified, which if isinstance(which, str) else which[0], which, item)
                      for which, item in current.items() if which not in known]
            order.sort(key=_OLDEST_FIRST)
        self._order = order
        self._listed = tuple(entry[3] for entry in order)
        return self._listed


def _meaning(name: str) -> tuple[tuple[str, str] | None, str] | None:
    """None for a file that is no scan, else (the pair it is half of, which half) or _SINGLE."""
    suffix = os.path.splitext(name)[1].lower()
    if name.startswith(".") or suffix not in SCAN_SUFFIXES:
        return None
    tag = split_energy_tag(Path(name))
    return _SINGLE if tag is None else ((tag[0].lower(), suffix), tag[1])
