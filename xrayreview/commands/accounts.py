"""`xrayreview accounts`: set up and manage the station's accounts without the GUI.

``init`` creates the first admin on a station without accounts; the other actions sign an
admin in (--admin NAME). Passwords come from the terminal, or one per line on stdin when it
is piped (admin's first, then the new one).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ._args import path_arg, read_password, sign_in_password

ROLES = ("officer", "supervisor", "trainer", "admin")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("accounts", help="create the first admin; add, list, unlock accounts")
    actions = parser.add_subparsers(dest="accounts_action", required=True)
    init = actions.add_parser("init", help="create the first admin (only when no account exists)")
    init.add_argument("user")
    add = actions.add_parser("add", help="add an account")
    add.add_argument("user")
    add.add_argument("--role", choices=ROLES, required=True)
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("user")
    role.add_argument("role", choices=ROLES)
    for name, text in (("unlock", "unlock after failed sign-ins"), ("disable", "disable an account"),
                       ("passwd", "set an account's password")):
        actions.add_parser(name, help=text).add_argument("user")
    actions.add_parser("list", help="list accounts and roles")
    for sub in actions.choices.values():
        sub.add_argument("--db", type=path_arg, help="the log file (default: the station's own)")
        if sub is not init:
            sub.add_argument("--admin", required=True, help="the admin doing this")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..decisions import (  # noqa: PLC0415
        Accounts,
        DecisionLog,
        DecisionLogError,
        check_new_password,
        default_log_path,
    )

    action = args.accounts_action
    try:
        db = args.db or default_log_path()
        if action != "init" and not db.is_file():
            # Only init makes a log: anything else on a mistyped --db would leave a new, empty
            # log (and folders) behind, holding nothing but the failed sign-in.
            print(f"error: no decision log at {db} (a new station starts with "
                  "`xrayreview accounts init NAME`)", file=sys.stderr)
            return 2
        # The admin's password first, before the log is open: a missing one is said without
        # counting a failed sign-in, and no one's typing holds the log.
        password = "" if action == "init" else sign_in_password(f"{args.admin}'s password: ")
        if password is None:
            return 2
        if action == "init":
            # Checked before the log exists: a refused password must not leave an empty log behind.
            password = _new_password(args.user)
            check_new_password(password, args.user)
        with DecisionLog(db) as log:
            accounts = Accounts(log)
            if action == "init":
                accounts.create_first_admin(args.user, password)
                print(f"admin {args.user} created")
                return 0
            admin = accounts.authenticate(args.admin, password)
            if action == "list":
                for account in accounts.list(admin):
                    print(f"{account.username:<24} {account.role:<11} {'' if account.active else 'disabled'}")
            elif action == "add":
                accounts.create(admin, args.user, args.role, _new_password(args.user))
            elif action == "role":
                accounts.set_role(admin, args.user, args.role)
            elif action == "unlock":
                accounts.unlock(admin, args.user)
            elif action == "disable":
                accounts.disable(admin, args.user)
            elif action == "passwd":
                accounts.set_password(admin, args.user, _new_password(args.user))
            if action != "list":
                print(f"{action}: done for {args.user}")
            return 0
    except DecisionLogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _new_password(user: str) -> str:
    from ..decisions import InvalidRecord  # noqa: PLC0415

    first = read_password(f"new password for {user}: ")
    if sys.stdin.isatty() and getpass.getpass("repeat it: ") != first:
        raise InvalidRecord("the two passwords differ")
    return first
