"""Reconnecting one's own Gmail mailbox from Settings, through the emulator's consent screen and token endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server.config import Settings
from addin_server.services.context import ServiceContext
from addin_server.services.grants import mark_disconnected
from addin_server.services.mailboxes import mailbox_status
from tests.emulated import google_emulator_settings
from tests.web.app.conftest import AppWorld, sign_in

CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"


@pytest.fixture
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    control = GoogleEmulatorControl(emulator.base_url)
    control.reset()
    return control


@pytest.fixture
def settings(database_url: str, control: GoogleEmulatorControl) -> Settings:
    return google_emulator_settings(control, database_url, mail_transport="local", google_oauth_client_id=CLIENT_ID,
                                    google_oauth_client_secret="sidebar-client-secret")


def _start_consent(client: Any, aw: AppWorld, who: str) -> Any:
    browser = sign_in(client, aw.world.rep["id"] if who == "rita" else aw.world.other_rep["id"], aw.world.account_id)
    return browser.post_from("/app/settings", "/app/settings/mailbox/reconnect", {})


def _rita_connected(services: ServiceContext, aw: AppWorld) -> bool:
    rows = {m["mailbox"]: m for m in mailbox_status(services, aw.world.admin)}
    return bool(rows["rita@acme.test"]["connected"])


def test_a_rep_reconnects_their_gmail_mailbox_through_googles_consent(
        client: Any, services: ServiceContext, app_world: AppWorld, control: GoogleEmulatorControl) -> None:
    control.create_mailbox("rita@acme.test")
    mark_disconnected(services, int(app_world.world.rep["id"]), "invalid_grant")
    sign_in(client, app_world.world.rep["id"], app_world.world.account_id)
    assert 'id="reconnect-mailbox"' in client.get("/app/settings").get_data(as_text=True)

    to_google = _start_consent(client, app_world, "rita")
    assert to_google.status_code == 302 and to_google.headers["Location"].startswith(control.auth_uri)
    back = requests.get(to_google.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/app/settings/mailbox/callback"

    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302
    assert _rita_connected(services, app_world)
    assert "Reconnected rita@acme.test" in client.get("/app/settings").get_data(as_text=True)


def test_a_callback_this_browser_did_not_start_is_refused(
        client: Any, services: ServiceContext, app_world: AppWorld, control: GoogleEmulatorControl) -> None:
    control.create_mailbox("rita@acme.test")
    to_google = _start_consent(client, app_world, "rita")
    back = requests.get(to_google.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    forged = callback.query.replace("state=", "state=forged")
    assert client.get(f"{callback.path}?{forged}").status_code == 400
    assert not _rita_connected(services, app_world)


def test_an_outlook_rep_is_not_sent_to_google(client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    response = _start_consent(client, app_world, "otto")
    assert response.status_code == 409


def test_consenting_as_another_person_says_who_signed_in_and_whose_mailbox_it_is_and_connects_nothing(
        client: Any, services: ServiceContext, app_world: AppWorld, control: GoogleEmulatorControl) -> None:
    """Rita starts the consent but picks another Google account at Google's screen: Gmail's profile of
    the grant names that account, so the callback refuses, in plain words, and stores no grant."""
    control.create_mailbox("rita@acme.test")
    control.create_mailbox("mallory@gmail.com")
    mark_disconnected(services, int(app_world.world.rep["id"]), "invalid_grant")
    to_google = _start_consent(client, app_world, "rita")
    chosen = to_google.headers["Location"].replace("login_hint=rita%40acme.test", "login_hint=mallory%40gmail.com")
    assert chosen != to_google.headers["Location"]
    back = requests.get(chosen, allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 403
    assert ("You signed in as mallory@gmail.com but this is rita@acme.test's mailbox; sign in as rita@acme.test."
            in done.get_data(as_text=True).replace("&#39;", "'"))
    assert not _rita_connected(services, app_world)
