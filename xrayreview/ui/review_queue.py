"""The officer's queue: the scanner's inbox folder (watched) plus files opened by hand; 'next'
is the oldest scan nobody has decided yet.

An inbox can hold thousands of waiting scans and tens of thousands of decided ones. The watcher
and the timer therefore look at the folder on the queue's own thread, the list shows only the
oldest ``DISPLAY_CAP`` scans and changes only the rows that changed. What the officer asks for
(Shift+N, a decision) looks at once, on the GUI thread, while the folder is small enough for that
to take a few milliseconds; in a bigger one it takes the latest look (the watcher and the timer
keep it at most ``POLL_MS`` old) less what was decided since, and asks for a fresh look.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from ..decisions import DecisionLog, DecisionLogError, Inbox, InboxItem, decided_files
from ..decisions.inbox import InboxLook

NEXT_KEY = "Shift+N"
POLL_MS = 2000  # files being written change without touching the folder: look again this often
DISPLAY_CAP = 200  # rows listed: the officer works from the oldest, and every row costs time on each change
# Entries in the folder up to which Shift+N and a decision look on the GUI thread: a look costs
# about 3 µs an entry here (docs/benchmarks/queue.md), so at most a few milliseconds.
SYNC_LOOK_MAX = 2_000


class _Looker(QObject):
    """Looks at the inbox on the queue's thread: a huge folder, or one on a slow network share,
    must not stall the officer's screen."""

    looked = Signal(object, object, object)  # Inbox, InboxLook (None if the look failed), decided set used

    @Slot(object, object)
    def look(self, inbox: Inbox, decided: frozenset[str]) -> None:
        try:
            result = inbox.look(decided)
        except Exception:  # noqa: BLE001 - the timer looks again; the thread must live on
            result = None
        self.looked.emit(inbox, result, decided)


class ReviewQueue(QWidget):
    open_requested = Signal(object)  # Path to open (either file of a pair opens both)
    _look_request = Signal(object, object)  # Inbox, decided set: to the looker's thread

    def __init__(self, parent: QWidget | None = None, settle_s: float = 2.0,
                 pair_wait_s: float = 30.0) -> None:
        super().__init__(parent)
        self.settle_s, self.pair_wait_s = settle_s, pair_wait_s
        self.inbox: Inbox | None = None
        self.log: DecisionLog | None = None
        # Replaced, never changed in place: the looker's thread may be reading the set it was given.
        self._decided: frozenset[str] = frozenset()
        self._decided_seq = 0
        self._by_hand: dict[Path, str] = {}  # file opened by hand -> its resolved path, as the log has it
        # Files that failed to open, with their size and time then: "next" passes over them (else one
        # broken file from the scanner would come back on every Shift+N) until the scanner rewrites them.
        self._unopenable: dict[Path, tuple[int, int] | None] = {}
        # Their names, as reported and as resolved: a name that is not here needs no resolving.
        self._unopenable_names: set[str] = set()
        self.pending: list[tuple[Path, ...]] = []
        self._items: tuple[InboxItem, ...] = ()  # the inbox's scans at the latest look
        self._items_decided: frozenset[str] = frozenset()  # the decided set that look left out
        self._settling = 0
        self._latest = 0  # number of the latest look shown; an older one finishing later is dropped
        self._listed: int | None = None  # entries in the folder at the latest look (None: not looked yet)
        self._next_wanted = False  # Shift+N before the first look: open the oldest when it comes
        self._looking = self._look_again = False
        self._thread = QThread()
        self._thread.setObjectName("inbox-looker")
        self._looker = _Looker()
        self._looker.moveToThread(self._thread)
        self._look_request.connect(self._looker.look)
        self._looker.looked.connect(self._looked)
        # Whatever way the queue goes, its thread ends first (a QThread destroyed running aborts).
        self.destroyed.connect(lambda _obj=None, thread=self._thread: _stop(thread))
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._look_soon())
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._look_soon)
        layout = QVBoxLayout(self)
        self.header = QLabel("No inbox folder")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list)
        self.more = QLabel()  # "… and M more": the scans past the cap
        self.more.setWordWrap(True)
        self.more.hide()
        layout.addWidget(self.more)
        self.next_button = QPushButton(f"Next undecided scan ({NEXT_KEY})")
        self.next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_button.clicked.connect(self.open_next)
        layout.addWidget(self.next_button)
        self.next_action = QAction("Next undecided scan", self)
        self.next_action.setShortcut(QKeySequence(NEXT_KEY))
        self.next_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.next_action.triggered.connect(self.open_next)
        self.addAction(self.next_action)

    def set_log(self, log: DecisionLog | None) -> None:
        self.log = log
        self._decided, self._decided_seq = frozenset(), 0
        self.refresh()

    def set_inbox(self, folder: Path | None) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._items, self._settling, self._listed = (), 0, None
        self._next_wanted = False
        if folder is None:
            self.inbox = None
            self._timer.stop()
            _stop(self._thread)  # the station is closing or the officer left the inbox: no thread stays
            self._looking = self._look_again = False
        else:
            self.inbox = Inbox(Path(folder), self.settle_s, self.pair_wait_s)
            self._watcher.addPath(str(folder))
            if not self._thread.isRunning():
                self._thread.start()
            self._timer.start()
            self._look_soon()  # a folder of unknown size: the first look off the GUI thread
        self._show()

    def add_files(self, paths: list[Path]) -> None:
        """Files opened by hand join the queue until they are decided."""
        for path in paths:
            if Path(path) not in self._by_hand:
                self._by_hand[Path(path)] = str(Path(path).resolve())
        self.refresh()

    def set_unopenable(self, path: Path) -> None:
        """``path`` could not be opened: it stays listed, but "next" skips it while it is unchanged."""
        resolved = Path(path).resolve()
        self._unopenable[resolved] = _stamp(resolved)
        self._unopenable_names |= {Path(path).name, resolved.name}
        self.refresh()

    def opens(self, files: tuple[Path, ...]) -> bool:
        """False while one of ``files`` is as it was when it failed to open."""
        if not self._unopenable:
            return True
        for path in files:
            # Names first: resolving costs system calls, and this runs for every waiting scan.
            if path.name not in self._unopenable_names:
                continue
            resolved = path.resolve()
            if resolved in self._unopenable:
                if self._unopenable[resolved] == _stamp(resolved):
                    return False
                del self._unopenable[resolved]  # written again since: worth another try
        return True

    def _still_unopenable(self) -> set[str]:
        """Resolved paths of the files that failed to open and have not changed since."""
        for path, stamp in list(self._unopenable.items()):
            if _stamp(path) != stamp:
                del self._unopenable[path]  # written again since: worth another try
        return {str(path) for path in self._unopenable}

    def is_decided(self, files: tuple[Path, ...]) -> bool:
        """True when the log holds a decision on the scan read from ``files``."""
        decided = self._decided_now()
        return bool(files) and all(str(Path(p).resolve()) in decided for p in files)

    def refresh(self) -> None:
        """Look at the folder now, on this thread, unless it is too big for that (``SYNC_LOOK_MAX``):
        then show the latest look less what was decided since, and look on the queue's thread."""
        decided = self._decided_now()
        if self.inbox is not None:
            # Not looked at yet is not small: a folder of 60,000 files read here froze the station
            # for 1.5 s at the first Shift+N or decision after the inbox was chosen.
            if self._listed is not None and self._listed <= SYNC_LOOK_MAX:
                self._take(self.inbox, self.inbox.look(decided), decided)
            else:
                self._look_soon()
        self._show()

    def open_next(self) -> Path | None:
        self.refresh()
        return self._open_oldest()

    def _open_oldest(self) -> Path | None:
        path = next((files[0] for files in self.pending if self.opens(files)), None)
        if path is not None:
            self.open_requested.emit(path)
        elif self.inbox is not None and self._listed is None:
            self._next_wanted = True  # the first look is on its way: the oldest scan opens with it
        return path

    def _look_soon(self) -> None:
        """The watcher or the timer: look on the queue's thread, one look at a time."""
        if self.inbox is None or not self._thread.isRunning():
            return
        if self._looking:
            self._look_again = True  # one more look when this one ends, not one per signal
            return
        self._looking = True
        self._look_request.emit(self.inbox, self._decided_now())

    def _looked(self, inbox: Inbox, look: InboxLook | None, decided: frozenset[str]) -> None:
        self._looking = False
        if self._take(inbox, look, decided):
            self._show()
            if self._next_wanted:  # from the look just taken: no second look on this thread
                self._next_wanted = False
                self._open_oldest()
        if self._look_again:
            self._look_again = False
            self._look_soon()

    def _take(self, inbox: Inbox, look: InboxLook | None, decided: frozenset[str]) -> bool:
        if inbox is not self.inbox or look is None or look.number <= self._latest:
            return False  # another folder's, failed, or older than what is shown
        self._latest, self._listed = look.number, look.listed
        self._items, self._items_decided, self._settling = look.items, decided, look.settling
        return True

    def _show(self) -> None:
        decided = self._decided_now()
        if decided is not self._items_decided:  # decisions recorded since the look
            fresh = decided - self._items_decided
            if fresh:
                self._items = tuple(item for item in self._items if fresh.isdisjoint(item.keys))
            self._items_decided = decided
        items = [item.files for item in self._items]
        hand: list[tuple[Path, str]] = []
        if self._by_hand:
            in_inbox = {key for item in self._items for key in item.keys}
            hand = [(p, key) for p, key in self._by_hand.items()
                    if key not in in_inbox and key not in decided]
            items += [(p,) for p, _key in hand]
        self.pending = items
        broken = 0
        if self._unopenable:  # by resolved path, not opens() per scan: that costs ~1 µs a scan
            stuck = self._still_unopenable()
            broken = sum(1 for item in self._items if not stuck.isdisjoint(item.keys))
            broken += sum(1 for _p, key in hand if key in stuck)
        rows = []
        for files in items[:DISPLAY_CAP]:
            text = " + ".join(p.name for p in files)
            if not self.opens(files):
                text += f" — could not be opened ({NEXT_KEY} skips it)"
            rows.append((str(files[0]), text))
        self._show_rows(rows)
        hidden = len(items) - len(rows)
        self.more.setText(f"… and {hidden} more, newer ({NEXT_KEY} still takes the oldest first)")
        self.more.setVisible(hidden > 0)
        where = f"Inbox {self.inbox.folder}" if self.inbox else "No inbox folder"
        settling = f", {self._settling} still arriving" if self.inbox and self._settling else ""
        unopened = f", {broken} could not be opened" if broken else ""
        if self.inbox is not None and self._listed is None:  # the first look is on the queue's thread
            self.header.setText(f"{where}: looking…" + (f" ({len(items)} opened by hand)" if items else ""))
            self.next_button.setEnabled(True)  # Shift+N waits for the look, then opens the oldest
        else:
            self.header.setText(f"{where}: {len(items)} undecided{settling}{unopened}")
            self.next_button.setEnabled(len(items) > broken)

    def _show_rows(self, rows: list[tuple[str, str]]) -> None:
        """Change only the rows that changed: most looks find nothing new, and a rebuild would cost
        time on every look and lose the officer's place (selection, scroll) in the list."""
        role = Qt.ItemDataRole.UserRole
        widget = self.list
        old = [(widget.item(i).data(role), widget.item(i).text()) for i in range(widget.count())]
        if old == rows:
            return
        wanted = {key for key, _text in rows}
        for i in reversed(range(len(old))):
            if old[i][0] not in wanted:
                widget.takeItem(i)
        for i, (key, text) in enumerate(rows):
            item = widget.item(i)
            if item is not None and item.data(role) == key:
                if item.text() != text:
                    item.setText(text)
                    item.setToolTip(text)
                continue
            item = QListWidgetItem(text)
            item.setToolTip(text)  # the panel is narrow; the reason a file is skipped must stay readable
            item.setData(role, key)
            widget.insertItem(i, item)
        while widget.count() > len(rows):  # rows that moved (a file rewritten) were inserted again above
            widget.takeItem(widget.count() - 1)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(Path(item.data(Qt.ItemDataRole.UserRole)))

    def _decided_now(self) -> frozenset[str]:
        if self.log is not None:
            try:
                new, self._decided_seq = decided_files(self.log, self._decided_seq)
            except DecisionLogError:  # a log that cannot be read shows in the review panel
                new = set()
            if new - self._decided:
                self._decided = self._decided | new
        return self._decided


def _stop(thread: QThread) -> None:
    # At interpreter exit Python may delete the QThread before the widget's destroyed signal runs;
    # a deleted QThread had stopped (one destroyed running aborts the process).
    if shiboken6.isValid(thread) and thread.isRunning():
        thread.quit()
        thread.wait()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
