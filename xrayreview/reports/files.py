"""Writing an export file so that a failure never leaves one that looks complete.

A report or a label file is written to ``NAME.partial`` beside its target and renamed over
the target only once the last byte is out: a disk that fills up, a read-only folder or a
crash half-way leaves the earlier file (if any) as it was and no truncated CSV, JSON or PDF
that a reader would take for the whole export. A missing folder is made, as the folder
exports (YOLO, COCO, TDR) always did; each of those writes one file last, which marks the
folder finished (``unfinished``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..decisions.errors import DecisionLogError

SQLITE_MAGIC = b"SQLite format 3\x00"


class ExportError(DecisionLogError, OSError):
    """An export could not be written; the message names the file and the reason.

    An OSError, because that is what a write failure is (the audit view and the training
    command catch it); a DecisionLogError too, because that is what ``xrayreview audit``
    turns into a message instead of a traceback.
    """


def partial_of(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


@contextlib.contextmanager
def replacing(path: Path | str, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """A handle on ``path``'s partial file; on leaving the block it becomes ``path``, or is removed."""
    target = Path(path)
    partial = partial_of(target)
    if is_database(target):
        # A log chosen by mistake (a file dialog's "replace?" answered yes) would be destroyed.
        raise ExportError(f"{target} is a SQLite database (a decision or training log?); an export "
                          "never replaces it: choose another file.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open(mode, **open_args) as handle:
            yield handle
        os.replace(partial, target)
    except OSError as exc:
        _discard(partial)
        raise failure(target, exc) from exc
    except BaseException:
        _discard(partial)
        raise


def is_database(path: Path) -> bool:
    """Whether ``path`` is an existing SQLite file (what both of the station's logs are)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:  # missing, a folder, unreadable: not a database this export could destroy
        return False


def make_folder(folder: Path | str) -> Path:
    """``folder`` (made with its parents when missing) for an export that writes many files."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise failure(folder, exc) from exc
    return folder


def unfinished(marker: Path) -> None:
    """Remove a folder export's last file (data.yaml, annotations.json, SHA256SUMS.txt) before
    writing any other; the export writes it again once everything else is out.

    A folder without it is an export that did not finish. Left in place, it would make a new
    export into the same folder that is killed or fails half-way pass for a finished one, its
    files a mix of the two; and YOLO takes an image whose label file is not written yet for
    background. A log chosen by mistake is left for ``replacing`` to refuse, as before.
    """
    if is_database(marker):
        return
    try:
        marker.unlink(missing_ok=True)
    except OSError as exc:
        raise failure(marker, exc) from exc


def write_bytes(path: Path | str, data: bytes | bytearray) -> Path:
    with replacing(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def write_text(path: Path | str, text: str) -> Path:
    with replacing(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def failure(target: Path, exc: OSError) -> ExportError:
    """The error to show for ``exc`` met while writing ``target``."""
    if isinstance(exc, ExportError):
        return exc
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, FileExistsError | NotADirectoryError):
        # Raised by making the folders: "File exists" named no file and said nothing useful.
        blocker = next((p for p in (target, *target.parents) if p.is_file()), None)
        if blocker is not None and blocker != target:
            reason = f"{blocker} is a file, where a folder is needed"
    return ExportError(f"{target} could not be written: {reason}.")


def _discard(partial: Path) -> None:
    # The original error is what the user needs; a leftover partial file is the lesser evil.
    with contextlib.suppress(OSError):
        partial.unlink(missing_ok=True)


# What the audit window and `xrayreview audit export` say when a folder export (YOLO, COCO, TDR)
# is asked for a filter that matches no decision; it is refused before the folder is touched.
# Of nothing, a TDR folder's checksum list is one `sha256sum -c` rejects and a data set is empty,
# and making either takes an earlier export's finishing file away. A CSV, JSON or PDF of nothing
# is still written: it says which filter matched no decision, and stays a valid file.
NOTHING_TO_EXPORT = "No decisions match the filter; nothing was exported."
FOLDER_FORMATS = ("yolo", "coco", "tdr")
