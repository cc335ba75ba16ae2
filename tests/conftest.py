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
