"""Secrets at rest are never in the clear, and no token or secret reaches a log or an error body.

The mailbox flows run against the emulator (real google-api-python-client and google-auth); the
web surfaces through the test client. Every credential a flow used is then searched for in every
row of the database, in every captured log record, and in every response body.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from addin_emulator.runner import RunningEmulator
from addin_server.auth.secrets_box import decrypt
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from addin_server.services.mailboxes import connect_gmail
from addin_server.worker.loop import run_due_steps
from tests.builders import World, follow_outlook_inbox
from tests.emulated import manual_google_control
from tests.security.conftest import ENCRYPTION_KEY, SECRET_KEY
from tests.security.credentials import Credentials

# The emulator stands in for Google in this process; what it logs is not the product's logging.
NOT_OURS = ("addin_emulator", "werkzeug")


@pytest.fixture
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    return manual_google_control(emulator)


@pytest.fixture
def settings(settings: Settings, control: GoogleEmulatorControl) -> Settings:
    """The security settings with Gmail on the emulator (its OAuth client is the add-on's audience too)."""
    return settings.with_overrides(gmail_api_endpoint=control.gmail_api_endpoint, google_token_uri=control.token_uri,
                                   google_calendar_api_endpoint=control.calendar_api_endpoint,
                                   google_oauth_client_id=DEFAULT_CLIENT_ID,
                                   google_oauth_client_secret=DEFAULT_CLIENT_SECRET)


def every_row(services: ServiceContext) -> str:
    """The whole database as text, column by column (what someone reading a backup would see)."""
    parts = []
    with services.session() as s:
        for table in t.Base.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


@pytest.fixture
def connected(services: ServiceContext, control: GoogleEmulatorControl, world: World) -> str:
    """Rita's Gmail connected through connect_gmail; her refresh token."""
    refresh_token: str = control.create_mailbox(world.rep["mailbox_address"])["refresh_token"]
    connect_gmail(services, world.admin, world.rep["id"], refresh_token)
    return refresh_token


def test_a_connected_reps_refresh_token_is_stored_encrypted(services: ServiceContext, world: World,
                                                            connected: str) -> None:
    with services.engine.connect() as conn:
        stored = conn.execute(select(t.User.__table__.c.refresh_token_encrypted)
                              .where(t.User.__table__.c.id == int(world.rep["id"]))).scalar_one()
    assert stored and connected not in stored
    assert decrypt(stored, services.settings) == connected
    assert connected not in every_row(services)


SECRETS_AT_REST = {
    "an API key is kept only as a hash": lambda services, world, connected: world.api_key,
    "a Graph subscription's clientState is kept only as a hash": lambda services, world, connected: _client_state(
        services, world),
    "the encryption key itself is not in the database": lambda services, world, connected: ENCRYPTION_KEY,
    "the refresh token is not in the database in the clear": lambda services, world, connected: connected,
    "a webhook endpoint's signing secret is kept only encrypted": lambda services, world, connected: (
        outgoing_webhooks.create_endpoint(services, world.admin, url="https://hooks.acme.test/in",
                                          events=["enrollment.paused"])["secret"].removeprefix("whsec_")),
}


def _client_state(services: ServiceContext, world: World) -> str:
    return follow_outlook_inbox(services, world, "sub-acme")


@pytest.mark.parametrize("name", list(SECRETS_AT_REST), ids=list(SECRETS_AT_REST))
def test_no_secret_is_in_the_database_in_the_clear(services: ServiceContext, world: World, connected: str,
                                                   name: str) -> None:
    secret = SECRETS_AT_REST[name](services, world, connected)
    assert secret and secret not in every_row(services)


def _pieces(secret: str) -> list[str]:
    """The secret, and for a JWT its signature too (a log printing half a token still leaks)."""
    pieces = [secret]
    if secret.count(".") == 2:
        pieces.append(secret.rsplit(".", 1)[1])
    return [p for p in pieces if len(p) >= 16]


def test_no_token_or_secret_appears_in_any_log_or_error_body(
        caplog: pytest.LogCaptureFixture, client: Any, services: ServiceContext, control: GoogleEmulatorControl,
        world: World, creds: Credentials) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: dict[str, str] = {"ENCRYPTION_KEY": ENCRYPTION_KEY, "SECRET_KEY": SECRET_KEY, "api key": world.api_key}
    bodies: list[str] = []

    def send(response: Any) -> Any:
        bodies.append(response.get_data(as_text=True))
        return response

    # connect_gmail, then a reply arrives, Pub/Sub pushes, the worker reads it with the refresh token.
    secrets["refresh token"] = refresh = control.create_mailbox(world.rep["mailbox_address"])["refresh_token"]
    connect_gmail(services, world.admin, world.rep["id"], refresh)
    made = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                              sender_user_id=world.rep["id"], enrolled_by_user_id=world.rep["id"])
    delivered = control.deliver(world.rep["mailbox_address"],
                                f"From: {world.contact['email']}\r\nTo: {world.rep['mailbox_address']}\r\n"
                                "Subject: Re: Intro\r\nMessage-ID: <r1@globex>\r\n\r\nNot interested.\r\n".encode())
    data = base64.b64encode(json.dumps({"emailAddress": world.rep["mailbox_address"],
                                        "historyId": delivered["historyId"]}).encode()).decode()
    push = {"message": {"data": data, "messageId": "p-1", "message_id": "p-1"}, "subscription": "projects/p/subscriptions/s"}
    secrets["pubsub token"] = token = creds.pubsub()
    assert send(client.post("/webhooks/gmail", json=push, headers={"Authorization": f"Bearer {token}"})).status_code == 204
    secrets["forged pubsub token"] = forged = creds.pubsub(forged=True)
    assert send(client.post("/webhooks/gmail", json=push, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    run_due_steps(services)

    # A Graph notification, genuine and with a wrong clientState.
    secrets["clientState"] = state = _client_state(services, world)
    for client_state in (state, state[::-1]):
        item = {"subscriptionId": "sub-acme", "clientState": client_state, "changeType": "created",
                "resource": "Users/u/Messages/AAMk-9", "resourceData": {"id": "AAMk-9"}, "tenantId": "t-1"}
        assert send(client.post("/webhooks/graph", json={"value": [item]})).status_code == 202
    secrets["wrong clientState"] = state[::-1]

    # The Gmail add-on: a genuine request, and one whose system token was made for a URL the
    # deployment does not declare (any declared URL is a valid audience on every endpoint).
    path = "/gmail/compose"
    secrets["add-on system token"] = system = creds.addon_system(path)
    secrets["add-on user token"] = user = creds.addon_user(world.rep["email"], aud=DEFAULT_CLIENT_ID)
    event = creds.addon_event(user, toRecipients=[world.contact["email"]])
    assert send(client.post(path, json=event, headers={"Authorization": f"Bearer {system}"})).status_code == 200
    secrets["misdirected system token"] = wrong = creds.addon_system("/app/")
    assert send(client.post(path, json=event, headers={"Authorization": f"Bearer {wrong}"})).status_code == 401

    # The Outlook pane's SSO token and an API key, good and bad.
    secrets["sso token"] = sso = creds.outlook_sso()
    secrets["expired sso token"] = expired = creds.outlook_sso(exp=1, iat=0, nbf=0)
    for bearer in (sso, expired, world.api_key, world.api_key[:-2] + "zz"):
        send(client.get("/api/v1/recipients/status", query_string={"email": world.contact["email"]},
                        headers={"Authorization": f"Bearer {bearer}"}))
    secrets["wrong api key"] = world.api_key[:-2] + "zz"
    send(client.post(f"/api/v1/enrollments/{made['id']}/unenroll", json={}, headers=world.headers))

    records = [r for r in caplog.records if not r.name.startswith(NOT_OURS)]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in records)
    assert records, "the flows logged nothing: the check would prove nothing"
    leaks = [(name, where) for name, secret in secrets.items() for piece in _pieces(secret)
             for where, text in (("log", logged), ("response", "\n".join(bodies))) if piece in text]
    assert leaks == []
