"""Decoding helpers: what a hostile header, date, address list or HTML body reads as."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from addin_server.mail.decoding import (
    MAX_HEADER_VALUE,
    decode_header_value,
    garbled,
    html_to_text,
    parse_addresses,
    parse_date,
)

HEADER_CASES = [
    pytest.param("=?utf-8?q?Abwesenheitsnotiz=3A_Urlaub?=", "Abwesenheitsnotiz: Urlaub",
                 id="an encoded-word header is decoded"),
    pytest.param("Out of\r\n office", "Out of office", id="a folded header is one line"),
    pytest.param("=?bogus-charset?q?x?=", "=?bogus-charset?q?x?=", id="a malformed encoded-word is kept as written"),
    pytest.param("a\x00b", "ab", id="NUL characters are dropped"),
    pytest.param(None, "", id="a missing header is empty"),
    pytest.param("x" * (MAX_HEADER_VALUE + 50), "x" * MAX_HEADER_VALUE, id="a header value is bounded"),
]


@pytest.mark.parametrize(("raw", "expected"), HEADER_CASES)
def test_header_values(raw: str | None, expected: str) -> None:
    assert decode_header_value(raw) == expected


DATE_CASES = [
    pytest.param("Mon, 11 Mar 2024 09:30:00 +0100", datetime(2024, 3, 11, 8, 30, tzinfo=UTC), id="an RFC 5322 date"),
    pytest.param("Mon, 11 Mar 0001 09:30:00 +0000", None, id="a year the stdlib would misread is no date"),
    pytest.param("not a date", None, id="words are no date"),
    pytest.param("", None, id="an empty header is no date"),
]


@pytest.mark.parametrize(("raw", "expected"), DATE_CASES)
def test_dates(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


def test_address_lists_are_normalised_and_deduplicated() -> None:
    got = parse_addresses(['"Doe, Jane" <Jane@Globex.com>, raj@globex.com', "jane@globex.com", "not an address"])
    assert got == ("jane@globex.com", "raj@globex.com")


def test_html_bodies_read_as_their_visible_text() -> None:
    html = "<html><head><title>t</title><style>p{}</style></head><body><p>Away until</p><p>12 March</p></body></html>"
    assert html_to_text(html) == "Away until\n\n12 March"


GARBLED_CASES = [
    pytest.param("\ufffd\ufffd\ufffd\ufffd\r\n12\ufffd\ufffd\ufffd11\ufffd\ufffd", True,
                 id="a body another decoder read in a wrong declared charset is garbled"),
    pytest.param("12月11日まで休暇のため不在にしております。", False, id="Japanese text decoded right is not garbled"),
    pytest.param("Ich bin nicht im B\ufffdro.", True, id="one lost character makes a body garbled: it may carry the meaning"),
    pytest.param("", False, id="an empty body is not garbled"),
]


@pytest.mark.parametrize(("text", "expected"), GARBLED_CASES)
def test_garbled_text(text: str, expected: bool) -> None:
    assert garbled(text) is expected
