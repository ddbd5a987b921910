"""Reconnecting one's own Gmail mailbox from Settings, through the emulator's consent screen and token endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import directory, identity
from addin_server.services.context import ServiceContext
from addin_server.services.grants import mark_disconnected
from addin_server.services.mailboxes import mailbox_status
from tests.builders import make_world
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


def test_a_gmail_consent_binds_only_the_aliases_gmail_lists_for_the_mailbox(
        client: Any, services: ServiceContext, app_world: AppWorld, control: GoogleEmulatorControl) -> None:
    """An alias an admin typed is a claim, not a proof: another account's rep who connects their own
    mailbox does not capture the address (F4 of the outside test)."""
    control.create_mailbox("rita@acme.test", aliases=["rita.r@acme.test"])
    with services.session() as s:
        for typed in ("rita.r@acme.test", "carol.sales@gmail.com"):
            s.add(t.UserAlias(account_id=app_world.world.account_id, user_id=int(app_world.world.rep["id"]),
                              address=typed))
    to_google = _start_consent(client, app_world, "rita")
    back = requests.get(to_google.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    with services.session() as s:
        bound = set(s.scalars(select(t.AddressBinding.address).where(
            t.AddressBinding.user_id == int(app_world.world.rep["id"]))))
    assert bound == {"rita@acme.test", "rita.r@acme.test"}
    # Carol, invited by another account, still signs in there (the typed alias names nobody).
    other = make_world(services, name="Initech", domain="initech.test")
    carol = directory.create_user(services, other.admin, email="carol.sales@gmail.com", name="Carol", role="user",
                                  mailbox_provider="gmail", mailbox_address="carol.sales@gmail.com")
    signed_in = identity.principal_for_google_user(services, sub="g-carol", email="carol.sales@gmail.com")
    assert signed_in is not None and signed_in.user_id == int(carol["id"])
