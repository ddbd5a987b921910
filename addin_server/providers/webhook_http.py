"""Posting one outgoing webhook: short timeouts, no redirects, and never to a private address.

The host is resolved here, every address it resolves to is checked, and the connection is made to
the checked address itself (TLS still verifies the name), so a name that resolves to a public
address when checked and to 127.0.0.1 a moment later (DNS rebinding) cannot reach inside.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, NewConnectionError

from addin_server.domain.outgoing_webhooks import TargetRefused, refused_address

CONNECT_SECONDS = 3.0
READ_SECONDS = 5.0
# Enough of a receiver's answer to show in the delivery log; the rest is never read.
KEPT_RESPONSE_BYTES = 1000
USER_AGENT = "SequenceSidebar-Webhooks/1.0"

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, for a TCP connection."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None when no HTTP answer came (refused, timeout, network)
    error: str | None
    response_excerpt: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, pinned_ip: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned_ip = pinned_ip

    def _new_conn(self) -> socket.socket:
        try:
            return socket.create_connection((self._pinned_ip, self.port), self.timeout,
                                            source_address=self.source_address)
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class _PinnedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, pinned_ip: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned_ip = pinned_ip

    def _new_conn(self) -> socket.socket:
        try:
            return socket.create_connection((self._pinned_ip, self.port), self.timeout,
                                            source_address=self.source_address)
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class WebhookPoster:
    """Posts signed webhook bodies. `allow_private` is for demo mode only (receivers on this machine)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = resolve, ca_bundle: str = "",
                 connect_seconds: float = CONNECT_SECONDS, read_seconds: float = READ_SECONDS) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.ca_bundle = ca_bundle or None  # None: the system's trusted certificates
        self.timeout = Timeout(connect=connect_seconds, read=read_seconds)

    def target_address(self, url: str) -> tuple[str, int, str]:
        """(host, port, the address to connect to) for `url`; TargetRefused when it may not be called."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise TargetRefused(f"the host {host} cannot be resolved ({exc})") from None
        if not addresses:
            raise TargetRefused(f"the host {host} resolves to no address")
        if not self.allow_private:
            for address in addresses:
                why = refused_address(address)
                if why:
                    raise TargetRefused(f"the host {host} resolves to {why} ({address})")
        return host, port, addresses[0]

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        started = time.perf_counter()
        try:
            host, port, address = self.target_address(url)
        except TargetRefused as exc:
            return PostResult(None, f"refused: {exc}", seconds=time.perf_counter() - started)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pool: HTTPConnectionPool
        if parts.scheme == "https":
            pool = _PinnedHTTPSPool(host, port, timeout=self.timeout, retries=False, maxsize=1,
                                    ca_certs=self.ca_bundle, cert_reqs="CERT_REQUIRED", pinned_ip=address)
        else:
            pool = _PinnedHTTPPool(host, port, timeout=self.timeout, retries=False, maxsize=1, pinned_ip=address)
        try:
            response = pool.urlopen("POST", path, body=body, retries=False, redirect=False,
                                    preload_content=False, assert_same_host=False,
                                    headers={**headers, "content-type": "application/json",
                                             "user-agent": USER_AGENT})
            try:
                excerpt = response.read(KEPT_RESPONSE_BYTES, decode_content=False).decode("utf-8", "replace")
            except (HTTPError, OSError):
                excerpt = ""
            response.release_conn()
        except (HTTPError, OSError) as exc:
            return PostResult(None, f"{type(exc).__name__}: {str(exc)[:300]}", seconds=time.perf_counter() - started)
        finally:
            pool.close()
        status = response.status
        error = None
        if 300 <= status < 400:
            error = f"answered {status}: redirects are not followed"
        elif not 200 <= status < 300:
            error = f"answered {status}"
        return PostResult(status, error, excerpt, time.perf_counter() - started)
