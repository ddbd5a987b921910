"""A key document (Google's certificates or a JWKS) served on loopback, as the token checks fetch it."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class KeyServer:
    """Serves one JSON document at /keys on 127.0.0.1 (optionally over TLS), counting fetches.

    The document, status and Cache-Control can be changed while it runs (key rotation, outages).
    """

    def __init__(self, document: Any = None, *, context: ssl.SSLContext | None = None) -> None:
        self.document: Any = {} if document is None else document
        self.cache_control: str | None = None
        self.status = 200
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                if server.cache_control:
                    self.send_header("Cache-Control", server.cache_control)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if context is not None:
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}/keys"
        # A short poll interval: shutdown() waits for the serving loop to notice it.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serving(document: Any) -> Iterator[str]:
    """Serve `document` for the duration of the block; yields its URL."""
    server = KeyServer(document)
    try:
        yield server.url
    finally:
        server.close()
