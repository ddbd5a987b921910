"""Posting one outgoing webhook: short timeouts, no redirects, and never to a private address.

The host is resolved here, every address it resolves to is checked, and the connection is made to
the checked address itself (TLS still verifies the name), so a name that resolves to a public
address when checked and to 127.0.0.1 a moment later (DNS rebinding) cannot reach inside.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import NewConnectionError

from addin_server.domain.outgoing_webhooks import TargetRefused, checked_url, refused_address

CONNECT_SECONDS = 3.0
READ_SECONDS = 5.0
# The whole exchange (resolve, connect, send, status line, headers, kept body) ends by then, however
# the receiver paces its bytes: per-read timeouts alone let a trickling receiver hold on for hours.
TOTAL_SECONDS = 10.0
# Enough of a receiver's answer to show in the delivery log; the rest is never read.
KEPT_RESPONSE_BYTES = 1000
USER_AGENT = "SequenceSidebar-Webhooks/1.0"

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, for a TCP connection."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> list[str]:
    """`resolver(host, port)`, or TimeoutError after `seconds`: a name server that never answers
    must hold a lane (or a request adding an endpoint) no longer than a receiver that never answers.
    The lookup cannot be interrupted; it goes on in a daemon thread until the system resolver gives
    up by its own timeouts, and its answer is dropped."""
    answer: list[list[str]] = []
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            answer.append(resolver(host, port))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            failure.append(exc)

    thread = threading.Thread(target=lookup, name="webhook-resolve", daemon=True)
    thread.start()
    thread.join(max(0.0, seconds))
    if failure:
        raise failure[0]
    if not answer:
        raise TimeoutError(f"no answer within {seconds:g} s")
    return answer[0]


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None when no HTTP answer came (refused, timeout, network)
    error: str | None
    response_excerpt: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


# The mixin is typed as the connection it joins; at run time it stands on `object`, so its MRO place
# is just before urllib3's class in each combined class.
if TYPE_CHECKING:
    _Connection = HTTPConnection
else:
    _Connection = object


class _PinnedAddress(_Connection):
    """Opens the socket to the address that was checked, not to a fresh lookup of the host name.

    A cooperative mixin placed before urllib3's connection class, so `super()` reaches that class's
    own __init__ (and, over TLS, its handshake still verifies the certificate against the host name).
    """

    def __init__(self, *args: Any, pinned_ip: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned_ip = pinned_ip
        # The socket in use, kept apart from `sock`: http.client drops `sock` as soon as an answer
        # that closes the connection (HTTP/1.0, `Connection: close`) has its head read, while the
        # body is still read from this socket, so the deadline must be able to reach it here.
        self.live_socket: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        try:
            sock = socket.create_connection((self._pinned_ip, self.port), self.timeout,
                                            source_address=self.source_address)
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
        self.live_socket = sock
        return sock

    def connect(self) -> None:
        super().connect()
        self.live_socket = self.sock  # over TLS, the wrapped socket that now owns the descriptor


class _PinnedHTTPConnection(_PinnedAddress, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedAddress, HTTPSConnection):
    pass


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _cut(connection: _PinnedAddress, done: threading.Event) -> None:
    """The deadline passed: end the exchange, whatever the receiver is doing (trickling bytes included)."""
    done.set()
    sock = connection.live_socket
    if sock is not None:
        with contextlib.suppress(OSError, ValueError):
            # The plain socket's shutdown, also under TLS: the reader's blocked recv returns at once
            # (a TLS-level shutdown from this thread would race the reader over the TLS state).
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class WebhookPoster:
    """Posts signed webhook bodies. `allow_private` is for demo mode only (receivers on this machine)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = resolve, ca_bundle: str = "",
                 connect_seconds: float = CONNECT_SECONDS, read_seconds: float = READ_SECONDS,
                 total_seconds: float = TOTAL_SECONDS) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.ca_bundle = ca_bundle or None  # None: the system's trusted certificates
        self.connect_seconds = connect_seconds
        self.step_seconds = max(connect_seconds, read_seconds)
        # Caps the whole exchange, so a receiver trickling its answer cannot hold the worker.
        self.deadline_seconds = min(total_seconds, connect_seconds + read_seconds)

    def target_address(self, url: str) -> tuple[str, int, str]:
        """(host, port, the address to connect to) for `url`; TargetRefused when it may not be called
        (or its name does not resolve within the exchange's deadline)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            # A literal address is its own answer: no resolver is asked what it means.
            addresses = ([str(ipaddress.ip_address(host))] if _is_ip(host)
                         else resolve_within(self.resolver, host, port, self.deadline_seconds))
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"the host {host} cannot be resolved ({exc})") from None
        if not addresses:
            raise TargetRefused(f"the host {host} resolves to no address")
        if not self.allow_private:
            for address in addresses:
                why = refused_address(address)
                if why:
                    raise TargetRefused(f"the host {host} resolves to {why} ({address})")
        return host, port, addresses[0]

    def refusal_when_resolved(self, url: str) -> str | None:
        """Why `url` may not be called, judged by what its host resolves to now; None when that is
        only public addresses, or when it cannot be resolved yet (every delivery checks again)."""
        if self.allow_private:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            # Bounded like a connection: a name server that never answers cannot hold the request.
            addresses = resolve_within(self.resolver, host, parts.port or 443, self.connect_seconds)
        except (OSError, UnicodeError):
            return None
        for address in addresses:
            why = refused_address(address)
            if why:
                return f"the host {host} resolves to {why} ({address})"
        return None

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        started = time.perf_counter()
        try:
            # Stored URLs are normalised when added; one stored before that is normalised here, so
            # the host is read exactly as the check reads it and a non-ASCII path is %-encoded.
            url = checked_url(url, allow_private=True)
            host, port, address = self.target_address(url)
        except TargetRefused as exc:
            return PostResult(None, f"refused: {exc}", seconds=time.perf_counter() - started)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection: _PinnedHTTPConnection | _PinnedHTTPSConnection
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, timeout=self.step_seconds, pinned_ip=address,
                                                ca_certs=self.ca_bundle, cert_reqs="CERT_REQUIRED")
        else:
            connection = _PinnedHTTPConnection(host, port, timeout=self.step_seconds, pinned_ip=address)
        # Socket timeouts bound each wait; the watchdog bounds the whole exchange.
        cut = threading.Event()
        remaining = max(0.0, self.deadline_seconds - (time.perf_counter() - started))  # resolving counts too
        watchdog = threading.Timer(remaining, _cut, args=(connection, cut))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("POST", path, body=body, preload_content=False, headers={
                **headers, "content-type": "application/json", "user-agent": USER_AGENT})
            response = connection.getresponse()
            excerpt = response.read(KEPT_RESPONSE_BYTES).decode("utf-8", "replace")
            if cut.is_set():  # a cut socket reads as a clean end: whatever was parsed does not count
                raise TimeoutError(f"no complete answer within {self.deadline_seconds:g} s")
        except Exception as exc:  # noqa: BLE001 - whatever a receiver does is a failed attempt, never a crash
            said = (f"TimeoutError: no complete answer within {self.deadline_seconds:g} s" if cut.is_set()
                    else f"{type(exc).__name__}: {str(exc)[:300]}")
            return PostResult(None, said, seconds=time.perf_counter() - started)
        finally:
            watchdog.cancel()
            connection.close()
        status = response.status
        error = None
        if 300 <= status < 400:
            error = f"answered {status}: redirects are not followed"
        elif not 200 <= status < 300:
            # The receiver's own words help its developers; kept short.
            said = " ".join(excerpt.split())[:300]
            error = f"answered {status}" + (f": {said}" if said else "")
        return PostResult(status, error, excerpt, time.perf_counter() - started)
