"""Sign-in: first run creates the admin; wrong passwords lock the account; idle time locks the station."""

import pytest
from PySide6.QtCore import Qt

from xrayreview.decisions import AccountPolicy, Accounts, DecisionLog
from xrayreview.ui.login_dialog import LoginDialog
from xrayreview.ui.login_idle import IdleLock


@pytest.fixture
def accounts(tmp_path):
    log = DecisionLog(tmp_path / "log.sqlite")
    yield Accounts(log, AccountPolicy(max_failures=2))
    log.close()


def _dialog(qtbot, accounts, **kwargs):
    dialog = LoginDialog(accounts, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()  # never exec(): a test must not block on a modal dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_first_run_creates_the_admin_by_keyboard(qtbot, accounts):
    dialog = _dialog(qtbot, accounts)
    assert dialog.first_run
    qtbot.keyClicks(dialog.username, "root")
    qtbot.keyClicks(dialog.password, "admin-pass")
    qtbot.keyClicks(dialog.repeat, "admin-pazz")
    dialog.submit()
    assert "differ" in dialog.error.text() and dialog.account is None
    qtbot.keyClicks(dialog.password, "admin-pass")
    qtbot.keyClicks(dialog.repeat, "admin-pass")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert signal.args[0].role == "admin" and not accounts.needs_first_admin()


def test_wrong_passwords_lock_the_account(qtbot, accounts):
    admin = accounts.create_first_admin("root", "admin-pass")
    accounts.create(admin, "olga", "officer", "officer-pass")
    dialog = _dialog(qtbot, accounts)
    assert not dialog.first_run and not dialog.repeat.isVisible()
    qtbot.keyClicks(dialog.username, "olga")
    for _ in range(2):
        qtbot.keyClicks(dialog.password, "guess")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "locked" in dialog.error.text() and dialog.account is None
    qtbot.keyClicks(dialog.password, "officer-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "locked" in dialog.error.text() and dialog.isVisible()


def test_idle_time_locks_and_input_postpones_it(qtbot):
    from PySide6.QtWidgets import QLineEdit

    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    lock = IdleLock(0.4)
    fired = []
    lock.locked.connect(lambda: fired.append(True))
    lock.start()
    for _ in range(8):  # 0.8 s of typing: twice the idle time, never idle for long
        qtbot.keyClick(field, Qt.Key.Key_A)
        qtbot.wait(100)
    assert fired == []
    with qtbot.waitSignal(lock.locked, timeout=2000):
        pass
    lock.stop()


def test_admin_adds_an_officer_and_others_cannot(qtbot, accounts):
    from xrayreview.decisions import PermissionDenied
    from xrayreview.ui.login_accounts import AccountsPanel

    admin = accounts.create_first_admin("root", "admin-pass")
    panel = AccountsPanel(accounts, admin)
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.username, "olga")
    panel.role.setCurrentText("officer")
    qtbot.keyClicks(panel.password, "short")
    panel.add()
    assert "at least 8" in panel.message.text() and panel.list.count() == 1
    qtbot.keyClicks(panel.password, "officer-pass")
    panel.add()
    assert panel.list.count() == 2 and "added" in panel.message.text()
    assert accounts.authenticate("olga", "officer-pass").role == "officer"
    with pytest.raises(PermissionDenied):
        AccountsPanel(accounts, accounts.authenticate("olga", "officer-pass"))
