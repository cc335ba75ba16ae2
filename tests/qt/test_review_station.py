"""The decision desk inside the station: sign in, review the scan on screen by keyboard, the
queue moves on, an officer has no audit, a supervisor has; the idle lock hides the scan."""

import pytest
from PySide6.QtCore import Qt

from xrayreview.decisions import Accounts, DecisionLog, default_log_path
from xrayreview.ui.review_desk import ReviewDesk


@pytest.fixture
def desk(station, station_data):
    with DecisionLog(default_log_path()) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
    existing = getattr(station, "review", None)
    desk = existing if isinstance(existing, ReviewDesk) else ReviewDesk(station)
    yield desk
    desk.shutdown()


def _sign_in(qtbot, desk, user, password):
    dialog = desk.sign_in()
    qtbot.keyClicks(dialog.username, user)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.signed_in):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    desk.window.activateWindow()


def test_officer_reviews_the_scan_on_screen_by_keyboard(qtbot, station, desk, driver, single_tiff):
    _sign_in(qtbot, desk, "olga", "officer-pass")
    scan = driver.open(station, single_tiff)
    assert desk.panel.scan is scan
    assert not desk.audit_action.isEnabled() and desk.open_audit() is None
    station.viewer.setFocus()
    with qtbot.waitSignal(desk.panel.decided) as decided:
        qtbot.keyClick(station.viewer, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    record = desk.log.record(decided.args[0]).content
    assert record["officer"] == "olga" and record["decision"] == "clear"
    assert record["scan"]["sha256"] == scan.sha256
    assert desk.queue.pending == []  # decided: it left the queue


def test_supervisor_opens_the_audit(qtbot, station, desk):
    _sign_in(qtbot, desk, "sam", "super-pass")
    assert desk.audit_action.isEnabled() and not desk.accounts_action.isEnabled()
    view = desk.open_audit()
    qtbot.addWidget(view)
    assert view is not None and view.verify()


def test_idle_lock_hides_the_scan_until_sign_in(qtbot, station, desk):
    _sign_in(qtbot, desk, "olga", "officer-pass")
    desk.lock()
    assert not station.viewer.isVisible() and desk.panel.officer is None
    dialog = desk.login
    assert dialog.username.text() == "olga"
    qtbot.keyClicks(dialog.password, "officer-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert station.viewer.isVisible() and desk.panel.officer.username == "olga"


def test_after_a_decision_the_next_undecided_scan_opens(qtbot, station, desk, driver, single_tiff, dual_pair):
    _sign_in(qtbot, desk, "olga", "officer-pass")
    driver.open(station, single_tiff, dual_pair[0])
    qtbot.waitUntil(lambda: len(station.scans) == 2, timeout=10000)
    first = desk.panel.scan.name
    desk.panel.toggle_reason("manifest")
    desk.panel.decide("refer")
    qtbot.waitUntil(lambda: desk.panel.scan is not None and desk.panel.scan.name != first, timeout=10000)
    assert len(desk.queue.pending) == 1
    desk.panel.correct_last()  # Shift+Z: back to the first scan, to correct its decision
    assert station.current_scan().name == first and desk.panel.scan.name == first
    corrected = desk.log.record(desk.panel.corrects).content
    assert corrected["decision"] == "refer" and corrected["scan"]["files"][0].endswith(first)
    assert desk.panel.reasons() == ["manifest"]


def test_review_keys_do_not_collide_with_the_station_keys(qtbot):
    from PySide6.QtGui import QAction

    from xrayreview.ui.station import build_station

    window = build_station()  # image tools, detector panel and decision desk together
    qtbot.addWidget(window)
    try:
        seen = {}
        for action in window.findChildren(QAction):
            for shortcut in action.shortcuts():
                key = shortcut.toString()
                clash = f"{key}: {seen.get(key, action).text()} / {action.text()}"
                assert key not in seen or seen[key] is action, clash
                seen[key] = action
        assert {"Shift+C", "Shift+R", "Shift+U", "F1", "Y", "X", "Shift+Z", "Shift+N"} <= set(seen)
    finally:
        window.close()


def test_the_inbox_folder_is_remembered(qtbot, station, desk, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    desk.set_inbox(inbox)
    again = ReviewDesk(station)
    try:
        assert again.queue.inbox is not None and again.queue.inbox.folder == inbox
    finally:
        again.shutdown()


def test_a_refused_decision_holds_the_station_on_its_scan(qtbot, station, desk, driver, single_tiff,
                                                          dual_pair):
    _sign_in(qtbot, desk, "olga", "officer-pass")
    driver.open(station, single_tiff, dual_pair[0])
    qtbot.waitUntil(lambda: len(station.scans) == 2, timeout=10000)
    held = desk.panel.scan
    desk.log._conn.execute("PRAGMA query_only = ON")  # the log stops taking records
    desk.panel.decide("clear")
    assert desk.panel.unrecorded
    other = next(i for i, s in station.scans.items() if s is not held)
    station.scan_list.select(other)  # the officer tries to move on
    assert station.current_scan() is held and desk.panel.scan is held
    assert "not recorded yet" in station.statusBar().currentMessage()
    desk.log._conn.execute("PRAGMA query_only = OFF")
    with qtbot.waitSignal(desk.panel.decided):
        desk.panel.decide("clear")
    assert not desk.panel.unrecorded


def test_correcting_a_scan_the_station_closed_opens_it_again(qtbot, station, desk, driver, single_tiff,
                                                             dual_pair):
    _sign_in(qtbot, desk, "olga", "officer-pass")
    driver.open(station, single_tiff)
    first = station.current
    desk.panel.decide("clear")
    driver.open(station, dual_pair[0])
    station.close_scan(first)  # memory bound: the decided scan was dropped
    assert first not in station.scans
    desk.panel.correct_last()
    qtbot.waitUntil(lambda: desk.panel.corrects is not None, timeout=10000)
    assert station.current_scan().name == "truck.tif" and desk.panel.scan is station.current_scan()
