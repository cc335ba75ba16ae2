"""The supervisor's audit and the admin's sign-in and accounts under trouble: filters that cannot
be applied, a damaged log, exports that fail, a scan that is gone, wrong passwords, a log that is
locked, unwritable or damaged at sign-in, look-alike names, an admin demoted mid-work."""

from __future__ import annotations

import json
import sqlite3

import pytest

from xrayreview.decisions import (
    Account,
    AccountPolicy,
    Accounts,
    Decision,
    DecisionLog,
    LogUnavailable,
    ModelInfo,
    ScanInfo,
    now_utc,
    record_decision,
)
from xrayreview.decisions.log import Writer
from xrayreview.scan import load_scan
from xrayreview.ui.audit_view import AuditView
from xrayreview.ui.login_accounts import AccountsPanel
from xrayreview.ui.login_dialog import LoginDialog

SUPERVISOR = Account("sam", "supervisor")
PISTOL = {"label": "pistol", "category": "firearm", "score": 0.93, "box": [500, 150, 560, 250],
          "verdict": "dismissed"}


def _decide(log, info, who, decision, note=""):
    record_decision(log, Account(who, "officer"), Decision(
        info, decision, now_utc(), note=note, model=ModelInfo("reference", "f" * 64, 0.35),
        detector_marks=[PISTOL] if decision == "clear" else []))


@pytest.fixture
def logged(tmp_path, single_tiff):
    log = DecisionLog(tmp_path / "log.sqlite")
    info = ScanInfo.from_scan(load_scan(single_tiff))
    for who, decision in (("olga", "clear"), ("otto", "refer"), ("otto", "rescan")):
        _decide(log, info, who, decision)
    yield log
    log.close()


@pytest.fixture
def view(qtbot, logged):
    widget = AuditView(logged, SUPERVISOR)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def _damage(log, fill, start=None):
    """Garbage over the log file from ``start`` (its second half), once its pages are all in the
    main file: a disk going bad under the open log."""
    fill()
    with sqlite3.connect(log.path) as other:
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = log.path.stat().st_size
    start = size // 2 if start is None else start
    with open(log.path, "r+b") as handle:
        handle.seek(start)
        handle.write(b"\xa5" * (size - start))  # no page type SQLite knows


@pytest.mark.parametrize(("start", "end", "said"), [
    ("2026-11-30", "2026-11-01", "starts (2026-11-30) after it ends (2026-11-01)"),
    ("yesterday", "", "'yesterday' is not a date"),
    ("", "2026-02-30", "'2026-02-30' is not a date"),
])
def test_a_filter_that_cannot_be_applied_is_said_and_the_table_keeps_what_it_showed(view, start, end, said):
    view.officer.setCurrentIndex(view.officer.findData("otto"))
    view.apply_filter()
    assert [row.officer for row in view.rows] == ["otto", "otto"]
    view.start.setText(start)
    view.end.setText(end)
    view.apply_filter()
    assert said in view.filter_error.text()
    assert view.model.rowCount() == 2 and "2 decision(s)" in view.summary.text()


def test_an_export_names_the_filter_its_rows_came_from(view, tmp_path):
    view.officer.setCurrentIndex(view.officer.findData("otto"))
    view.apply_filter()
    view.officer.setCurrentIndex(view.officer.findData("olga"))  # changed, not applied
    view.end.setText("2000-01-01")
    view.apply_filter()  # refused: ends before it starts
    assert "2 decision(s) written" in view.export("json", tmp_path / "audit.json")
    exported = json.loads((tmp_path / "audit.json").read_text())
    assert exported["filter"]["officer"] == "otto" and exported["filter"]["end"] is None
    assert {d["officer"] for d in exported["decisions"]} == {"otto"}


def test_verify_on_a_damaged_log_says_so_in_red(view, logged, single_tiff):
    assert view.verify() and "#2e7d32" in view.chain_label.styleSheet()
    info = ScanInfo.from_scan(load_scan(single_tiff))
    _damage(logged, lambda: [_decide(logged, info, "olga", "clear", "x" * 2000) for _ in range(40)])
    assert not view.verify()
    assert "damaged" in view.chain_label.text() or "cannot be read" in view.chain_label.text()
    assert "#d32f2f" in view.chain_label.styleSheet()
    view.apply_filter()
    assert "cannot be read" in view.filter_error.text() or "damaged" in view.filter_error.text()


def test_exports_that_fail_say_why_in_red(view, logged, tmp_path):
    view.verify()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for fmt in ("csv", "json", "pdf", "yolo", "coco", "tdr"):
        said = view.export(fmt, blocker / "export")
        assert said.startswith("Export failed:") and "could not be written" in said, said
        assert "#d32f2f" in view.chain_label.styleSheet()
    before = logged.path.read_bytes()
    assert "is a SQLite database" in view.export("csv", logged.path)
    assert logged.path.read_bytes() == before


def test_reopening_a_decision_whose_scan_is_gone_says_so(qtbot, view, single_tiff):
    single_tiff.unlink()
    reopened = view.reopen(1)
    qtbot.addWidget(reopened)
    assert reopened.scan is None and "cannot be shown" in reopened.warning.text()
    assert "does not exist" in reopened.warning.text() and "otto" in reopened.header.text()


# -- sign-in and accounts ---------------------------------------------------------------------


@pytest.fixture
def accounts(tmp_path):
    log = DecisionLog(tmp_path / "accounts.sqlite", busy_timeout_s=0.2)
    accounts = Accounts(log, AccountPolicy(max_failures=3))
    root = accounts.create_first_admin("root", "admin-pass")
    accounts.create(root, "olga", "officer", "officer-pass")
    accounts.create(root, "adam", "admin", "adam-pass-1")
    yield accounts
    log.close()


def _dialog(qtbot, accounts):
    dialog = LoginDialog(accounts)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _try(dialog, name, password):
    dialog.username.setText(name)
    dialog.password.setText(password)
    dialog.submit()
    return dialog.error.text()


def test_wrong_passwords_read_the_same_for_any_name_until_the_lock_names_the_account(qtbot, accounts):
    dialog = _dialog(qtbot, accounts)
    unknown = _try(dialog, "nobody", "guess-guess")
    assert unknown.startswith("Wrong user name or password.")
    assert [_try(dialog, "olga", "guess-guess") for _ in range(2)] == [unknown, unknown]
    assert "account olga is now locked" in _try(dialog, "olga", "guess-guess")
    assert "account olga is locked" in _try(dialog, "olga", "officer-pass")
    assert dialog.account is None and dialog.password.text() == "" and dialog.isVisible()


def test_a_log_locked_by_another_program_at_sign_in_is_said(qtbot, accounts):
    dialog = _dialog(qtbot, accounts)
    other = sqlite3.connect(accounts.log.path)
    try:
        other.execute("BEGIN EXCLUSIVE")
        said = _try(dialog, "root", "admin-pass")
    finally:
        other.rollback()
        other.close()
    assert "another program holds it locked" in said and dialog.account is None
    _try(dialog, "root", "admin-pass")  # the other program let go: signed in
    assert dialog.account.username == "root" and not dialog.isVisible()


def test_a_log_that_refuses_writes_at_sign_in_is_said(qtbot, accounts, monkeypatch):
    dialog = _dialog(qtbot, accounts)

    def refuse(self, kind, content):  # noqa: ANN001, ARG001
        raise LogUnavailable("The decision log is read-only. Nothing was recorded.")

    monkeypatch.setattr(Writer, "append", refuse)
    assert "read-only" in _try(dialog, "root", "admin-pass") and dialog.account is None


def test_a_log_damaged_before_sign_in_opens_is_said_in_the_dialog(qtbot, accounts):
    root = Account("root", "admin")
    _damage(accounts.log, lambda: [accounts.create(root, f"user{i:02d}{'x' * 50}", "officer", "officer-pass")
                                   for i in range(60)], start=4096)
    dialog = _dialog(qtbot, accounts)
    assert not dialog.first_run  # never offered to make a new admin over a table it cannot read
    assert "damaged" in dialog.error.text() and dialog.windowTitle() == "Sign in"


@pytest.fixture
def panel(qtbot, accounts):
    widget = AccountsPanel(accounts, Account("root", "admin"))
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.mark.parametrize("name", ["OLGA", "оlga", "ｏｌｇａ", " olga "])  # Cyrillic о, full width
def test_names_that_read_like_an_existing_one_are_refused(panel, name):
    panel.username.setText(name)
    panel.password.setText("another-pass")
    panel.add()
    assert "an account named 'olga' exists already" in panel.message.text()
    assert panel.list.count() == 3 and panel.password.text() == ""


def test_an_admin_demoted_while_the_panel_is_open_is_told(panel, accounts):
    adam = accounts.authenticate("adam", "adam-pass-1")
    accounts.set_role(adam, "root", "officer")
    panel.username.setText("olga")
    panel.unlock()
    assert "root (officer) may not manage accounts" in panel.message.text()
    panel.username.setText("root")
    panel.password.setText("a-new-pass-1")
    panel.set_password()  # anyone may change their own password: done, but the list is not theirs
    assert "root: password set." in panel.message.text()
    assert "list cannot be shown" in panel.message.text() and panel.list.count() == 0


def test_an_admin_who_demotes_themselves_is_told_what_happened(panel):
    panel.username.setText("root")
    panel.role.setCurrentText("supervisor")
    panel.set_role()
    assert "root: role changed." in panel.message.text()
    assert "root (supervisor) may not manage accounts" in panel.message.text()


def test_the_idle_lock_on_a_damaged_log_still_shows_the_sign_in(qtbot, whole):
    desk = whole.review
    admin = Account("root", "admin")
    _damage(desk.log, lambda: [desk.accounts.create(admin, f"user{i:02d}{'x' * 50}", "officer",
                                                    "officer-pass") for i in range(60)], start=4096)
    desk.lock()  # what the idle timer does
    assert desk.login is not None and desk.login.isVisible()
    assert "damaged" in desk.login.error.text()
    desk.login.reject()
