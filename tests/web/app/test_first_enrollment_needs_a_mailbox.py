"""A new team's first enrollment from a rep whose mailbox nobody connected yet: a clear 409 that
names the rep and the way to connect, nothing half-done; after Google's consent (the emulator's)
the very same call enrolls and sends step 1 from the rep's own mailbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.providers.gmail import GrantRevoked
from addin_server.services.accounts import create_account
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.gmail.sync import sync_gmail_mailbox
from addin_server.services.mailboxes import connect_gmail
from tests.emulated import google_emulator_settings
from tests.web.app.conftest import sign_in


@pytest.fixture
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    control = GoogleEmulatorControl(emulator.base_url)
    control.reset()
    return control


@pytest.fixture
def settings(database_url: str, control: GoogleEmulatorControl) -> Settings:
    # Production sending: every email leaves through the rep's own mailbox, no local fallback.
    return google_emulator_settings(control, database_url, mail_transport="providers", pubsub_topic=None)


def _readme_world(client: Any, services: ServiceContext) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    made = create_account(services, name="Acme", plan="professional", admin_email="admin@acme.test")
    h = {"Authorization": f"Bearer {made.api_key}"}
    rep = client.post("/api/v1/users", json={"email": "rita@acme.test", "name": "Rita Rep", "role": "user",
                                             "mailbox_provider": "gmail", "mailbox_address": "rita@acme.test"},
                      headers=h).json
    contact = client.post("/api/v1/contacts", json={"email": "jane@globex.test", "first_name": "Jane"}, headers=h).json
    seq = client.post("/api/v1/sequences", json={"name": "Intro", "owner_user_id": rep["id"], "steps": [
        {"type": "automated_email", "delay_days": 0, "subject": "Hi {{first_name}}", "body": "Hello",
         "thread_with_previous": False}, {"type": "task", "delay_days": 1}]}, headers=h).json
    body = {"sequence_id": seq["id"], "contact_id": contact["id"], "sender_user_id": rep["id"]}
    return h, {"account_id": made.account_id, "rep": rep}, body


def _rows(services: ServiceContext) -> tuple[int, int, int]:
    with services.session() as s:
        return (s.scalar(select(func.count()).select_from(t.Enrollment)) or 0,
                s.scalar(select(func.count()).select_from(t.EnrollmentEvent)) or 0,
                s.scalar(select(func.count()).select_from(t.SequenceEmail)) or 0)


def test_the_first_enrollment_from_an_unconnected_mailbox_is_a_409_that_says_how_to_connect(
        client: Any, services: ServiceContext, control: GoogleEmulatorControl) -> None:
    h, _, body = _readme_world(client, services)
    refused = client.post("/api/v1/enrollments", json=body, headers=h)
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["code"] == "mailbox_not_connected"
    assert "Rita Rep" in error["message"] and "rita@acme.test" in error["message"]
    assert "Settings" in error["message"] and "nothing was enrolled" in error["message"]
    assert error["details"]["connect_url"] == "https://sidebar.test/app/settings#mailboxes"
    assert error["details"]["mailbox_provider"] == "gmail"
    assert _rows(services) == (0, 0, 0)


def test_after_connecting_through_googles_consent_the_same_call_enrolls_and_sends_step_one(
        client: Any, services: ServiceContext, control: GoogleEmulatorControl) -> None:
    h, world, body = _readme_world(client, services)
    control.create_mailbox("rita@acme.test")
    assert client.post("/api/v1/enrollments", json=body, headers=h).status_code == 409

    browser = sign_in(client, world["rep"]["id"], world["account_id"])
    assert 'id="reconnect-mailbox"' in client.get("/app/settings").get_data(as_text=True)
    to_google = browser.post_from("/app/settings", "/app/settings/mailbox/reconnect", {})
    back = requests.get(to_google.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302

    enrolled = client.post("/api/v1/enrollments", json=body, headers=h)
    assert enrolled.status_code == 201, enrolled.json
    assert enrolled.json["status"] == "active" and enrolled.json["current_step"] == 1
    sent = control.messages("rita@acme.test", label="SENT")
    assert len(sent) == 1 and "Hi Jane" in str(sent[0])


def test_a_grant_revoked_at_the_moment_of_sending_leaves_nothing_half_done(
        client: Any, services: ServiceContext, control: GoogleEmulatorControl) -> None:
    h, world, body = _readme_world(client, services)
    control.create_mailbox("rita@acme.test")
    grant = control.issue_grant("rita@acme.test")
    admin = Principal.for_api_key(world["account_id"], "test", "admin")
    connect_gmail(services, admin, world["rep"]["id"], grant["refresh_token"])
    control.revoke(address="rita@acme.test")

    refused = client.post("/api/v1/enrollments", json=body, headers=h)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "mailbox_not_connected"
    assert _rows(services) == (0, 0, 0)
    with services.session() as s:
        assert s.get_one(t.User, int(world["rep"]["id"])).mailbox_connected is False


def test_the_web_app_tells_a_rep_whose_mailbox_is_not_connected_the_same_and_links_to_connecting_it(
        client: Any, services: ServiceContext, control: GoogleEmulatorControl) -> None:
    h, world, body = _readme_world(client, services)
    message = client.post("/api/v1/enrollments", json=body, headers=h).json["error"]["message"]
    sign_in(client, world["rep"]["id"], world["account_id"])
    page = client.get("/app/sequences").get_data(as_text=True)
    assert 'id="mailbox-notice"' in page and 'href="/app/settings#mailboxes"' in page
    # The same sentence as the API's 409, without the part about the refused enrollment.
    assert message.replace("; nothing was enrolled", "").replace("'", "&#39;") in page



def _mailbox_cell(page: str) -> str:
    return page[page.index("Mailbox connections"):]


def test_outside_finding_c_a_mailbox_is_connected_only_after_consent_and_no_longer_once_google_refuses_it(
        client: Any, services: ServiceContext, control: GoogleEmulatorControl) -> None:
    h, world, _ = _readme_world(client, services)
    rep_id = world["rep"]["id"]
    control.create_mailbox("rita@acme.test")
    # An invitation: nobody consented yet, so nothing says connected and Settings offers Connect.
    assert world["rep"]["mailbox_connected"] is False
    assert client.get(f"/api/v1/users/{rep_id}", headers=h).json["mailbox_connected"] is False
    browser = sign_in(client, rep_id, world["account_id"])
    page = _mailbox_cell(client.get("/app/settings").get_data(as_text=True))
    assert "Not connected" in page and 'id="reconnect-mailbox">Connect</button>' in page
    assert ">Connected<" not in page

    to_google = browser.post_from("/app/settings", "/app/settings/mailbox/reconnect", {})
    back = requests.get(to_google.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    assert client.get(f"/api/v1/users/{rep_id}", headers=h).json["mailbox_connected"] is True
    page = _mailbox_cell(client.get("/app/settings").get_data(as_text=True))
    assert ">Connected<" in page and 'id="reconnect-mailbox"' not in page

    # The rep withdraws the grant at Google; the next read of the mailbox is refused.
    control.revoke(address="rita@acme.test")
    with pytest.raises(GrantRevoked):
        sync_gmail_mailbox(services, "rita@acme.test")
    assert client.get(f"/api/v1/users/{rep_id}", headers=h).json["mailbox_connected"] is False
    page = _mailbox_cell(client.get("/app/settings").get_data(as_text=True))
    assert "Disconnected" in page and 'id="reconnect-mailbox">Reconnect</button>' in page
    assert ">Connected<" not in page
