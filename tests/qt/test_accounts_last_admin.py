"""The admin's accounts panel when a change would leave the station without an active admin:
refused in the admin's words, nothing written, and the panel goes on working."""

from __future__ import annotations

import pytest

from xrayreview.decisions import Accounts, DecisionLog
from xrayreview.ui.login_accounts import AccountsPanel

ONLY_ADMIN = "root is the station's only active admin; make another admin first."


@pytest.fixture
def panel(qtbot, tmp_path):
    log = DecisionLog(tmp_path / "accounts.sqlite")
    accounts = Accounts(log)
    root = accounts.create_first_admin("root", "admin-pass")
    accounts.create(root, "olga", "officer", "officer-pass")
    widget = AccountsPanel(accounts, root)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close()
    log.close()


def _rows(panel):
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_the_only_admin_demoting_themselves_is_refused_and_the_panel_stays_usable(panel):
    log = panel.accounts.log
    before = log.head()
    panel.list.setCurrentRow(_rows(panel).index("root  (admin)"))  # picks the name into the form
    assert panel.username.text() == "root"
    panel.role.setCurrentText("officer")
    panel.set_role()
    assert panel.message.text() == ONLY_ADMIN and "#d32f2f" in panel.message.styleSheet()
    assert log.head() == before and _rows(panel) == ["olga  (officer)", "root  (admin)"]
    # Still the admin: a second admin can be made, after which root may step down.
    panel.username.setText("ada")
    panel.role.setCurrentText("admin")
    panel.password.setText("ada-password")
    panel.add()
    assert panel.message.text() == "ada: added." and "ada  (admin)" in _rows(panel)
    panel.username.setText("root")
    panel.role.setCurrentText("supervisor")
    panel.set_role()
    assert "root: role changed." in panel.message.text()
    assert "root (supervisor) may not manage accounts" in panel.message.text()
