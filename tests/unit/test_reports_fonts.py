"""PDF reports set in a Unicode TrueType font found on the machine, and the Latin-1 fallback without one.

No test depends on the machine having a font: each names its font with XRAYREVIEW_PDF_FONT (and
is skipped where DejaVu Sans is not installed) or takes every font away.
"""

from pathlib import Path

import pytest
from pdf_fonts import DEJAVU
from test_security_exports import pdf_text

from xrayreview.decisions import (
    Account,
    Decision,
    DecisionLog,
    ScanInfo,
    load_decisions,
    now_utc,
    record_decision,
)
from xrayreview.reports import fonts
from xrayreview.reports.fonts import ENV_VAR, FontFiles, find_font
from xrayreview.reports.pdf import export_pdf
from xrayreview.reports.training_pdf import export_training_pdf

SUMMARY = {"session": 1, "trainee": "omar", "scans": 2, "mean_seconds": 3.0, "stray_marks": 0,
           "recorded_at": "2026-11-28T10:00:00Z",
           "overall": {"events": 1, "hits": 1, "clean": 1, "false_alarms": 0}}


@pytest.fixture
def no_font(monkeypatch):
    """A machine without any Unicode font: no override, nothing in the font folders."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "font_folders", lambda: [])


@pytest.fixture
def log(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as opened:
        yield opened


def _record(log, officer, note=""):
    record_decision(log, Account(officer, "officer"), Decision(
        ScanInfo(["/inbox/bag.png"], "a" * 64, 10, 10), "clear", now_utc(), note=note))


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")  # the search goes by name; nothing reads these
    return path


# --- finding the font ----------------------------------------------------------------------------

def test_the_override_names_the_font_and_its_bold_face_is_taken_from_beside_it(dejavu):
    bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
    assert find_font() == FontFiles(DEJAVU, bold if bold.is_file() else DEJAVU)


@pytest.mark.parametrize(("regular", "bold"), [
    ("Custom.ttf", None), ("Custom-Regular.ttf", "Custom-Bold.ttf"), ("verdana.ttf", "verdanab.ttf"),
    ("tahoma.ttf", "tahomabd.ttf")])
def test_an_overrides_bold_face_is_found_by_its_usual_names_else_the_regular_one_serves(
        tmp_path, monkeypatch, regular, bold):
    path = _touch(tmp_path / regular)
    if bold:
        _touch(tmp_path / bold)
    monkeypatch.setenv(ENV_VAR, str(path))
    assert find_font() == FontFiles(path, tmp_path / bold if bold else path)


def test_an_override_is_used_even_when_missing_so_that_the_report_can_say_so(tmp_path, monkeypatch):
    # An administrator's choice is never silently swapped for another font.
    _touch(tmp_path / "fonts" / "DejaVuSans.ttf")
    monkeypatch.setattr(fonts, "font_folders", lambda: [tmp_path / "fonts"])
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "gone.ttf"))
    assert find_font() == FontFiles(tmp_path / "gone.ttf", tmp_path / "gone.ttf")


def test_the_font_folders_are_searched_in_depth_in_order_of_preference(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    user, system = tmp_path / "home" / ".local" / "share" / "fonts", tmp_path / "usr" / "share" / "fonts"
    monkeypatch.setattr(fonts, "font_folders", lambda: [user, system])
    _touch(system / "truetype" / "liberation" / "LiberationSans-Regular.ttf")
    _touch(system / "truetype" / "liberation" / "LiberationSans-Bold.ttf")
    assert find_font() == FontFiles(system / "truetype" / "liberation" / "LiberationSans-Regular.ttf",
                                    system / "truetype" / "liberation" / "LiberationSans-Bold.ttf")
    noto = _touch(user / "NotoSans-Regular.ttf")  # more scripts than Liberation; no bold face beside it
    assert find_font() == FontFiles(noto, noto)
    dejavu = _touch(system / "TTF" / "DejaVuSans.ttf")
    dejavu_bold = _touch(system / "TTF" / "DejaVuSans-Bold.ttf")
    assert find_font() == FontFiles(dejavu, dejavu_bold)


def test_windows_and_macos_font_names_are_found(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "font_folders", lambda: [tmp_path])
    arial, arial_bold = _touch(tmp_path / "arial.ttf"), _touch(tmp_path / "arialbd.ttf")
    assert find_font() == FontFiles(arial, arial_bold)
    unicode_arial = _touch(tmp_path / "Supplemental" / "Arial Unicode.ttf")  # CJK too: the widest cover
    assert find_font() == FontFiles(unicode_arial, unicode_arial)


def test_the_usual_system_folders_are_searched(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    linux = set(fonts.font_folders("linux"))
    assert {Path("/usr/share/fonts"), tmp_path / ".local" / "share" / "fonts"} <= linux
    monkeypatch.setenv("WINDIR", "C:\\Windows")
    assert Path("C:\\Windows") / "Fonts" in fonts.font_folders("win32")
    assert {Path("/Library/Fonts"), Path("/System/Library/Fonts")} <= set(fonts.font_folders("darwin"))



def test_a_station_account_without_a_home_still_finds_the_system_fonts(monkeypatch):
    # A service or container user with no HOME and no passwd entry: Path.home() raises, which
    # took the PDF export down with a traceback while the CSV export of the same rows worked.
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(fonts.Path, "home", staticmethod(no_home))
    assert Path("/usr/share/fonts") in fonts.font_folders("linux")
    assert Path("/Library/Fonts") in fonts.font_folders("darwin")
    fonts.find_font()  # searches without raising



def test_a_dangling_link_in_the_user_folder_does_not_hide_the_system_font(tmp_path, monkeypatch):
    user, system = tmp_path / "user", tmp_path / "system"
    user.mkdir()
    (user / "DejaVuSans.ttf").symlink_to(tmp_path / "gone.ttf")
    real = _touch(system / "truetype" / "DejaVuSans.ttf")
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "font_folders", lambda: [user, system])
    assert find_font().regular == real



def test_the_override_none_asks_for_the_built_in_font(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "none")
    assert find_font() is None


def test_no_font_anywhere(no_font):
    assert find_font() is None


# --- the audit report ----------------------------------------------------------------------------

def test_names_in_any_script_the_font_has_print_as_they_are(dejavu, log, tmp_path):
    _record(log, "Ольга", note="Пистолет в подкладке")
    _record(log, "Αθηνά")
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf", author="Сэм", chain=log.verify())
    text = pdf_text(path)
    assert "Ольга" in text and "Αθηνά" in text and "Пистолет в подкладке" in text and "by Сэм" in text
    assert "?????" not in text and "cannot show" not in text and "could not be used" not in text
    assert b"/FontFile2" in path.read_bytes() and b"DejaVuSans" in path.read_bytes()


def test_letters_the_font_lacks_print_as_question_marks_and_the_report_says_which_font(dejavu, log, tmp_path):
    _record(log, "李明")  # DejaVu Sans has no CJK
    _record(log, "Ольга")
    text = pdf_text(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    assert "??" in text.split() and "Ольга" in text
    assert "this report's font (DejaVuSans.ttf) cannot show" in text and "printed as '?'" in text
    assert "CSV and JSON export" in text


def test_without_a_unicode_font_the_built_in_latin1_font_serves_as_before(no_font, log, tmp_path):
    _record(log, "Ольга")
    _record(log, "José", note="café – 5 …")
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    text = pdf_text(path)
    assert "?????" in text.split() and "José" in text and "café - 5 ..." in text
    assert "outside Latin-1" in text and "could not be used" not in text
    assert b"/FontFile2" not in path.read_bytes() and b"/BaseFont /Helvetica" in path.read_bytes()


@pytest.mark.parametrize("content", [None, b"not a font at all", b"\x00\x01\x00\x00" + b"\x00" * 200],
                         ids=["missing", "text", "empty-truetype"])
def test_a_missing_or_broken_font_falls_back_and_says_so(monkeypatch, log, tmp_path, content):
    font = tmp_path / "fonts" / "Broken.ttf"
    if content is not None:
        font.parent.mkdir()
        font.write_bytes(content)
    monkeypatch.setenv(ENV_VAR, str(font))
    _record(log, "Ольга")
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    text = pdf_text(path)
    assert f"The PDF font {font} could not be used" in text
    assert "?????" in text.split() and "outside Latin-1" in text
    assert b"/FontFile2" not in path.read_bytes()



def test_a_damaged_bold_face_beside_a_good_regular_one_keeps_the_unicode_font(dejavu, monkeypatch, log,
                                                                            tmp_path):
    # The bold face failing took the whole report to the built-in font, Cyrillic names to '?'.
    fonts_dir = tmp_path / "fonts"
    fonts_dir.mkdir()
    regular = fonts_dir / "DejaVuSans.ttf"
    regular.write_bytes(DEJAVU.read_bytes())
    (fonts_dir / "DejaVuSans-Bold.ttf").write_text("not a font")
    monkeypatch.setenv(ENV_VAR, str(regular))
    _record(log, "Ольга")
    path = export_pdf(load_decisions(log), tmp_path / "r.pdf")
    text = pdf_text(path)
    assert "Ольга" in text and "could not be used" not in text


def test_a_font_that_fails_only_when_embedded_falls_back_too(dejavu, monkeypatch, log, tmp_path):
    embed = fonts.ReportPDF.output

    def output(self, *args, **kwargs):
        if self.font_files is not None:  # what fontTools raises for a font it cannot subset
            raise KeyError("glyf")
        return embed(self, *args, **kwargs)

    monkeypatch.setattr(fonts.ReportPDF, "output", output)
    _record(log, "Ольга")
    text = pdf_text(export_pdf(load_decisions(log), tmp_path / "r.pdf"))
    assert f"The PDF font {DEJAVU} could not be used ('glyf')" in text and "?????" in text.split()


# --- the training report -------------------------------------------------------------------------

def test_the_training_report_prints_trainees_in_any_script(dejavu, tmp_path):
    text = pdf_text(export_training_pdf([SUMMARY, {**SUMMARY, "trainee": "Ольга"}], tmp_path / "t.pdf",
                                        author="Тина", trainee="Ольга"))
    assert "Screener training results: Ольга" in text and "by Тина" in text
    assert "Ольга" in text.split() and "cannot show" not in text


def test_the_training_report_says_when_it_could_not_show_some_letters(no_font, tmp_path):
    text = pdf_text(export_training_pdf([SUMMARY, {**SUMMARY, "trainee": "Ольга"}], tmp_path / "t.pdf"))
    assert "?????" in text.split() and "outside Latin-1" in text and "The CSV export holds them" in text
    plain = pdf_text(export_training_pdf([SUMMARY], tmp_path / "p.pdf"))
    assert "outside Latin-1" not in plain and "omar" in plain
