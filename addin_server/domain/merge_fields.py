"""Merge fields in sequence emails: {{first_name}}, {{last_name}}, {{company}}, {{sender_name}}.

A token may carry a fallback for contacts without that value: `{{company | your team}}`.

The product's promises, in the order a step applies them:
1. A known field with a value is filled in with that value.
2. A known field without a value is filled in with the token's fallback.
3. A known field with neither value nor fallback is *missing*: the step is held, never sent with a hole.
4. An unknown field is *missing* too: sent, it would show its braces to the contact.
5. Anything else that looks like a merge field is a *problem*: braces that do not make a token
   (`{{first-name}}`, `{{first_name}`, `{{}}`, nested tokens), a brace beside a token (`{{{x}}}`),
   look-alike braces (fullwidth `｛｛`), a field in another tool's syntax (`%first_name%`,
   `${first_name}`, `{first_name}`) and a template filter read as a fallback (`{{x|upper}}`). A step
   with a problem is refused when written and held if it is ever about to be sent.
6. A value or fallback of only spaces and invisible characters (zero-width, BOM, controls) counts as empty.
"""

from __future__ import annotations

import re
import unicodedata
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
            seen.setdefault(Token(match.group(1), _fallback(match.group(2))), None)
    return list(seen)


def fields_used(*texts: str) -> list[str]:
    """The field names these texts use, each once, in order (unknown ones included)."""
    return list(dict.fromkeys(token.field for token in tokens(*texts)))


def visible(text: str) -> str:
    """The text stripped of spaces and invisible characters at its ends; "" if nothing else is left."""
    text = text.strip()
    # Control characters count as invisible too: a subject folds them away, leaving a hole.
    return text if any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text) else ""


def _fallback(raw: str | None) -> str:
    # A fallback is inline text: a control character in it (a line break, DEL) becomes a space.
    return visible("".join(" " if unicodedata.category(c) == "Cc" else c for c in raw or ""))


def _value(values: Mapping[str, str | None], name: str) -> str:
    return visible(values.get(name) or "")


@dataclass(frozen=True)
class Problem:
    position: int  # 0-based offset in the text
    snippet: str  # the text as written there
    why: str

    def describe(self) -> str:
        return f"{self.why} at character {self.position + 1}: {self.snippet!r}"


_BRACES = "{}"
# A template filter of other tools (Jinja, Liquid, Handlebars), which a fallback would print as text.
_FILTER = re.compile(r"(?:upper|lower|title|capitali[sz]e|trim|strip|escape|safe|default|e|length|truncate|"
                     r"replace|downcase|upcase)(?:\s*[(:].*)?")
# A field written in another tool's syntax: %first_name%, ${first_name}, {first_name}, [first_name].
_OTHER_SYNTAX = re.compile(r"%\s*([^%\s][^%\n]{0,30}?)\s*%|\$?\{\s*([^{}\n]{1,30}?)\s*\}|\[\s*([^\[\]\n]{1,30}?)\s*\]")


def _brace(c: str) -> str:
    """'{' or '}' for a brace or a look-alike of one (fullwidth, small), else ""."""
    if c in _BRACES:
        return c
    if c.isascii():
        return ""
    folded = unicodedata.normalize("NFKC", c)
    return "{" if "{" in folded else "}" if "}" in folded else ""


def _field_like(word: str) -> bool:
    key = re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", word).casefold())
    return key in {f.replace("_", "") for f in FIELDS} | {"name", "firstname", "lastname", "company", "surname"}


def problems(text: str) -> list[Problem]:
    """What in this text looks like a merge field but is not a valid one (see promise 5)."""
    text = text or ""
    out: list[Problem] = []
    spans = []
    for match in _TOKEN.finditer(text):
        spans.append(match.span())
        if _FILTER.fullmatch(visible(match.group(2) or "")):
            out.append(Problem(match.start(), match.group(0), "a template filter is not a fallback "
                                                              "(a fallback is plain text: {{company | your team}})"))
    inside = [False] * len(text)
    for start, end in spans:
        for i in range(start, end):
            inside[i] = True

    def neighbour(i: int, step: int, spaces: bool = True) -> int:
        j = i + step
        while 0 <= j < len(text) and ((spaces and text[j].isspace()) or unicodedata.category(text[j]) == "Cf"):
            j += step
        return j

    i = 0
    while i < len(text):
        kind = _brace(text[i])
        if not kind or (inside[i] and text[i] in _BRACES):
            i += 1
            continue
        if text[i] not in _BRACES:
            end = min(len(text), i + 30)
            out.append(Problem(i, text[i:end], "a look-alike of a brace (merge fields use plain {{ and }})"))
            for j in range(i, end):
                inside[j] = True
            i = end
            continue
        after = neighbour(i, 1)
        next_kind = _brace(text[after]) if after < len(text) and not inside[after] else ""
        # `{{{first_name}}}`: a brace touching a token would reach the contact around the value.
        before, touching = neighbour(i, -1, spaces=False), neighbour(i, 1, spaces=False)
        beside_token = (0 <= before and inside[before]) or (touching < len(text) and inside[touching])
        if next_kind == kind or beside_token:
            close, single = text.find("}}", i + 1), text.find("}", i + 1)
            end = after + 1
            if kind == "{":
                end = close + 2 if close != -1 else single + 1 if single != -1 else end
            end = min(len(text), max(end, i + 1), i + 40)
            out.append(Problem(i, text[i:end], "braces that do not make a merge field "
                                                "(write {{first_name}} or {{company | fallback}})"))
            for j in range(i, end):
                inside[j] = True  # said once: not again as another syntax
            i = max(end, i + 1)
            continue
        i += 1
    for match in _OTHER_SYNTAX.finditer(text):
        word = next(g for g in match.groups() if g is not None)
        if not inside[match.start()] and _field_like(word):
            out.append(Problem(match.start(), match.group(0),
                               "a merge field written in another syntax (write it as {{" + _nearest(word) + "}})"))
    return sorted(out, key=lambda p: p.position)


def _nearest(word: str) -> str:
    key = re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", word).casefold())
    return next((f for f in FIELDS if f.replace("_", "") == key), "first_name")


def missing(texts: Iterable[str], values: Mapping[str, str | None]) -> list[str]:
    """What would leave a hole (or visible braces) in these texts for these values: the fields
    without value or fallback, unknown fields, and the snippets that are problems."""
    texts = list(texts)
    out: dict[str, None] = {}
    for token in tokens(*texts):
        if not token.known or (not _value(values, token.field) and not token.fallback):
            out.setdefault(token.field, None)
    for text in texts:
        for problem in problems(text):
            out.setdefault(problem.snippet, None)
    return list(out)


FIELD_WORDS = {"first_name": "a first name", "last_name": "a last name", "company": "a company",
               "sender_name": "the sender's name"}


def in_words(fields: Iterable[str]) -> str:
    """"a company and a first name": what a rep must add, in words (unknown fields by their name)."""
    words = [FIELD_WORDS.get(f) or (f"the field '{f}' (unknown: fix the step)" if re.fullmatch(r"\w+", f)
                                    else f"{f!r}, which is not a merge field (fix the step)") for f in fields]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render(text: str, values: Mapping[str, str | None]) -> str:
    """Fill known fields (the value, else the fallback); a known field with neither becomes empty,
    unknown tokens stay visible. Callers that send check `missing` first."""

    def fill(match: re.Match[str]) -> str:
        name, fallback = match.group(1), _fallback(match.group(2))
        if name not in FIELDS:
            return match.group(0)
        return _value(values, name) or fallback

    return _TOKEN.sub(fill, text)
