"""When two user names are the same person's: what the accounts refuse as a second account.

The accounts table compares names with SQLite's NOCASE, which folds A-Z only: "Ольга" and
"ольга", "José" typed composed or decomposed, "olga" and full-width "ｏｌｇａ", or "olga" with a
Cyrillic "о" were each two accounts. They read the same in the audit table, the PDF and the
trainee list, so decisions could be put on, or hidden behind, someone else's name.
"""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters drawn like a Latin one (Unicode's confusables, the common part).
# Applied before case folding, so capitals that read as Latin (ВОВ = BOB) are caught too.
_LOOKALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеорсхуіјѕһԁ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
    "ABESIJKMHOPCTXYaeopcxyijshd" "ABEZHIKMNOPTYXoiv",
)

# SQLite's NOCASE: what the accounts table itself takes for the same name.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def typed_name(name: str) -> str:
    """A name as stored and looked up: without surrounding blanks, in composed form (NFC)."""
    return unicodedata.normalize("NFC", name.strip())


def name_key(name: str) -> str:
    """Equal for names a reader cannot tell apart: compatibility forms, case in any alphabet,
    and Cyrillic or Greek look-alikes of Latin letters folded away."""
    text = unicodedata.normalize("NFKC", name.strip()).translate(_LOOKALIKES)
    return unicodedata.normalize("NFKC", text.casefold())


def nocase(name: str) -> str:
    """The accounts table's own key for a name (SQLite NOCASE folds ASCII letters only)."""
    return name.translate(_ASCII_LOWER)
