"""Starting `addin-server serve` in a process of its own for the serve tests, and waiting until it answers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.browser import free_port

CLI = [sys.executable, "-m", "addin_server"]


@contextmanager
def serving(env: dict[str, str], log: Path, cwd: Path | None = None) -> Iterator[str]:
    """`serve` with one worker on a free port (run from `cwd`, e.g. outside the checkout); yields its URL."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
                                env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/healthz", timeout=5).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(20)


def eventually(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    """Wait until `condition()` holds (something the server does on its own after it answers)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)
