"""An integrator's webhook receiver on loopback: it verifies every delivery with the `standardwebhooks`
library (the spec's reference implementation), as a real receiver would, and can go down and come back."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    payload: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.perf_counter() when answered
    body: bytes = b""  # as received, for verifying again with other secrets


@dataclass
class WebhookReceiver:
    secrets: list[str] = field(default_factory=list)
    # up: verify and answer 204 | error: answer 500 (with error_body) | redirect: answer 302 to
    # `redirect_to` | slow: send the status line, then trickle a byte every `slow_seconds` |
    # trickle: a whole 200 head promising 1000 bytes, then one byte every `slow_seconds` |
    # trickle_closing: the same under an HTTP/1.0 head (the connection closes after the answer)
    mode: str = "up"
    redirect_to: str = ""
    redirect_status: int = 302
    error_body: bytes = b""
    slow_seconds: float = 1.0
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    requests: int = 0
    _server: ThreadingHTTPServer | None = None
    port: int = 0
    # Over HTTPS when set (a server certificate, e.g. from the emulator's own CA).
    tls: ssl.SSLContext | None = None
    # Called as each request arrives, before it is verified (an admin acting mid-delivery).
    on_request: Callable[[], None] | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/hooks/sidebar"

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests += 1
                if receiver.on_request is not None:
                    receiver.on_request()
                if receiver.mode == "error":
                    self._answer(500, receiver.error_body)
                    return
                if receiver.mode == "slow":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    try:
                        for _ in range(20):
                            time.sleep(receiver.slow_seconds)
                            self.wfile.write(b"X")
                            self.wfile.flush()
                    except OSError:
                        pass
                    return
                if receiver.mode in ("trickle", "trickle_closing"):
                    version = b"HTTP/1.0" if receiver.mode == "trickle_closing" else b"HTTP/1.1"
                    try:
                        self.wfile.write(version + b" 200 OK\r\nContent-Length: 1000\r\n\r\n")
                        self.wfile.flush()
                        for _ in range(1000):
                            time.sleep(receiver.slow_seconds)
                            self.wfile.write(b"x")
                            self.wfile.flush()
                    except OSError:
                        pass
                    return
                if receiver.mode == "redirect":
                    self.send_response(receiver.redirect_status)
                    self.send_header("Location", receiver.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {k: v for k, v in self.headers.items()}
                for secret in receiver.secrets:
                    try:
                        payload = Webhook(secret).verify(body, headers)
                    except WebhookVerificationError:
                        continue
                    receiver.received.append(Received(headers["webhook-id"], payload, headers, time.perf_counter(),
                                                      body))
                    self._answer(204)
                    return
                receiver.rejected.append(headers.get("webhook-id", ""))
                self._answer(400)

            def _answer(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
