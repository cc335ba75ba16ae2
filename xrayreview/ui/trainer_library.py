"""The trainer's library of scans with known content: list, import, generate, remove.

Every change is saved at once to the library file. Imports are loaded (checked) on the
trainer's worker thread, since a cargo scan can be hundreds of megabytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..training.library import Library, LibraryScan
from ..training.sources import GENERATED_KINDS, describe, generated_entry, import_scan, unique_id
from .trainer_worker import BackgroundJobs

FILE_FILTER = "Scans (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.dcs *.dcm);;All files (*)"
COLUMNS = ("scan", "source", "known content", "file or recipe", "note")


class LibraryPanel(QWidget):
    changed = Signal()  # the library now holds other scans
    message = Signal(str)

    def __init__(self, library: Library, path: Path, jobs: BackgroundJobs,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.path, self.jobs = library, Path(path), jobs
        self._imports: set[int] = set()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.summary = QLabel()
        self.clean_imports = QCheckBox("Imports without ground truth are clean")
        self.clean_imports.setToolTip("Only if you know these scans hold no threat: threats are projected "
                                      "into clean scans, and a hidden one would be scored wrong.")
        import_button = QPushButton("Import scans…")
        import_button.clicked.connect(self.choose_files)
        self.kind = QComboBox()
        self.kind.addItems(GENERATED_KINDS)
        self.count = QSpinBox()
        self.count.setRange(1, 50)
        self.count.setValue(3)
        self.density = QSpinBox()
        self.density.setRange(0, 4)
        self.density.setValue(2)
        self.density.setToolTip("Load density and clutter of the generated scans: 0 light … 4 packed")
        generate_button = QPushButton("Add generated")
        generate_button.clicked.connect(
            lambda: self.add_generated(self.kind.currentText(), self.count.value(), self.density.value()))
        remove_button = QPushButton("Remove selected")
        remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        for widget in (import_button, self.clean_imports, QLabel("   Generate"), self.count, self.kind,
                       QLabel("scans, load level"), self.density, generate_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        jobs.finished.connect(self._imported)
        jobs.failed.connect(self._import_failed)
        self.refresh()

    def refresh(self) -> None:
        self.table.setRowCount(len(self.library.scans))
        for row, entry in enumerate(self.library.scans):
            info = describe(entry)
            for column, key in enumerate(("id", "source", "content", "where", "note")):
                self.table.setItem(row, column, QTableWidgetItem(str(info[key])))
        clean = len(self.library.clean())
        total = len(self.library.scans)
        self.summary.setText(f"{total} scan(s): {clean} clean (threats are projected into these), "
                             f"{total - clean} with known threats. Saved in {self.path}.")

    def choose_files(self) -> None:
        dialog = QFileDialog(self, "Import training scans", "", FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(lambda paths: self.import_files([Path(p) for p in paths]))
        dialog.open()  # never exec(): the trainer window keeps working

    def import_files(self, paths: list[Path]) -> None:
        clean = self.clean_imports.isChecked()
        for path in paths:
            self._imports.add(self.jobs.submit(lambda _progress, p=path: import_scan(p, clean=clean)[0]))
        if paths:
            self.message.emit(f"Checking {len(paths)} scan(s)…")

    def add_generated(self, kind: str, count: int, level: int = 2) -> None:
        seeds = {int(s.generated["seed"]) for s in self.library.scans
                 if s.generated and s.generated.get("kind") == kind}
        seed = max(seeds, default=0)
        for _ in range(count):
            seed += 1
            self.library.add(generated_entry(kind, seed, level))
        self._save(f"Added {count} generated {kind} scan(s).")

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows:
            del self.library.scans[row]
        if rows:
            self._save(f"Removed {len(rows)} scan(s) from the library.")

    def _imported(self, job_id: int, entry: object) -> None:
        if job_id not in self._imports:
            return
        self._imports.discard(job_id)
        assert isinstance(entry, LibraryScan)
        same = self._entry_of(entry.path)
        if same is not None:
            # The same file again got a second entry ("import:x.png (2)"): one scan drawn twice
            # as often into sessions, and one left behind when the other was removed.
            self.message.emit(f"{Path(str(entry.path)).name} is in the library already, as {same.id}; "
                              "nothing was added.")
            return
        entry = LibraryScan(unique_id(self.library, entry.id), entry.path, entry.generated, entry.threats,
                            entry.note)
        self.library.add(entry)
        self._save(f"Imported {entry.id} ({describe(entry)['content']}).")

    def _entry_of(self, path: str | None) -> LibraryScan | None:
        """The library entry for the file at ``path`` (however its path is written), if any."""
        for existing in self.library.scans:
            if path and existing.path and _same_file(existing.path, path):
                return existing
        return None

    def _import_failed(self, job_id: int, text: str) -> None:
        if job_id in self._imports:
            self._imports.discard(job_id)
            self.message.emit(text)

    def _save(self, text: str) -> None:
        try:
            self.library.save(self.path)
        except OSError as exc:
            self.message.emit(f"The library could not be saved to {self.path} ({exc}).")
        else:
            self.message.emit(text)
        self.refresh()
        self.changed.emit()



def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone: compare the paths as written
        return Path(a).resolve() == Path(b).resolve()
