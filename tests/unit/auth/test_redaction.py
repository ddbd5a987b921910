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
