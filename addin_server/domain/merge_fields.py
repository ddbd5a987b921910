"""Merge fields in sequence emails: {{first_name}}, {{last_name}}, {{company}}, {{sender_name}}.

A token may carry a fallback for contacts without that value: `{{company | your team}}`.

The product's promises, in the order a step applies them:
1. A known field with a value is filled in with that value.
2. A known field without a value is filled in with the token's fallback.
3. A known field with neither value nor fallback is *missing*: the step is held, never sent with a hole.
4. An unknown field is *missing* too: sent, it would show its braces to the contact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FIELDS = ("first_name", "last_name", "company", "sender_name")
# {{ name }} or {{ name | fallback }}; a fallback is plain text without braces or another bar.
_TOKEN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([^{}|]*?)\s*)?\}\}")


@dataclass(frozen=True)
class Token:
    field: str
    fallback: str  # "" when the token has none

    @property
    def known(self) -> bool:
        return self.field in FIELDS


def tokens(*texts: str) -> list[Token]:
    """The tokens these texts use, each once, in the order they first appear."""
    seen: dict[Token, None] = {}
    for text in texts:
        for match in _TOKEN.finditer(text or ""):
            seen.setdefault(Token(match.group(1), (match.group(2) or "").strip()), None)
    return list(seen)


def fields_used(*texts: str) -> list[str]:
    """The field names these texts use, each once, in order (unknown ones included)."""
    return list(dict.fromkeys(token.field for token in tokens(*texts)))


def _value(values: Mapping[str, str | None], name: str) -> str:
    return (values.get(name) or "").strip()


def missing(texts: Iterable[str], values: Mapping[str, str | None]) -> list[str]:
    """The fields that would leave a hole (or visible braces) in these texts for these values."""
    out: dict[str, None] = {}
    for token in tokens(*texts):
        if not token.known or (not _value(values, token.field) and not token.fallback):
            out.setdefault(token.field, None)
    return list(out)


FIELD_WORDS = {"first_name": "a first name", "last_name": "a last name", "company": "a company",
               "sender_name": "the sender's name"}


def in_words(fields: Iterable[str]) -> str:
    """"a company and a first name": what a rep must add, in words (unknown fields by their name)."""
    words = [FIELD_WORDS.get(f, f"the field '{f}' (unknown: fix the step)") for f in fields]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render(text: str, values: Mapping[str, str | None]) -> str:
    """Fill known fields (the value, else the fallback); a known field with neither becomes empty,
    unknown tokens stay visible. Callers that send check `missing` first."""

    def fill(match: re.Match[str]) -> str:
        name, fallback = match.group(1), (match.group(2) or "").strip()
        if name not in FIELDS:
            return match.group(0)
        return _value(values, name) or fallback

    return _TOKEN.sub(fill, text)
