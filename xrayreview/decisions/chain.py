"""The integrity chain: each record's hash covers its content and the previous record's hash.

hash = SHA-256( prev_hash + "\\n" + kind + "\\n" + body ), where ``body`` is the record's
canonical JSON (sorted keys, no spaces, UTF-8) exactly as stored. Changing, removing,
moving or slipping in a record breaks a link that ``verify_rows`` walks and names.
Tail truncation and a forged append by someone who can rewrite the file are not detectable
from the file alone; the head (count and last hash) printed by verify is the anchor to note.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def record_hash(prev_hash: str, kind: str, body: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{kind}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int  # 0 when the break is in a table, not at a record
    kind: str  # "edited", "deleted", "reordered", "inserted"; "accounts" for the accounts table
    message: str


@dataclass(frozen=True)
class VerifyResult:
    records: int
    head_seq: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def __str__(self) -> str:
        if self.first_break and not self.first_break.seq:  # a table, not a record (kind "accounts")
            return f"BROKEN: {self.first_break.message}"
        if self.first_break:
            return f"BROKEN at record #{self.first_break.seq}: {self.first_break.message}"
        return f"OK: {self.records} records, head #{self.head_seq} {self.head_hash}"


def verify_rows(
    rows: Iterable[tuple[int, str, str, str, str]],
    find_seq_of_hash: Callable[[str], int | None] = lambda _h: None,
) -> VerifyResult:
    """Walk (seq, kind, body, prev_hash, hash) rows in seq order; stop at the first break.

    ``find_seq_of_hash`` looks a hash up anywhere in the log; it only runs once a link is
    broken, to tell a reordered record from a deleted one.
    """
    sha256 = hashlib.sha256
    expected_seq = 1
    last_hash = GENESIS
    before_last = GENESIS
    count = 0
    for seq, kind, body, prev_hash, stored in rows:
        if seq != expected_seq:
            missing = f"#{expected_seq}" if seq == expected_seq + 1 else f"#{expected_seq}–#{seq - 1}"
            return _broken(count, expected_seq - 1, last_hash, seq, "deleted",
                           f"record(s) {missing} are missing (deleted)")
        if sha256(f"{prev_hash}\n{kind}\n{body}".encode()).hexdigest() != stored:
            return _broken(count, seq - 1, last_hash, seq, "edited",
                           f"record #{seq} ({kind}) was changed after it was written")
        if prev_hash != last_hash:
            return _broken(count, seq - 1, last_hash, seq, *_classify_link(
                seq, prev_hash, before_last, find_seq_of_hash))
        before_last, last_hash = last_hash, stored
        expected_seq += 1
        count += 1
    return VerifyResult(count, expected_seq - 1, last_hash, None)


def _classify_link(
    seq: int, prev_hash: str, before_last: str, find_seq_of_hash: Callable[[str], int | None]
) -> tuple[str, str]:
    if seq > 1 and prev_hash == before_last:
        return "inserted", f"record #{seq - 1} was inserted: #{seq} was written right after #{seq - 2}"
    other = find_seq_of_hash(prev_hash)
    if other is not None:
        return "reordered", f"record #{seq} is out of order: it was written right after #{other}"
    if seq == 1:
        return "deleted", "the first record(s) of the log are missing (deleted)"
    return "deleted", f"a record between #{seq - 1} and #{seq} is missing (deleted)"


def _broken(count: int, head_seq: int, head_hash: str, seq: int, kind: str, message: str) -> VerifyResult:
    return VerifyResult(count, head_seq, head_hash, ChainBreak(seq, kind, message))
