"""Exports against bad targets and odd text: a missing folder, a full or read-only disk, any script.

A failed export raises ExportError (an OSError) naming the file and the reason, and leaves
nothing behind that looks like a finished export: the earlier file, if any, stays as it was.
"""

import csv
import errno
import io
import json
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from pydicom.dataset import Dataset

from xrayreview.cli import main
from xrayreview.decisions import (
    Account,
    Accounts,
    Decision,
    DecisionLog,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports.files import ExportError
from xrayreview.reports.labels import export_coco, export_yolo
from xrayreview.reports.pdf import export_pdf
from xrayreview.reports.tabular import export_csv, export_json
from xrayreview.reports.tdr_folder import MANIFEST, export_tdrs
from xrayreview.scan import load_scan
from xrayreview.scan.tdr import read_tdr

ODD_NOTES = [
    'commas, "quotes", and a\nnew line\r\nand CRLF',
    "日本語のメモ, العربية, русский текст",
    "emoji 🔫💣 in a note",
    "long " + "x" * 12000,
]
_real_open = Path.open


@pytest.fixture
def rows(tmp_path):
    image = (np.arange(80 * 120, dtype=np.uint32).reshape(80, 120) * 7 % 65535).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "bag.png"), image)
    scan = load_scan(tmp_path / "bag.png")
    with DecisionLog(tmp_path / "log.sqlite") as log:
        officer = Account("Ольга", "officer")
        for note in ODD_NOTES:
            record_decision(log, officer, Decision(
                ScanInfo.from_scan(scan), "refer", now_utc(), note=note,
                officer_marks=[{"category": "firearm", "label": "Пистолет", "box": [10, 5, 40, 30]}]))
        yield load_decisions(log)


class _FullDisk:
    """A file handle on a disk that fills up after ``room`` bytes (or characters)."""

    def __init__(self, handle, room: int, error: int) -> None:
        self.handle, self.room, self.error = handle, room, error

    def write(self, data):
        if len(data) > self.room:
            self.handle.write(data[:self.room])
            self.room = 0
            raise OSError(self.error, "No space left on device" if self.error == errno.ENOSPC
                          else "Read-only file system")
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def _fill_disk(monkeypatch, under: Path, room: int = 200, error: int = errno.ENOSPC) -> None:
    def opened(self, mode="r", *args, **kwargs):
        handle = _real_open(self, mode, *args, **kwargs)
        if "w" in mode and under in self.parents:
            return _FullDisk(handle, room, error)
        return handle

    monkeypatch.setattr(Path, "open", opened)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_csv_round_trips_odd_text(rows, tmp_path):
    export_csv(rows, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        back = list(csv.DictReader(handle))
    assert [line["note"] for line in back] == ODD_NOTES
    assert {line["officer"] for line in back} == {"Ольга"}


def test_pdf_takes_any_script(rows, tmp_path):
    assert export_pdf(rows, tmp_path / "out.pdf", author="Сэм").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("export", [export_csv, export_json, export_pdf])
def test_a_missing_folder_is_made(rows, tmp_path, export):
    target = tmp_path / "not" / "yet" / "there.out"
    assert export(rows, target) == target and target.stat().st_size > 0
    assert _leftovers(target.parent) == ["there.out"]


@pytest.mark.parametrize("export", [export_csv, export_json, export_pdf])
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_partial(rows, tmp_path, monkeypatch, export,
                                                                     error):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report"
    target.write_bytes(b"yesterday's complete export")
    _fill_disk(monkeypatch, out, error=error)
    with pytest.raises(ExportError) as failed:
        export(rows, target)
    assert str(target) in str(failed.value) and ("No space left" in str(failed.value)
                                                  or "Read-only" in str(failed.value))
    assert isinstance(failed.value, OSError)
    assert target.read_bytes() == b"yesterday's complete export"
    assert _leftovers(out) == ["report"]


def test_json_export_is_all_or_nothing_for_a_new_file(rows, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    _fill_disk(monkeypatch, out, room=1000)
    with pytest.raises(ExportError):
        export_json(rows, out / "audit.json")
    monkeypatch.undo()
    assert _leftovers(out) == []
    export_json(rows, out / "audit.json")
    document = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert [d["note"] for d in document["decisions"]] == ODD_NOTES


@pytest.mark.parametrize("export, finished", [(export_yolo, "data.yaml"), (export_coco, "annotations.json")])
def test_label_export_on_a_full_disk_leaves_no_finished_looking_folder(rows, tmp_path, monkeypatch, export,
                                                                        finished):
    out = tmp_path / "labels"
    _fill_disk(monkeypatch, tmp_path, room=100)  # cv2.imwrite would have said True on a full disk
    with pytest.raises(ExportError) as failed:
        export(rows, out)
    assert "No space left" in str(failed.value)
    assert not any(p.name == finished or p.name.endswith((".partial", ".png")) for p in out.rglob("*"))


def test_label_boxes_use_each_format_convention(rows, tmp_path):
    export_yolo(rows[:1], tmp_path / "yolo")
    (label,) = (tmp_path / "yolo" / "labels").iterdir()
    cls, cx, cy, w, h = label.read_text().split()
    assert cls == "0" and [float(v) for v in (cx, cy, w, h)] == pytest.approx([25 / 120, 17.5 / 80, 30 / 120,
                                                                               25 / 80], abs=1e-6)
    export_coco(rows[:1], tmp_path / "coco")
    document = json.loads((tmp_path / "coco" / "annotations.json").read_text(encoding="utf-8"))
    assert document["annotations"][0]["bbox"] == [10, 5, 30, 25]


def test_tdr_keeps_text_in_any_script_and_long_notes(rows, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pydicom warns when it replaces letters or overruns a VR
        written = export_tdrs(rows, tmp_path / "tdr")
    reports = [read_tdr(path) for path in written]
    assert [r.extra["note"] for r in reports] == [note.strip() for note in ODD_NOTES]
    assert {r.operator for r in reports} == {"Ольга"}
    assert {r.alarms[0].label for r in reports} == {"Пистолет"}


def test_tdr_on_a_full_disk_names_the_file_and_leaves_no_partial(rows, tmp_path, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pydicom.dataset.Dataset.save_as", full)
    with pytest.raises(ExportError, match="000001_bag_tdr.dcs could not be written: No space left"):
        export_tdrs(rows, tmp_path / "tdr")
    assert _leftovers(tmp_path / "tdr") == []


def test_tdr_export_failing_over_a_finished_one_does_not_look_finished(rows, tmp_path, monkeypatch):
    export_tdrs(rows[:1], tmp_path / "tdr")  # last week's, finished, in the same folder
    assert (tmp_path / "tdr" / MANIFEST).exists()
    real_save = Dataset.save_as
    saved = []

    def full_at_the_third(self, *args, **kwargs):
        saved.append(args)
        if len(saved) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Dataset, "save_as", full_at_the_third)
    with pytest.raises(ExportError, match="000003_bag_tdr.dcs could not be written: No space left"):
        export_tdrs(rows, tmp_path / "tdr")
    assert _leftovers(tmp_path / "tdr") == ["000001_bag_tdr.dcs", "000002_bag_tdr.dcs"]


def test_audit_command_reports_a_failed_export_without_a_traceback(rows, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XRAYREVIEW_DATA", str(tmp_path / "data"))
    with DecisionLog(tmp_path / "log.sqlite") as log:
        accounts = Accounts(log)
        admin = accounts.create_first_admin("root", "admin-pass")
        accounts.create(admin, "sam", "supervisor", "super-pass")
    out = tmp_path / "out"
    out.mkdir()
    _fill_disk(monkeypatch, out)
    monkeypatch.setattr("sys.stdin", io.StringIO("super-pass\n"))
    argv = ["audit", "export", "--db", str(tmp_path / "log.sqlite"), "--user", "sam", "--format", "csv",
            "--out", str(out / "audit.csv")]
    assert main(argv) == 2
    assert "audit.csv could not be written: No space left on device" in capsys.readouterr().err
    assert _leftovers(out) == []


@pytest.mark.parametrize("export", [export_csv, export_json, export_pdf])
def test_no_export_replaces_a_log_even_when_asked_to(rows, tmp_path, export):
    # A file dialog's "replace?" answered yes on the decision log must not destroy it.
    log = tmp_path / "log.sqlite"
    before = log.read_bytes()
    with pytest.raises(ExportError, match="is a SQLite database"):
        export(rows, log)
    assert log.read_bytes() == before and not (tmp_path / "log.sqlite.partial").exists()


def test_a_file_in_the_way_of_the_folder_is_named(rows, tmp_path):
    (tmp_path / "reports").write_text("not a folder")
    with pytest.raises(ExportError, match=r"reports is a file, where a folder is needed"):
        export_csv(rows, tmp_path / "reports" / "week.csv")
