"""Degenerate texts a sender controls: long runs of one character or one short word, in several scripts.

A regular expression that splits such a run every possible way before failing takes seconds (or hours) on a
few kilobytes. Used by tests/unit/mail/test_hostile_text_speed.py (whole messages through the classifier) and
bench/regex_worst_case.py (every pattern of the mail package alone).
"""

from __future__ import annotations

# Each unit is repeated to the size asked; a last "x" keeps a run from ending the text cleanly.
_UNITS: dict[str, tuple[str, str]] = {
    "spaces": (" ", "x"),
    "tabs": ("\t", "x"),
    "newlines": ("\n", "x"),
    "blank lines with spaces": (" \n", "x"),
    "no-break spaces": ("\u00a0", "x"),
    "ideographic spaces": ("\u3000", "x"),
    "mixed blanks": (" \t\u00a0\u3000\u2009", "x"),
    "dots": (".", ""),
    "ellipses and spaces": (". . ", "x"),
    "question marks": ("?", ""),
    "questions": ("why? ", ""),
    "fullwidth questions": ("なぜ？", ""),
    "arabic questions": ("لماذا؟ ", ""),
    "spanish questions": ("¿qué? ", ""),
    "exclamations": ("!", ""),
    "commas": (",", ""),
    "commas and spaces": ("a, ", ""),
    "colons": (":", "x"),
    "hyphens": ("-", "x"),
    "underscores": ("_", "x"),
    "equals": ("=", "x"),
    "stars": ("*", "x"),
    "at signs": ("@", "x"),
    "quotes": ("> ", "x"),
    "digits": ("1", "x"),
    "numbers": ("12 ", "x"),
    "dotted dates": ("1.1.", "x"),
    "dotted numbers": ("1.", "x"),
    "slashed dates": ("1/1/", "x"),
    "iso dates": ("2026-01-01 ", "x"),
    "hyphenated letters": ("a-", "x"),
    "one long word": ("a", "!"),
    "long line of words": ("word ", "?"),
    "absence words": ("out of office until back on Monday ", "?"),
    "emoji": ("\U0001f600", "x"),
    "cjk without punctuation": ("日本語の文章です中文字符", "x"),
    "korean": ("복귀합니다 ", "x"),
    "hebrew": ("שלום עולם ", "x"),
    "arabic": ("مرحبا بالعالم ", "x"),
    "devanagari": ("तक से वापस ", "x"),
    "turkish cues": ("tarihinde ", "x"),
}


def hostile_texts(size: int) -> dict[str, str]:
    """Each degenerate text, about `size` characters long."""
    texts = {}
    for name, (unit, tail) in _UNITS.items():
        texts[name] = unit * max(1, size // len(unit)) + tail
    return texts


def nested_html(size: int) -> str:
    """An HTML-only body of tags nested as deep as its size allows, a few words at the bottom."""
    depth = size // 20
    return "<div><b>" * depth + "Out of office until Monday?" + "</b></div>" * depth
