"""The inbox the scanner writes into: which scans are ready and still undecided, oldest first.

A file counts as ready once it has stopped changing: its modification time is at least
``settle_s`` old and its size and time did not change since the previous look. A
dual-energy pair is one scan, ready when both halves are (a lone half waits ``pair_wait_s``
for its partner, then counts on its own).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from ..scan.pairing import split_energy_tag

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".tif", ".tiff", ".dcs", ".dcm", ".dicom"}


@dataclass(frozen=True)
class InboxItem:
    files: tuple[Path, ...]  # (high, low) for a pair, else one file
    modified: float

    @property
    def name(self) -> str:
        return self.files[0].name

    @property
    def open_path(self) -> Path:
        """What to hand to load_scan: either file of a pair opens both."""
        return self.files[0]


class Inbox:
    def __init__(self, folder: Path, settle_s: float = 2.0, pair_wait_s: float = 30.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self.pair_wait_s = pair_wait_s
        self._clock = clock
        self._seen: dict[Path, tuple[int, float]] = {}
        self.settling = 0  # scan files seen on the last look that are still being written

    def pending(self, decided: Collection[str] = ()) -> list[InboxItem]:
        """Ready scans none of whose files is in ``decided`` (resolved path strings), oldest first."""
        now = self._clock()
        ready: dict[Path, float] = {}
        groups: dict[tuple[str, str], dict[str, Path]] = {}
        seen: dict[Path, tuple[int, float]] = {}
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return []
        for path in entries:
            if path.name.startswith(".") or path.suffix.lower() not in SCAN_SUFFIXES:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished between listing and looking
            if not path.is_file():
                continue
            state = (stat.st_size, stat.st_mtime)
            seen[path] = state
            previous = self._seen.get(path)
            if stat.st_size and now - stat.st_mtime >= self.settle_s and previous in (None, state):
                ready[path] = stat.st_mtime
            tag = split_energy_tag(path)
            if tag:
                groups.setdefault((tag[0].lower(), path.suffix.lower()), {})[tag[1]] = path
        self._seen = seen
        self.settling = len(seen) - len(ready)
        items = self._items(ready, groups, now)
        decided_set = set(decided)
        undecided = (item for item in items if not any(str(f.resolve()) in decided_set for f in item.files))
        return sorted(undecided, key=lambda item: (item.modified, item.name))

    def next(self, decided: Collection[str] = ()) -> InboxItem | None:
        pending = self.pending(decided)
        return pending[0] if pending else None

    def _items(self, ready: dict[Path, float], groups: dict[tuple[str, str], dict[str, Path]],
               now: float) -> list[InboxItem]:
        items: list[InboxItem] = []
        in_pair: set[Path] = set()
        for halves in groups.values():
            in_pair.update(halves.values())
            if len(halves) == 2:
                high, low = halves["high"], halves["low"]
                if high in ready and low in ready:
                    items.append(InboxItem((high, low), max(ready[high], ready[low])))
            else:
                (lone,) = halves.values()
                if lone in ready and now - ready[lone] >= self.pair_wait_s:
                    items.append(InboxItem((lone,), ready[lone]))
        items.extend(InboxItem((path,), mtime) for path, mtime in ready.items() if path not in in_pair)
        return items
