"""Cell text that a spreadsheet opening a CSV export shows, never runs.

Every CSV the station writes (the audit's decisions, the trainer's results) holds text typed
by people (notes, names); one beginning like a formula would be evaluated by Excel or
LibreOffice when the file is opened (CSV injection). This module imports nothing of the
station's, so the decisions, training and reports code can all share the one rule.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` with a leading ' when it is text a spreadsheet would take for a formula.

    Numbers written as text ("-0.250") are left alone: they start like a formula but run nothing,
    and quoting them would turn them into text in the sheet.
    """
    # Leading blanks are skipped too: LibreOffice's CSV import can trim them, and then runs what
    # follows ("  =HYPERLINK(...)"), and a scan's file name may start with one.
    if (isinstance(value, str) and not _is_number(value)
            and (value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START))):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
