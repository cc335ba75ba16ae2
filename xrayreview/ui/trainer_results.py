"""Training results: sessions per trainee, their history as charts, CSV and PDF exports.

A trainer sees every trainee (or one, chosen); a trainee sees only their own sessions; the
core (``training.access``) enforces it, the view only asks, with the station's decision log when
there is one, so a trainer demoted while the window is open reads and exports nothing more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..decisions import Account, DecisionLog, DecisionLogError, LogUnavailable
from ..reports.training_pdf import export_training_pdf
from ..training.access import may_build, results_scope, visible_summaries, visible_trainees
from ..training.export import export_results_csv
from ..training.records import TrainingLog
from .audit_charts import BarChart

ALL = "(all trainees)"
COLUMNS = ("finished (UTC)", "trainee", "session", "scans", "hit rate", "false alarms", "d′", "A′",
           "mean s / scan")
SERIES = (QColor(110, 190, 255), QColor(240, 170, 70), QColor(120, 220, 120), QColor(230, 110, 200),
          QColor(200, 200, 200))


class TrendChart(QWidget):
    """d′ session by session, oldest left, one line per trainee, with a zero line (chance)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.labels: list[str] = []  # one per session, along the x axis
        self.series: dict[str, list[tuple[int, float]]] = {}  # trainee -> (session position, d′)
        self.setMinimumSize(300, 230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(self, labels: list[str], series: dict[str, list[tuple[int, float]]]) -> None:
        self.labels, self.series = labels, series
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        painter.setPen(text)
        painter.drawText(QRectF(4, 2, self.width() - 8, 16), Qt.AlignmentFlag.AlignLeft, self.title)
        values = [v for points in self.series.values() for _, v in points]
        top, bottom, left, right = 40.0, self.height() - 20.0, 34.0, self.width() - 24.0
        if not values:
            painter.drawText(QRectF(0, top, self.width(), bottom - top), Qt.AlignmentFlag.AlignCenter,
                             "no sessions yet")
            painter.end()
            return
        low, high = min(0.0, min(values)), max(1.0, max(values))
        step = (right - left) / max(1, len(self.labels) - 1)

        def at(position: int, value: float) -> QPointF:
            x = left + position * step if len(self.labels) > 1 else (left + right) / 2
            return QPointF(x, bottom - (value - low) / (high - low) * (bottom - top))

        painter.setPen(QPen(text, 1, Qt.PenStyle.DotLine))
        painter.drawLine(at(0, 0.0).x() - 4, at(0, 0.0).y(), right + 4, at(0, 0.0).y())
        painter.setPen(text)
        for mark in sorted({low, 0.0, high}):
            painter.drawText(QRectF(0, at(0, mark).y() - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight,
                             f"{mark:.1f}")
        every = max(1, len(self.labels) // 10)
        for position, label in enumerate(self.labels):
            if position % every == 0:
                x = at(position, 0.0).x()
                painter.drawText(QRectF(x - 30, bottom + 2, 60, 16), Qt.AlignmentFlag.AlignHCenter, label)
        legend_x = left
        for index, (name, points) in enumerate(sorted(self.series.items())):
            colour = SERIES[index % len(SERIES)]
            painter.setPen(QPen(colour, 2))
            painter.setBrush(colour)
            corners = [at(position, value) for position, value in points]
            for a, b in zip(corners, corners[1:], strict=False):
                painter.drawLine(a, b)
            for corner in corners:
                painter.drawEllipse(corner, 3, 3)
            painter.drawText(QRectF(legend_x, 18, 160, 16), Qt.AlignmentFlag.AlignLeft, f"● {name}")
            legend_x += 20 + painter.fontMetrics().horizontalAdvance(f"● {name}")
        painter.end()


class ResultsPanel(QWidget):
    message = Signal(str)

    def __init__(self, log: TrainingLog, account: Account | None, parent: QWidget | None = None, *,
                 decisions: DecisionLog | None = None) -> None:
        super().__init__(parent)
        self.log, self.account = log, account
        self.decisions = decisions  # the station's accounts, asked on every read and export
        self.rows: list[dict[str, Any]] = []
        self.error: str | None = None  # why the results cannot be read, while they cannot
        self.trainee = QComboBox()
        self.trainee.currentIndexChanged.connect(lambda _index: self.refresh(keep_choice=True))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.trend = TrendChart("d′ per session, oldest left (0 = chance)")
        self.rates = BarChart("Per session", ("hit rate", "false-alarm rate"), percent=True)
        self.rates.setMinimumHeight(230)
        self.totals = QLabel()
        csv_button = QPushButton("Export CSV…")
        csv_button.clicked.connect(lambda: self._choose("csv"))
        pdf_button = QPushButton("Export PDF…")
        pdf_button.clicked.connect(lambda: self._choose("pdf"))
        top = QHBoxLayout()
        top.addWidget(QLabel("Trainee"))
        top.addWidget(self.trainee)
        top.addWidget(self.totals, 1)
        top.addWidget(csv_button)
        top.addWidget(pdf_button)
        charts = QHBoxLayout()
        charts.addWidget(self.trend)
        charts.addWidget(self.rates)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(charts)
        self.refresh()

    def chosen_trainee(self) -> str | None:
        """The trainee whose results are shown; None: everyone's (trainers only)."""
        text = self.trainee.currentText()
        if not may_build(self.account):
            return self.account.username if self.account else None
        return None if text in ("", ALL) else text

    def refresh(self, keep_choice: bool = False) -> None:
        try:
            if not keep_choice:
                self._fill_trainees()
            self.rows = visible_summaries(self.log, self.account, self.chosen_trainee(),
                                          decisions=self.decisions)
        except DecisionLogError as exc:
            self.rows = []
            self._show()
            # Said after _show, which writes the totals: an unreadable log read "0 session(s)".
            self.error = f"The results cannot be shown: {exc}"
            self.totals.setText(self.error)
            self.message.emit(self.error)
            return
        self.error = None
        self._show()

    def export_csv(self, path: Path) -> int:
        # Asked again, not taken from what is on screen: the account may have changed since.
        trainee = results_scope(self.account, self.chosen_trainee(), decisions=self.decisions)
        count = export_results_csv(self.log, path, trainee)
        self.message.emit(f"{count} session(s) written to {path}.")
        return count

    def export_pdf(self, path: Path) -> Path:
        if self.error is not None:  # the report would say "0 sessions" for a log it could not read
            raise LogUnavailable(self.error)
        results_scope(self.account, self.chosen_trainee(), decisions=self.decisions)
        author = self.account.username if self.account else ""
        written = export_training_pdf(self.rows, path, author=author, trainee=self.chosen_trainee(),
                                      chain=self.log.verify())
        self.message.emit(f"Training report written to {path}.")
        return written

    def _fill_trainees(self) -> None:
        self.trainee.blockSignals(True)
        current = self.trainee.currentText()
        self.trainee.clear()
        if may_build(self.account):
            self.trainee.addItems([ALL, *visible_trainees(self.log, self.account, decisions=self.decisions)])
            self.trainee.setCurrentText(current or ALL)
            self.trainee.setEnabled(True)
        else:
            self.trainee.addItem(self.account.username if self.account else "")
            self.trainee.setEnabled(False)
        self.trainee.blockSignals(False)

    def _show(self) -> None:
        self.table.setRowCount(len(self.rows))
        for row, summary in enumerate(self.rows):
            overall = summary.get("overall") or {}
            when = str(summary.get("recorded_at", ""))[:16].replace("T", " ")
            o = overall
            cells = [when, str(summary.get("trainee")),
                     f"#{summary.get('session')}", str(summary.get("scans", "")),
                     _rate(o.get("hit_rate"), o.get("hits"), o.get("events")),
                     _rate(o.get("false_alarm_rate"), o.get("false_alarms"), o.get("clean")),
                     _fixed(o.get("d_prime")), _fixed(o.get("a_prime")),
                     _fixed(summary.get("mean_seconds"), 1)]
            per_category = "\n".join(_category_line(category, r)
                                     for category, r in (summary.get("per_category") or {}).items())
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(per_category)  # per threat category: the table has room for the overall only
                self.table.setItem(row, column, item)
        days = [str(s.get("recorded_at", ""))[5:10] for s in self.rows]
        # Several sessions a day: number them instead of repeating the date.
        labels = days if len(set(days)) == len(days) else [str(i + 1) for i in range(len(days))]
        series: dict[str, list[tuple[int, float]]] = {}
        for position, summary in enumerate(self.rows):
            d_prime = (summary.get("overall") or {}).get("d_prime")
            if d_prime is not None:
                series.setdefault(str(summary.get("trainee")), []).append((position, float(d_prime)))
        self.trend.set_data(labels, series)
        self.rates.set_data([(label, ((s.get("overall") or {}).get("hit_rate") or 0.0,
                                      (s.get("overall") or {}).get("false_alarm_rate") or 0.0))
                             for label, s in zip(labels, self.rows, strict=True)][-30:])
        events = sum(int((s.get("overall") or {}).get("events") or 0) for s in self.rows)
        self.totals.setText(f"{len(self.rows)} session(s), {events} threat event(s) "
                            "(about 100 give a reliable score)")

    def _choose(self, kind: str) -> None:
        filters = {"csv": "CSV (*.csv)", "pdf": "PDF report (*.pdf)"}
        dialog = QFileDialog(self, f"Export training results as {kind.upper()}", f"training-results.{kind}",
                             filters[kind])
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path: self._export(kind, Path(path)))
        dialog.open()  # never exec(): the window keeps working

    def _export(self, kind: str, path: Path) -> None:
        try:
            self.export_csv(path) if kind == "csv" else self.export_pdf(path)
        except (OSError, DecisionLogError) as exc:  # a damaged summary, as well as a refused file
            self.message.emit(f"Nothing was exported: {exc}")


def _category_line(category: str, r: dict[str, Any]) -> str:
    hit_rate = _rate(r.get("hit_rate"), r.get("hits"), r.get("events"))
    return f"{category.replace('_', ' ')}: hit rate {hit_rate}, d′ {_fixed(r.get('d_prime'))}"


def _rate(rate: float | None, count: Any, total: Any) -> str:
    return "–" if rate is None else f"{rate:.0%} ({count}/{total})"


def _fixed(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"
