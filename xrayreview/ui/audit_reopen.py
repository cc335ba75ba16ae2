"""A logged decision reopened exactly as the officer saw it: the scan, the detector's marks
(with the verdicts given) and the officer's own marks, beside what was decided."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..decisions import DECISIONS, DecisionRow
from ..scan import ScanError, load_scan
from .rendering import Renderer
from .review_marks import mark_items
from .viewer import ScanView


class RecordedScan(QWidget):
    def __init__(self, row: DecisionRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle(f"Decision #{row.seq}: {row.scan_name}")
        layout = QVBoxLayout(self)
        content = row.content
        model = content.get("model") or {}
        header = (f"#{row.seq} {DECISIONS.get(row.decision, row.decision)} by {row.officer} at "
                  f"{row.decided_at[:19].replace('T', ' ')} UTC after {row.duration_s:.0f} s; "
                  f"reasons: {', '.join(row.reasons) or 'none'}; note: {row.note or '-'}; "
                  f"model {model.get('name', '-')} at threshold {model.get('threshold', '-')}")
        if row.superseded_by:
            header += f"; corrected by #{row.superseded_by}"
        for review in row.reviews:
            header += f"; reviewed by {review['reviewer']}: {review['verdict']}"
            header += f" ({review['note']})" if review.get("note") else ""
        self.header = QLabel(header)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #d32f2f;")
        layout.addWidget(self.warning)
        self.viewer = ScanView(self)
        layout.addWidget(self.viewer, 1)
        self.scan = None
        self._load()

    def _load(self) -> None:
        files = [Path(f) for f in self.row.content["scan"]["files"]]
        try:
            scan = load_scan(files if len(files) > 1 else files[0], pair=len(files) > 1)
        except ScanError as exc:
            self.warning.setText(f"The scan cannot be shown: {exc}")
            return
        if scan.sha256 != self.row.content["scan"]["sha256"]:
            self.warning.setText("Warning: the file on disk is not the one decided on (SHA-256 differs); "
                                 "the marks below may not match it.")
        self.scan = scan
        self.viewer.set_scan(scan, Renderer(scan))
        for item in mark_items(self.row.content["detector_marks"], self.row.content["officer_marks"]):
            self.viewer.add_overlay(item)
