"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's chromium.

Playwright cannot download its own browsers here; `make test` installs Debian's chromium and the
tests launch it by path. Screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Debian's chromium is not installed (make test installs it: apt-get install chromium)")
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any, port: int = 0) -> Iterator[str]:
    """Serve a Flask app from a thread; yields its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


_shared: dict[str, Any] = {}


def _playwright() -> Any:
    """Playwright's driver, started once per test process (it takes seconds) and stopped with the session."""
    if "playwright" not in _shared:
        from playwright.sync_api import sync_playwright

        chromium_path()  # skips before starting anything when there is no browser
        _shared["playwright"] = sync_playwright().start()
    return _shared["playwright"]


def launch_chromium() -> Any:
    """A Chromium of its own (for a module that keeps one open across its tests); the caller closes it."""
    return _playwright().chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def shared_chromium() -> Any:
    """One headless Chromium per test process, launched on first use and closed when the session ends.

    Launching Chromium takes longer than the tests using it; each test still gets a context of its
    own (its own cookies, storage, cache).
    """
    if "browser" not in _shared:
        _shared["browser"] = launch_chromium()
    return _shared["browser"]


def close_shared_chromium() -> None:
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@contextmanager
def browser_page(viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """A fresh Chromium page (headless) in a context of its own; closed afterwards."""
    context = shared_chromium().new_context(viewport=viewport or {"width": 1200, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
