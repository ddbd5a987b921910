"""The outgoing webhooks' rules, one case per product sentence (domain/outgoing_webhooks.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from addin_server.domain.outgoing_webhooks import (
    RETRY_FOR,
    TargetRefused,
    checked_url,
    refused_address,
    retry_delay,
    secret_bytes,
    secret_text,
    signature_header,
    webhook_event_type,
)

ANNOUNCED: list[tuple[str, str, dict[str, Any], str | None]] = [
    ("an enrollment that is unenrolled is announced as enrollment.unenrolled", "unenrolled",
     {"reason": "replied"}, "enrollment.unenrolled"),
    ("an enrollment whose last step ran is announced as enrollment.finished", "finished", {}, "enrollment.finished"),
    ("a pause is announced as enrollment.paused", "paused", {}, "enrollment.paused"),
    ("a resume is announced as enrollment.resumed", "resumed", {"remaining_delay_seconds": 5}, "enrollment.resumed"),
    ("an automatic unenrollment undone by a rep is announced as enrollment.undone, not as a resume", "resumed",
     {"undone_by": "user:rita", "continued_as": "7"}, "enrollment.undone"),
    ("an enrollment is not announced", "enrolled", {}, None),
    ("a sent email is not announced", "email_sent", {}, None),
    ("a reply event (the ending carries it) is not announced", "replied", {}, None),
    ("an out-of-office is not announced", "out_of_office", {}, None),
]


@pytest.mark.parametrize(("sentence", "kind", "data", "expected"), ANNOUNCED, ids=[c[0] for c in ANNOUNCED])
def test_which_events_are_announced(sentence: str, kind: str, data: dict[str, Any], expected: str | None) -> None:
    assert webhook_event_type(kind, data) == expected


RETRIES = [
    ("a failed delivery is tried again after 30 seconds", 1, timedelta(seconds=30)),
    ("then twice as long each time", 2, timedelta(seconds=60)),
    ("and twice again", 5, timedelta(seconds=480)),
    ("at most 4 hours apart", 12, timedelta(hours=4)),
    ("however many attempts failed", 10_000, timedelta(hours=4)),
]


@pytest.mark.parametrize(("sentence", "failures", "wait"), RETRIES, ids=[c[0] for c in RETRIES])
def test_when_a_failed_delivery_is_tried_again(sentence: str, failures: int, wait: timedelta) -> None:
    assert retry_delay(failures) == wait


def test_retries_for_a_day_make_a_dozen_or_more_attempts() -> None:
    elapsed, attempts = timedelta(0), 1
    while elapsed + retry_delay(attempts) <= RETRY_FOR:
        elapsed += retry_delay(attempts)
        attempts += 1
    assert 12 <= attempts <= 20


ADDRESSES = [
    ("a loopback address is refused", "127.0.0.1", "a loopback address"),
    ("the whole loopback block is refused", "127.9.9.9", "a loopback address"),
    ("IPv6 loopback is refused", "::1", "a loopback address"),
    ("a private 10/8 address is refused", "10.0.0.1", "a private address"),
    ("a private 172.16/12 address is refused", "172.31.255.1", "a private address"),
    ("a private 192.168/16 address is refused", "192.168.0.10", "a private address"),
    ("the cloud metadata address (link-local) is refused", "169.254.169.254", "a link-local address"),
    ("IPv6 link-local is refused", "fe80::1", "a link-local address"),
    ("IPv6 unique local is refused", "fd12:3456::1", "a private address"),
    ("an IPv4-mapped loopback is refused", "::ffff:127.0.0.1", "a loopback address"),
    ("the unspecified address is refused", "0.0.0.0", "a private address"),
    ("carrier-grade NAT space is refused", "100.64.0.1", "not a public address"),
    ("multicast is refused", "224.0.0.1", "not a public address"),
    ("a public IPv4 address may be called", "93.184.216.34", None),
    ("a public IPv6 address may be called", "2606:2800:220:1:248:1893:25c8:1946", None),
]


@pytest.mark.parametrize(("sentence", "address", "why"), ADDRESSES, ids=[c[0] for c in ADDRESSES])
def test_which_addresses_are_never_called(sentence: str, address: str, why: str | None) -> None:
    assert refused_address(address) == why


URLS = [
    ("an https URL with a public name is accepted", "https://hooks.example.com/in", False, True),
    ("a plain http URL is refused outside demo mode", "http://hooks.example.com/in", False, False),
    ("a plain http URL is accepted in demo mode", "http://127.0.0.1:9000/in", True, True),
    ("a literal loopback IP is refused outside demo mode", "https://127.0.0.1/in", False, False),
    ("localhost is refused outside demo mode", "https://localhost:8443/in", False, False),
    ("a .local name is refused outside demo mode", "https://nas.local/in", False, False),
    ("a user name and password in the URL are refused", "https://a:b@hooks.example.com/", False, False),
    ("a fragment is refused", "https://hooks.example.com/#x", False, False),
    ("another scheme is refused even in demo mode", "file:///etc/passwd", True, False),
    ("a URL without a host is refused", "https:///path", False, False),
    ("a port out of range is refused", "https://hooks.example.com:70000/", False, False),
    ("control characters are refused", "https://hooks.example.com/\r\nX: y", False, False),
]


@pytest.mark.parametrize(("sentence", "url", "demo", "accepted"), URLS, ids=[c[0] for c in URLS])
def test_which_urls_may_receive_webhooks(sentence: str, url: str, demo: bool, accepted: bool) -> None:
    if accepted:
        assert checked_url(url, allow_private=demo) == url
    else:
        with pytest.raises(TargetRefused):
            checked_url(url, allow_private=demo)


def test_a_signature_verifies_with_the_standard_webhooks_library() -> None:
    secret = secret_text(bytes(range(32)))
    body = b'{"type":"enrollment.unenrolled","timestamp":"2026-03-02T09:00:00Z","data":{"reason":"replied"}}'
    stamp = int(datetime.now(UTC).timestamp())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(stamp),
               "webhook-signature": signature_header([secret_bytes(secret)], "msg_1", stamp, body)}
    assert Webhook(secret).verify(body, headers)["data"] == {"reason": "replied"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"replied", b"manual"), headers)


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = secret_text(b"o" * 32), secret_text(b"n" * 32)
    body, stamp = b"{}", int(datetime.now(UTC).timestamp())
    header = signature_header([secret_bytes(new), secret_bytes(old)], "msg_2", stamp, body)
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(stamp), "webhook-signature": header}
    assert Webhook(old).verify(body, headers) == {} and Webhook(new).verify(body, headers) == {}
