"""`xrayreview training verify|results`: the training log without the GUI.

verify walks the training log's chain (exit 1 at a break, 2 when it cannot be read). results
signs in (--user, password from the terminal or the first line of stdin) and prints the
sessions the account may see, a trainer's everyone's and a trainee's their own, with CSV
and PDF exports; a --trainee with no results is said (with close names) and exits 2, like a
missing log. The training log is its own file; the operational audit never reads it.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from ._args import path_arg, refuse_to_replace, sign_in_password


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("training", help="check the training log; show and export scores")
    actions = parser.add_subparsers(dest="training_action", required=True)
    verify = actions.add_parser("verify", help="walk the training log's integrity chain; exit 1 at a break")
    results = actions.add_parser("results", help="sessions with hit rate, false alarms, d′, A′ (signed in)")
    results.add_argument("--user", required=True, help="your user name (a trainer sees every trainee)")
    results.add_argument("--trainee", help="only this trainee's sessions (trainers)")
    results.add_argument("--csv", type=path_arg, help="also write the sessions as CSV")
    results.add_argument("--pdf", type=path_arg, help="also write the PDF report")
    results.add_argument("--db", type=path_arg, help="the decision log with the accounts")
    for sub in (verify, results):
        sub.add_argument("--log", type=path_arg, help="the training log (default: the station's own)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..decisions import DecisionLogError  # noqa: PLC0415
    from ..training.errors import TrainingError  # noqa: PLC0415
    from ..training.records import default_training_path  # noqa: PLC0415

    path = args.log or default_training_path()
    try:
        if args.training_action == "verify":
            return _verify(path)
        return _results(args, path)
    except (DecisionLogError, TrainingError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _verify(path: Path) -> int:
    from ..decisions import verify  # noqa: PLC0415
    from ..training.records import TRAINING_LOG  # noqa: PLC0415

    if not path.is_file():
        print(f"error: no training log at {path}", file=sys.stderr)
        return 2
    result = verify(path, label=TRAINING_LOG)
    print(result)
    return 0 if result.ok else 1


def _results(args: argparse.Namespace, path: Path) -> int:
    from ..decisions import Accounts, DecisionLog, default_log_path  # noqa: PLC0415
    from ..reports.training_pdf import export_training_pdf  # noqa: PLC0415
    from ..training.access import may_build, results_scope  # noqa: PLC0415
    from ..training.export import export_results_csv, summaries  # noqa: PLC0415
    from ..training.records import TrainingLog  # noqa: PLC0415

    db = args.db or default_log_path()
    if not db.is_file():
        print(f"error: no decision log (accounts) at {db}", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"error: no training log at {path}", file=sys.stderr)
        return 2
    # Before signing in: a mistyped --csv/--pdf must never replace a log (nor cost a sign-in).
    protected = [(db, "decision log"), (path, "training log")]
    for option, target in (("--csv", args.csv), ("--pdf", args.pdf)):
        refusal = target and refuse_to_replace(target, option[2:], protected)
        if refusal:
            print(f"error: {option} {refusal}", file=sys.stderr)
            return 2
    password = sign_in_password()
    if password is None:
        return 2
    with DecisionLog(db) as decisions:
        account = Accounts(decisions).authenticate(args.user, password)
        # The window's checks, against the table just signed in with: whose results it may read.
        trainee = results_scope(account, args.trainee, decisions=decisions)
    with TrainingLog(path) as log:
        rows = summaries(log, trainee)
        if args.trainee and not rows:
            # An empty table said nothing of a misspelt name. Names offered instead come only from
            # results the account may see anyway (a trainee's own).
            seen = summaries(log, None if may_build(account) else account.username)
            print(f"error: no training results for {args.trainee!r} in {path}.{_close(args.trainee, seen)}",
                  file=sys.stderr)
            return 2
        _print(rows)
        if args.csv:
            print(f"{export_results_csv(log, args.csv, trainee)} session(s) written to {args.csv}")
        if args.pdf:
            export_training_pdf(rows, args.pdf, author=account.username, trainee=trainee, chain=log.verify())
            print(f"report written to {args.pdf}")
    return 0


def _print(rows: list[dict]) -> None:
    heads = ("finished (UTC)", "trainee", "scans", "hits", "hit rate", "false al.", "FA rate", "d'", "A'")
    print("  ".join(f"{h:>16}" for h in heads))
    for row in rows:
        o = row.get("overall") or {}
        cells = (str(row.get("recorded_at", ""))[:16].replace("T", " "), row.get("trainee"), row.get("scans"),
                 f"{o.get('hits')}/{o.get('events')}", _pct(o.get("hit_rate")),
                 f"{o.get('false_alarms')}/{o.get('clean')}", _pct(o.get("false_alarm_rate")),
                 _fixed(o.get("d_prime")), _fixed(o.get("a_prime")))
        print("  ".join(f"{c!s:>16}" for c in cells))


def _close(typed: str, rows: list[dict]) -> str:
    names = sorted({str(row.get("trainee")) for row in rows})
    close = difflib.get_close_matches(typed, names, n=3, cutoff=0.6)
    if not close:  # "OLGA" for olga: difflib compares case
        folded = {name.casefold(): name for name in names}
        close = [folded[key] for key in difflib.get_close_matches(typed.casefold(), list(folded), n=3,
                                                                     cutoff=0.6)]
    return f" Did you mean {' or '.join(close)}?" if close else ""


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
