"""`xrayreview bench reports`: what a Unicode font and text shaping cost a supervisor's PDF.

One set of audit rows, exported four ways in the same run: CSV (the baseline every export
pays: reading the rows and writing them out), and PDF in the built-in Latin-1 font, in the
machine's Unicode font with Latin and Cyrillic names (not shaped), and with one Arabic name
among them (the whole report shaped). Medians of several runs; times and file sizes.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..decisions.accounts import Account
from ..decisions.log import DecisionLog, now_utc
from ..decisions.queries import DecisionRow, load_decisions
from ..decisions.recording import record_decision
from ..decisions.records import Decision, ScanInfo
from .fonts import BUILT_IN, ENV_VAR, find_font
from .pdf import export_pdf
from .tabular import export_csv

OFFICERS = ("olga", "Ольга", "martin", "Zoë")
ARABIC_OFFICER = "مريم"


def run(quick: bool) -> str:
    rows_n, repeats = (60, 3) if quick else (300, 5)
    font = find_font()
    with tempfile.TemporaryDirectory(prefix="xrayreview-bench-reports-") as tmp:
        folder = Path(tmp)
        latin = _rows(folder / "latin.sqlite", rows_n, OFFICERS)
        arabic = _rows(folder / "arabic.sqlite", rows_n, (*OFFICERS[:-1], ARABIC_OFFICER))
        csv_s, csv_kb = _timed(lambda out: export_csv(latin, out), folder / "a.csv", repeats)
        with _font_override(BUILT_IN):
            core_s, core_kb = _timed(lambda out: export_pdf(latin, out), folder / "core.pdf", repeats)
        lines = [
            f"{rows_n} decisions, {repeats} runs each, medians. Baseline: the built-in Latin-1 font "
            "(Helvetica), where every name outside Latin-1 prints as '?'.",
            "",
            "| export | time | size | time / built-in font PDF |",
            "| --- | --- | --- | --- |",
            f"| CSV (reading and writing the rows) | {_ms(csv_s)} | {csv_kb:.0f} KB "
            f"| {csv_s / core_s:.2f}× |",
            f"| PDF, built-in font | {_ms(core_s)} | {core_kb:.0f} KB | 1.00× |",
        ]
        if font is None:
            lines += ["", "No Unicode TrueType font on this machine: the PDFs below were not measured."]
        else:
            with _font_override(str(font.regular)):
                plain_s, plain_kb = _timed(lambda out: export_pdf(latin, out), folder / "plain.pdf", repeats)
                shaped_s, shaped_kb = _timed(lambda out: export_pdf(arabic, out), folder / "shaped.pdf",
                                             repeats)
            lines += [
                f"| PDF, {font.regular.name}, Latin and Cyrillic names (not shaped) | {_ms(plain_s)} "
                f"| {plain_kb:.0f} KB | {plain_s / core_s:.2f}× |",
                f"| PDF, {font.regular.name}, one officer's name in Arabic (the report shaped) | "
                f"{_ms(shaped_s)} | {shaped_kb:.0f} KB | {shaped_s / core_s:.2f}× |",
                "",
                "Shaping (HarfBuzz through uharfbuzz) places every glyph on its own, so a report is "
                "shaped only when its names or notes hold right-to-left letters or combining marks.",
            ]
    return "\n".join(lines) + "\n"


def _rows(path: Path, count: int, officers: tuple[str, ...]) -> list[DecisionRow]:
    with DecisionLog(path, station_id="bench") as log:
        for n in range(count):
            # A log with no accounts: the role given is the one checked (as the log bench does).
            officer = Account(officers[n % len(officers)], "officer")
            record_decision(log, officer, Decision(
                ScanInfo([f"/inbox/bag_{n:05d}_high.tif"], f"{n:064x}", 800, 600),
                "refer" if n % 7 == 0 else "clear", now_utc(), reasons=["firearm"] if n % 7 == 0 else [],
                note="opened at the bench, a camera charger" if n % 5 == 0 else ""))
        return load_decisions(log)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _timed(export: Callable[[Path], object], out: Path, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        export(out)
        times.append(time.perf_counter() - started)
    return statistics.median(times), out.stat().st_size / 1024


@contextmanager
def _font_override(value: str) -> Iterator[None]:
    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before
