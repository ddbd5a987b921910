"""Fixtures for driving the Google side of the emulator with the real Google client libraries."""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from werkzeug.serving import make_server

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.google.conformance import DiscoverySchemas, check_recorded
from addin_emulator.runner import RunningEmulator, start_emulator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "google"
_addresses = itertools.count(1)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    running = start_emulator(tls_port=0)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    return GoogleEmulatorControl(emulator.base_url)


@pytest.fixture(autouse=True)
def _quiet_outbox(control: GoogleEmulatorControl) -> None:
    """Each test starts with no notification left queued by an earlier one (the emulator is shared)."""
    control.discard_notifications()
    control.clear_faults()


_GMAIL = DiscoverySchemas.bundled("gmail", "v1")
_CALENDAR = DiscoverySchemas.bundled("calendar", "v3")


@pytest.fixture(autouse=True)
def _every_response_conforms(control: GoogleEmulatorControl, _quiet_outbox: None) -> Iterator[None]:
    """After each test, every successful Gmail and Calendar body it got must fit the discovery schemas."""
    control.clear_requests()
    yield
    entries = control.requests()
    problems = check_recorded(entries, _GMAIL, ("/gmail/", "/upload/gmail/"))[1]
    problems += check_recorded(entries, _CALENDAR, ("/calendar/",))[1]
    assert problems == [], problems


@dataclass
class ConnectedMailbox:
    """An emulated mailbox and the real client objects a provider would hold for it."""

    address: str
    refresh_token: str
    credentials: Credentials
    gmail: Any
    calendar: Any


def connect(control: GoogleEmulatorControl, address: str, refresh_token: str, client_id: str, secret: str) -> ConnectedMailbox:
    credentials = Credentials(
        token=None,
        refresh_token=refresh_token,
        token_uri=control.token_uri,
        client_id=client_id,
        client_secret=secret,
    )
    gmail = build(
        "gmail",
        "v1",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": control.gmail_api_endpoint},
    )
    calendar = build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": control.calendar_api_endpoint},
    )
    return ConnectedMailbox(address, refresh_token, credentials, gmail, calendar)


@pytest.fixture
def new_mailbox(control: GoogleEmulatorControl) -> Callable[..., ConnectedMailbox]:
    """Make a fresh mailbox (unique per call) and connect the Gmail and Calendar clients to it."""

    def make(prefix: str = "rep", aliases: list[str] | None = None) -> ConnectedMailbox:
        address = f"{prefix}{next(_addresses)}@acme-sales.example"
        created = control.create_mailbox(address, aliases=aliases)
        return connect(control, address, created["refresh_token"], created["client_id"], created["client_secret"])

    return make


@pytest.fixture
def mailbox(new_mailbox: Callable[..., ConnectedMailbox]) -> ConnectedMailbox:
    return new_mailbox()


@dataclass
class Receiver:
    """A tiny web app standing in for our server's webhook endpoints; records what arrives."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[Receiver]:
    app = Flask("test-receiver")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    recorder = Receiver(url=f"http://127.0.0.1:{server.server_port}")
    lock = threading.Lock()

    @app.post("/<path:path>")
    def receive(path: str) -> tuple[str, int]:
        with lock:
            recorder.received.append(
                {"path": f"/{path}", "headers": dict(request.headers), "body": request.get_data()}
            )
            status = recorder.answers.popleft() if recorder.answers else 204
        return "", status

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def read_fixture() -> Callable[[str], bytes]:
    """Bytes of a file under tests/fixtures/google."""
    return fixture_bytes


@pytest.fixture(scope="session")
def read_json_fixture() -> Callable[[str], Any]:
    """Parsed JSON of a file under tests/fixtures/google."""
    return fixture_json


@pytest.fixture
def receiver(_receiver_server: Receiver) -> Receiver:
    """The receiving app, emptied for this test."""
    _receiver_server.received.clear()
    _receiver_server.answers.clear()
    return _receiver_server
