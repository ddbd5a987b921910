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
    lane_rank,
    refused_address,
    retry_delay,
    secret_bytes,
    secret_text,
    signature_header,
    target_key,
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
    ("a 6to4 address is judged by the IPv4 address it carries", "2002:7f00:1::", "a loopback address"),
    ("a 6to4 address of a private network is refused", "2002:a00:1::", "a private address"),
    ("a NAT64 address is judged by the IPv4 address it carries", "64:ff9b::7f00:1", "a loopback address"),
    ("a NAT64 address of the metadata service is refused", "64:ff9b::a9fe:a9fe", "a link-local address"),
    ("an IPv4-compatible address is judged by its IPv4 address", "::127.0.0.1", "a loopback address"),
    ("a Teredo address is refused", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "a private address"),
    ("a 6to4 address of a public IPv4 address may be called", "2002:5db8:d822::1", None),
    ("an IPv6 site-local address (deprecated, still routed inside) is refused", "fec0::1", "a site-local address"),
    ("the top of IPv6 site-local is refused", "feff::1", "a site-local address"),
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
    ("a line separator in the host is refused", "https://exa\u2028mple.com/in", True, False),
    ("an empty label in the host is refused", "https://exa..mple.com/in", True, False),
]


@pytest.mark.parametrize(("sentence", "url", "demo", "accepted"), URLS, ids=[c[0] for c in URLS])
def test_which_urls_may_receive_webhooks(sentence: str, url: str, demo: bool, accepted: bool) -> None:
    if accepted:
        assert checked_url(url, allow_private=demo) == url
    else:
        with pytest.raises(TargetRefused):
            checked_url(url, allow_private=demo)


# Every way of writing a loopback, private or metadata host that resolvers read as one.
INSIDE_IN_DISGUISE = [
    ("a decimal IPv4 address is read as the address it is", "https://2130706433/"),
    ("a hexadecimal IPv4 address is read as the address it is", "https://0x7f000001/"),
    ("an octal IPv4 address is read as the address it is", "https://017700000001/"),
    ("an octal first part is read as octal", "https://0177.0.0.1/"),
    ("a two-part IPv4 address is read as the address it is", "https://127.1/"),
    ("a three-part IPv4 address is read as the address it is", "https://127.0.1/"),
    ("a hexadecimal part is read as hexadecimal", "https://0x7f.1/"),
    ("a bare 0 is the unspecified address", "https://0/"),
    ("the metadata address written as one number is refused", "https://2852039166/"),
    ("fullwidth letters are read as the name they look like", "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/"),
    ("ideographic full stops are read as dots", "https://127\u30020\u30020\u30021/"),
    ("circled digits are read as digits", "https://\u2460\u2461\u2466.0.0.1/"),
    ("localhost.localdomain names this machine", "https://localhost.localdomain/"),
    ("the cloud metadata service's name is refused", "https://metadata.google.internal/"),
    ("a single-label name is on the local network", "https://metadata/"),
    ("a 6to4 literal of loopback is refused", "https://[2002:7f00:1::]/"),
    ("a NAT64 literal of loopback is refused", "https://[64:ff9b::127.0.0.1]/"),
    ("a name with a trailing dot is the same name", "https://localhost./"),
    ("a number too large for IPv4 is no valid host", "https://4294967296/"),
    ("an invalid octal number is no valid host", "https://08.1.1.1/"),
    ("an IPv6 site-local literal is refused", "https://[fec0::1]/"),
    ("a host longer than DNS can carry is no valid host", "https://" + "a." * 130 + "com/"),
    ("an escaped localhost is refused", "https://%6cocalhost/hook"),
    ("an escaped loopback address is refused", "https://127%2e0%2e0%2e1/hook"),
    ("an escape that decodes to a slash is no valid host", "https://hooks%2fexample.com/"),
    ("a broken escape in the host is no valid host", "https://hooks%zzexample.com/"),
    ("an escaped percent sign in the host is no valid host", "https://hooks%25example.com/"),
    ("an escape that decodes to no character is no valid host", "https://hooks%c3.example.com/"),
    ("0.0.0.0 is refused", "https://0.0.0.0/"),
    ("the IPv6 unspecified address is refused", "https://[::]/"),
]


@pytest.mark.parametrize(("sentence", "url"), INSIDE_IN_DISGUISE, ids=[c[0] for c in INSIDE_IN_DISGUISE])
def test_a_host_inside_is_refused_however_it_is_written(sentence: str, url: str) -> None:
    with pytest.raises(TargetRefused):
        checked_url(url, allow_private=False)


NORMALISED = [
    ("a non-ASCII path is percent-encoded", "https://hooks.example.com/r\u00e9ception?q=\u00e9t\u00e9",
     "https://hooks.example.com/r%C3%A9ception?q=%C3%A9t%C3%A9"),
    ("an internationalised name is written in its IDNA form", "https://b\u00fccher.example/in",
     "https://xn--bcher-kva.example/in"),
    ("upper case and a trailing dot in the host are dropped", "https://Hooks.Example.COM./in",
     "https://hooks.example.com/in"),
    ("a port is kept", "https://hooks.example.com:8443/in", "https://hooks.example.com:8443/in"),
    ("the default https port is left out: one receiver, one URL", "https://hooks.example.com:443/in",
     "https://hooks.example.com/in"),
    ("a default port with leading zeros is left out too", "https://hooks.example.com:0443/in",
     "https://hooks.example.com/in"),
    ("port 80 on https is not the default and is kept", "https://hooks.example.com:80/in",
     "https://hooks.example.com:80/in"),
    ("a URL without a path posts to /", "https://hooks.example.com", "https://hooks.example.com/"),
    ("percent-escapes already there are kept", "https://hooks.example.com/a%20b", "https://hooks.example.com/a%20b"),
    ("an escaped host is stored decoded, so it can be resolved", "https://%68ooks%2eexample.com/hook",
     "https://hooks.example.com/hook"),
]


@pytest.mark.parametrize(("sentence", "url", "called"), NORMALISED, ids=[c[0] for c in NORMALISED])
def test_a_url_is_stored_as_it_will_be_called(sentence: str, url: str, called: str) -> None:
    assert checked_url(url, allow_private=False) == called
    assert called.isascii()


ONE_TARGET = [
    ("an IPv4-mapped IPv6 address is its IPv4 address", "http://[::ffff:127.0.0.1]:8080/hook",
     "http://127.0.0.1:8080/hook"),
    ("an IPv4-mapped public address is that address", "https://[::ffff:203.0.113.9]/in", "https://203.0.113.9/in"),
    ("localhost is the loopback", "http://localhost:8080/hook", "http://127.0.0.1:8080/hook"),
    ("a name under .localhost is the loopback", "http://app.localhost:8080/hook", "http://127.0.0.1:8080/hook"),
    ("every loopback address is the loopback", "http://[::1]:8080/hook", "http://127.0.0.2:8080/hook"),
    ("a decimal IPv4 address is its dotted form", "http://2130706433:8080/hook", "http://127.0.0.1:8080/hook"),
    ("an octal IPv4 address is its dotted form", "http://0177.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
    ("a hex IPv4 address is its dotted form", "http://0x7f.1:8080/hook", "http://127.0.0.1:8080/hook"),
    ("host case makes no difference", "https://HOOKS.Example.com/in", "https://hooks.example.com/in"),
    ("a trailing dot makes no difference", "https://hooks.example.com./in", "https://hooks.example.com/in"),
    ("the default port makes no difference", "https://hooks.example.com:443/in", "https://hooks.example.com/in"),
    ("an escaped unreserved character is that character", "https://hooks.example.com/h%6F%6Fk?a=%7E",
     "https://hooks.example.com/hook?a=~"),
    ("the case of an escape makes no difference", "https://hooks.example.com/a%2fb", "https://hooks.example.com/a%2Fb"),
    ("a dot segment makes no difference", "http://127.0.0.1:18254/./hook", "http://127.0.0.1:18254/hook"),
    ("a dot-dot segment is removed with the segment before it", "http://127.0.0.1:18254/x/../hook",
     "http://127.0.0.1:18254/hook"),
    ("an escaped dot-dot segment is removed too", "http://127.0.0.1:18254/x/%2e%2e/hook",
     "http://127.0.0.1:18254/hook"),
    ("a dot-dot above the root stays at the root", "https://hooks.example.com/../in", "https://hooks.example.com/in"),
    ("a trailing dot segment is the directory", "https://hooks.example.com/in/.", "https://hooks.example.com/in/"),
    ("repeated slashes are one slash", "http://127.0.0.1:18254//hook", "http://127.0.0.1:18254/hook"),
    ("repeated slashes inside the path are one slash", "https://hooks.example.com/a//b///c",
     "https://hooks.example.com/a/b/c"),
    ("an escaped letter in the host is that letter", "http://%6cocalhost:18254/hook", "http://127.0.0.1:18254/hook"),
    ("escaped dots in the host are dots", "http://127%2e0%2e0%2e1:18254/hook", "http://127.0.0.1:18254/hook"),
    ("an escaped trailing dot in the host is a trailing dot", "http://localhost%2e:18254/hook",
     "http://127.0.0.1:18254/hook"),
    ("an escaped letter in a public host is that letter", "https://%68ooks.example.com/hook",
     "https://hooks.example.com/hook"),
    ("0.0.0.0 reaches the loopback", "http://0.0.0.0:18254/hook", "http://127.0.0.1:18254/hook"),
    ("a bare 0 reaches the loopback", "http://0:18254/hook", "http://127.0.0.1:18254/hook"),
    ("the IPv6 unspecified address reaches the loopback", "http://[::]:18254/hook", "http://127.0.0.1:18254/hook"),
    ("an IPv4-compatible unspecified address reaches the loopback", "http://[::0.0.0.0]:18254/hook",
     "http://[::1]:18254/hook"),
    ("an IPv4-mapped unspecified address reaches the loopback", "http://[::ffff:0.0.0.0]:18254/hook",
     "http://localhost:18254/hook"),
]
OTHER_TARGETS = [
    ("another port is another receiver", "https://hooks.example.com:8443/in", "https://hooks.example.com/in"),
    ("another path is another receiver", "https://hooks.example.com/in/", "https://hooks.example.com/in"),
    ("path case matters", "https://hooks.example.com/Hook", "https://hooks.example.com/hook"),
    ("an escaped slash is not a slash", "https://hooks.example.com/a%2Fb", "https://hooks.example.com/a/b"),
    ("http and https are two receivers", "http://hooks.example.com/in", "https://hooks.example.com/in"),
    ("another host is another receiver", "https://hooks.example.org/in", "https://hooks.example.com/in"),
    ("a trailing dot segment is not the path without a slash", "https://hooks.example.com/in/.",
     "https://hooks.example.com/in"),
    ("an escaped slash is not a dot segment's separator", "https://hooks.example.com/x%2F..%2Fin",
     "https://hooks.example.com/in"),
]


@pytest.mark.parametrize(("sentence", "one", "other"), ONE_TARGET, ids=[c[0] for c in ONE_TARGET])
def test_two_spellings_of_one_receiver_are_one_target(sentence: str, one: str, other: str) -> None:
    assert target_key(checked_url(one, allow_private=True)) == target_key(checked_url(other, allow_private=True))


@pytest.mark.parametrize(("sentence", "one", "other"), OTHER_TARGETS, ids=[c[0] for c in OTHER_TARGETS])
def test_different_receivers_are_different_targets(sentence: str, one: str, other: str) -> None:
    assert target_key(checked_url(one, allow_private=True)) != target_key(checked_url(other, allow_private=True))


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


_AGO = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LANE_RANKS = [
    pytest.param(None, _AGO, 0, id="an endpoint whose last attempt was answered is healthy"),
    pytest.param(None, None, 1, id="a brand-new endpoint, never answered, is not counted healthy"),
    pytest.param(_AGO, _AGO, 2, id="an endpoint failing since its last success ranks with the failing"),
    pytest.param(_AGO, None, 2, id="an endpoint that never answered and has failed ranks with the failing"),
]


@pytest.mark.parametrize(("failing_since", "last_success_at", "rank"), LANE_RANKS)
def test_lane_rank(failing_since: datetime | None, last_success_at: datetime | None, rank: int) -> None:
    assert lane_rank(failing_since, last_success_at) == rank
