"""The trainer's PDF: screeners' detection performance, pooled and session by session (fpdf2).

What a service files to show its screeners' performance: per trainee the pooled hit rate,
false-alarm rate, d′ and A′ overall and per threat category (pooling the counts, because
about a hundred threat events are needed for a reliable score and one session rarely has
them), the sessions over time as charts, and every session's figures. Layout helpers are the
audit report's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..decisions.chain import VerifyResult
from ..decisions.log import now_utc
from ..training.scoring import Rates
from .files import write_bytes
from .fonts import ReportPDF
from .pdf import CHART_ROW_HEIGHT, _bar_chart, chart_row_top, render_report

SCORING_NOTE = ("A hit needs a 'refer' or 'rescan' answer and a box on the threat; a false alarm is such an "
                "answer on a clean scan. d' = z(H) - z(F) with the log-linear correction (Hautus 1995): "
                "H = (hits + 0.5) / (threat events + 1), F = (false alarms + 0.5) / (clean scans + 1), so "
                "rates of 0 and 1 stay finite; A' (Grier 1971) from the uncorrected rates. Unanswered scans "
                "(time ran out) count as cleared.")
_MAX_CHART_SESSIONS = 40


def export_training_pdf(rows: list[dict[str, Any]], path: Path | str, *, author: str = "",
                        trainee: str | None = None, chain: VerifyResult | None = None,
                        title: str = "Screener training results") -> Path:
    """Write the report for these session summaries (the training log's ``training_summary`` records)."""
    def draw(pdf: ReportPDF) -> None:
        _report(pdf, rows, author, trainee, chain, title)

    return write_bytes(path, render_report(title, author, draw))


def _report(pdf: ReportPDF, rows: list[dict[str, Any]], author: str, trainee: str | None,
            chain: VerifyResult | None, title: str) -> None:
    heading = title + (f": {trainee}" if trainee else "")
    trainees = sorted({str(r.get("trainee")) for r in rows})
    # Before any text is drawn: the notes also turn shaping on where the names need it (an Arabic
    # name in the heading drawn first came out unjoined), and a Cyrillic name would print as '?????'
    # with the built-in font: the reader is told.
    notes = pdf.font_notes([heading, author, *trainees], "The CSV export holds them exactly.")
    pdf.use_font("B", 16)
    pdf.cell(0, 9, pdf.shown(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font("", 9)
    lines = [f"Generated {now_utc()} (UTC)" + (f" by {author}" if author else "")
             + f"; {len(rows)} session(s) of {len(trainees)} trainee(s).", SCORING_NOTE]
    if chain is not None:
        lines.append(f"Training log integrity: {chain}")
    lines += notes
    for line in lines:
        pdf.multi_cell(0, 4.5, pdf.shown(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pooled_table(pdf, rows, trainees)
    if rows:
        top = chart_row_top(pdf)
        recent = rows[-_MAX_CHART_SESSIONS:]
        _bar_chart(pdf, pdf.l_margin, top, 130, 55, "Hit rate per session, % (oldest left)",
                   [(_when(r), round(100 * (_overall(r).hit_rate or 0.0))) for r in recent])
        _bar_chart(pdf, pdf.l_margin + 142, top, 130, 55, "False-alarm rate per session, %",
                   [(_when(r), round(100 * (_overall(r).false_alarm_rate or 0.0))) for r in recent])
        pdf.set_y(top + CHART_ROW_HEIGHT)
    _session_table(pdf, rows)


def pooled(rows: Iterable[dict[str, Any]]) -> tuple[Rates, dict[str, Rates]]:
    """Counts summed over sessions: overall and per category (a category's F is the sessions' F)."""
    overall = Rates(0, 0, 0, 0)
    per: dict[str, Rates] = {}
    for row in rows:
        overall = _add(overall, _overall(row))
        session_clean = _overall(row)
        for category, data in (row.get("per_category") or {}).items():
            rates = Rates(int(data.get("events") or 0), int(data.get("hits") or 0),
                          session_clean.clean, session_clean.false_alarms)
            per[category] = _add(per.get(category, Rates(0, 0, 0, 0)), rates)
    return overall, dict(sorted(per.items()))


def _pooled_table(pdf: ReportPDF, rows: list[dict[str, Any]], trainees: list[str]) -> None:
    pdf.use_font("B", 11)
    pdf.cell(0, 6, "Pooled over the sessions listed", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(235, 235, 235)
    pdf.use_font("", 8)
    heads = ("trainee", "category", "sessions", "threat events", "hits", "hit rate", "clean scans",
             "false alarms", "FA rate", "d'", "A'")
    with pdf.table(col_widths=(40, 34, 18, 22, 16, 18, 20, 20, 18, 16, 16), text_align="RIGHT",
                   first_row_as_headings=True, width=238, align="LEFT") as table:
        table.row([*heads])
        for name in trainees:
            own = [r for r in rows if str(r.get("trainee")) == name]
            overall, per = pooled(own)
            for category, rates in [("all", overall), *per.items()]:
                table.row([pdf.shown(name), pdf.shown(category.replace("_", " ")), str(len(own)),
                           *_rate_cells(rates)])


def _session_table(pdf: ReportPDF, rows: list[dict[str, Any]]) -> None:
    pdf.set_fill_color(235, 235, 235)  # the charts leave their bar colour behind
    pdf.ln(3)
    pdf.use_font("B", 11)
    pdf.cell(0, 6, "Sessions", new_x="LMARGIN", new_y="NEXT")
    pdf.use_font("", 7)
    heads = ("finished (UTC)", "trainee", "session", "scans", "threat events", "hits", "hit rate",
             "clean scans", "false alarms", "FA rate", "d'", "A'", "mean s", "stray marks")
    with pdf.table(col_widths=(30, 30, 16, 14, 20, 14, 18, 18, 18, 18, 16, 16, 16, 18), text_align="RIGHT",
                   first_row_as_headings=True, width=268, align="LEFT") as table:
        table.row([*heads])
        for row in rows:
            mean = row.get("mean_seconds")
            when = str(row.get("recorded_at", ""))[:19].replace("T", " ")
            table.row([pdf.shown(when), pdf.shown(str(row.get("trainee"))),
                       f"#{row.get('session')}" if row.get("session") is not None else "-",
                       str(row.get("scans", "")), *_rate_cells(_overall(row)),
                       "-" if mean is None else f"{mean:.1f}", str(row.get("stray_marks", 0))])


def _rate_cells(rates: Rates) -> list[str]:
    return [str(rates.events), str(rates.hits), _pct(rates.hit_rate), str(rates.clean),
            str(rates.false_alarms), _pct(rates.false_alarm_rate), _fixed(rates.d_prime),
            _fixed(rates.a_prime)]


def _overall(row: dict[str, Any]) -> Rates:
    data = row.get("overall") or {}
    return Rates(int(data.get("events") or 0), int(data.get("hits") or 0), int(data.get("clean") or 0),
                 int(data.get("false_alarms") or 0))


def _add(a: Rates, b: Rates) -> Rates:
    return Rates(a.events + b.events, a.hits + b.hits, a.clean + b.clean, a.false_alarms + b.false_alarms)


def _when(row: dict[str, Any]) -> str:
    return str(row.get("recorded_at", ""))[5:10]


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f} %"


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
