"""The supervisor's audit view: filters, the table of decisions, figures with charts, the
chain check, reviews (appended, never edits), reopening a scan as it was, and exports.
Supervisors only: the core refuses any other role when the view is built."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..decisions import (
    DECISIONS,
    REASONS,
    REVIEW_VERDICTS,
    Account,
    Audit,
    AuditFilter,
    DecisionLog,
    DecisionLogError,
    DecisionRow,
    figures,
    figures_per_officer,
    hourly_counts,
    record_review,
)
from ..reports import files, labels, pdf, tabular, tdr_folder
from .audit_charts import BarChart
from .audit_reopen import RecordedScan
from .audit_table import DecisionTable

DEFAULT_DAYS = 7
EXPORTS = {"csv": "CSV (*.csv)", "json": "JSON (*.json)", "pdf": "PDF report (*.pdf)",
           "yolo": "YOLO folder", "coco": "COCO folder", "tdr": "DICOS TDR folder"}


class AuditView(QWidget):
    reopen_requested = Signal(object)  # DecisionRow
    exported = Signal(str)  # what was written, for the status bar

    def __init__(self, log: DecisionLog, account: Account, parent: QWidget | None = None) -> None:
        self.audit = Audit(log, account)  # PermissionDenied for anyone but a supervisor
        super().__init__(parent)
        self.log, self.account = log, account
        self.rows: list[DecisionRow] = []
        # The filter that chose ``rows``: the fields may say another one (changed but not applied,
        # or refused), and an export names the filter its rows came from.
        self.applied = AuditFilter()
        self.reopened: list[RecordedScan] = []
        self.setWindowTitle("Audit: decision log")
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters())
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = DecisionTable()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.activated.connect(lambda index: self.reopen(index.row()))  # Enter or double-click
        split.addWidget(self.table)
        split.addWidget(self._figures_area())
        layout.addWidget(split, 1)
        layout.addLayout(self._actions())
        self.apply_filter()

    # -- building ------------------------------------------------------------------------------

    def _filters(self) -> QGridLayout:
        grid = QGridLayout()
        # The last week by default: an unfiltered look at a year's log takes seconds.
        week_ago = (datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)).date().isoformat()
        self.start = QLineEdit(week_ago)
        self.start.setPlaceholderText("from (UTC) 2026-11-27")
        self.end = QLineEdit()
        self.end.setPlaceholderText("to (UTC), inclusive")
        self.officer = _combo([("All officers", None)] + [(n, n) for n in self.audit.officers()])
        self.decision = _combo([("All decisions", None)] + [(t, k) for k, t in DECISIONS.items()])
        self.reason = _combo([("All reasons", None)] + [(t, k) for k, t in REASONS.items()])
        self.flagged = _combo([("Detector: any", None), ("Detector flagged", True), ("Not flagged", False)])
        self.disagreement = _combo([("Agreement: any", None), ("Officer and detector disagree", True),
                                    ("They agree", False)])
        self.include_corrected = QCheckBox("Include corrected decisions")
        self.apply_button = apply = QPushButton("Apply filter")
        apply.clicked.connect(self.apply_filter)
        for edit in (self.start, self.end):
            edit.returnPressed.connect(self.apply_filter)
        widgets = (self.start, self.end, self.officer, self.decision, self.reason, self.flagged,
                   self.disagreement, self.include_corrected, apply)
        for i, widget in enumerate(widgets):
            grid.addWidget(widget, i // 5, i % 5)
        self.filter_error = QLabel()
        self.filter_error.setStyleSheet("color: #d32f2f;")
        grid.addWidget(self.filter_error, 2, 0, 1, 5)
        return grid

    def _figures_area(self) -> QWidget:
        area = QWidget()
        layout = QHBoxLayout(area)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary, 1)
        self.hourly_chart = BarChart("Decisions per hour (UTC)")
        self.officer_chart = BarChart("Per officer", ("referred %", "agree with detector %"), percent=True)
        layout.addWidget(self.hourly_chart, 1)
        layout.addWidget(self.officer_chart, 1)
        return area

    def _actions(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        top, row = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(top)
        rows.addLayout(row)
        verify = QPushButton("Verify the log")
        verify.clicked.connect(self.verify)
        top.addWidget(verify)
        self.chain_label = QLabel()
        self.chain_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.chain_label, 1)
        row.addWidget(QLabel("Review the selected decision(s):"))
        self.review_note = QLineEdit()
        self.review_note.setPlaceholderText("review note")
        row.addWidget(self.review_note, 1)
        for verdict, text in REVIEW_VERDICTS.items():
            button = QPushButton(text.replace("Supervisor ", "").capitalize())
            button.clicked.connect(lambda _=False, v=verdict: self.review_selected(v))
            row.addWidget(button)
        for fmt in EXPORTS:
            button = QPushButton(f"Export {fmt.upper()}")
            button.clicked.connect(lambda _=False, f=fmt: self.choose_export(f))
            row.addWidget(button)
        return rows

    # -- what it does --------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        return AuditFilter(start=self.start.text().strip() or None, end=self.end.text().strip() or None,
                           officer=self.officer.currentData(), decision=self.decision.currentData(),
                           reason=self.reason.currentData(), flagged=self.flagged.currentData(),
                           disagreement=self.disagreement.currentData(),
                           include_superseded=self.include_corrected.isChecked())

    def apply_filter(self) -> None:
        chosen = self.current_filter()
        try:
            self.rows = self.audit.decisions(chosen)
        except DecisionLogError as exc:
            self.filter_error.setText(str(exc))
            return
        self.applied = chosen
        self.filter_error.clear()
        self._fill_table()
        self._fill_figures()

    def _fill_table(self) -> None:
        self.model.set_rows(self.rows)
        if len(self.rows) <= 2000:  # sizing reads every cell: only for views a person scrolls through
            self.table.resizeColumnsToContents()

    def _fill_figures(self) -> None:
        overall, per_officer = figures(self.rows), figures_per_officer(self.rows)
        lines = [f"<b>{len(self.rows)} decision(s)</b>"]
        for name, fig in [("All", overall), *per_officer.items()]:
            lines.append(
                f"<b>{html.escape(name)}</b>: {fig.scans} scans, {fig.scans_per_hour:g}/h,"
                f" median {_num(fig.median_decision_s)} s,"
                f" referred {_pct(fig.referral_rate)}, agree with detector {_pct(fig.agreement_rate)},"
                f" cleared strong alarms: {', '.join(f'#{s}' for s in fig.cleared_strong_alarms) or 'none'}")
        self.summary.setText("<br>".join(lines))
        hourly = hourly_counts(self.rows)
        self.hourly_chart.set_data([(hour[11:13] + "h", (float(n),)) for hour, n in hourly.items()])
        self.officer_chart.set_data([(name, (f.referral_rate or 0.0, f.agreement_rate or 0.0))
                                     for name, f in per_officer.items()])

    def selected_rows(self) -> list[DecisionRow]:
        chosen = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.rows[i] for i in sorted(chosen)]

    def reopen(self, table_row: int) -> RecordedScan | None:
        """The scan as the officer saw it; None (and said) when the account may no longer audit."""
        try:
            self.audit.check("audit")
        except DecisionLogError as exc:
            self._tell(str(exc), ok=False)
            return None
        row = self.rows[table_row]
        view = RecordedScan(row)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.destroyed.connect(lambda _=None, v=view: self.reopened.remove(v) if v in self.reopened else None)
        view.resize(1000, 700)
        view.show()
        self.reopened.append(view)
        self.reopen_requested.emit(row)
        return view

    def review_selected(self, verdict: str) -> None:
        chosen = self.selected_rows()
        if not chosen:
            self._tell("Select the decision(s) to review first.", ok=False)
            return
        try:
            for row in chosen:
                record_review(self.log, self.account, row.seq, verdict, self.review_note.text())
        except DecisionLogError as exc:
            self._tell(f"Review not recorded: {exc}", ok=False)
            return
        self.review_note.clear()
        self._tell(f"Review recorded for {len(chosen)} decision(s).")
        self.apply_filter()

    def verify(self) -> bool:
        try:
            result = self.log.verify()
        except DecisionLogError as exc:
            self._tell(str(exc), ok=False)
            return False
        self._tell(str(result), ok=result.ok)
        return result.ok

    def _tell(self, text: str, *, ok: bool | None = None) -> None:
        """Red for a failure, green for an intact chain, plain otherwise: the colour of an earlier
        check stayed, so a damaged log or a failed export showed in the green of "OK"."""
        colour = {True: "color: #2e7d32;", False: "color: #d32f2f;", None: ""}[ok]
        self.chain_label.setStyleSheet(colour)
        self.chain_label.setText(text)

    def choose_export(self, fmt: str) -> None:
        if not self.rows and fmt in files.FOLDER_FORMATS:  # said at once, not after a folder is chosen
            self._nothing_to_export()
            return
        if fmt in files.FOLDER_FORMATS:
            target = QFileDialog.getExistingDirectory(self, f"Export {fmt.upper()} into folder")
        else:
            target, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.upper()}", f"audit.{fmt}",
                                                    EXPORTS[fmt])
        if target:
            self.export(fmt, Path(target))

    def export(self, fmt: str, target: Path) -> str:
        """Write the filtered view; returns (and shows) what was written."""
        done = f"{len(self.rows)} decision(s) written to {target}"
        failed = False
        try:
            # The rows were read earlier: the account must still be allowed to export them now.
            self.audit.check("export")
            if not self.rows and fmt in files.FOLDER_FORMATS:
                return self._nothing_to_export()
            if fmt == "csv":
                tabular.export_csv(self.rows, target)
            elif fmt == "json":
                tabular.export_json(self.rows, target, self.applied, chain=self.log.verify())
            elif fmt == "pdf":
                pdf.export_pdf(self.rows, target, flt=self.applied, chain=self.log.verify(),
                               author=self.account.username)
            elif fmt == "tdr":
                written = tdr_folder.export_tdrs(self.rows, target)
                done = f"{len(written)} DICOS operator TDR(s) written to {target}"
            else:
                exporter = labels.export_yolo if fmt == "yolo" else labels.export_coco
                summary = exporter(self.rows, target)
                skipped = f", {len(summary.skipped)} skipped" if summary.skipped else ""
                done = f"{summary.images} image(s), {summary.boxes} box(es){skipped} written to {target}"
        except (OSError, ValueError, DecisionLogError) as exc:
            done, failed = f"Export failed: {exc}", True
        self._tell(done, ok=False if failed else None)
        self.exported.emit(done)
        return done

    def _nothing_to_export(self) -> str:
        self._tell(files.NOTHING_TO_EXPORT, ok=False)
        self.exported.emit(files.NOTHING_TO_EXPORT)
        return files.NOTHING_TO_EXPORT

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        for view in list(self.reopened):
            view.close()
        super().closeEvent(event)


def _combo(entries: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for text, data in entries:
        combo.addItem(text, data)
    return combo


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
