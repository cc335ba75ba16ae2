import os

import pytest

# Tests never touch the officer's real data folder, and Qt never needs a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-ins at the shipped scrypt cost (0.27 s each) would add minutes to the suite; the
    cost itself is tested on its own (tests/unit/test_decisions_accounts.py)."""
    import xrayreview.decisions.accounts as accounts  # noqa: PLC0415

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)


@pytest.fixture
def refuse_training_records(monkeypatch: pytest.MonkeyPatch):
    """A function: from now on the training log refuses records of the given kinds, as a read-only
    file would. Every training record goes through TrainingWriter.append, alone or several in one
    transaction, so patching it reaches them all."""
    from xrayreview.decisions import LogUnavailable  # noqa: PLC0415
    from xrayreview.training.records import TrainingWriter  # noqa: PLC0415

    def refuse(kinds: set[str]) -> None:
        real = TrainingWriter.append

        def append(self, kind, content):  # noqa: ANN001, ANN202
            if kind in kinds:
                raise LogUnavailable("The training log (training.sqlite) is read-only. Nothing was recorded.")
            return real(self, kind, content)

        monkeypatch.setattr(TrainingWriter, "append", append)

    return refuse
