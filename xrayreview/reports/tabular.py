"""CSV and JSON of any filtered view of the log."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path

from ..decisions.chain import VerifyResult
from ..decisions.log import now_utc
from ..decisions.queries import AuditFilter, DecisionRow, figures, figures_per_officer
from .cells import spreadsheet_safe
from .files import replacing, write_text
from .table import COLUMNS, flat_row


def export_csv(rows: list[DecisionRow], path: Path) -> Path:
    """One line per decision; text a spreadsheet would run as a formula is quoted with a '.

    Written whole or not at all (ExportError, naming the file and the reason).
    """
    path = Path(path)
    with replacing(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in flat_row(row).items()})
    return path


def export_json(rows: list[DecisionRow], path: Path, flt: AuditFilter | None = None, *,
                chain: VerifyResult | None = None) -> Path:
    """Every field of every decision, with the filter and the figures it was exported with.

    ``chain`` (the log's verify at export time) is written as ``log``: its head ties the file to
    one state of the log, as the PDF's "Log integrity" line does, so a file handed on as evidence
    can be checked against the log (`xrayreview audit verify` prints the same head).
    Written whole or not at all (ExportError, naming the file and the reason).
    """
    document = {
        "exported_at": now_utc(),
        "filter": asdict(flt or AuditFilter()),
        "log": None if chain is None else {
            "records": chain.records, "head_seq": chain.head_seq, "head_hash": chain.head_hash,
            "intact": chain.ok, "first_break": asdict(chain.first_break) if chain.first_break else None},
        "figures": figures(rows).to_dict(),
        "figures_per_officer": {name: f.to_dict() for name, f in figures_per_officer(rows).items()},
        "decisions": [{"seq": r.seq, "hash": r.hash, "superseded_by": r.superseded_by,
                       "reviews": r.reviews, **r.content} for r in rows],
    }
    return write_text(path, json.dumps(document, indent=1, ensure_ascii=False))

