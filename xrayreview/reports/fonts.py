"""The font the station's PDF reports are set in: a Unicode TrueType font of the machine's, where it has one.

fpdf2's built-in fonts (Helvetica) cover Latin-1 only, and customs services are multinational:
an officer named Ольга or 李明 would print as '?'. So the reports embed a TrueType font found at
run time in the system's font folders (none is shipped: fonts carry their own licences), or
the one named by ``XRAYREVIEW_PDF_FONT=/path/to/font.ttf``, with its bold face where one lies
beside it. Letters even that font lacks (CJK in DejaVu Sans) still print as '?', and the report
says so; only without any usable Unicode font does the built-in Latin-1 font serve.

Text in that font is shaped (HarfBuzz, through the uharfbuzz package): Arabic letters take their
joined forms and Arabic and Hebrew run right to left. Without shaping a name such as مريم prints
as four isolated letters in the wrong order. Where uharfbuzz is missing or fails, the report is
still written, unshaped, and says so when it holds right-to-left letters.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.errors import FPDFException

ENV_VAR = "XRAYREVIEW_PDF_FONT"
BUILT_IN = "none"  # the override that asks for no Unicode font
CORE_FAMILY = "Helvetica"
UNICODE_FAMILY = "ReportSans"  # what the reports call the embedded font
# Regular faces by preference: the widest cover of scripts first (Arial Unicode has CJK; DejaVu
# Sans Arabic, Hebrew, Armenian and Georgian besides Latin, Greek and Cyrillic). Matched without
# regard to case, as Windows and macOS do (and the Microsoft core fonts on Linux are "Arial.ttf").
PREFERRED = ("arial unicode.ttf", "arialuni.ttf", "dejavusans.ttf", "notosans-regular.ttf", "segoeui.ttf",
             "arial.ttf", "liberationsans-regular.ttf", "freesans.ttf")
# Typographic marks with look-alikes a narrow font has, so that they lose no meaning.
LOOKALIKES = {"–": "-", "—": "-", "…": "...", "’": "'"}
# Words of the reports, to compare a font's widths with Helvetica's, for which they were laid out.
WIDTH_SAMPLE = "Decisions per hour, referral rate and agreement with the detector: 0123456789 %"


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path  # the regular face again where no bold one was found


def font_folders(platform: str = sys.platform) -> list[Path]:
    """The folders fonts are installed in on ``platform`` (this system's), the user's own first."""
    if platform == "win32":
        windows = Path(os.environ.get("WINDIR") or os.environ.get("SystemRoot") or "C:\\Windows")
        local = os.environ.get("LOCALAPPDATA")
        return [*([Path(local) / "Microsoft" / "Windows" / "Fonts"] if local else []), windows / "Fonts"]
    try:
        home = Path.home()
    except RuntimeError:  # a service account with no HOME and no passwd entry: no fonts of its own
        own: list[Path] = []
    else:
        own = ([home / "Library" / "Fonts"] if platform == "darwin"
               else [home / ".local" / "share" / "fonts", home / ".fonts"])
    if platform == "darwin":
        return [*own, Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    return [*own, Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]


def find_font() -> FontFiles | None:
    """The Unicode font to embed: the override when set (even a missing file, which the report then
    names, rather than another font silently; ``none`` for the built-in Latin-1 font, the smallest
    files), else the preferred one in the font folders."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override.lower() == BUILT_IN:
        return None
    if override:
        regular = Path(override).expanduser()
        return FontFiles(regular, bold_beside(regular))
    found: dict[str, Path] = {}
    for folder in font_folders():
        for parent, _dirs, names in os.walk(folder):  # distributions sort fonts into sub-folders
            for name in names:
                path = Path(parent) / name
                # A link left dangling in the user's folder must not hide the system's copy.
                if name.lower() in PREFERRED and name.lower() not in found and path.is_file():
                    found[name.lower()] = path
    for name in PREFERRED:
        if name in found:
            return FontFiles(found[name], bold_beside(found[name]))
    return None


def bold_beside(regular: Path) -> Path:
    """The bold face in ``regular``'s folder by the usual names (DejaVuSans-Bold, NotoSans-Bold for
    NotoSans-Regular, Arial Bold, arialbd, segoeuib), or ``regular`` itself."""
    stem, suffix = regular.stem, regular.suffix
    bases = [stem]
    for ending in ("-Regular", "_Regular", " Regular", "Regular", "-Book", " Book", "Book"):
        if stem.lower().endswith(ending.lower()) and len(stem) > len(ending):
            bases.insert(0, stem[:-len(ending)])
    wanted = [f"{base}{sep}Bold{suffix}" for base in bases for sep in ("-", "_", " ", "")]
    wanted += [f"{stem}bd{suffix}", f"{stem}b{suffix}"]
    try:
        beside = {path.name.lower(): path for path in regular.parent.iterdir()}
    except OSError:
        return regular
    for name in wanted:
        if name.lower() in beside and beside[name.lower()] != regular:
            return beside[name.lower()]
    return regular


class ReportPDF(FPDF):
    """A report document that knows its text font: the Unicode one of ``font``, else Helvetica.

    ``problem`` says why a Unicode font found or named was not used; the report prints it.
    ``shaping`` allows shaped text in the Unicode font, which ``font_notes`` turns on when the
    report's texts need it; ``shaping_problem`` says why there is none (uharfbuzz missing, or
    shaping failed in an earlier try), for the report to print.
    """

    def __init__(self, font: FontFiles | None = None, problem: str = "", *, shaping: bool = True,
                 shaping_problem: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.font_files = font
        self.font_problem = problem
        self.text_family = CORE_FAMILY
        self.shaping_problem = shaping_problem
        self._regular_covers: Callable[[str], bool] = _latin1
        self._size_scale = 1.0
        if font is not None:
            self.add_font(UNICODE_FAMILY, "", font.regular)
            self.add_font(UNICODE_FAMILY, "B", font.bold)
            self.text_family = UNICODE_FAMILY
            self._regular_covers = _covers(self.fonts[UNICODE_FAMILY.lower()])
            self._size_scale = _width_ratio(font)
        # Started by font_notes, and only for texts that need it: shaped, every glyph is placed on
        # its own, which makes a report 2.5 times slower to write and 2.7 times larger (bench reports).
        self._may_shape = font is not None and shaping

    @property
    def shaped(self) -> bool:
        """Whether text is shaped (joined Arabic forms, right-to-left runs) in this document."""
        return self.text_shaping is not None

    def _start_shaping(self) -> None:
        try:
            self.set_text_shaping(True)
        except FPDFException:
            # fpdf2 says so when uharfbuzz cannot be imported: a packaging failure on this machine,
            # which must cost the supervisor the letters' joining, not the report.
            self.shaping_problem = "the text-shaping package uharfbuzz could not be loaded"

    def use_font(self, style: str, size: float) -> None:
        """The report's font at ``size`` points as laid out for Helvetica: a wider font (DejaVu Sans
        runs a fifth wider) is set that much smaller, so that headings, table columns and chart
        labels break where they did rather than mid-word; its larger x-height keeps it as legible."""
        self.set_font(self.text_family, style, size * self._size_scale)

    def shown(self, text: str) -> str:
        """``text`` as the font in use can draw it: letters it lacks as '?', never an error or a gap."""
        return _shown(text, _covers(self.current_font) if self.current_font else self._regular_covers)

    def font_notes(self, texts: Iterable[str], exact_in: str) -> list[str]:
        """Lines for the report's heading: that some of ``texts`` lost letters (and where they are
        kept exactly, ``exact_in``), and why a Unicode font was not used."""
        texts = list(texts)
        if self._may_shape and not self.shaped and any(_needs_shaping(text) for text in texts):
            self._start_shaping()
        notes = [self.font_problem] if self.font_problem else []
        if any(_loses(text, self._regular_covers) for text in texts):
            if self.font_files is None:
                which = "outside Latin-1, which this report's font cannot show"
            else:
                which = f"that this report's font ({self.font_files.regular.name}) cannot show"
            notes.append(f"Some names or notes hold letters {which}: they are printed as '?'. {exact_in}")
        if self.font_files is not None and not self.shaped and any(_right_to_left(text) for text in texts):
            why = self.shaping_problem or "text shaping is off"
            notes.append(f"Some names or notes hold Arabic or Hebrew letters, which are printed unjoined and "
                         f"left to right: {why}. {exact_in}")
        return notes


def unusable(font: FontFiles, exc: Exception) -> str:
    """The report's line for a Unicode font that failed (not a TrueType file, damaged, missing)."""
    reason = str(exc).strip() or type(exc).__name__
    return (f"The PDF font {font.regular} could not be used ({reason}); this report is set in the "
            "built-in Latin-1 font instead.")


def _width_ratio(font: FontFiles) -> float:
    """Helvetica's width of the sample over ``font``'s, at most 1 (a narrower font is not enlarged)."""
    widths = []
    for family, path in ((CORE_FAMILY, None), (UNICODE_FAMILY, font.regular)):
        probe = FPDF()  # a document of its own: measuring must not add Helvetica to the report
        if path is not None:
            probe.add_font(family, "", path)
        probe.set_font(family, "", 10)
        widths.append(probe.get_string_width(WIDTH_SAMPLE))
    return min(1.0, widths[0] / widths[1]) if widths[1] > 0 else 1.0


def _needs_shaping(text: str) -> bool:
    # Right-to-left letters, and combining marks (Indic vowel signs, Hebrew points), which only
    # shaping puts in place.
    return _right_to_left(text) or any(unicodedata.category(char).startswith("M") for char in text)


def _right_to_left(text: str) -> bool:
    # R: Hebrew and other right-to-left letters; AL: Arabic letters, which join as well.
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def _latin1(char: str) -> bool:
    return ord(char) < 256


def _covers(font: Any) -> Callable[[str], bool]:
    # fpdf2's TrueType fonts carry the font's cmap (code point -> glyph); built-in fonts do not.
    cmap = getattr(font, "cmap", None)
    if cmap is None:
        return _latin1
    return lambda char: ord(char) in cmap


def _shown(text: str, covers: Callable[[str], bool]) -> str:
    out = []
    for char in text:
        if char < " ":
            # Line breaks lay out text; a TrueType font has no glyph for the other control
            # characters (a tab in a note), which fpdf2 would report as missing: a space serves.
            out.append(char if char == "\n" or covers is _latin1 else " ")
        elif covers(char):
            out.append(char)
        elif char in LOOKALIKES and all(covers(c) for c in LOOKALIKES[char]):
            out.append(LOOKALIKES[char])
        else:
            out.append("?")
    return "".join(out)


def _loses(text: str, covers: Callable[[str], bool]) -> bool:
    return any(char >= " " and not covers(char)
               and not (char in LOOKALIKES and all(covers(c) for c in LOOKALIKES[char])) for char in text)
