"""An account changed by an admin while its owner is signed in: the station's next decision,
review or export is refused by the core, and the screen says it was NOT recorded and why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from xrayreview.decisions import Accounts, Decision, DecisionLog, ScanInfo, now_utc, record_decision
from xrayreview.ui.audit_view import AuditView

SHIFT = Qt.KeyboardModifier.ShiftModifier


def _admin(desk):
    return desk.accounts.authenticate("root", "admin-pass")


@pytest.mark.parametrize("how, why", [
    ("trainer", "olga (trainer) may not decide."),
    ("disabled", "The account olga is disabled; ask an admin."),
])
def test_an_officer_changed_mid_shift_is_told_the_decision_is_not_recorded(qtbot, whole, driver, single_tiff,
                                                                          dual_pair, how, why):
    desk = whole.review
    driver.open(whole, single_tiff, dual_pair[0])
    qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    held = desk.panel.scan
    assert held is not None and desk.panel.officer.role == "officer"
    admin = _admin(desk)
    if how == "disabled":
        desk.accounts.disable(admin, "olga")
    else:
        desk.accounts.set_role(admin, "olga", "trainer")
    before = desk.log.head()
    qtbot.waitExposed(whole)
    whole.activateWindow()
    whole.viewer.setFocus()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)  # the officer's clear key
    assert desk.log.count("decision") == 0 and desk.log.head() == before
    said = desk.panel.message.text()
    assert said.startswith("NOT RECORDED") and why in said, said
    assert why in whole.statusBar().currentMessage()
    # Kept, not dropped: the scan stays under review, the station holds it, closing would say so.
    assert desk.panel.scan is held and desk.panel.unrecorded
    other = next(i for i, s in whole.scans.items() if s is not held)
    whole.scan_list.select(other)
    assert desk.panel.scan is held and "not recorded yet" in whole.statusBar().currentMessage()
    assert why in desk.unrecorded_on_close()
    # Given the role back, the same key records it.
    desk.accounts.set_role(admin, "olga", "officer")
    if how == "disabled":
        return  # a disabled account stays disabled: nothing in the station turns it back on
    with qtbot.waitSignal(desk.panel.decided):
        qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)
    assert desk.log.count("decision") == 1 and not desk.panel.unrecorded



def _two_scans_open(qtbot, whole, driver, single_tiff, dual_pair):
    driver.open(whole, single_tiff, dual_pair[0])
    qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    whole.activateWindow()
    whole.viewer.setFocus()
    return whole.review


def _disable_olga_and_add_omar(desk):
    admin = _admin(desk)
    desk.accounts.disable(admin, "olga")
    desk.accounts.create(admin, "omar", "officer", "tarmac-lane-4")


def test_a_correction_held_for_a_disabled_officer_is_dropped_when_another_signs_in(qtbot, whole, driver,
                                                                                   single_tiff, dual_pair):
    # A correction is its author's alone: held for a disabled author it could never be recorded,
    # and it blocked every officer who signed in after, until the station was closed.
    desk = _two_scans_open(qtbot, whole, driver, single_tiff, dual_pair)
    first = desk.panel.scan
    with qtbot.waitSignal(desk.panel.decided):
        qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)
    qtbot.waitUntil(lambda: desk.panel.scan is not None and desk.panel.scan is not first, timeout=10000)
    desk.panel.correct_last()
    qtbot.waitUntil(lambda: desk.panel.corrects is not None, timeout=10000)
    corrected = desk.panel.corrects
    _disable_olga_and_add_omar(desk)
    qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)
    assert desk.panel.unrecorded and desk.log.count("decision") == 1
    desk.set_account(desk.accounts.authenticate("omar", "tarmac-lane-4"))
    said = desk.panel.message.text()
    assert f"olga's correction of #{corrected}" in said and f"#{corrected} stands" in said, said
    assert not desk.panel.unrecorded and desk.panel.corrects is None and desk.unrecorded_on_close() is None
    other = next(i for i, s in whole.scans.items() if s is not first)
    whole.scan_list.select(other)  # the station moves on again
    qtbot.waitUntil(lambda: desk.panel.scan is whole.scans[other], timeout=10000)
    with qtbot.waitSignal(desk.panel.decided):
        qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)
    last = list(desk.log.records("decision"))[-1].content
    assert last["officer"] == "omar" and last.get("corrects") is None


def test_a_first_decision_held_for_a_disabled_officer_is_left_to_the_next_officer(qtbot, whole, driver,
                                                                                 single_tiff, dual_pair):
    desk = _two_scans_open(qtbot, whole, driver, single_tiff, dual_pair)
    held = desk.panel.scan
    _disable_olga_and_add_omar(desk)
    qtbot.keyClick(whole.viewer, Qt.Key.Key_C, SHIFT)
    assert desk.panel.unrecorded
    opened = desk.panel.opened_at
    desk.set_account(desk.accounts.authenticate("omar", "tarmac-lane-4"))
    said = desk.panel.message.text()
    assert "olga's decision" in said and "omar, decide it yourself" in said, said
    assert desk.panel.scan is held and not desk.panel.unrecorded and desk.panel.opened_at >= opened
    with qtbot.waitSignal(desk.panel.decided):
        qtbot.keyClick(whole.viewer, Qt.Key.Key_R, SHIFT)
        qtbot.keyClick(whole.viewer, Qt.Key.Key_F1)
    (record,) = desk.log.records("decision")
    assert record.content["officer"] == "omar" and record.content["decision"] == "refer"


@pytest.fixture
def audit(qtbot, tmp_path):
    log = DecisionLog(tmp_path / "log.sqlite")
    accounts = Accounts(log)
    root = accounts.create_first_admin("root", "admin-pass")
    accounts.create(root, "olga", "officer", "officer-pass")
    accounts.create(root, "sam", "supervisor", "super-pass")
    record_decision(log, accounts.authenticate("olga", "officer-pass"),
                    Decision(ScanInfo(["/inbox/a.tif"], "e" * 64, 10, 10), "clear", now_utc()))
    view = AuditView(log, accounts.authenticate("sam", "super-pass"))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    yield view, accounts, root
    view.close()
    log.close()


def test_a_supervisor_demoted_with_the_audit_open_reviews_and_exports_nothing(audit, tmp_path):
    view, accounts, root = audit
    assert view.model.rowCount() == 1
    accounts.set_role(root, "sam", "officer")
    head = view.log.head()
    # Through the selection model: selectRow() reads the keyboard's modifiers, and a Shift an earlier
    # test pressed can make it select nothing.
    view.table.selectionModel().select(view.model.index(0, 0), QItemSelectionModel.SelectionFlag.Select
                                       | QItemSelectionModel.SelectionFlag.Rows)
    view.review_selected("agree")
    assert "Review not recorded: sam (officer) may not review." == view.chain_label.text()
    said = view.export("csv", tmp_path / "audit.csv")
    assert said == "Export failed: sam (officer) may not export." and not (tmp_path / "audit.csv").exists()
    view.apply_filter()
    assert view.filter_error.text() == "sam (officer) may not audit."
    assert view.reopen(0) is None and view.reopened == []
    assert view.log.head() == head
