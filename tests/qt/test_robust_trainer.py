"""The trainer's window under bad input: library files that are broken, not scans, duplicated,
huge or gone; a library file that cannot be saved; recipes at their extremes; closing mid-work.
Runs of a session under trouble are in test_robust_trainer_run.py."""

from __future__ import annotations

import errno
import struct
import zlib

import pytest
from library_scans import write_library_scan

from xrayreview.decisions import Account
from xrayreview.training.library import Library
from xrayreview.ui.trainer_window import TrainerWindow, open_trainer

TRAINER = Account("tina", "trainer")





def _imported(qtbot, window, files):
    window.library_panel.import_files(files)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10000)
    qtbot.wait(20)  # the last result crosses back to the GUI thread
    return window.message.text()


def _png_header(path, width, height):
    """A PNG whose header claims a size no station could hold (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                     + struct.pack(">I", zlib.crc32(chunk)))
    return path


def test_files_that_are_no_scans_are_refused_with_the_reason(qtbot, open_trainer_window, tmp_path):
    trainer = open_trainer_window(TRAINER)
    trainer.library_panel.clean_imports.setChecked(True)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    notes = tmp_path / "notes.png"
    notes.write_text("shift notes, not a scan")
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    bomb = _png_header(tmp_path / "bomb.png", 100_000, 100_000)
    gone = write_library_scan(tmp_path / "gone.png")
    gone.unlink()  # chosen in the dialog, deleted before the worker reads it
    for path, reason in ((corrupt, "damaged"), (notes, "not a scan"), (empty, "empty"),
                         (bomb, "beyond any scanner"), (gone, "does not exist")):
        said = _imported(qtbot, trainer, [path])
        assert f"{path.name} cannot be added to the library" in said and reason in said, said
    assert len(trainer.library_panel.library.scans) == 2
    assert len(Library.load(tmp_path / "library.json").scans) == 2


def test_a_scan_imported_again_is_not_added_twice(qtbot, open_trainer_window, tmp_path):
    trainer = open_trainer_window(TRAINER)
    panel = trainer.library_panel
    panel.clean_imports.setChecked(True)
    scan = write_library_scan(tmp_path / "parcel.png")
    assert "Imported import:parcel.png" in _imported(qtbot, trainer, [scan])
    said = _imported(qtbot, trainer, [scan, tmp_path / "." / "parcel.png"])  # again, twice, as written
    assert "parcel.png is in the library already, as import:parcel.png" in said
    assert [s.id for s in panel.library.scans].count("import:parcel.png") == 1
    assert len(panel.library.scans) == 3 and panel.table.rowCount() == 3
    # Another file of the same name is another scan: it is added under its own id.
    other = tmp_path / "elsewhere"
    other.mkdir()
    again = write_library_scan(other / "parcel.png")
    assert "Imported import:parcel.png (2)" in _imported(qtbot, trainer, [again])


def test_a_library_that_cannot_be_saved_says_so_and_keeps_the_scans(qtbot, open_trainer_window, monkeypatch,
                                                                    trainer_paths):
    trainer = open_trainer_window(TRAINER)
    panel = trainer.library_panel

    def full(self, path):  # noqa: ANN001, ARG001
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Library, "save", full)
    panel.add_generated("cargo", 2)
    assert "could not be saved" in trainer.message.text() and "No space left" in trainer.message.text()
    assert panel.table.rowCount() == 4  # kept, and saved with the next change that can be
    monkeypatch.undo()
    panel.add_generated("baggage", 1)
    assert len(Library.load(trainer_paths["library_path"]).scans) == 5


def test_a_starter_library_in_a_folder_that_refuses_it_is_said(qtbot, open_trainer_window, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # the data folder is a file: nothing can be saved under it
    trainer = open_trainer_window(TRAINER, library_path=blocker / "library.json")
    assert "could not be saved" in trainer.message.text() and trainer.library_panel is not None


def _build_and_wait(qtbot, builder):
    builder.build()
    qtbot.waitUntil(lambda: not builder.building, timeout=60000)
    return builder.status.text()


def test_recipes_at_their_extremes_build_or_say_why_not(qtbot, open_trainer_window):
    trainer = open_trainer_window(TRAINER)
    builder = trainer.builder
    builder.scans.setValue(2)
    builder.share.setValue(100)
    builder.known.setValue(100)  # asked for, though the library has no scan with known threats
    for value in (100, 0):
        for spin in builder.knobs.values():
            spin.setValue(value)
        assert "stored" in _build_and_wait(qtbot, builder)
    builder.time_limit.setValue(0)
    assert "no time limit" in _build_and_wait(qtbot, builder)
    trainer.library_panel.table.selectAll()
    trainer.library_panel.remove_selected()
    said = _build_and_wait(qtbot, builder)
    assert "could not be built" in said and "no clean scans" in said
    assert trainer.offer_table.rowCount() == 3


def test_a_long_session_name_is_cut_before_the_build_not_refused_after_it(qtbot, open_trainer_window):
    trainer = open_trainer_window(TRAINER)
    builder = trainer.builder
    builder.scans.setValue(1)
    builder.share.setValue(0)
    qtbot.keyClicks(builder.name, "Week 12 " * 25)
    assert len(builder.name.text()) == 120  # what the training log takes
    said = _build_and_wait(qtbot, builder)
    assert "stored" in said and "not stored" not in said


@pytest.mark.parametrize("work", ["build", "run", "import"])
def test_closing_the_window_mid_work_stops_its_threads(qtbot, work, trainer_paths, tmp_path):
    window = open_trainer(TRAINER)  # as the station opens it: deleted when closed
    assert isinstance(window, TrainerWindow)
    threads = [window.jobs._thread]
    if work == "build":
        window.builder.scans.setValue(400)
        window.builder.share.setValue(100)
        window.builder.build()
        qtbot.waitUntil(lambda: window.builder.progress.value() >= 1, timeout=20000)
    elif work == "run":
        window.builder.scans.setValue(3)
        window.builder.share.setValue(100)
        with qtbot.waitSignal(window.builder.offered, timeout=20000) as offered:
            window.builder.build()
        run = window.run_offer(offered.args[0].id)
        assert run is not None and run.preparing
        threads.append(run.jobs._thread)
    else:
        window.library_panel.clean_imports.setChecked(True)
        window.library_panel.import_files([tmp_path / "library" / "clean_0.png"] * 3)
    with qtbot.waitSignal(window.destroyed, timeout=10000):
        window.close()
    assert not any(thread.isRunning() for thread in threads)
    qtbot.wait(300)  # late results from the worker find nobody listening, and no crash
