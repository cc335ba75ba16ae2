"""What makes a new password too easy to guess, beyond its length.

The station locks an account after a few wrong tries, so a guesser gets a handful of attempts per
account. Those go on the passwords people choose first: a common word with a year or '!' added,
a run of keys, the user name with digits, the service's own words. NIST SP 800-63B asks that such
choices be refused when a password is set; this is a short list of our own, not a breach corpus,
so it stops the obvious guesses only.
"""

from __future__ import annotations

# Words people reach for, in any case, with digits or symbols added before or after, and with the
# usual letter-for-digit swaps ("P@ssw0rd"): common choices everywhere, and this station's own words.
COMMON_WORDS = frozenset({
    "password", "passwort", "passwd", "pass", "letmein", "welcome", "hello", "admin", "administrator",
    "root", "user", "login", "master", "secret", "default", "changeme", "qwerty", "azerty", "qwertz",
    "abc", "monkey", "dragon", "iloveyou", "sunshine", "princess", "football", "baseball", "soccer",
    "summer", "winter", "spring", "autumn", "january", "december", "monday", "friday", "test",
    "customs", "douane", "zoll", "aduana", "dogana", "border", "passport", "xray", "xrayreview",
    "scanner", "scan", "security", "officer", "supervisor", "trainer", "station", "cargo", "baggage",
})
# Rows of keys and runs of letters or digits, any stretch of which (either way) is one gesture.
KEY_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
            "qwertzuiop", "yxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn", "1qaz2wsx3edc4rfv",
            "!@#$%^&*()")
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
                      "!": "i", "|": "l", "+": "t"})
MIN_DISTINCT = 4  # "aaaaaaaa", "abababab", "11112222"


def weakness(password: str, username: str) -> str | None:
    """Why ``password`` is too easy to guess for ``username``, in a user's words, or None."""
    lowered = password.casefold()
    name = username.strip().casefold()
    if len(set(lowered)) < MIN_DISTINCT:
        return f"a password needs at least {MIN_DISTINCT} different characters"
    if all(_is_key_run(part) for part in _parts(lowered)):
        return "a password must not be runs of keys or letters (like 12345678 or qwertyui), padded or not"
    if _repeats(_core(lowered)) or _repeats(lowered):
        return "a password must not be one word or sequence repeated"
    if len(name) >= 3 and _is_name_padded(lowered, name):
        return "a password must not be the user name with digits or symbols added"
    cores = {_core(lowered), _core(lowered).translate(LEET), _core(lowered.translate(LEET))}
    if cores & COMMON_WORDS:
        return "that password is among the first ones guessed (a common word with digits or symbols added)"
    return None


def _is_key_run(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in KEY_RUNS)


def _parts(text: str) -> list[str]:
    """``text`` cut where letters turn to digits or back, symbols dropped: "Qwertyui1!" -> qwertyui, 1."""
    parts, current = [], ""
    for char in text:
        kind = "a" if char.isalpha() else "d" if char.isdigit() else ""
        if current and (not kind or kind != ("a" if current[-1].isalpha() else "d")):
            parts.append(current)
            current = ""
        current += char if kind else ""
    return [*parts, current] if current else parts or [text]


def _repeats(text: str) -> bool:
    """Whether ``text`` is one shorter string said twice or more ("passwordpassword", "abcabc")."""
    size = len(text)
    return size >= 2 and any(size % unit == 0 and text == text[:unit] * (size // unit)
                             for unit in range(1, size // 2 + 1))


def _is_name_padded(text: str, name: str) -> bool:
    """The user name, forwards or backwards, with look-alike digits or not, and nothing else but
    digits and symbols around it ("0lga2024", "2024agl0")."""
    swapped = text.translate(LEET)  # one character for one, so positions match ``text``'s
    for form in (name, name[::-1]):
        for seen in (text, swapped):
            at = seen.find(form)
            if at >= 0 and not _has_letters(text[:at] + text[at + len(form):]):
                return True
    return False


def _has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def _core(text: str) -> str:
    """``text`` without the digits and symbols people pad a word with at either end."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]
