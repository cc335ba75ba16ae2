"""A one-line progress bar on stderr for the headless commands."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws in place on a terminal; in a log file it writes a line every few percent."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(1, total)
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.tty = self.stream.isatty()
        self._last_percent = -1

    def update(self, done: int, note: str = "") -> None:
        percent = int(100 * done / self.total)
        if not self.tty and percent // 5 == self._last_percent // 5 and done != self.total:
            return
        self._last_percent = percent
        filled = int(self.width * done / self.total)
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {rate:.1f}/s {note}"
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
