"""One background thread for the trainer's slow work: building sessions, generating and projecting scans.

Jobs are plain callables that take a ``progress(done, total)`` function and return plain data
(a plan, a scan, a library entry); only their results cross back to the GUI thread, through
queued signals. Jobs run one at a time in the order given. ``cancel`` asks the running job to
stop at its next check and drops whatever it still returns; ``shutdown`` waits for the thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..scan import ScanError
from ..training.errors import TrainingError

Job = Callable[[Callable[[int, int], None]], Any]


class _Runner(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)
    progress = Signal(int, int, int)

    def __init__(self, cancelled: set[int]) -> None:
        super().__init__()
        self._cancelled = cancelled

    @Slot(int, object)
    def run(self, job_id: int, job: object) -> None:
        if job_id in self._cancelled:
            return
        try:
            result = job(lambda done, total: self.progress.emit(job_id, done, total))  # type: ignore[operator]
        except (TrainingError, ScanError, ValueError, OSError) as exc:
            self.failed.emit(job_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - one broken scan must not end the trainer's thread
            self.failed.emit(job_id, f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(job_id, result)


class BackgroundJobs(QObject):
    """``submit`` a job, get its number; ``finished``/``failed``/``progress`` name it."""

    finished = Signal(int, object)
    failed = Signal(int, str)
    progress = Signal(int, int, int)
    _send = Signal(int, object)

    def __init__(self, name: str = "trainer", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self.cancelled: set[int] = set()  # read by the worker between steps (see should_stop)
        self.pending: set[int] = set()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner(self.cancelled)
        self._runner.moveToThread(self._thread)
        self._send.connect(self._runner.run)
        self._runner.done.connect(self._done)
        self._runner.failed.connect(self._failed)
        self._runner.progress.connect(self._progress)
        self._thread.start()

    def reserve(self) -> int:
        """A job number to build the job with (for ``should_stop``) before submitting it."""
        return next(self._ids)

    def submit(self, job: Job, job_id: int | None = None) -> int:
        job_id = job_id if job_id is not None else self.reserve()
        self.pending.add(job_id)
        self._send.emit(job_id, job)
        return job_id

    def should_stop(self, job_id: int) -> Callable[[], bool]:
        """For jobs that can stop between steps: True once the job was cancelled."""
        return lambda: job_id in self.cancelled

    def cancel(self, job_id: int | None = None) -> None:
        """Drop one job (or all pending ones); a running job stops at its next check."""
        for dropped in ([job_id] if job_id is not None else list(self.pending)):
            self.cancelled.add(dropped)
            self.pending.discard(dropped)

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def shutdown(self) -> None:
        self.cancel()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def _done(self, job_id: int, result: object) -> None:
        if job_id in self.pending:
            self.pending.discard(job_id)
            self.finished.emit(job_id, result)

    def _failed(self, job_id: int, message: str) -> None:
        if job_id in self.pending:
            self.pending.discard(job_id)
            self.failed.emit(job_id, message)

    def _progress(self, job_id: int, done: int, total: int) -> None:
        if job_id in self.pending:
            self.progress.emit(job_id, done, total)
