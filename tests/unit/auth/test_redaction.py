"""Capability tokens never reach a log line: one case per kind of secret a URL can carry."""

from __future__ import annotations

import logging

import pytest

from addin_server.auth.redaction import REDACTED, RedactingFilter, redact_capabilities

CASES = [
    pytest.param('"GET /u/eyJlIjoiNDIifQ.Zx1.abc HTTP/1.1" 200', f'"GET /u/{REDACTED} HTTP/1.1" 200',
                 id="an unsubscribe link's token is cut from the request line"),
    pytest.param("POST /u/eyJlIjoiNDIifQ.Zx1.abc?x=1", f"POST /u/{REDACTED}?x=1",
                 id="the unsubscribe token is cut but the rest of the URL stays"),
    pytest.param("GET /meet/12.k9f3a?t=eyJtIjoxfQ.sig", f"GET /meet/{REDACTED}?t={REDACTED}",
                 id="a booking link's page key and meeting token are both cut"),
    pytest.param("/app/settings/mailbox/callback?state=s3cr3t&code=4/0AfJ&scope=gmail",
                 f"/app/settings/mailbox/callback?state={REDACTED}&code={REDACTED}&scope=gmail",
                 id="an OAuth callback's code and state are cut, other parameters stay"),
    pytest.param("https://sidebar.test/u/abc", f"https://sidebar.test/u/{REDACTED}",
                 id="a full link in a message is cut too"),
    pytest.param("GET /api/v1/enrollments/42 HTTP/1.1", "GET /api/v1/enrollments/42 HTTP/1.1",
                 id="a URL without a capability is left as it is"),
    pytest.param("GET /app/menu/u HTTP/1.1", "GET /app/menu/u HTTP/1.1",
                 id="a path merely ending in u is not a link"),
    pytest.param("GET /app/sign-in?next=/app/settings/mailbox/callback%3Fcode%3Dsecret%26state%3Dother%26x%3D1",
                 f"GET /app/sign-in?next=/app/settings/mailbox/callback%3Fcode%3D{REDACTED}%26state%3D{REDACTED}"
                 "%26x%3D1",
                 id="a token percent-encoded inside another URL's parameter is cut too"),
    pytest.param("GET /app/sign-in?next=%2Fu%2Fsecret.token%3Fa%3D1", f"GET /app/sign-in?next=%2Fu%2F{REDACTED}%3Fa%3D1",
                 id="a percent-encoded unsubscribe path is cut too"),
    pytest.param("/outlook/taskpane?host=preview&T=zzz", f"/outlook/taskpane?host=preview&T={REDACTED}",
                 id="parameter names are matched whatever their case"),
]


@pytest.mark.parametrize("line, expected", CASES)
def test_redact_capabilities(line: str, expected: str) -> None:
    assert redact_capabilities(line) == expected


def test_the_filter_redacts_a_formatted_record_before_any_handler_writes_it() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
                               ("127.0.0.1", "GET /u/tok.en.sig HTTP/1.1", "200"), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f'127.0.0.1 - "GET /u/{REDACTED} HTTP/1.1" 200'
    assert "tok.en.sig" not in record.getMessage()


ENCODED = [
    pytest.param('"GET /%75/eyJlIjoiNDIifQ.Zx1.abc HTTP/1.1" 200', f'"GET /%75/{REDACTED} HTTP/1.1" 200',
                 id="an unsubscribe path spelled with a percent-encoded u is cut"),
    pytest.param("GET /%6Deet/12.k9f3a HTTP/1.1", f"GET /%6Deet/{REDACTED} HTTP/1.1",
                 id="a booking path spelled with a percent-encoded m is cut"),
    pytest.param("GET /%6d%65%65%74/12.k9f3a HTTP/1.1", f"GET /%6d%65%65%74/{REDACTED} HTTP/1.1",
                 id="a booking path spelled wholly percent-encoded in lower case is cut"),
    pytest.param("GET /meet/12.k9f3a?%74=eyJtIjoxfQ.sig", f"GET /meet/{REDACTED}?%74={REDACTED}",
                 id="a booking token under a percent-encoded parameter name is cut"),
    pytest.param("GET /app/x?%63%6F%64%65=4/0AfJ&%73tate=abc", f"GET /app/x?%63%6F%64%65={REDACTED}&%73tate={REDACTED}",
                 id="an OAuth code and state under percent-encoded names are cut"),
    pytest.param('"Referer: https://sidebar.test/%75/tok.en.sig"', f'"Referer: https://sidebar.test/%75/{REDACTED}"',
                 id="a Referer with an encoded unsubscribe path is cut"),
    pytest.param("GET /app/sign-in?next=%252Fu%252Fsecret.token", f"GET /app/sign-in?next=%252Fu%252F{REDACTED}",
                 id="a twice-encoded unsubscribe path inside a parameter is cut"),
]


@pytest.mark.parametrize("line, expected", ENCODED)
def test_percent_encoded_spellings_of_a_capability_are_cut_too(line: str, expected: str) -> None:
    assert redact_capabilities(line) == expected


def test_a_traceback_logged_with_a_capability_in_it_is_redacted() -> None:
    try:
        raise ValueError("no sequence email for /u/tok.en.sig")
    except ValueError:
        record = logging.LogRecord("addin_server", logging.ERROR, __file__, 1, "failed %s", ("/meet/12.key",),
                                   __import__("sys").exc_info())
    RedactingFilter().filter(record)
    written = logging.Formatter().format(record)
    assert "tok.en.sig" not in written and "12.key" not in written
    assert f"/u/{REDACTED}" in written and "ValueError" in written
