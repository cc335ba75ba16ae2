"""Training records: a separate chained file, never in the operational log, tampering detected."""

import sqlite3

import cv2
import numpy as np
import pytest

from xrayreview.decisions.errors import InvalidRecord
from xrayreview.decisions.log import DecisionLog, verify
from xrayreview.training.library import Library
from xrayreview.training.plan import SessionSpec
from xrayreview.training.records import TRAINING_LOG, TrainingLog, default_training_path
from xrayreview.training.session import TrainingSession


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    image = np.full((60, 80), 60000, np.uint16)
    image[10:50, 10:70] = 20000
    cv2.imwrite(str(tmp_path / "clean.png"), image)
    return tmp_path


def _run(log, library, trainee, decisions):
    session = TrainingSession.start(SessionSpec(scans=len(decisions), threat_share=0.0, seed=1), library,
                                    trainee, log=log)
    for decision in decisions:
        session.next_scan()
        session.answer(decision, seconds=2.5)
    return session


def test_session_is_recorded_in_its_own_chained_file(data):
    library = Library.of_files([data / "clean.png"])
    with TrainingLog() as log:
        assert log.path == default_training_path() and log.path.name == "training.sqlite"
        _run(log, library, "trainee1", ["clear", "refer"])
        _run(log, library, "trainee1", ["clear"])
        kinds = [r.kind for r in log.records()]
        assert kinds == ["training_session", "training_answer", "training_answer", "training_summary",
                         "training_session", "training_answer", "training_summary"]
        history = log.sessions_of("trainee1")
        assert [h.content["overall"]["false_alarms"] for h in history] == [1, 0]
        assert log.verify().ok
    # The operational log is a different file and holds no training record.
    with DecisionLog() as operational:
        assert operational.count() == 0
    assert verify(default_training_path(), label=TRAINING_LOG).records == 7


def test_training_records_are_append_only_and_tampering_shows(data):
    library = Library.of_files([data / "clean.png"])
    with TrainingLog() as log:
        _run(log, library, "trainee2", ["clear", "clear"])
    conn = sqlite3.connect(default_training_path())
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET body = '{}' WHERE seq = 2")
    conn.execute("DROP TRIGGER records_no_update")  # someone with the file and a SQLite shell
    conn.execute("UPDATE records SET body = replace(body, 'clear', 'refer') WHERE seq = 2")
    conn.commit()
    conn.close()
    result = verify(default_training_path(), label=TRAINING_LOG)
    assert not result.ok and result.first_break.seq == 2


def test_only_training_kinds_and_plain_data(data):
    with TrainingLog() as log:
        with pytest.raises(InvalidRecord):
            log.append("decision", {"decision": "clear"})
        with pytest.raises(InvalidRecord):
            log.append("training_answer", {"bad": object()})
        assert list(log.records()) == []


def test_a_transaction_commits_all_its_records_or_none(data):
    with TrainingLog() as log:
        with log.transaction() as writer:
            first = writer.append("training_session", {"trainee": "t"})
            second = writer.append("training_answer", {"session": first})
        assert (first, second) == (1, 2)
        with pytest.raises(InvalidRecord), log.transaction() as writer:
            writer.append("training_answer", {"session": first})
            writer.append("decision", {"decision": "clear"})  # refused: the answer before goes too
        with pytest.raises(RuntimeError), log.transaction() as writer:
            writer.append("training_summary", {"session": first})
            raise RuntimeError("killed half-way")
        assert [r.kind for r in log.records()] == ["training_session", "training_answer"]
        log.append("training_summary", {"session": first})  # the chain goes on from the last commit
        assert log.verify().ok and log.verify().records == 3


def test_results_csv_history(data):
    import csv

    from xrayreview.training.export import export_results_csv

    library = Library.of_files([data / "clean.png"])
    with TrainingLog() as log:
        _run(log, library, "ana", ["clear", "refer"])
        _run(log, library, "ben", ["clear"])
        _run(log, library, "ana", ["clear", "clear"])
        assert export_results_csv(log, data / "ana.csv", trainee="ana") == 2
        assert export_results_csv(log, data / "all.csv") == 3
    rows = list(csv.DictReader((data / "ana.csv").open(encoding="utf-8")))
    assert [r["false_alarm_rate"] for r in rows] == ["0.500", "0.000"]
    assert rows[0]["hit_rate"] == "" and rows[0]["d_prime"] == ""  # no threats: H and d' undefined
    assert {r["trainee"] for r in csv.DictReader((data / "all.csv").open(encoding="utf-8"))} == {"ana", "ben"}
