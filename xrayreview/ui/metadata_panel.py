"""What the scanner and the sidecar file say about the open scan, and any warnings from loading."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ..scan.model import Scan


class MetadataPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #ffb347;")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.warnings)
        layout.addStretch(1)
        self.show_scan(None)

    def show_scan(self, scan: Scan | None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        if scan is None:
            self.form.addRow(QLabel("No scan open."))
            self.warnings.clear()
            return
        kind = ("dual energy" if scan.is_dual_energy
                else "colour image" if scan.colour is not None else "single energy")
        items = [("File", scan.name), ("Size", f"{scan.width} × {scan.height} px, {kind}"),
                 *scan.metadata.display_items()]
        for label, value in items:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", text)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in scan.warnings))

    def items(self) -> list[tuple[str, str]]:
        """The rows shown, as (label, value) text."""
        rows = []
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None:
                rows.append((label.widget().text().rstrip(":"), field.widget().text()))
        return rows
