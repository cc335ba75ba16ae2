"""The officer's queue: the scanner's inbox folder (watched) plus files opened by hand; 'next'
is the oldest scan nobody has decided yet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from ..decisions import DecisionLog, DecisionLogError, Inbox, decided_files

NEXT_KEY = "Shift+N"
POLL_MS = 2000  # files being written change without touching the folder: look again this often


class ReviewQueue(QWidget):
    open_requested = Signal(object)  # Path to open (either file of a pair opens both)

    def __init__(self, parent: QWidget | None = None, settle_s: float = 2.0,
                 pair_wait_s: float = 30.0) -> None:
        super().__init__(parent)
        self.settle_s, self.pair_wait_s = settle_s, pair_wait_s
        self.inbox: Inbox | None = None
        self.log: DecisionLog | None = None
        self._decided: set[str] = set()
        self._decided_seq = 0
        self._by_hand: list[Path] = []
        # Files that failed to open, with their size and time then: "next" passes over them (else one
        # broken file from the scanner would come back on every Shift+N) until the scanner rewrites them.
        self._unopenable: dict[Path, tuple[int, int] | None] = {}
        self.pending: list[tuple[Path, ...]] = []
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self.refresh())
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        layout = QVBoxLayout(self)
        self.header = QLabel("No inbox folder")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list)
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
        self._decided, self._decided_seq = set(), 0
        self.refresh()

    def set_inbox(self, folder: Path | None) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        if folder is None:
            self.inbox = None
            self._timer.stop()
        else:
            self.inbox = Inbox(Path(folder), self.settle_s, self.pair_wait_s)
            self._watcher.addPath(str(folder))
            self._timer.start()
        self.refresh()

    def add_files(self, paths: list[Path]) -> None:
        """Files opened by hand join the queue until they are decided."""
        for path in paths:
            if path not in self._by_hand:
                self._by_hand.append(Path(path))
        self.refresh()

    def set_unopenable(self, path: Path) -> None:
        """``path`` could not be opened: it stays listed, but "next" skips it while it is unchanged."""
        resolved = Path(path).resolve()
        self._unopenable[resolved] = _stamp(resolved)
        self.refresh()

    def opens(self, files: tuple[Path, ...]) -> bool:
        """False while one of ``files`` is as it was when it failed to open."""
        if not self._unopenable:
            return True
        for path in files:
            resolved = path.resolve()
            if resolved in self._unopenable:
                if self._unopenable[resolved] == _stamp(resolved):
                    return False
                del self._unopenable[resolved]  # written again since: worth another try
        return True

    def is_decided(self, files: tuple[Path, ...]) -> bool:
        """True when the log holds a decision on the scan read from ``files``."""
        decided = self._decided_now()
        return bool(files) and all(str(Path(p).resolve()) in decided for p in files)

    def refresh(self) -> None:
        decided = self._decided_now()
        items: list[tuple[Path, ...]] = []
        if self.inbox is not None:
            items = [item.files for item in self.inbox.pending(decided)]
        in_inbox = {p for files in items for p in files}
        items += [(p,) for p in self._by_hand if p not in in_inbox and str(p.resolve()) not in decided]
        self.pending = items
        self.list.clear()
        broken = 0
        for files in items:
            text = " + ".join(p.name for p in files)
            if not self.opens(files):
                broken += 1
                text += f" — could not be opened ({NEXT_KEY} skips it)"
            entry = QListWidgetItem(text)
            entry.setToolTip(text)  # the panel is narrow; the reason a file is skipped must stay readable
            entry.setData(Qt.ItemDataRole.UserRole, str(files[0]))
            self.list.addItem(entry)
        where = f"Inbox {self.inbox.folder}" if self.inbox else "No inbox folder"
        settling = f", {self.inbox.settling} still arriving" if self.inbox and self.inbox.settling else ""
        unopened = f", {broken} could not be opened" if broken else ""
        self.header.setText(f"{where}: {len(items)} undecided{settling}{unopened}")
        self.next_button.setEnabled(len(items) > broken)

    def open_next(self) -> Path | None:
        self.refresh()
        path = next((files[0] for files in self.pending if self.opens(files)), None)
        if path is not None:
            self.open_requested.emit(path)
        return path

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(Path(item.data(Qt.ItemDataRole.UserRole)))

    def _decided_now(self) -> set[str]:
        if self.log is not None:
            try:
                new, self._decided_seq = decided_files(self.log, self._decided_seq)
            except DecisionLogError:  # a log that cannot be read shows in the review panel
                new = set()
            self._decided |= new
        return self._decided


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
