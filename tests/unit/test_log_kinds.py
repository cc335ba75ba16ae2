"""The decision log and the training log share a format, but one is never opened as the other:
a mistyped path must not append a sign-in to the training chain, nor a decision to it."""

import sqlite3

import pytest

from xrayreview.cli import main
from xrayreview.decisions import Accounts, DecisionLog, LogUnavailable, verify
from xrayreview.training.records import TRAINING_LOG, TrainingLog


def _chain_length(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]


def _unstamp(path) -> None:
    """As a log made before the kind was stamped."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 0")


@pytest.fixture
def logs(tmp_path):
    decisions, training = tmp_path / "decisions.sqlite", tmp_path / "training.sqlite"
    with DecisionLog(decisions) as log:
        Accounts(log).create_first_admin("ada", "correct horse battery")
    with TrainingLog(training) as log:
        log.append("training_plan", {"name": "week 1"})
    return decisions, training


def test_each_log_refuses_to_open_as_the_other(logs):
    decisions, training = logs
    before = (_chain_length(decisions), _chain_length(training))
    with pytest.raises(LogUnavailable, match=r"is not the decision log: it is the station's training log"):
        DecisionLog(training)
    with pytest.raises(LogUnavailable, match=r"is not the training log: it is the station's decision log"):
        TrainingLog(decisions)
    with pytest.raises(LogUnavailable, match="is not the training log"):
        verify(decisions, label=TRAINING_LOG)
    assert (_chain_length(decisions), _chain_length(training)) == before
    assert verify(decisions).ok and verify(training, label=TRAINING_LOG).ok


def test_a_log_made_before_the_stamp_is_told_by_its_records_and_then_stamped(logs):
    decisions, training = logs
    _unstamp(decisions)
    _unstamp(training)
    with pytest.raises(LogUnavailable, match="holds 'training_plan' records, which a decision log never"):
        DecisionLog(training)
    with pytest.raises(LogUnavailable, match="holds 'account' records"):
        verify(decisions, label=TRAINING_LOG)
    with TrainingLog(training) as log:  # its own kind: opened, and stamped from now on
        assert [r.kind for r in log.records()] == ["training_plan"]
    _unstamp(decisions)
    with DecisionLog(decisions):
        pass
    with pytest.raises(LogUnavailable, match="it is the station's decision log"):
        TrainingLog(decisions)


def test_training_results_with_the_training_log_as_db_records_nothing(logs, monkeypatch, capsys):
    decisions, training = logs
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("correct horse battery\n"))
    before = _chain_length(training)
    code = main(["training", "results", "--user", "ada", "--db", str(training), "--log", str(training)])
    assert code == 2
    assert "is not the decision log" in capsys.readouterr().err
    assert _chain_length(training) == before


def test_a_failed_read_does_not_claim_that_nothing_was_recorded(logs):
    # "Nothing was recorded" answers a refused write; said after a read or a verify it misleads.
    decisions, training = logs
    with pytest.raises(LogUnavailable) as refused:
        verify(decisions, label=TRAINING_LOG)
    assert "Check the path" in str(refused.value) and "Nothing was recorded" not in str(refused.value)
    with pytest.raises(LogUnavailable) as refused:
        DecisionLog(training)  # opening to write
    assert "Nothing was recorded" in str(refused.value)
