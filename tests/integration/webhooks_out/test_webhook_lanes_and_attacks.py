"""Outgoing webhooks attacked from outside: brand-new endpoints that stall, receivers that trickle
or redirect inside, hosts written to look public, and a secret rotated mid-delivery. Every receiver
verifies with the `standardwebhooks` library."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from addin_emulator.tls import make_tls_files
from addin_server.providers.webhook_http import CONNECT_SECONDS, WebhookPoster
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid
from tests.builders import World
from tests.conftest import FakeClock
from tests.integration.webhooks_out.support import ALL_EVENTS, deliver, deliveries, enroll, stored_earlier, subscribe
from tests.webhook_receiver import WebhookReceiver

# --- lanes: an endpoint with no history that stalls is a failing one at once ---------------


def _wait(condition: object, seconds: float) -> float:
    """Seconds until `condition()` held (or `seconds` passed)."""
    started = time.perf_counter()
    while not condition() and time.perf_counter() - started < seconds:  # type: ignore[operator]
        time.sleep(0.02)
    return time.perf_counter() - started


def test_a_burst_of_brand_new_stalling_endpoints_never_delays_a_proven_endpoints_delivery(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """Twelve endpoints added a moment ago, each stalling until the cut: none has failed yet, and
    still they share at most half of the lanes, so an endpoint that has answered before hears of an
    ending at once, although its delivery is the newest of all."""
    subscribe(services, world, receiver, events=["enrollment.unenrolled"])
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"delivered": 1}  # the endpoint has answered before
    with ExitStack() as stack:
        stalling = [stack.enter_context(WebhookReceiver(mode="trickle", slow_seconds=0.2)) for _ in range(12)]
        for each in stalling:
            subscribe(services, world, each)  # brand new: no success, no failure yet
        e = enroll(services, world, world.colleague)
        enrollments.pause(services, world.admin, e["id"], until=None)
        enrollments.unenroll(services, world.admin, e["id"])  # the proven endpoint's delivery: the newest
        lanes = outgoing_webhooks.DeliveryLanes(services, "test-worker", size=8,
                                                poster=WebhookPoster(allow_private=True, total_seconds=3.0))
        started = time.perf_counter()
        try:
            lanes.start_due()
            heard = _wait(lambda: len(receiver.received) == 2, 5)
            _wait(lambda: sum(each.requests for each in stalling) >= 4, 5)
            in_flight = sum(each.requests for each in stalling)
        finally:
            lanes.close()
            _wait(lambda: not lanes.busy, 10)  # every stalled lane ends by its cut
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"] * 2
    assert heard < 1.0
    assert in_flight == 4  # half of the eight lanes for endpoints with no success yet
    assert time.perf_counter() - started < 10


# --- receivers that trickle: every spelling of a slow answer ends at the total deadline -----


class ScriptedReceiver:
    """A raw receiver on loopback: reads the request, then writes `answer` `step` bytes at a time,
    `pause` seconds apart (over TLS when `tls` is set), then closes."""

    def __init__(self, answer: bytes, *, step: int = 1, pause: float = 0.1, tls: ssl.SSLContext | None = None,
                 repeat: bool = False) -> None:
        self.answer, self.step, self.pause, self.tls, self.repeat = answer, step, pause, tls, repeat
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()

    def __enter__(self) -> ScriptedReceiver:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError, ssl.SSLError):
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn:
                conn.settimeout(10)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                self.requests += 1
                deadline = time.monotonic() + 15
                while not self._stop.is_set() and time.monotonic() < deadline:
                    for at in range(0, len(self.answer), self.step):
                        conn.sendall(self.answer[at:at + self.step])
                        time.sleep(self.pause)
                    if not self.repeat:
                        return


TRICKLED_ANSWERS = [
    pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False,
                 id="an HTTP/1.1 head trickled byte by byte"),
    pytest.param(b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 200, False,
                 id="an HTTP/1.0 answer read until the connection closes, byte by byte"),
    pytest.param(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 200, False,
                 id="an HTTP/1.1 answer with Connection: close and no length, byte by byte"),
    pytest.param(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 200\r\n\r\n" + b"x" * 200, False,
                 id="an HTTP/1.1 answer with Connection: close and a length, byte by byte"),
    pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1\r\nx\r\n" * 60 + b"0\r\n\r\n", False,
                 id="a chunked answer trickled a byte at a time"),
    pytest.param(b"HTTP/1.1 100 Continue\r\n\r\n", True, id="an endless run of 100 Continue"),
]


@pytest.mark.parametrize("over_tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize(("answer", "repeat"), TRICKLED_ANSWERS)
def test_a_receiver_trickling_its_answer_in_any_form_is_cut_at_the_total_deadline(
        tmp_path: Path, answer: bytes, repeat: bool, over_tls: bool) -> None:
    files = make_tls_files(tmp_path, hosts=("hooks.example.test",))
    with ScriptedReceiver(answer, tls=files.server_context() if over_tls else None, repeat=repeat,
                          pause=0.05 if repeat else 0.1) as scripted:
        poster = WebhookPoster(allow_private=True, resolver=lambda host, port: ["127.0.0.1"],
                               ca_bundle=str(files.ca_bundle), total_seconds=1.0)
        scheme = "https" if over_tls else "http"
        result = poster.post(f"{scheme}://hooks.example.test:{scripted.port}/in", b"{}", {"webhook-id": "msg_1"})
    assert scripted.requests == 1
    assert not result.ok and result.status is None
    assert result.error == "TimeoutError: no complete answer within 1 s"
    assert result.seconds < 1.8


def test_a_name_whose_lookup_hangs_is_cut_at_the_total_deadline_too() -> None:
    """Resolving is part of the exchange: a name server that never answers holds the lane no longer
    than a receiver that never answers."""
    released = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        released.wait(30)
        return ["127.0.0.1"]

    poster = WebhookPoster(allow_private=True, resolver=hanging, total_seconds=1.0)
    started = time.monotonic()
    try:
        result = poster.post("https://slow-dns.example.test/in", b"{}", {"webhook-id": "msg_1"})
        took = time.monotonic() - started
    finally:
        released.set()
    assert not result.ok and result.status is None
    assert "within 1 s" in (result.error or "")
    assert took < 1.8


def test_adding_an_endpoint_whose_name_server_never_answers_takes_seconds_not_minutes(
        production: ServiceContext, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is looked up when added, bounded like a connection; unanswered, it is accepted and
    checked again at every delivery."""
    released = threading.Event()

    def getaddrinfo(*args: Any, **kwargs: Any) -> list[Any]:
        released.wait(30)
        raise OSError("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    started = time.monotonic()
    try:
        made = outgoing_webhooks.create_endpoint(production, world.admin, url="https://slow-dns.example.com/in",
                                                 events=ALL_EVENTS)
        took = time.monotonic() - started
    finally:
        released.set()
    assert made["status"] == "active"
    assert took < CONNECT_SECONDS + 1


# --- redirects and hosts that lead inside ---------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/in", "http://169.254.169.254/latest/meta-data/",
                                    "http://[::1]:{port}/in", "http://10.0.0.1/admin"])
def test_a_redirect_to_a_private_address_is_never_followed(
        services: ServiceContext, world: World, receiver: WebhookReceiver, status: int, target: str) -> None:
    with WebhookReceiver() as inside:
        subscribe(services, world, receiver)
        receiver.mode, receiver.redirect_to = "redirect", target.format(port=inside.port)
        receiver.redirect_status = status
        enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
        assert deliver(services) == {"retrying": 1}
        assert inside.requests == 0
    d = deliveries(services)[0]
    assert d.last_status_code == status and f"answered {status}: redirects are not followed" == d.last_error


IPV6_INSIDE = [
    pytest.param("[::1]", "loopback", id="IPv6 loopback"),
    pytest.param("[0:0:0:0:0:0:0:1]", "loopback", id="IPv6 loopback written in full"),
    pytest.param("[::ffff:127.0.0.1]", "loopback", id="IPv4-mapped loopback"),
    pytest.param("[::ffff:7f00:1]", "loopback", id="IPv4-mapped loopback in hex"),
    pytest.param("[::127.0.0.1]", "loopback", id="IPv4-compatible loopback"),
    pytest.param("[::ffff:169.254.169.254]", "link-local", id="IPv4-mapped metadata service"),
    pytest.param("[fc00::1]", "private", id="unique local fc00::/7, low half"),
    pytest.param("[fd12:3456:789a::1]", "private", id="unique local fc00::/7, high half"),
    pytest.param("[fe80::1]", "link-local", id="link-local fe80::/10"),
    pytest.param("[fe80::1%25eth0]", "link-local", id="link-local with a zone"),
    pytest.param("[febf:ffff::1]", "link-local", id="the top of fe80::/10"),
    pytest.param("[fec0::1]", "site-local", id="site-local fec0::/10"),
    pytest.param("[64:ff9b::a00:1]", "private", id="NAT64 of a private IPv4"),
    pytest.param("[2002:c0a8:101::]", "private", id="6to4 of a private IPv4"),
    pytest.param("[::]", "private", id="the unspecified address"),
]


@pytest.mark.parametrize(("host", "why"), IPV6_INSIDE)
def test_an_ipv6_literal_that_leads_inside_is_refused_when_added_and_at_delivery(
        production: ServiceContext, world: World, host: str, why: str) -> None:
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url=f"https://{host}/in", events=ALL_EVENTS)
    assert refused.value.code == "url_refused" and why in refused.value.message
    stored_earlier(production, world, f"https://{host}:9/in")
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    assert deliver(production) == {"retrying": 1}
    d = deliveries(production)[0]
    assert d.last_status_code is None and (d.last_error or "").startswith("refused:") and why in (d.last_error or "")


@pytest.mark.parametrize("host", ["2130706433", "017700000001", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.0.0.1",
                                  "127.000.000.001"])
def test_a_decimal_octal_or_hex_loopback_stored_earlier_is_refused_at_delivery(
        production: ServiceContext, world: World, host: str) -> None:
    stored_earlier(production, world, f"http://{host}:9/in")
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    assert deliver(production) == {"retrying": 1}
    assert "loopback" in (deliveries(production)[0].last_error or "")


def test_a_name_the_system_resolves_to_loopback_is_refused_outside_demo_mode(
        production: ServiceContext, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own resolver (no injected one): a public-looking name whose DNS answer is
    127.0.0.1 is refused when added, and at delivery when it starts resolving there later."""
    answers = {"rebind.example.com": "127.0.0.1"}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url="https://rebind.example.com/in",
                                          events=ALL_EVENTS)
    assert "resolves to a loopback address (127.0.0.1)" in refused.value.message
    answers["rebind.example.com"] = "93.184.216.34"  # public when added...
    outgoing_webhooks.create_endpoint(production, world.admin, url="https://rebind.example.com/in", events=ALL_EVENTS)
    answers["rebind.example.com"] = "127.0.0.1"  # ...loopback when delivered
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    assert deliver(production) == {"retrying": 1}
    assert "resolves to a loopback address (127.0.0.1)" in (deliveries(production)[0].last_error or "")


@pytest.mark.parametrize("url", ["https://user@hooks.example.com/in", "https://user:pw@hooks.example.com/in",
                                 "https://:@hooks.example.com/in", "https://hooks.example.com@127.0.0.1/in",
                                 "https://hooks.example.com:443@127.0.0.1/in",
                                 "https://hooks.example.com\\@127.0.0.1/in", "https://127.0.0.1\\@hooks.example.com/in"])
def test_a_url_with_userinfo_is_refused_whichever_side_looks_public(production: ServiceContext, world: World,
                                                                     url: str) -> None:
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url=url, events=ALL_EVENTS)
    assert "user name or password" in refused.value.message


@pytest.mark.parametrize(("url", "why"), [
    ("https://hooks.example.com/" + "a" * 2000, "1 to 2000 characters"),
    ("https://" + "a." * 130 + "com/in", "longer than a name can be"),
    ("https://" + "a" * 64 + ".example.com/in", "not a valid name"),
], ids=["a 2026-character URL", "a 263-character host", "a 64-character label"])
def test_a_very_long_url_or_host_is_refused_with_a_reason(production: ServiceContext, world: World, url: str,
                                                         why: str) -> None:
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url=url, events=ALL_EVENTS)
    assert why in refused.value.message


# --- duplicates and the cap ------------------------------------------------------------------


@pytest.mark.parametrize("again", ["http://127.0.0.1:80/in", "HTTP://127.0.0.1/in", "http://0x7f.1/in",
                                   "http://2130706433:80/in", "http://[::ffff:127.0.0.1]/in", "http://localhost/in",
                                   "http://LOCALHOST./%69n", "http://[::ffff:7f00:1]:80/in",
                                   # findings r17: the unspecified address, dot segments, repeated
                                   # slashes and escaped hosts reach the same handler
                                   "http://0.0.0.0/in", "http://0/in", "http://[::0.0.0.0]/in", "http://[::]/in",
                                   "http://127.0.0.1//in", "http://127.0.0.1/./in", "http://127.0.0.1/x/../in",
                                   "http://127.0.0.1/x/%2e%2e/in", "http://%6cocalhost/in",
                                   "http://127%2e0%2e0%2e1/in", "http://localhost%2e/in"])
def test_the_same_receiver_written_another_way_is_a_duplicate(services: ServiceContext, world: World,
                                                               again: str) -> None:
    made = outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1/in", events=ALL_EVENTS)
    with pytest.raises(Conflict) as refused:
        outgoing_webhooks.create_endpoint(services, world.admin, url=again, events=["enrollment.paused"])
    assert refused.value.code == "duplicate_endpoint" and made["id"] in refused.value.message


def test_an_escaped_host_is_stored_decoded_and_is_the_same_receiver(production: ServiceContext,
                                                                      world: World) -> None:
    made = outgoing_webhooks.create_endpoint(production, world.admin, url="https://%68ooks%2eexample.com/in",
                                             events=ALL_EVENTS)
    assert made["url"] == "https://hooks.example.com/in"  # resolvable, as every delivery will call it
    with pytest.raises(Conflict) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url="https://hooks.example.com/./in",
                                          events=["enrollment.paused"])
    assert refused.value.code == "duplicate_endpoint"
    with pytest.raises(Invalid):
        outgoing_webhooks.create_endpoint(production, world.admin, url="https://hooks%2fexample.com/in",
                                          events=ALL_EVENTS)


def test_a_url_that_already_receives_an_event_is_refused_it_again_even_a_day_later(
        services: ServiceContext, world: World, clock: FakeClock) -> None:
    """One event must never reach one URL twice under two webhook-ids; other events may."""
    outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1:9/in",
                                      events=["enrollment.unenrolled", "enrollment.paused"])
    clock.advance(days=1)
    with pytest.raises(Conflict) as refused:
        outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1:9/in",
                                          events=["enrollment.paused", "enrollment.resumed"])
    assert refused.value.code == "duplicate_endpoint" and "enrollment.paused" in refused.value.message
    other = outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1:9/in",
                                              events=["enrollment.resumed"])
    assert other["status"] == "active"


def test_two_endpoints_at_one_url_never_have_two_deliveries_in_flight_there(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    first = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url, events=["enrollment.paused"])
    second = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url,
                                               events=["enrollment.unenrolled"])
    receiver.secrets = [first["secret"], second["secret"]]
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.unenroll(services, world.admin, e["id"])
    poster = WebhookPoster(allow_private=True, total_seconds=1.0)
    assert deliver(services, poster=poster) == {"retrying": 1}  # the other endpoint's waits for the next pass
    assert receiver.requests == 1
    receiver.mode = "up"
    assert deliver(services, poster=poster) == {"delivered": 1}
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]


@pytest.mark.parametrize("spelling", ["http://localhost:{port}/hooks/sidebar",
                                      "http://[::ffff:127.0.0.1]:{port}/hooks/sidebar",
                                      "http://127.0.0.1:{port}/hooks/%73idebar"])
def test_endpoints_at_one_receiver_spelt_two_ways_never_have_two_deliveries_in_flight_there(
        services: ServiceContext, world: World, receiver: WebhookReceiver, spelling: str) -> None:
    first = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url, events=["enrollment.paused"])
    second = outgoing_webhooks.create_endpoint(services, world.admin, url=spelling.format(port=receiver.port),
                                               events=["enrollment.unenrolled"])
    receiver.secrets = [first["secret"], second["secret"]]
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.unenroll(services, world.admin, e["id"])
    poster = WebhookPoster(allow_private=True, total_seconds=1.0)
    assert deliver(services, poster=poster) == {"retrying": 1}  # the other endpoint's waits for the next pass
    assert receiver.requests == 1


def test_retry_now_while_the_attempt_is_under_way_is_refused_and_the_log_shows_it_sending(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    made = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url, events=["enrollment.unenrolled"])
    receiver.secrets = [made["secret"]]
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    poster = WebhookPoster(allow_private=True, total_seconds=2.0)
    passes: list[dict[str, int]] = []
    worker = threading.Thread(target=lambda: passes.append(deliver(services, poster=poster)))
    worker.start()
    try:
        assert _wait(lambda: receiver.requests == 1, 5) < 5
        [shown] = outgoing_webhooks.list_deliveries(services, world.admin, made["id"])["deliveries"]
        assert (shown["sending"], shown["attempts"]) == (True, 0)
        with pytest.raises(Conflict) as refused:
            outgoing_webhooks.retry_delivery(services, world.admin, made["id"], shown["id"])
        assert refused.value.code == "delivery_in_flight"
    finally:
        worker.join(10)
    assert passes == [{"retrying": 1}]
    retried = outgoing_webhooks.retry_delivery(services, world.admin, made["id"], shown["id"])
    assert (retried["sending"], retried["attempts"]) == (False, 1)
    receiver.mode = "up"
    assert deliver(services, poster=poster) == {"delivered": 1}  # "now" was kept: no 30 s wait


def test_the_twenty_first_endpoint_is_refused_and_a_deleted_one_makes_room(services: ServiceContext,
                                                                           world: World) -> None:
    made = [outgoing_webhooks.create_endpoint(services, world.admin, url=f"http://127.0.0.1:9/n{n}",
                                              events=ALL_EVENTS) for n in range(20)]
    with pytest.raises(Conflict) as refused:
        outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1:9/n20", events=ALL_EVENTS)
    assert refused.value.code == "too_many_endpoints"
    outgoing_webhooks.delete_endpoint(services, world.admin, made[0]["id"])
    assert outgoing_webhooks.create_endpoint(services, world.admin, url="http://127.0.0.1:9/n20",
                                             events=ALL_EVENTS)["status"] == "active"


# --- a secret rotated while a delivery is in flight -----------------------------------------


def test_a_secret_rotated_mid_delivery_loses_nothing_and_both_secrets_verify_during_the_grace(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    """The admin rotates while a delivery is on its way, and the receiver switches to the new secret
    at once: that delivery, signed before the rotation, is refused by the receiver and retried with
    the same webhook-id, now carrying both signatures (space-separated, as the spec says), so the
    new secret and the old one each verify it with the standardwebhooks library."""
    made = subscribe(services, world, receiver)
    old = made["secret"]
    rotated: list[str] = []

    def rotate_now() -> None:
        if not rotated:
            rotated.append(outgoing_webhooks.rotate_secret(services, world.admin, made["id"])["secret"])
            receiver.secrets = [rotated[0]]

    receiver.on_request = rotate_now
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"retrying": 1}
    assert len(receiver.rejected) == 1 and receiver.received == []
    clock.advance(seconds=30)
    assert deliver(services) == {"delivered": 1}
    got = receiver.received[0]
    assert got.webhook_id == receiver.rejected[0]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, rotated[0]):
        assert Webhook(secret).verify(got.body, got.headers)["type"] == "enrollment.unenrolled"

    clock.advance(hours=24, seconds=1)  # the grace is over: the old secret no longer verifies
    receiver.secrets = [old, rotated[0]]
    enrollments.unenroll(services, world.admin, enroll(services, world, world.colleague)["id"])
    assert deliver(services) == {"delivered": 1}
    late = receiver.received[1]
    assert len(late.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(late.body, late.headers)


# --- an outage longer than a lane's batch --------------------------------------------------


def test_a_receiver_down_for_an_hour_gets_a_backlog_larger_than_a_lane_once_per_id_in_order(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    """25 events pile up while the receiver is down (more than one lane takes at a time); once it is
    back, every one arrives verified, once, and their timestamps order them as they happened."""
    subscribe(services, world, receiver)
    receiver.stop()
    e = enroll(services, world)
    for _ in range(12):
        enrollments.pause(services, world.admin, e["id"], until=None)
        clock.advance(seconds=1)
        enrollments.resume(services, world.admin, e["id"])
        clock.advance(seconds=1)
    enrollments.unenroll(services, world.admin, e["id"])
    for _ in range(60):  # an hour of passes, one a minute
        deliver(services)
        clock.advance(minutes=1)
    waiting = [d.message_id for d in deliveries(services)]
    assert len(waiting) == 25 and receiver.received == []

    receiver.start()
    for _ in range(12 * 5):
        deliver(services)
        clock.advance(minutes=5)
    assert sorted(receiver.ids()) == sorted(waiting)
    assert len(set(receiver.ids())) == len(receiver.ids()) == 25 and receiver.rejected == []
    ordered = sorted(receiver.received, key=lambda r: r.payload["timestamp"])
    assert [r.payload["type"] for r in ordered][-1] == "enrollment.unenrolled"


def test_a_running_lane_at_a_url_keeps_another_endpoint_at_that_url_waiting(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """The running worker: while one endpoint's lane posts to a URL, an event for another endpoint at
    the same URL that falls due meanwhile waits for that lane to end."""
    first = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url, events=["enrollment.paused"])
    second = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url,
                                               events=["enrollment.unenrolled"])
    receiver.secrets = [first["secret"], second["secret"]]
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    lanes = outgoing_webhooks.DeliveryLanes(services, "test-worker",
                                            poster=WebhookPoster(allow_private=True, total_seconds=1.5))
    try:
        assert lanes.start_due() == 1
        _wait(lambda: receiver.requests == 1, 2)
        enrollments.unenroll(services, world.admin, e["id"])
        assert lanes.start_due() == 0  # the URL has one of ours in flight
        assert receiver.requests == 1
        receiver.mode = "up"
        _wait(lambda: not lanes.busy, 5)
        assert lanes.start_due() == 1
        _wait(lambda: bool(receiver.received), 3)
    finally:
        lanes.close()
        _wait(lambda: not lanes.busy, 5)
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]
