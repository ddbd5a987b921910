"""Decoding helpers for inbound mail: header values and encoded-words, dates, address lists,
a MIME part's text in its declared charset, and the visible text of an HTML body. Each one takes
hostile input and never raises."""

from __future__ import annotations

import email.message
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import charset_normalizer

from addin_server.domain.addresses import try_normalize

MAX_TEXT = 100_000
MAX_HEADER_VALUE = 4_000


def clean(text: str) -> str:
    """Undo the surrogate escapes compat32 leaves for raw 8-bit bytes; drop NULs."""
    if any("\udc80" <= c <= "\udcff" for c in text):
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    return text.replace("\x00", "")


def decode_header_value(value: Any) -> str:
    if value is None:
        return ""
    text = clean(str(value))
    if "=?" in text:
        text = _decode_encoded_words(text)
    text = re.sub(r"\s*\r?\n\s*", " ", text).strip()
    return text[:MAX_HEADER_VALUE]


def _decode_encoded_words(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - malformed encoded-words: keep the raw text
        return text


def garbled(text: str) -> bool:
    """Text another decoder (Graph's body) read in a charset its bytes are not in: U+FFFD stands for what it
    lost. One lost character is enough: "nicht im B\ufffdro" is no longer an absence, and reading the
    message's MIME instead costs one request."""
    return "\ufffd" in text


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    # The stdlib reads a written "0001" as 2001 (the two-digit-year rule): a date that is not what the
    # header says is no date, so return dates are anchored on the receipt instead.
    written = re.search(r"\b(\d{4})\b", value)
    if written and int(written.group(1)) != parsed.year:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_addresses(values: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    try:
        pairs = getaddresses([v for v in values if v])
    except Exception:  # noqa: BLE001 - getaddresses can trip on pathological input
        pairs = []
    for _, addr in pairs:
        norm = try_normalize(addr)
        if norm:
            out.setdefault(norm, None)
    return tuple(out)


class _TextFromHtml(HTMLParser):
    """Visible text of an HTML body: scripts and styles dropped, block ends become newlines."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(html[: MAX_TEXT * 4])
        parser.close()
    except Exception:  # noqa: BLE001 - broken markup: fall back to crude tag removal
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(parser.chunks)
    text = re.sub(r"[ \t\xa0]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def part_payload_text(part: email.message.Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if payload is None:
        raw = part.get_payload()
        return clean(raw) if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return ""
    charset = "utf-8"
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:  # noqa: BLE001
        charset = "utf-8"
    for candidate in (charset, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return _decode_mislabelled(payload)


def _decode_mislabelled(payload: bytes) -> str:
    """Text whose declared charset is wrong (GB2312 sent as "utf-8" happens): the charset its bytes
    read best in, else Latin-1, which decodes anything."""
    try:
        guess = charset_normalizer.from_bytes(payload[:200_000]).best()
    except Exception:  # noqa: BLE001 - a guess that fails leaves the Latin-1 reading
        guess = None
    if guess is not None and guess.encoding:
        try:
            return payload.decode(guess.encoding)
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    return payload.decode("latin-1")
