"""Training records: their own SQLite file, with the decision log's integrity guarantees.

Training answers must never appear in the operational audit, so they live in a separate file
(``training.sqlite`` beside the decision log) that the audit never opens, and under record
kinds the audit never queries. The file is opened by the decision log's own code (WAL,
synchronous=FULL, append-only triggers, schema migrations, readable failures) and each
record is chained with its hash function, so ``xrayreview.decisions.log.verify`` walks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..decisions.chain import VerifyResult
from ..decisions.errors import InvalidRecord
from ..decisions.log import DecisionLog, LogLabel, LogRecord, Writer, now_utc
from ..paths import data_dir

# Messages about a damaged or unreadable training log must send the admin to this file's own
# check (`xrayreview training verify`), not to the decision log's.
# training_plan: a session a trainer built (plan, ground truth, who may run it), kept for trainees to run.
TRAINING_KINDS = ("training_plan", "training_session", "training_answer", "training_summary")

TRAINING_LOG = LogLabel("training log", "xrayreview training verify --log", TRAINING_KINDS)


def default_training_path() -> Path:
    return data_dir() / "training.sqlite"


class TrainingLog:
    """Append-only, hash-chained training records."""

    def __init__(self, path: Path | None = None, *, station_id: str | None = None) -> None:
        self.path = Path(path) if path is not None else default_training_path()
        self._log = DecisionLog(self.path, station_id=station_id, label=TRAINING_LOG)

    def close(self) -> None:
        self._log.close()

    def __enter__(self) -> TrainingLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[TrainingWriter]:
        """All-or-nothing: the records appended through the writer commit together or not at all.

        LogUnavailable when the file cannot be written; any error inside the block rolls back
        every record appended in it.
        """
        with self._log.transaction() as writer:
            yield TrainingWriter(writer, self._log.station_id)

    def append(self, kind: str, content: dict[str, Any]) -> int:
        """Commit one record; returns its number. LogUnavailable when the file cannot be written."""
        with self.transaction() as writer:
            return writer.append(kind, content)

    def records(self, kind: str | None = None) -> Iterator[LogRecord]:
        return self._log.records(kind)

    def verify(self) -> VerifyResult:
        return self._log.verify()

    def sessions_of(self, trainee: str) -> list[LogRecord]:
        """A trainee's session summaries, oldest first: their history over time."""
        return [r for r in self.records("training_summary") if r.content.get("trainee") == trainee]


class TrainingWriter:
    """Appends training records inside one open transaction (see TrainingLog.transaction): the
    decision log's chaining, with the time and station each training record carries."""

    def __init__(self, writer: Writer, station: str) -> None:
        self._writer = writer
        self._station = station

    def append(self, kind: str, content: dict[str, Any]) -> int:
        """Add one record to the open transaction; returns its number (final once it commits)."""
        if kind not in TRAINING_KINDS:
            raise InvalidRecord(f"unknown training record kind {kind!r}")
        return self._writer.append(kind, {**content, "recorded_at": now_utc(), "station": self._station}).seq
