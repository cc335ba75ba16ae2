"""Opening a file the station already lists, and closing it with a decision the log refused:
neither may lose a review in progress or log a decision the officer did not mean to make."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from xrayreview.decisions import LogUnavailable
from xrayreview.decisions.log import Writer
from xrayreview.decisions.queries import AuditFilter, load_decisions


def _parcel(path, seed=0):
    blocks = np.random.default_rng(seed).integers(160, 250, (8, 11), dtype=np.uint8)
    grey = np.kron(blocks, np.ones((32, 32), np.uint8))[:200, :300]
    cv2.imwrite(str(path), np.repeat(grey[:, :, None], 3, axis=2))
    return path


@pytest.fixture
def two(whole, driver, tmp_path):
    """a.png on screen, b.png listed after it."""
    a, b = _parcel(tmp_path / "a.png"), _parcel(tmp_path / "b.png", seed=1)
    driver.open(whole, a, b)
    driver.qtbot.waitUntil(lambda: len(whole.scans) == 2, timeout=10000)
    return a, b


def _loaded(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.loader.pending, timeout=10000)


def _answers(monkeypatch, button: QMessageBox.StandardButton | None = None) -> list[str]:
    """Answer the station's questions with ``button`` (None: its default, as Enter would); return them."""
    asked: list[str] = []

    def answer(_parent, title, text, buttons=None, default=QMessageBox.StandardButton.NoButton):  # noqa: ANN001
        asked.append(f"{title}\n{text}")
        assert default != QMessageBox.StandardButton.NoButton and buttons & default
        return default if button is None else button
    monkeypatch.setattr(QMessageBox, "question", answer)
    return asked


# -- the same file opened twice ------------------------------------------------------------------


def test_opening_a_listed_file_again_shows_it_and_keeps_the_review_in_progress(qtbot, whole, two,
                                                                               monkeypatch):
    a, _b = two
    panel = whole.review.panel
    scan, shown = whole.current_scan(), whole.current
    assert scan.name == "a.png" and panel.scan is scan
    panel.toggle_reason("manifest")
    panel.add_own_mark([10.0, 10.0, 40.0, 40.0])
    panel.note.setText("seal broken")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(a)], ""))
    whole.open_action.trigger()  # File › Open, the same file again
    _loaded(qtbot, whole)
    whole.open_paths([a.parent / "." / a.name])  # the same file by another spelling
    _loaded(qtbot, whole)
    assert whole.scan_list.count() == 2 and len(whole.scans) == 2
    assert whole.current == shown and panel.scan is scan
    assert panel.reasons() == ["manifest"] and len(panel.officer_marks) == 1
    assert panel.note.text() == "seal broken"


def test_opening_a_listed_file_shows_the_entry_already_listed(qtbot, whole, two):
    a, _b = two
    first = whole.current
    other = next(i for i in whole.scans if i != first)
    whole.scan_list.select(other)
    whole.open_paths([a])
    _loaded(qtbot, whole)
    assert whole.current == first and whole.scan_list.currentItem().data(Qt.ItemDataRole.UserRole) == first
    assert whole.scan_list.count() == 2


def test_a_file_opened_twice_before_it_arrives_is_listed_once(qtbot, whole, tmp_path, dual_pair):
    a = _parcel(tmp_path / "a.png")
    whole.open_paths([a])
    whole.open_paths([a])
    whole.open_paths([dual_pair[0]])
    whole.open_paths([dual_pair[1]])  # the other file of the same dual-energy pair
    _loaded(qtbot, whole)
    qtbot.waitUntil(lambda: whole.current is not None, timeout=10000)
    names = sorted(s.name for s in whole.scans.values())
    assert names == ["a.png", "bag_high.png"] and whole.scan_list.count() == 2
    assert whole.current_scan().name == "bag_high.png"  # the last one asked for is on screen


def test_a_decided_scan_opened_again_is_decided_again_only_as_a_correction(qtbot, whole, two):
    a, _b = two
    panel, log = whole.review.panel, whole.review.log
    panel.decide("clear")
    qtbot.waitUntil(lambda: panel.scan is not None and panel.scan.name == "b.png", timeout=10000)
    assert log.count("decision") == 1
    whole.open_paths([a])
    _loaded(qtbot, whole)
    qtbot.waitUntil(lambda: whole.current_scan().name == "a.png", timeout=10000)
    assert whole.scan_list.count() == 2
    whole.activateWindow()
    whole.viewer.setFocus()
    qtbot.keyClick(whole.viewer, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    assert log.count("decision") == 1
    assert panel.scan is None and "decided already" in panel.title.text()
    panel.correct_last()  # Shift+Z: the one way to decide it again
    assert panel.scan is not None and panel.scan.name == "a.png" and panel.corrects is not None
    panel.toggle_reason("manifest")
    panel.decide("refer")
    assert log.count("decision") == 2
    first, second = load_decisions(log, AuditFilter(include_superseded=True))
    assert first.superseded_by == second.seq and second.content["corrects"] == first.seq


# -- closing with a decision the log refused -----------------------------------------------------


def _refuse_a_decision(monkeypatch, whole) -> None:
    def refuse(self, kind, content):  # noqa: ANN001, ARG001
        raise LogUnavailable("the disk holding the log is full.")
    with monkeypatch.context() as patch:
        patch.setattr(Writer, "append", refuse)
        whole.review.panel.toggle_reason("manifest")
        whole.review.panel.decide("refer")
    assert whole.review.panel.unrecorded


def test_closing_with_a_refused_decision_asks_and_stays_by_default(qtbot, whole, two, monkeypatch):
    panel, log = whole.review.panel, whole.review.log
    scan = panel.scan
    _refuse_a_decision(monkeypatch, whole)
    asked = _answers(monkeypatch)
    whole.close()
    assert len(asked) == 1 and "a.png" in asked[0] and "NOT RECORDED" in asked[0]
    assert whole.isVisible() and panel.unrecorded and panel.scan is scan and panel.reasons() == ["manifest"]
    with qtbot.waitSignal(panel.decided, timeout=10000):  # the log works again: nothing was lost
        panel.decide("refer")
    assert log.count("decision") == 1


def test_closing_anyway_drops_the_refused_decision_once_asked(qtbot, whole, two, monkeypatch):
    _refuse_a_decision(monkeypatch, whole)
    asked = _answers(monkeypatch, QMessageBox.StandardButton.Close)
    whole.close()
    assert len(asked) == 1 and not whole.isVisible()
    whole.close()  # closed already: nothing more to ask
    assert len(asked) == 1


def test_closing_with_nothing_unrecorded_does_not_ask(qtbot, whole, two, monkeypatch):
    panel = whole.review.panel
    with qtbot.waitSignal(panel.decided, timeout=10000):
        panel.decide("clear")
    asked = _answers(monkeypatch, QMessageBox.StandardButton.Cancel)
    whole.close()
    assert asked == [] and not whole.isVisible()


def test_staying_keeps_the_training_window_too(qtbot, whole, two, monkeypatch):
    from xrayreview.ui.trainer_window import TrainerWindow

    _refuse_a_decision(monkeypatch, whole)
    whole.training_action.trigger()
    (trainer,) = whole.findChildren(TrainerWindow)
    _answers(monkeypatch)
    whole.close()
    assert whole.isVisible() and trainer.isVisible()
    _answers(monkeypatch, QMessageBox.StandardButton.Close)
    whole.close()
    qtbot.waitUntil(lambda: whole.findChildren(TrainerWindow) == [], timeout=10000)
