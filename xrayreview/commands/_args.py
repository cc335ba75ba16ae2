"""Checks the commands share for what a user types: paths, output targets, passwords.

Not a command (its name starts with "_", so the command line does not register it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from ..reports.files import SQLITE_MAGIC

# What the start of an earlier export of each file format looks like; text formats are "no NUL".
_SIGNATURES = {"pdf": b"%PDF-"}
_LOG_COMPANIONS = ("", "-wal", "-shm", "-journal")

NO_PASSWORD = ("no password given: type it at the prompt, or pipe it as the first line of stdin "
               "(nothing was tried, so no failed sign-in was counted)")


def path_arg(text: str) -> Path:
    """An argparse type for paths: an empty string is refused, not read as the current folder.

    ``Path("")`` is ``Path(".")``: an empty ``--out ""`` (an unset shell variable) would
    otherwise write into, or read, whatever folder the command happens to run in.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return Path(text)


def refuse_to_replace(target: Path, kind: str, protected: Iterable[tuple[Path, str]] = ()) -> str | None:
    """Why an export of ``kind`` (csv, json, pdf) must not be written over ``target``, or None.

    An export replaces its target whole, so a mistyped ``--out`` naming the decision log, the
    training log or a scan would destroy it. Allowed: a new file, or an existing one that looks
    like an earlier export of the same kind (text for CSV/JSON, a PDF for PDF). ``protected``
    lists (path, what it is) that are never replaced, even when empty.
    """
    for path, what in protected:
        for suffix in _LOG_COMPANIONS:
            if _same_file(target, path.with_name(path.name + suffix)):
                return f"{target} is the {what}; an export never replaces it: choose another file"
    if not target.is_file():
        return None  # new, or a folder: the export itself says what is wrong with a folder
    try:
        with target.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None  # unreadable: writing it will fail too, and the export names the reason
    if head.startswith(SQLITE_MAGIC):
        return (f"{target} is a SQLite database (a decision or training log?); an export never "
                "replaces it: choose another file")
    signature = _SIGNATURES.get(kind)
    looks_like_export = head.startswith(signature) if signature else b"\x00" not in head
    if head and not looks_like_export:
        return (f"{target} is not an earlier {kind.upper()} export (a scan, a model, another program's "
                "file?); an export replaces only its own kind of file: choose another name")
    return None


def sign_in_password(prompt: str = "Password: ") -> str | None:
    """The password to sign in with, or None after saying on stderr that none was given (so no
    failed sign-in is counted for it)."""
    password = read_password(prompt)
    if not password:
        print(f"error: {NO_PASSWORD}", file=sys.stderr)
        return None
    return password


def read_password(prompt: str = "Password: ") -> str:
    """From the terminal, else the first line of piped stdin; "" when nothing was given."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the names
        return a.resolve() == b.resolve()
