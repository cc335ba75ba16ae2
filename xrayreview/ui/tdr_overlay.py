"""Alarms from DICOS threat reports (a scanner's own ATR, or earlier operators) as their own layer.

Drawn dashed in magenta so they never pass for the station detector's solid red / yellow /
cyan marks, nor for the orange / green / blue of the rendering. Objects the producer itself
judged no threat are dotted and dimmer. Only alarms whose report refers to the shown scan's
image UID are drawn; a report about another image draws nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from ..scan.model import Scan
from ..scan.tdr import TdrAlarm, ThreatReport
from .overlay_items import HaloBox, OverlayLayer

TDR_COLOUR = QColor(255, 0, 255)
TDR_DIM = QColor(255, 130, 255, 170)
TDR_Z = 9.0  # just under the station detector's marks, which the officer acts on


class TdrAlarmItem(HaloBox):
    def __init__(self, alarm: TdrAlarm, report: ThreatReport, parent: QGraphicsItem) -> None:
        colour = TDR_COLOUR if alarm.is_threat else TDR_DIM
        style = Qt.PenStyle.DashLine if alarm.is_threat else Qt.PenStyle.DotLine
        super().__init__(alarm.box, colour, parent, style)
        self.alarm = alarm
        who = "ATR" if report.kind == "MACHINE" else (report.kind or "TDR").lower()
        what = alarm.label or alarm.description or alarm.category or "alarm"
        self.tag = self.add_tag(f"{who}: {what}", above=False, point_size=8.0)
        source = " ".join(v for v in (report.algorithm, report.algorithm_version) if v) or "unknown producer"
        self.setToolTip(f"Threat report ({report.kind or 'type unknown'}, {source}): "
                        f"{alarm.category or '?'} – {alarm.assessment or 'no assessment'}")


class TdrOverlay:
    """The reports' alarms on a scene, hidden and shown as one layer."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.layer = OverlayLayer(TDR_Z)
        self.items: list[TdrAlarmItem] = []
        self.hidden = False

    def set_reports(self, scan: Scan, reports: list[ThreatReport]) -> int:
        """Draw the alarms of ``reports`` that belong on ``scan``; returns how many boxes show."""
        self.clear()
        if self.layer.scene() is None:
            self.scene.addItem(self.layer)
        for report in reports:
            for alarm in report.alarms_for(scan):
                if alarm.box is not None:
                    self.items.append(TdrAlarmItem(alarm, report, self.layer))
        self.layer.setVisible(not self.hidden)
        return len(self.items)

    def set_hidden(self, hidden: bool) -> None:
        self.hidden = hidden
        self.layer.setVisible(not hidden)

    def clear(self) -> None:
        for item in self.items:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.items.clear()
