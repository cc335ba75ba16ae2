"""Alarms from DICOS threat reports (a scanner's own ATR, or earlier operators) as their own layer.

Drawn dashed in magenta so they never pass for the station detector's solid red / yellow /
cyan marks, nor for the orange / green / blue of the rendering. Objects the producer itself
judged no threat are dotted and dimmer. Only alarms whose report refers to the shown scan's
image UID are drawn; a report about another image draws nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QWidget

from ..scan.model import Scan
from ..scan.tdr import TdrAlarm, ThreatReport

TDR_COLOUR = QColor(255, 0, 255)
TDR_DIM = QColor(255, 130, 255, 170)
HALO = QColor(0, 0, 0, 200)
TDR_Z = 9.0  # just under the station detector's marks, which the officer acts on


class _Layer(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setZValue(TDR_Z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        pass


class _Tag(QGraphicsItem):
    """Who raised the alarm and its category, at screen size under the box's bottom-left corner."""

    def __init__(self, text: str, colour: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.text, self.colour = text, colour
        self.font = QFont()
        self.font.setPointSizeF(8.0)
        metrics = QFontMetricsF(self.font)
        self._rect = QRectF(0, 0, metrics.horizontalAdvance(text) + 6, metrics.height() + 2)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        painter.fillRect(self._rect, HALO)
        painter.setFont(self.font)
        painter.setPen(self.colour)
        painter.drawText(self._rect.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, self.text)


class TdrAlarmItem(QGraphicsRectItem):
    def __init__(self, alarm: TdrAlarm, report: ThreatReport, parent: QGraphicsItem) -> None:
        x1, y1, x2, y2 = alarm.box
        super().__init__(QRectF(x1, y1, x2 - x1, y2 - y1), parent)
        self.alarm = alarm
        self.colour = TDR_COLOUR if alarm.is_threat else TDR_DIM
        pen = QPen(self.colour, 2, Qt.PenStyle.DashLine if alarm.is_threat else Qt.PenStyle.DotLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        who = "ATR" if report.kind == "MACHINE" else (report.kind or "TDR").lower()
        what = alarm.label or alarm.description or alarm.category or "alarm"
        self.tag = _Tag(f"{who}: {what}", self.colour, self)
        self.tag.setPos(QPointF(x1, y2))
        source = " ".join(v for v in (report.algorithm, report.algorithm_version) if v) or "unknown producer"
        self.setToolTip(f"Threat report ({report.kind or 'type unknown'}, {source}): "
                        f"{alarm.category or '?'} – {alarm.assessment or 'no assessment'}")

    def paint(self, painter: QPainter, option, widget: QWidget | None = None) -> None:
        halo = QPen(HALO, 4)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.drawRect(self.rect())
        painter.setPen(self.pen())
        painter.drawRect(self.rect())


class TdrOverlay:
    """The reports' alarms on a scene, hidden and shown as one layer."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.layer = _Layer()
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
