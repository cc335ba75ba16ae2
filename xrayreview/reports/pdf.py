"""The supervisor's PDF report: summary figures, two charts and the table of decisions (fpdf2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from ..decisions.chain import VerifyResult
from ..decisions.log import now_utc
from ..decisions.queries import AuditFilter, DecisionRow, Figures, figures, figures_per_officer, hourly_counts
from ..decisions.vocabulary import DECISIONS
from .files import write_bytes
from .fonts import FontFiles, ReportPDF, find_font, unusable
from .table import flat_row

_BAR = (52, 101, 164)
_BAR_2 = (230, 145, 56)
_MAX_BARS = 48


CHART_ROW_HEIGHT = 62  # a row of two 55-mm charts with their captions


def landscape_report(title: str, author: str, font: FontFiles | None = None, problem: str = "", *,
                     shaping: bool = True, shaping_problem: str = "") -> ReportPDF:
    """An A4 landscape document with its first page open: the shape of every station report."""
    pdf = ReportPDF(font, problem, shaping=shaping, shaping_problem=shaping_problem,
                    orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_page()
    return pdf


def render_report(title: str, author: str, draw: Callable[[ReportPDF], None]) -> bytearray:
    """The report ``draw`` lays out, set in the machine's Unicode font (see ``fonts``), or in the
    built-in Latin-1 font when there is none or it fails.

    A font can fail when added (not a TrueType file, damaged, missing) or only when embedded at
    the end (fontTools cannot subset it), so the whole report is laid out again: a font never
    costs the supervisor the report, and the report names the font and the reason. Shaping
    (HarfBuzz) can fail with a font fontTools reads well: then the report is laid out once more
    in that font, unshaped, and once more with its regular face for bold, before the font is
    given up.
    """
    font, problem, shaping_problem = find_font(), "", ""
    if font is not None:
        shaping = True
        while True:
            pdf = None
            try:
                pdf = landscape_report(title, author, font, shaping=shaping, shaping_problem=shaping_problem)
                draw(pdf)
                return pdf.output()
            except Exception as exc:  # noqa: BLE001 - fontTools, fpdf2 and HarfBuzz raise many kinds
                if pdf is not None and pdf.shaped:
                    shaping = False
                    shaping_problem = f"text shaping failed ({str(exc).strip() or type(exc).__name__})"
                    continue
                if font.bold != font.regular:  # a damaged bold face beside a good regular one
                    font = FontFiles(font.regular, font.regular)
                    continue
                problem = unusable(font, exc)
                break
    pdf = landscape_report(title, author, None, problem)
    draw(pdf)
    return pdf.output()


def chart_row_top(pdf: ReportPDF) -> float:
    """Where a row of charts starts: below the text, or on a new page when it would not fit."""
    top = pdf.get_y() + 4
    if top + CHART_ROW_HEIGHT > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.get_y()
    return top


def export_pdf(rows: list[DecisionRow], path: Path, *, flt: AuditFilter | None = None,
               chain: VerifyResult | None = None, author: str = "",
               title: str = "Decision log audit") -> Path:
    def draw(pdf: ReportPDF) -> None:
        _report(pdf, rows, flt, chain, author, title)

    return write_bytes(path, render_report(title, author, draw))


def _report(pdf: ReportPDF, rows: list[DecisionRow], flt: AuditFilter | None, chain: VerifyResult | None,
            author: str, title: str) -> None:
    # Two officers named in Cyrillic both print as '?????': a reader must be told, not misled.
    texts = [author, str(flt or ""), *(t for row in rows for t in (row.officer, row.scan_name, row.note))]
    _heading(pdf, title, flt, chain, author, len(rows), pdf.font_notes(texts, "The CSV and JSON export hold "
                                                                             "them exactly."))
    overall, per_officer = figures(rows), figures_per_officer(rows)
    _summary_table(pdf, overall, per_officer)
    if rows:
        top = chart_row_top(pdf)
        _bar_chart(pdf, pdf.l_margin, top, 130, 55, "Decisions per hour (UTC)", _hourly(rows))
        _grouped_chart(pdf, pdf.l_margin + 142, top, 130, 55, per_officer)
        pdf.set_y(top + CHART_ROW_HEIGHT)
        if overall.cleared_strong_alarms:
            pdf.use_font("B", 10)
            seqs = ", ".join(f"#{s}" for s in overall.cleared_strong_alarms[:60])
            pdf.multi_cell(0, 5, pdf.shown(f"Cleared despite a strong detector alarm: {seqs}"))
    _decision_table(pdf, rows)


def _heading(pdf: ReportPDF, title: str, flt: AuditFilter | None, chain: VerifyResult | None, author: str,
             count: int, font_notes: Sequence[str] = ()) -> None:
    pdf.use_font("B", 16)
    pdf.cell(0, 9, pdf.shown(title), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font("", 9)
    lines = [f"Generated {now_utc()} (UTC)" + (f" by {author}" if author else "") + f"; {count} decision(s)."]
    # Every choice but the defaults is named: flagged=False ("only scans the detector did not flag")
    # once read as no filter at all, so a report of a subset claimed to show every decision.
    defaults = asdict(AuditFilter())
    chosen = {k: v for k, v in asdict(flt or AuditFilter()).items()
              if v not in (None, "") and v != defaults[k]}
    lines.append("Filter: " + (", ".join(f"{k}={v}" for k, v in chosen.items())
                               or "none (all decisions but those their officer later corrected)"))
    if chain is not None:
        lines.append(f"Log integrity: {chain}")
    lines += font_notes
    for line in lines:
        pdf.multi_cell(0, 4.5, pdf.shown(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _summary_table(pdf: ReportPDF, overall: Figures, per_officer: dict[str, Figures]) -> None:
    pdf.set_fill_color(235, 235, 235)
    pdf.use_font("", 9)
    heads = ("", "scans", "active h", "scans/h", "median s", "referred", "rescan", "agree w/ detector",
             "cleared strong alarm")
    with pdf.table(col_widths=(40, 18, 18, 18, 18, 20, 18, 30, 34), text_align="RIGHT",
                   first_row_as_headings=True, width=214, align="LEFT") as table:
        table.row([*heads])
        for name, fig in [("All officers", overall), *per_officer.items()]:
            table.row([pdf.shown(name), str(fig.scans), str(fig.active_hours), f"{fig.scans_per_hour:g}",
                       _num(fig.median_decision_s), _pct(fig.referral_rate), _pct(fig.rescan_rate),
                       _pct(fig.agreement_rate), str(len(fig.cleared_strong_alarms))])


def _hourly(rows: list[DecisionRow]) -> list[tuple[str, float]]:
    counts = hourly_counts(rows)
    if len(counts) <= _MAX_BARS:
        return [(hour[5:].replace("T", " ") + "h", n) for hour, n in counts.items()]
    days: dict[str, float] = {}
    for hour, n in counts.items():
        days[hour[:10]] = days.get(hour[:10], 0) + n
    return list(days.items())[-_MAX_BARS:]


def _bar_chart(pdf: ReportPDF, x: float, y: float, w: float, h: float, title: str,
               bars: Sequence[tuple[str, float]]) -> None:
    _chart_title(pdf, x, y, w, title)
    top, bottom = y + 8, y + h - 8
    peak = max((v for _, v in bars), default=0) or 1
    slot = w / max(1, len(bars))
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x, bottom, x + w, bottom)
    pdf.use_font("", 6)
    pdf.set_fill_color(*_BAR)
    for i, (label, value) in enumerate(bars):
        height = (bottom - top) * value / peak
        pdf.rect(x + i * slot + slot * 0.15, bottom - height, slot * 0.7, height, style="F")
        if len(bars) <= 16 or i % max(1, len(bars) // 12) == 0:
            pdf.set_xy(x + i * slot, bottom + 0.5)
            pdf.cell(slot, 3, pdf.shown(label[-8:]), align="C")
        pdf.set_xy(x + i * slot, bottom - height - 3.2)
        pdf.cell(slot, 3, f"{value:g}", align="C")


def _chart_title(pdf: ReportPDF, x: float, y: float, w: float, title: str) -> None:
    pdf.use_font("B", 9)
    text = pdf.shown(title)
    width = pdf.get_string_width(text)
    if width > w:  # a wider font than Helvetica (DejaVu Sans) would run past the chart or the page
        pdf.use_font("B", 9 * w / width)
    pdf.set_xy(x, y)
    pdf.cell(w, 5, text)


def _grouped_chart(pdf: ReportPDF, x: float, y: float, w: float, h: float,
                   per_officer: dict[str, Figures]) -> None:
    """Referral rate and agreement with the detector, per officer, as paired bars (0–100 %)."""
    _chart_title(pdf, x, y, w,
                 "Per officer: referral rate (blue) and agreement with the detector (orange), %")
    top, bottom = y + 8, y + h - 8
    pdf.line(x, bottom, x + w, bottom)
    names = list(per_officer)[:20]
    slot = w / max(1, len(names))
    pdf.use_font("", 6)
    for i, name in enumerate(names):
        fig = per_officer[name]
        for j, (rate, colour) in enumerate(((fig.referral_rate, _BAR), (fig.agreement_rate, _BAR_2))):
            height = (bottom - top) * (rate or 0.0)
            pdf.set_fill_color(*colour)
            pdf.rect(x + i * slot + slot * (0.1 + 0.4 * j), bottom - height, slot * 0.38, height, style="F")
        pdf.set_xy(x + i * slot, bottom + 0.5)
        pdf.cell(slot, 3, pdf.shown(name[:14]), align="C")


def _decision_table(pdf: ReportPDF, rows: list[DecisionRow]) -> None:
    pdf.set_fill_color(235, 235, 235)  # headings; the charts leave their bar colour behind
    pdf.ln(3)
    pdf.use_font("B", 11)
    pdf.cell(0, 6, "Decisions", new_x="LMARGIN", new_y="NEXT")
    pdf.use_font("", 7)
    heads = ("#", "decided (UTC)", "officer", "scan", "decision", "reasons", "marks d/c/x/own", "max score",
             "disagree", "s", "note")
    with pdf.table(col_widths=(10, 30, 22, 40, 22, 32, 20, 14, 14, 10, 59), first_row_as_headings=True,
                   width=273, align="LEFT") as table:
        table.row([*heads])
        for row in rows:
            flat = flat_row(row)
            note = flat["note"] if len(flat["note"]) <= 120 else flat["note"][:117] + "..."
            table.row([
                str(row.seq) + ("*" if row.superseded_by else ""), row.decided_at[:19].replace("T", " "),
                pdf.shown(row.officer), pdf.shown(row.scan_name[:40]),
                pdf.shown(DECISIONS.get(row.decision, row.decision)[:18]),
                pdf.shown(flat["reasons"].replace(";", ", ")),
                f"{flat['detector_marks']}/{flat['confirmed']}/{flat['dismissed']}/{flat['officer_marks']}",
                f"{row.max_score:.2f}" if row.flagged else "-", "yes" if row.disagrees else "",
                f"{row.duration_s:.0f}", pdf.shown(note),
            ])


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f} %"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
