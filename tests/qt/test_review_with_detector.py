"""The whole station with a real ONNX detector: the officer's verdicts on its marks, the model's
name, file hash and threshold go into the log exactly as shown."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from xrayreview.decisions import Accounts, DecisionLog, default_log_path
from xrayreview.detection.synthetic_models import dark_square_model
from xrayreview.ui.station import build_station


@pytest.fixture
def textured_png(tmp_path):
    """8-bit RGB goods in 32-px blocks, with one dark 16-px square the test model flags."""
    blocks = np.random.default_rng(0).integers(90, 250, (8, 11), dtype=np.uint8)
    grey = np.kron(blocks, np.ones((32, 32), np.uint8))[:200, :300]
    grey[64:80, 64:80] = 0
    path = tmp_path / "parcel.png"
    cv2.imwrite(str(path), np.repeat(grey[:, :, None], 3, axis=2))
    return path


def test_detector_marks_and_verdicts_are_logged_with_the_model(qtbot, driver, tmp_path, textured_png):
    with DecisionLog(default_log_path()) as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "olga", "officer", "officer-pass")
        olga = accounts.authenticate("olga", "officer-pass")
    model = dark_square_model(tmp_path / "squares.onnx")
    (tmp_path / "squares.json").write_text('{"conf": 0.9, "categories": {"dark_square": "firearm"}}')
    window = build_station()
    qtbot.addWidget(window)
    window.show()
    try:
        window.detection.load_model(model)  # after the shipped one build_station asked for
        qtbot.waitUntil(lambda: window.detection.model is not None
                        and window.detection.model.path.endswith("squares.onnx"), timeout=20000)
        desk = window.review
        desk.set_account(olga)
        with qtbot.waitSignal(window.detection.result_shown, timeout=20000):
            driver.open(window, textured_png)
        assert [m["box"] for m in desk.panel.detector_marks] == [[64, 64, 80, 80]]
        # The mark under review is captioned under its box: above it is the overlay's own tag.
        (current,) = desk.panel._items
        assert current.caption.below and current.caption.pos().y() == current.rect().bottom()
        tag = window.detection.overlay.marks[0]
        assert tag.label.pos().y() == tag.rect().top()
        window.activateWindow()
        window.viewer.setFocus()
        qtbot.keyClick(window.viewer, Qt.Key.Key_Y)
        qtbot.keyClick(window.viewer, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
        with qtbot.waitSignal(desk.panel.decided) as decided:
            qtbot.keyClick(window.viewer, Qt.Key.Key_F1)
        record = desk.log.record(decided.args[0]).content
        assert record["model"]["name"] == window.detection.model.name
        assert record["model"]["sha256"] == window.detection.model.sha256
        assert record["model"]["threshold"] == 0.9
        mark = record["detector_marks"][0]
        assert (mark["category"], mark["verdict"], mark["box"]) == ("firearm", "confirmed", [64, 64, 80, 80])
        assert record["decision"] == "refer" and record["reasons"] == ["firearm"]
    finally:
        window.close()
