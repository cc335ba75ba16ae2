"""`xrayreview audit verify|stats|export`: the supervisor's audit without the GUI.

verify needs no sign-in (it reveals nothing but the chain's state) and exits 1 when the
chain is broken, 2 when the log cannot be read. stats and export sign in a supervisor:
--user NAME, password from the terminal, or the first line of stdin when it is piped. A folder
export (yolo, coco, tdr) whose filter matches no decision writes nothing and exits 2; a CSV,
JSON or PDF of no decision is written and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from ._args import path_arg, refuse_to_replace, sign_in_password

FORMATS = ("csv", "json", "pdf", "yolo", "coco", "tdr")
FILE_FORMATS = ("csv", "json", "pdf")  # one file each; the others fill a folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="verify the decision log, show figures, export reports")
    actions = parser.add_subparsers(dest="audit_action", required=True)
    verify = actions.add_parser("verify", help="walk the integrity chain; exit 1 at a break")
    _db_option(verify)
    verify.add_argument("--anchor", type=path_arg,
                        help="file with the head noted by the last verify (keep it off the station): "
                             "checked, then updated; catches a log cut short or rewritten")
    stats = actions.add_parser("stats", help="figures overall and per officer (supervisor)")
    export = actions.add_parser("export", help="CSV, JSON, PDF, YOLO/COCO labels or DICOS TDRs (supervisor)")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--out", type=path_arg, required=True,
                        help="file (csv, json, pdf) or folder (yolo, coco, tdr)")
    export.add_argument("--with-background", action="store_true",
                        help="yolo/coco: also cleared scans without marks, as negatives")
    for sub in (stats, export):
        _db_option(sub)
        sub.add_argument("--user", required=True, help="supervisor's user name")
        sub.add_argument("--from", dest="start", help="from date/time (UTC), e.g. 2026-11-27")
        sub.add_argument("--to", dest="end", help="to date/time (UTC), inclusive")
        sub.add_argument("--officer")
        sub.add_argument("--decision", choices=("clear", "refer", "rescan"))
        sub.add_argument("--reason", help="reason code, e.g. firearm")
        sub.add_argument("--flagged", action=argparse.BooleanOptionalAction, default=None,
                         help="only scans the detector flagged (--no-flagged: only unflagged)")
        sub.add_argument("--disagreement", action=argparse.BooleanOptionalAction, default=None,
                         help="only officer-detector disagreements (--no-disagreement: agreements)")
        sub.add_argument("--include-corrected", action="store_true", help="also decisions later corrected")
    parser.set_defaults(run=run)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=path_arg, help="the log file (default: the station's own)")


def run(args: argparse.Namespace) -> int:
    from ..decisions import DecisionLogError, default_log_path  # noqa: PLC0415

    db = args.db or default_log_path()
    try:
        if args.audit_action == "verify":
            return _verify(db, args.anchor)
        return _signed_in(args, db)
    except DecisionLogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _verify(db: Path, anchor_file: Path | None) -> int:
    from ..decisions import verify  # noqa: PLC0415

    anchor = None
    if anchor_file is not None and anchor_file.exists() and not anchor_file.is_file():
        print(f"error: the anchor file {anchor_file} is a folder, not a file", file=sys.stderr)
        return 2
    if anchor_file is not None and anchor_file.is_file():
        try:
            noted = json.loads(anchor_file.read_text(encoding="utf-8"))
            anchor = (int(noted["seq"]), str(noted["hash"]))
        except (ValueError, KeyError, TypeError) as exc:
            print(f"error: the anchor file {anchor_file} is unreadable: {exc}", file=sys.stderr)
            return 2
    result = verify(db, anchor)
    print(result)
    if result.ok and anchor_file is not None:
        head = {"seq": result.head_seq, "hash": result.head_hash}
        try:
            _write_whole(anchor_file, json.dumps(head))
        except OSError as exc:  # a missing folder (a stick not plugged in), a read-only or full disk
            print(f"error: the anchor file {anchor_file} could not be written: {exc.strerror or exc}; "
                  "the log verified, but the anchor was not moved on", file=sys.stderr)
            return 2
        print(f"anchor {anchor_file} now at #{result.head_seq}")
    return 0 if result.ok else 1


def _write_whole(path: Path, text: str) -> None:
    """A process killed half-way leaves the old anchor, never a truncated one that reads as broken."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the first error is the one to report
            partial.unlink(missing_ok=True)
        raise


def _signed_in(args: argparse.Namespace, db: Path) -> int:
    from ..decisions import Accounts, Audit, AuditFilter, DecisionLog  # noqa: PLC0415

    if not db.is_file():
        print(f"error: no decision log at {db}", file=sys.stderr)
        return 2
    if args.audit_action == "export" and args.format in FILE_FORMATS:
        # Checked before signing in: a mistyped --out must not cost a sign-in, nor reach the export.
        refusal = refuse_to_replace(args.out, args.format, [(db, "decision log")])
        if refusal:
            print(f"error: --out {refusal}", file=sys.stderr)
            return 2
    password = sign_in_password()
    if password is None:
        return 2
    with DecisionLog(db) as log:
        audit = Audit(log, Accounts(log).authenticate(args.user, password))
        flt = AuditFilter(start=args.start, end=args.end, officer=args.officer, decision=args.decision,
                          reason=args.reason, flagged=args.flagged, disagreement=args.disagreement,
                          include_superseded=args.include_corrected)
        rows = audit.decisions(flt)
        if args.audit_action == "stats":
            _print_stats(rows)
            return 0
        audit.check("export")  # its own permission, read from the accounts table like the audit's
        if not rows and args.format not in FILE_FORMATS:
            from ..reports.files import NOTHING_TO_EXPORT  # noqa: PLC0415

            print(f"error: {NOTHING_TO_EXPORT}", file=sys.stderr)
            return 2
        return _export(args, log, rows, flt, audit.account.username)


def _print_stats(rows: list) -> None:
    from ..decisions import figures, figures_per_officer  # noqa: PLC0415

    heads = ("officer", "scans", "scans/h", "median s", "referred", "agree", "cleared strong alarm")
    print("  ".join(f"{h:>12}" for h in heads))
    for name, fig in [("ALL", figures(rows)), *figures_per_officer(rows).items()]:
        cells = (name, fig.scans, fig.scans_per_hour, _fmt(fig.median_decision_s), _pct(fig.referral_rate),
                 _pct(fig.agreement_rate), len(fig.cleared_strong_alarms))
        print("  ".join(f"{c!s:>12}" for c in cells))


def _export(args: argparse.Namespace, log, rows: list, flt, audit_user: str) -> int:  # noqa: ANN001
    from ..reports import labels, pdf, tabular  # noqa: PLC0415

    if args.format == "csv":
        tabular.export_csv(rows, args.out)
    elif args.format == "json":
        tabular.export_json(rows, args.out, flt, chain=log.verify())  # ties the file to the log's head
    elif args.format == "pdf":
        # The signed-in account's stored name, not the spelling typed at --user.
        pdf.export_pdf(rows, args.out, flt=flt, chain=log.verify(), author=audit_user)
    elif args.format == "tdr":
        from ..reports.tdr_folder import export_tdrs  # noqa: PLC0415

        print(f"{len(export_tdrs(rows, args.out))} DICOS operator TDR file(s)")
    else:
        exporter = labels.export_yolo if args.format == "yolo" else labels.export_coco
        summary = exporter(rows, args.out, include_background=args.with_background)
        print(f"{summary.images} image(s), {summary.boxes} box(es)")
        for skipped in summary.skipped:
            print(f"skipped {skipped}", file=sys.stderr)
    print(f"{len(rows)} decision(s) exported to {args.out}")
    return 0


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
