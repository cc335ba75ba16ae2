"""Security review of exports as evidence: formula text defused, file names kept inside the export
folder, and every report saying which filter and which log state it shows."""

import csv
import json
import re
import zlib

import cv2
import numpy as np
import pytest

from xrayreview.decisions import (
    Account,
    AuditFilter,
    Decision,
    DecisionLog,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports import fonts
from xrayreview.reports.cells import spreadsheet_safe
from xrayreview.reports.labels import export_coco, export_yolo
from xrayreview.reports.pdf import export_pdf
from xrayreview.reports.tabular import export_csv, export_json
from xrayreview.reports.tdr_folder import MANIFEST, export_tdrs
from xrayreview.scan import load_scan

MARK = {"label": "pistol", "category": "firearm", "score": 0.9, "box": [2, 2, 8, 8], "verdict": "confirmed"}


def pdf_text(path) -> str:
    """The text drawn in a PDF written by fpdf2, one line per text object (BT .. ET: a line of a cell).

    Built-in fonts draw Latin-1 bytes; an embedded TrueType font draws two-byte glyph codes that
    its ToUnicode map turns back into letters (each font its own codes, so the font in use counts).
    Shaped text is drawn a glyph at a time, each placed on its own, in the order of the page
    (right-to-left runs reversed), and a ligature's glyph reads back as its letters ('ffi').
    """
    data = path.read_bytes()
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    streams = {n: _stream(body) for n, body in objects.items() if b"stream" in body}
    letters = {}  # font object -> its code-to-text map; absent for a built-in font
    for n, body in objects.items():
        found = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if found:
            letters[n] = _to_unicode(streams[int(found.group(1))])
    fonts = {name.decode(): letters.get(int(n)) for name, n in re.findall(rb"/(F\d+) (\d+) 0 R", data)}
    shown = []
    for contents in re.findall(rb"/Contents (\d+) 0 R", data):  # the pages' own streams, in order
        shown += _drawn(streams[int(contents)], fonts)
    return "\n".join(shown)


def _stream(body: bytes) -> bytes:
    # The line end before "endstream" is left on: a compressed stream may itself end in \r, and
    # a decompress object stops at the stream's own end, whatever follows it.
    raw = re.search(rb"stream\r?\n(.*)endstream", body, re.S).group(1)
    try:
        return zlib.decompressobj().decompress(raw)
    except zlib.error:
        return raw


def _to_unicode(cmap: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = chr(int(first, 16) + offset)
    return mapping


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _drawn(content: bytes, fonts: dict) -> list[str]:
    """The text of each text object in a content stream, decoded with the font then in use."""
    shown, font, pieces = [], None, []
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)|\b(ET)\b", re.S)
    for match in token.finditer(content):
        if match.group(1):
            font = fonts.get(match.group(1).decode())
        elif match.group(3):
            if pieces:
                shown.append("".join(pieces))
            pieces = []
        else:
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                         else _ESCAPES.get(m.group(1), m.group(1)), match.group(2), flags=re.S)
            if font is None:
                pieces.append(raw.decode("latin-1"))
            else:
                pieces.append("".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd")
                                      for i in range(0, len(raw), 2)))
    return shown


def _record(log, officer="olga", note="", files=("/inbox/bag.png",), marks=()):
    return record_decision(log, Account(officer, "officer"), Decision(
        ScanInfo(list(files), "a" * 64, 10, 10), "refer" if marks else "clear", now_utc(), note=note,
        reasons=["firearm"] if marks else [], detector_marks=list(marks)))


@pytest.fixture
def log(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as opened:
        yield opened


# --- CSV ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["  =HYPERLINK(\"http://x\")", "\n+cmd|' /C calc'!A0", " @SUM(A1)",
                                  "\u00a0=1+1"])
def test_formula_text_after_leading_blanks_is_defused(text):
    # LibreOffice's CSV import can trim leading spaces, and then runs what follows.
    assert spreadsheet_safe(text) == "'" + text


def test_numbers_and_plain_text_are_left_alone():
    assert spreadsheet_safe("\tabc") == "'\tabc"  # a leading tab alone stays defused, as before
    values = ["-0.250", " 12", "olga", 3, None]
    assert [spreadsheet_safe(v) for v in values] == values


def test_a_scan_file_named_like_a_formula_is_defused_in_the_csv(log, tmp_path):
    _record(log, files=["/inbox/ =HYPERLINK(\"evil\",\"open\").png"])
    export_csv(load_decisions(log), tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        (line,) = csv.DictReader(handle)
    assert line["scan"].startswith("' =HYPERLINK")


# --- provenance: the filter and the log state a report came from ---------------------------------

def test_the_pdf_states_a_filter_for_scans_the_detector_did_not_flag(log, tmp_path):
    _record(log)
    flt = AuditFilter(flagged=False, disagreement=False)
    text = pdf_text(export_pdf(load_decisions(log, flt), tmp_path / "r.pdf", flt=flt, chain=log.verify()))
    assert "flagged=False" in text and "disagreement=False" in text
    assert "none (all decisions)" not in text


def test_the_pdf_says_when_it_could_not_show_some_letters(log, tmp_path, monkeypatch):
    # The built-in font's case: a machine without a Unicode font (tests/unit/test_reports_fonts.py
    # has the others).
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "font_folders", lambda: [])
    _record(log, officer="Ольга", note="Пистолет в подкладке")
    _record(log, officer="Оксана")
    text = pdf_text(export_pdf(load_decisions(log), tmp_path / "r.pdf", chain=log.verify()))
    assert "outside Latin-1" in text and "JSON export" in text
    with DecisionLog(tmp_path / "latin.sqlite") as latin:
        _record(latin, officer="José", note="Ünïcode café")
        plain = pdf_text(export_pdf(load_decisions(latin), tmp_path / "p.pdf"))
    assert "outside Latin-1" not in plain


def test_the_json_export_names_the_log_state_it_came_from(log, tmp_path):
    _record(log)
    _record(log, marks=[MARK])
    chain = log.verify()
    flt = AuditFilter(decision="refer")
    export_json(load_decisions(log, flt), tmp_path / "out.json", flt, chain=chain)
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document["log"] == {"records": 2, "head_seq": 2, "head_hash": log.head()[1], "intact": True,
                               "first_break": None}
    assert document["filter"]["decision"] == "refer"


# --- file names derived from scan names stay inside the export folder (regression guards) --------

def test_tdr_file_names_cannot_leave_the_export_folder(log, tmp_path):
    for name in ("/inbox/../../../evil.png", "C:\\scans\\..\\..\\evil.png", "/inbox/..", "/inbox/.png"):
        _record(log, files=[name], marks=[MARK])
    folder = tmp_path / "out" / "tdr"
    written = export_tdrs(load_decisions(log), folder)
    assert len(written) == 4 and all(path.parent == folder for path in written)
    assert sorted(p.name for p in folder.iterdir()) == sorted([MANIFEST, *(p.name for p in written)])


def test_yolo_and_coco_file_names_cannot_leave_the_export_folder(log, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    image = (np.arange(40 * 60, dtype=np.uint32).reshape(40, 60) * 9 % 65535).astype(np.uint16)
    odd = inbox / "..\\..\\evil.png"  # backslashes are ordinary characters in a POSIX file name
    cv2.imwrite(str(odd), image)
    record_decision(log, Account("olga", "officer"), Decision(
        ScanInfo.from_scan(load_scan(odd)), "refer", now_utc(), reasons=["firearm"], detector_marks=[MARK]))
    for exporter, name in ((export_yolo, "yolo"), (export_coco, "coco")):
        folder = tmp_path / "out" / name
        assert exporter(load_decisions(log), folder).images == 1
        (png,) = (folder / "images").iterdir()
        assert png.parent == folder / "images" and "/" not in png.name and "\\" not in png.name
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["coco", "yolo"]
