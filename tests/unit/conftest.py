"""Fixtures shared by the unit tests of more than one file."""

import pytest
from pdf_fonts import DEJAVU

from xrayreview.reports.fonts import ENV_VAR


@pytest.fixture
def dejavu(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF reports set in DejaVu Sans, named by the override (skipped where it is not installed)."""
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is not installed here")
    monkeypatch.setenv(ENV_VAR, str(DEJAVU))
