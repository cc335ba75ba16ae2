"""Run the real code in a child process and SIGKILL it at a chosen moment (for the kill tests).

The child runs a snippet of test code that calls the station's own writers. Before that it may
install a pause point: the n-th write (or ``__exit__``, ``close``) on a file of a given name,
or the n-th SQL statement of a kind on a connection. When the real code gets there the child
prints ``PAUSED …`` and sleeps, so the parent's SIGKILL lands exactly there: half-way through
a file, between two files, inside a transaction. Nothing stands in for the writer itself; the
pause only decides *when* the kill comes, which keeps these tests deterministic.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pause_in_file(name: str, nth: int = 1, calls: tuple[str, ...] = ("write",)) -> None:
    """Pause the child at the ``nth`` call named in ``calls`` on a file object named ``name``.

    ``name`` is a file name without folder, or a pattern (``*.png``); the same file written as
    ``NAME.partial`` counts too, so a test reads the same before and after a fix that stages
    files. Only files open for writing count, and only calls made from Python code are seen
    (a profile hook): file.write, the with-block's ``__exit__`` (the moment before the close)
    and close.
    """
    seen = 0

    def hook(_frame: Any, event: str, arg: Any) -> None:
        nonlocal seen
        if event != "c_call" or getattr(arg, "__name__", "") not in calls:
            return
        handle = getattr(arg, "__self__", None)
        target, mode = getattr(handle, "name", None), getattr(handle, "mode", "")
        if not isinstance(target, str) or not isinstance(mode, str) or not set(mode) & set("wax+"):
            return  # files read (a check before the write) do not count
        if not fnmatch(os.path.basename(target).removesuffix(".partial"), name):
            return
        seen += 1
        if seen == nth:
            pause(f"{arg.__name__} {target}")

    sys.setprofile(hook)
    threading.setprofile(hook)


def pause_in_sql(conn: Any, prefix: str, nth: int = 1) -> None:
    """Pause the child when ``conn`` is about to run its ``nth`` statement starting with ``prefix``."""
    seen = 0

    def trace(statement: str) -> None:
        nonlocal seen
        if statement.lstrip().upper().startswith(prefix.upper()):
            seen += 1
            if seen == nth:
                pause(statement.split("(")[0].strip())

    conn.set_trace_callback(trace)


def pause(what: str) -> None:
    print(f"PAUSED {what}", flush=True)
    while True:
        time.sleep(60)


class Child:
    """``python -c CODE ARGS…`` with this folder importable; killed (SIGKILL) on leaving the block."""

    def __init__(self, code: str, *args: object, env: dict[str, str] | None = None) -> None:
        self._stderr = tempfile.TemporaryFile()
        path = os.pathsep.join([str(REPO), str(HERE), os.environ.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env={**os.environ, **(env or {}), "PYTHONPATH": path}, cwd=REPO)
        self.lines: list[str] = []
        self._buffer = b""
        self._read = 0  # lines handed out by expect

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill()

    def send(self, line: str = "") -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str, timeout: float = 30.0) -> str:
        """The next printed line starting with ``prefix`` (earlier ones are kept in ``lines``)."""
        deadline = time.monotonic() + timeout
        while True:
            while self._read < len(self.lines):
                line = self.lines[self._read]
                self._read += 1
                if line.startswith(prefix):
                    return line
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(left):
                raise AssertionError(f"the child never printed {prefix!r}; it printed {self.lines}, "
                                     f"stderr:\n{self.stderr()}")

    def kill(self) -> list[str]:
        """SIGKILL now (if still running); every line it printed."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        while self._pump(0.0):
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()
        return self.lines

    def kill_after(self, seconds: float) -> list[str]:
        time.sleep(seconds)
        return self.kill()

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def _pump(self, timeout: float) -> bool:
        """Read what the child printed within ``timeout``; False once its output has ended."""
        out = self.proc.stdout
        if out is None or out.closed:
            return False
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            return timeout > 0
        chunk = os.read(out.fileno(), 65536)
        if not chunk:
            return False
        self._buffer += chunk
        *whole, self._buffer = self._buffer.split(b"\n")
        self.lines += [line.decode() for line in whole]
        return True


def run_killed(code: str, *args: object, until: str = "PAUSED", env: dict[str, str] | None = None,
               before_kill: Callable[[Child], None] | None = None) -> list[str]:
    """Start the child, wait for the line starting with ``until``, SIGKILL it; its printed lines."""
    with Child(code, *args, env=env) as child:
        child.expect(until)
        if before_kill is not None:
            before_kill(child)
        return child.kill()
