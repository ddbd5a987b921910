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

from addin_emulator.tls import make_tls_files
from addin_server.providers.webhook_http import CONNECT_SECONDS, WebhookPoster
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.integration.webhooks_out.support import ALL_EVENTS, deliver, enroll, subscribe
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
