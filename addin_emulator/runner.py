"""Serve the emulator from a background thread: one HTTP port and, optionally, one HTTPS port."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from addin_emulator.clock import Clock
from addin_emulator.server import create_emulator_app
from addin_emulator.tls import TlsFiles, make_tls_files


@dataclass
class RunningEmulator:
    app: Flask
    base_url: str
    tls_base_url: str | None
    tls: TlsFiles | None
    _servers: list[BaseWSGIServer] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def ca_bundle(self) -> str | None:
        return str(self.tls.ca_bundle) if self.tls else None

    def stop(self) -> None:
        for close in self.app.extensions.get("emulator_closers", []):
            close()  # background delivery threads
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def _serve(server: BaseWSGIServer, running: RunningEmulator) -> None:
    # A short poll lets stop() return at once instead of waiting out the default half second per server.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator",
                              daemon=True)
    thread.start()
    running._servers.append(server)
    running._threads.append(thread)


def start_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tls_port: int | None = None,
    tls_dir: Path | None = None,
    clock: Clock | None = None,
) -> RunningEmulator:
    """Start the emulator. port=0 picks a free port; tls_port (0 for free) adds an HTTPS listener."""
    http_server = make_server(host, port, Flask("placeholder"), threaded=True)
    base_url = f"http://{host}:{http_server.server_port}"
    app = create_emulator_app(base_url, clock=clock)
    http_server.app = app
    running = RunningEmulator(app=app, base_url=base_url, tls_base_url=None, tls=None)
    _serve(http_server, running)
    if tls_port is not None:
        tls = make_tls_files(tls_dir, hosts=(host, "localhost"))
        https_server = make_server(host, tls_port, app, threaded=True, ssl_context=tls.server_context())
        running.tls = tls
        running.tls_base_url = f"https://{host}:{https_server.server_port}"
        app.config["EMULATOR_TLS_BASE_URL"] = running.tls_base_url
        _serve(https_server, running)
    return running
