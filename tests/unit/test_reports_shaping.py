"""Arabic and Hebrew in the PDF reports: shaped (joined letter forms, right to left) wherever a
Unicode font is embedded, and still written, unshaped and saying so, when shaping is unavailable.

What is checked is what a reader sees: which glyph of the font is drawn where. fpdf2 keeps the
glyph names in the font it embeds, so the joined forms are told from the isolated ones by name
(DejaVu Sans: 'uniFEE3' is meem's initial form, 'uni0645' the letter itself, isolated).
"""

import io
import re
import sys
from dataclasses import dataclass

import fpdf.fonts
import pytest
from fontTools.ttLib import TTFont
from test_reports_fonts import SUMMARY
from test_security_exports import _stream, _to_unicode, pdf_text

from xrayreview.decisions import (
    Account,
    Decision,
    DecisionLog,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports.pdf import export_pdf
from xrayreview.reports.training_pdf import export_training_pdf

MARYAM = "مريم"
# Read left to right on the page: final meem, initial yeh (reh does not join to its left), final
# reh, initial meem; unshaped, the isolated letters in the order typed.
MARYAM_SHAPED = ["uniFEE2", "uniFEF3", "uniFEAE", "uniFEE3"]
MARYAM_UNSHAPED = ["uni0645", "uni0631", "uni064A", "uni0645"]
DAVID, SARAH = "דוד", "שרה"  # Sarah is no palindrome: her order on the page shows the direction
NOTE = ("وجدت حقيبة فيها مسدس تحت الملابس في الجيب الجانبي وتم تحويلها إلى التفتيش اليدوي "
        "بعد موافقة المشرف")
PT = 72 / 25.4  # points per millimetre
# The decision table's columns (pdf.py), from the left margin, in mm.
COLUMNS = (10, 30, 22, 40, 22, 32, 20, 14, 14, 10, 59)
LEFT_MARGIN = 10


@dataclass(frozen=True)
class Glyph:
    page: int
    x: float  # left edge, mm from the page's left edge
    right: float
    y: float  # baseline, mm from the page's bottom edge
    name: str  # the glyph's name in the embedded font
    text: str  # what the font's ToUnicode map says it stands for


@pytest.fixture
def log(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as opened:
        yield opened


def _record(log, officer, note=""):
    record_decision(log, Account(officer, "officer"), Decision(
        ScanInfo(["/inbox/bag.png"], "a" * 64, 10, 10), "clear", now_utc(), note=note))


def _text(line: list[Glyph]) -> str:
    return "".join(g.text for g in line)


def _names(line: list[Glyph]) -> list[str]:
    return [g.name for g in line]


def _lines_reading(lines: list[list[Glyph]], text: str) -> list[list[Glyph]]:
    return [line for line in lines if _text(line) == text]


def _no_uharfbuzz(monkeypatch):
    """What a station whose uharfbuzz failed to install (or to load) looks like to fpdf2."""
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)


# --- shaped --------------------------------------------------------------------------------------

def test_an_arabic_name_prints_joined_and_right_to_left(dejavu, log, tmp_path):
    _record(log, MARYAM)
    lines = drawn_lines(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    cells = _lines_reading(lines, MARYAM[::-1])  # drawn from the left: the name's last letter first
    assert len(cells) >= 2  # the summary table's row and the decision's
    for line in cells:
        assert _names(line) == MARYAM_SHAPED
        assert [g.x for g in line] == sorted(g.x for g in line)
    assert not _lines_reading(lines, MARYAM)


def test_hebrew_names_print_right_to_left(dejavu, log, tmp_path):
    _record(log, DAVID)
    _record(log, SARAH)
    lines = drawn_lines(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    assert _lines_reading(lines, DAVID)
    sarah = _lines_reading(lines, SARAH[::-1])
    assert sarah and not _lines_reading(lines, SARAH)
    for line in sarah:
        assert _names(line) == ["uni05D4", "uni05E8", "uni05E9"]  # he, resh, shin from the left
        assert [g.x for g in line] == sorted(g.x for g in line)


def test_the_training_report_shapes_its_trainees_names(dejavu, tmp_path):
    path = export_training_pdf([SUMMARY, {**SUMMARY, "trainee": MARYAM}], tmp_path / "t.pdf", trainee=MARYAM)
    lines = drawn_lines(path)
    cells = _lines_reading(lines, MARYAM[::-1])
    assert cells and all(_names(line) == MARYAM_SHAPED for line in cells)
    # The heading is drawn first: it must be shaped too, not only what follows the font notes.
    (heading,) = [line for line in lines if _text(line).startswith("Screener training results")]
    names = _names(heading)
    assert any(names[i:i + 4] == MARYAM_SHAPED for i in range(len(names))), names


def test_letters_the_font_lacks_still_print_as_question_marks_with_shaping(dejavu, log, tmp_path):
    _record(log, MARYAM + " 李明")  # DejaVu Sans has no CJK
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    lines = drawn_lines(path)
    cell = next(line for line in lines if "uniFEE3" in _names(line) and "?" in _text(line))
    assert _names(cell).count("question") == 2 and set(MARYAM_SHAPED) <= set(_names(cell))
    assert "this report's font (DejaVuSans.ttf) cannot show" in pdf_text(path)


def test_mixed_and_right_to_left_cells_stay_inside_their_columns_and_wrap_in_reading_order(
        dejavu, monkeypatch, log, tmp_path):
    for i in range(60):
        officer = (MARYAM, f"Omar {MARYAM} Haddad", SARAH, "Olga")[i % 4]
        note = (NOTE, f"Bag {i}: cable coil and {MARYAM} checked it with {SARAH}; see photo 12", "")[i % 3]
        _record(log, officer, note)
    lines = drawn_lines(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    heading = next(i for i, line in enumerate(lines) if _text(line) == "Decisions")
    with monkeypatch.context() as unshaped:
        _no_uharfbuzz(unshaped)
        plain = drawn_lines(export_pdf(load_decisions(log), tmp_path / "plain.pdf"))
    plain_heading = next(i for i, line in enumerate(plain) if _text(line) == "Decisions")
    # Joined letters are narrower than isolated ones: shaping wraps no cell onto more lines, and
    # the report runs to no more pages (here the Arabic note takes two lines where it took three).
    assert len(lines) - heading < len(plain) - plain_heading and 2 <= lines[-1][0].page <= plain[-1][0].page
    edges = [LEFT_MARGIN + sum(COLUMNS[:k]) for k in range(len(COLUMNS) + 1)]
    for line in lines[heading + 1:]:
        column = max(k for k in range(len(COLUMNS)) if edges[k] <= line[0].x + 0.01)
        assert edges[column] <= min(g.x for g in line) and max(g.right for g in line) <= edges[column + 1], \
            f"{_text(line)!r} runs out of column {column}"
    # The long Arabic note wraps inside its cell; each line reads right to left, the lines top down.
    note_lines = [line for line in lines[heading + 1:] if line[0].x >= edges[-2]
                  and all(not g.text.isascii() or not g.text.strip("?. ") for g in line)]
    first_cell = [line for line in note_lines if line[0].page == note_lines[0][0].page
                  and abs(line[0].y - note_lines[0][0].y) < 12]
    assert len(first_cell) >= 2
    first_cell.sort(key=lambda line: -line[0].y)
    # Glyph by glyph from the right, not letter by letter: lam-alef is one glyph of two letters.
    read = " ".join("".join(g.text for g in reversed(line)) for line in first_cell)
    assert len(NOTE) <= 120 and " ".join(read.split()) == NOTE  # the table prints a note this short whole


# --- unshaped where shaping is unavailable -------------------------------------------------------

def test_without_uharfbuzz_the_report_is_written_unshaped_and_says_so(dejavu, monkeypatch, log, tmp_path):
    _no_uharfbuzz(monkeypatch)
    _record(log, MARYAM)
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    cells = _lines_reading(drawn_lines(path), MARYAM)  # isolated letters, in the order typed
    assert cells and all(_names(line) == MARYAM_UNSHAPED for line in cells)
    text = pdf_text(path)
    assert "printed unjoined and left to right" in text and "uharfbuzz" in text
    assert "could not be used" not in text and b"DejaVuSans" in path.read_bytes()  # the font still serves
    training = pdf_text(export_training_pdf([{**SUMMARY, "trainee": MARYAM}], tmp_path / "t.pdf"))
    assert "printed unjoined" in training and MARYAM in training


def test_without_uharfbuzz_a_report_without_right_to_left_text_says_nothing_of_it(dejavu, monkeypatch, log,
                                                                                  tmp_path):
    _no_uharfbuzz(monkeypatch)
    _record(log, "Ольга")
    text = pdf_text(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    assert "Ольга" in text and "unjoined" not in text


def test_shaping_that_fails_at_run_time_keeps_the_font_and_prints_unshaped(dejavu, monkeypatch, log,
                                                                           tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("hb_shape failed")

    monkeypatch.setattr(fpdf.fonts.TTFFont, "perform_harfbuzz_shaping", broken)
    _record(log, MARYAM)
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    cells = _lines_reading(drawn_lines(path), MARYAM)
    assert cells and all(_names(line) == MARYAM_UNSHAPED for line in cells)
    text = pdf_text(path)
    assert "printed unjoined" in text and "hb_shape failed" in text and "could not be used" not in text



def test_only_a_report_whose_texts_need_shaping_is_shaped(dejavu, monkeypatch, log, tmp_path):
    # Shaped, every glyph is placed on its own: a report takes 2.5 times as long to write and
    # comes out 2.7 times larger (`xrayreview bench reports`), for nothing a Latin reader would see.
    shaped = []
    real = fpdf.fonts.TTFFont.perform_harfbuzz_shaping

    def counting(self, *args, **kwargs):
        shaped.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(fpdf.fonts.TTFFont, "perform_harfbuzz_shaping", counting)
    _record(log, "Ольга", note="Zoë's bag, checked")
    path = export_pdf(load_decisions(log), tmp_path / "latin.pdf")
    assert not shaped and "Ольга" in pdf_text(path)
    _record(log, MARYAM)
    export_pdf(load_decisions(log), tmp_path / "arabic.pdf")
    assert shaped


# --- reading glyphs back -------------------------------------------------------------------------

def drawn_lines(path) -> list[list[Glyph]]:
    """The glyphs of each text object (BT .. ET: one line of one cell) of a PDF fpdf2 wrote with an
    embedded TrueType font, in the order drawn, with where they lie and their names in the font.

    A small reader of the operators fpdf2 writes for text: Tf, Td, Tm, Tj and TJ (a justified
    line's words with the spaces between them widened), operands kept on a stack as PDF does.
    """
    data = path.read_bytes()
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    streams = {n: _stream(body) for n, body in objects.items() if b"stream" in body}
    by_object = {n: _font(body, objects, streams) for n, body in objects.items()
                 if b"/DescendantFonts" in body}
    fonts = {name.decode(): by_object.get(int(n)) for name, n in re.findall(rb"/(F\d+) (\d+) 0 R", data)}
    lines = []
    for page, contents in enumerate(re.findall(rb"/Contents (\d+) 0 R", data), start=1):
        lines += _page_lines(page, streams[int(contents)], fonts)
    return lines


def _page_lines(page: int, content: bytes, fonts: dict) -> list[list[Glyph]]:
    token = re.compile(rb"\(((?:\\.|[^\\)])*)\)|/(\w+)|([-+]?[\d.]+)|([\[\]])|([A-Za-z'\"*]+)", re.S)
    font, size, x, y, line, lines, stack = None, 0.0, 0.0, 0.0, [], [], []

    def show(raw: bytes) -> None:
        nonlocal x
        if font is None:
            return
        names, gids, widths, letters = font
        for i in range(0, len(raw), 2):
            code = int.from_bytes(raw[i:i + 2], "big")
            advance = widths(code) * size / 1000
            gid = int.from_bytes(gids[2 * code:2 * code + 2], "big")
            line.append(Glyph(page, x / PT, (x + advance) / PT, y / PT, names[gid], letters.get(code, "")))
            x += advance

    for m in token.finditer(content):
        literal, name, number, bracket, operator = m.groups()
        if literal is not None:
            stack.append(_unescape(literal))
        elif name is not None:
            stack.append(name.decode())
        elif number is not None:
            stack.append(float(number))
        elif bracket == b"[":
            stack.append("[")
        elif bracket == b"]":
            opened = len(stack) - 1 - stack[::-1].index("[")
            stack[opened:] = [stack[opened + 1:]]
        elif operator == b"Tf":
            font, size = fonts.get(stack[-2]), stack[-1]
        elif operator in (b"Td", b"Tm"):  # fpdf2 starts each text object with a Td from the origin
            x, y = stack[-2], stack[-1]
        elif operator == b"Tj":
            show(stack[-1])
        elif operator == b"TJ":
            for item in stack[-1]:
                if isinstance(item, bytes):
                    show(item)
                else:
                    x -= item * size / 1000
        elif operator == b"ET":
            lines += [line] if line else []
            line = []
        if operator is not None:
            stack = []
    return lines


def _unescape(literal: bytes) -> bytes:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda e: bytes([int(e.group(1), 8)]) if e.group(1).isdigit()
                  else escapes.get(e.group(1), e.group(1)), literal, flags=re.S)


def _font(body: bytes, objects: dict, streams: dict):
    cid = objects[int(re.search(rb"/DescendantFonts \[(\d+) 0 R\]", body).group(1))]
    descriptor = objects[int(re.search(rb"/FontDescriptor (\d+) 0 R", cid).group(1))]
    embedded = TTFont(io.BytesIO(streams[int(re.search(rb"/FontFile2 (\d+) 0 R", descriptor).group(1))]))
    gids = streams[int(re.search(rb"/CIDToGIDMap (\d+) 0 R", cid).group(1))]
    widths = {}
    for first, listed, last, width in re.findall(rb"(\d+) (?:\[([\d\s.]*)\]|(\d+) ([\d.]+))",
                                                 re.search(rb"/W \[(.*)\]", cid, re.S).group(1)):
        for i, value in (enumerate(listed.split()) if listed
                         else ((i, width) for i in range(int(last) - int(first) + 1))):
            widths[int(first) + i] = float(value)
    default = float(re.search(rb"/DW ([\d.]+)", cid).group(1))
    letters = _to_unicode(streams[int(re.search(rb"/ToUnicode (\d+) 0 R", body).group(1))])
    return embedded.getGlyphOrder(), gids, lambda code: widths.get(code, default), letters
