"""A folder of DICOS operator TDRs, one per logged decision, and the checksum list that ends it.

``SHA256SUMS.txt``, written last, lists the export's reports with their SHA-256 in the form
``sha256sum -c`` checks: a folder without it is an export that did not finish (killed, disk
full), also where an earlier one had finished.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .files import ExportError, make_folder, unfinished, write_bytes
from .tdr import write_operator_tdr

MANIFEST = "SHA256SUMS.txt"
STEM_MAX_BYTES = 120  # of the scan's file name, in a report's file name


def export_tdrs(rows: Iterable[Any], folder: str | Path) -> list[Path]:
    """One operator TDR per logged decision (``DecisionRow``s of the audit) into ``folder``.

    The report carries the marks the officer stood behind: detector marks they confirmed and
    their own. A DICOS image is referenced by its SOP Instance UID, read from the record or,
    for records that lack it, from the scan file when it is still there unchanged.

    ``MANIFEST``, written last, lists this export's reports with their SHA-256: a folder without
    it is an export that did not finish (killed, disk full), also where an earlier one had
    finished, and one with it tells this export's reports from an earlier export's. No rows is
    an ExportError before anything is touched: a manifest of nothing is one ``sha256sum -c``
    rejects, and making it would take an earlier export's away.
    """
    rows = list(rows)
    if not rows:
        raise ExportError(f"No decisions to export; nothing was written to {folder}.")
    folder = make_folder(folder)
    unfinished(folder / MANIFEST)
    written = []
    for row in rows:
        content = row.content
        scan = dict(content["scan"])
        scan["metadata"] = {**(scan.get("metadata") or {}), **_dicos_identity(scan)}
        marks = [m for m in content.get("detector_marks") or () if m.get("verdict") == "confirmed"]
        marks += list(content.get("officer_marks") or ())
        stem = Path(str((scan.get("files") or ["scan"])[0]).replace("\\", "/")).stem or "scan"
        # A file name holds 255 bytes: a long one in a multi-byte script (80 CJK characters
        # are 240) would fail the whole export with prefix and suffix. The report has it whole.
        stem = stem[:STEM_MAX_BYTES]
        while len(stem.encode("utf-8", "surrogatepass")) > STEM_MAX_BYTES:
            stem = stem[:-1]
        written.append(write_operator_tdr(
            folder / f"{row.seq:06d}_{stem}_tdr.dcs", scan=scan, decision=content["decision"],
            officer=content["officer"], marks=marks, decided_at=content["decided_at"],
            opened_at=content.get("opened_at"), reasons=content.get("reasons") or (),
            note=content.get("note") or "", station=content.get("station"),
        ))
    write_bytes(folder / MANIFEST, b"".join(_checksum_line(path) for path in written))
    return written


def _checksum_line(path: Path) -> bytes:
    """``path``'s line in a GNU sha256sum file; a name with a backslash, line feed or carriage
    return is escaped, and its line starts with a backslash, as sha256sum itself writes it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    name = os.fsencode(path.name)  # the bytes on disk, also for a name that is not UTF-8
    escaped = name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
    return (b"\\" if escaped != name else b"") + digest.encode() + b"  " + escaped + b"\n"


def _dicos_identity(scan: Mapping[str, Any]) -> dict[str, str]:
    """SOP/study UIDs of a logged DICOS scan whose single file is still present and unchanged."""
    meta = scan.get("metadata") or {}
    files = scan.get("files") or []
    if meta.get("sop_instance_uid") or scan.get("format") not in ("dicos", "dicom") or len(files) != 1:
        return {}
    path = Path(files[0])
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if hashlib.sha256(data).hexdigest() != scan.get("sha256"):
        return {}
    from ..scan.dicos import parse  # noqa: PLC0415
    from ..scan.dicos_meta import text  # noqa: PLC0415
    from ..scan.errors import ScanError  # noqa: PLC0415

    try:
        ds = parse(data, path.name, header_only=True)
    except ScanError:
        return {}
    found = {"sop_instance_uid": text(ds, "SOPInstanceUID"), "sop_class_uid": text(ds, "SOPClassUID"),
             "study_instance_uid": text(ds, "StudyInstanceUID")}
    return {k: v for k, v in found.items() if v}
