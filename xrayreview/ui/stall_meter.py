"""How long the GUI thread went without running its event loop, and a real event loop to wait
in, for the UI benchmarks.

A timer asks to fire every few milliseconds on the GUI thread; each gap between its calls is
how long the officer's screen could not respond. The longest gap is the worst stall.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

TICK_MS = 5


class StallMeter:
    """start(), work with the event loop running, stop(); then ``gaps`` (ms) and ``longest``."""

    def __init__(self, interval_ms: int = TICK_MS) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._last = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def longest(self) -> float:
        """The longest gap in ms, the first (from start to the first tick) left out when there
        are others; NaN when the timer never fired."""
        return max(self.gaps[1:] or self.gaps or [float("nan")])

    def percentile(self, share: float) -> float:
        ordered = sorted(self.gaps)
        return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self._last)
        self._last = now


def spin_until(done: Callable[[], bool], timeout_s: float, check_ms: int = 10) -> None:
    """Run a real event loop (as the station's would) until ``done()`` or the timeout."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(check_ms)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    check.start()
    if not done():
        loop.exec()
    check.stop()
