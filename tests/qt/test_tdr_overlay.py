"""TDR alarms as their own dashed layer: only the shown image's alarms, hidden as one, distinct colour."""

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from xrayreview.reports.tdr import write_operator_tdr
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import read_tdr
from xrayreview.ui.detection_overlay import CATEGORY_COLOURS
from xrayreview.ui.tdr_overlay import TDR_COLOUR, TdrOverlay

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from dicos_factory import dx_dataset, gradient, write  # noqa: E402


def _scan_and_reports(tmp_path):
    scan = load_scan(write(dx_dataset(gradient((60, 80))), tmp_path / "bag.dcs"))
    other = load_scan(write(dx_dataset(gradient((60, 80))), tmp_path / "other.dcs"))
    mine = write_operator_tdr(tmp_path / "mine.dcs", scan=scan, decision="refer", officer="A",
                              marks=[{"box": [10, 10, 40, 30], "category": "firearm", "label": "pistol"}],
                              decided_at="2026-11-28T10:00:00+00:00")
    theirs = write_operator_tdr(tmp_path / "theirs.dcs", scan=other, decision="refer", officer="B",
                                marks=[{"box": [50, 40, 70, 55], "category": "other"}],
                                decided_at="2026-11-28T10:00:00+00:00")
    return scan, [read_tdr(mine), read_tdr(theirs)]


def test_only_this_images_alarms_are_drawn_dashed(qtbot, tmp_path):
    scan, reports = _scan_and_reports(tmp_path)
    scene = QGraphicsScene()
    overlay = TdrOverlay(scene)
    assert overlay.set_reports(scan, reports) == 1
    item = overlay.items[0]
    assert item.rect().getCoords() == (10.0, 10.0, 40.0, 30.0)
    assert item.pen().style() == Qt.PenStyle.DashLine
    assert TDR_COLOUR not in CATEGORY_COLOURS.values()
    assert "pistol" in item.tag.text

    image = QImage(80, 60, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.black)
    scene.setSceneRect(0, 0, 80, 60)
    painter = QPainter(image)
    scene.render(painter)
    painter.end()
    pixels = np.array([[image.pixelColor(x, y).name() for x in range(80)] for y in range(60)])
    assert (pixels == TDR_COLOUR.name()).any()  # drawn in its own colour


def test_hide_and_replace(qtbot, tmp_path):
    scan, reports = _scan_and_reports(tmp_path)
    scene = QGraphicsScene()
    overlay = TdrOverlay(scene)
    overlay.set_reports(scan, reports)
    overlay.set_hidden(True)
    assert not overlay.layer.isVisible()
    overlay.set_reports(scan, [])  # a scan without a report: nothing drawn, nothing left behind
    assert overlay.items == [] and len(overlay.layer.childItems()) == 0
    overlay.set_hidden(False)
    assert overlay.layer.isVisible()


def test_opening_a_report_reads_it_once_and_hands_it_to_the_overlay(qtbot, tmp_path, monkeypatch):
    """The loader opens the image a report is about and finds the reports beside it: the report
    the officer opened is among them, read the once."""
    import xrayreview.scan.tdr as tdr
    from xrayreview.ui.scan_loader import ScanLoader

    scan, _ = _scan_and_reports(tmp_path)
    mine = tmp_path / "mine.dcs"
    reads = []
    real_read = tdr.read_tdr
    monkeypatch.setattr(tdr, "read_tdr", lambda path: reads.append(Path(path)) or real_read(path))
    loader = ScanLoader()
    found = []
    loader.reports_found.connect(lambda request, reports: found.append(reports))
    try:
        with qtbot.waitSignal(loader.loaded, timeout=10000) as opened:
            loader.open(mine)
    finally:
        loader.shutdown()
    shown = opened.args[1]
    assert shown.source == scan.source
    assert reads.count(mine) == 1, reads  # twice before: once to find the image, once beside it
    (reports,) = found
    assert [r.source for r in reports] == [mine]
    overlay = TdrOverlay(QGraphicsScene())
    assert overlay.set_reports(shown, reports) == 1
