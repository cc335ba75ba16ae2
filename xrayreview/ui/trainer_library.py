"""The trainer's library of scans with known content: list, import, generate, remove.

Every change is saved at once to the library file. Imports are loaded (checked) on the
trainer's worker thread, since a cargo scan can be hundreds of megabytes. Each change asks the
station's accounts first (``edit_library``), as building a session does: a trainer demoted or
disabled while the window is open is told so and the library stays as it was; an import is
asked before its file is loaded and again before the loaded scan is added.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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

from ..decisions import Account, DecisionLog, DecisionLogError
from ..training.access import require_builder
from ..training.errors import TrainingError
from ..training.library import Library, LibraryScan, edit_library
from ..training.sources import GENERATED_KINDS, describe, generated_entry, import_scan, unique_id
from .trainer_worker import BackgroundJobs

FILE_FILTER = "Scans (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.dcs *.dcm);;All files (*)"
COLUMNS = ("scan", "source", "known content", "file or recipe", "note")


class LibraryPanel(QWidget):
    changed = Signal()  # the library now holds other scans
    message = Signal(str)

    def __init__(self, library: Library, path: Path, jobs: BackgroundJobs, account: Account | None, *,
                 decisions: DecisionLog | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.path, self.jobs = library, Path(path), jobs
        # Whose changes these are, and the decision log whose accounts say whether they may still.
        self.account, self.decisions = account, decisions
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
        if not paths:
            return
        try:
            # Before any loading: a demoted trainer's import would be refused once loaded anyway.
            require_builder(self.account, decisions=self.decisions)
        except DecisionLogError as exc:
            self.message.emit(f"{exc} Nothing was imported.")
            return
        clean = self.clean_imports.isChecked()
        for path in paths:
            self._imports.add(self.jobs.submit(lambda _progress, p=path: import_scan(p, clean=clean)[0]))
        if paths:
            self.message.emit(f"Checking {len(paths)} scan(s)…")

    def add_generated(self, kind: str, count: int, level: int = 2) -> None:
        def add(library: Library) -> None:
            seeds = {int(s.generated["seed"]) for s in library.scans
                     if s.generated and s.generated.get("kind") == kind}
            seed = max(seeds, default=0)
            for _ in range(count):
                seed += 1
                library.add(generated_entry(kind, seed, level))

        self._change(add, f"Added {count} generated {kind} scan(s).", "The library was not changed.")

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.library.scans[row].id for row in rows if row < len(self.library.scans)]
        if ids:
            self._change(lambda library: library.remove(ids), f"Removed {len(ids)} scan(s) from the library.",
                         "The library was not changed.")

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
        def add(library: Library) -> LibraryScan:
            added = LibraryScan(unique_id(library, entry.id), entry.path, entry.generated, entry.threats,
                                entry.note)
            library.add(added)
            return added

        name = Path(str(entry.path)).name
        self._change(add, lambda added: f"Imported {added.id} ({describe(added)['content']}).",
                     f"{name} was not added to the library.")

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

    def _change(self, change: Callable[[Library], object], done: str | Callable[[object], str],
                refused: str) -> None:
        """Make ``change`` through the core and say what came of it; ``refused`` follows a refusal."""
        try:
            result = edit_library(self.library, self.path, change, account=self.account,
                                  decisions=self.decisions)
        except (DecisionLogError, TrainingError) as exc:  # nothing changed, in memory or on disk
            self.message.emit(f"{exc} {refused}")
            return
        except OSError as exc:  # changed, not saved: kept, and saved with the next change that can be
            self.message.emit(f"The library could not be saved to {self.path} ({exc}).")
        else:
            self.message.emit(done(result) if callable(done) else done)
        self.refresh()
        self.changed.emit()



def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone: compare the paths as written
        return Path(a).resolve() == Path(b).resolve()
