"""Connecting an Outlook mailbox from Settings: sign in with Microsoft, then the mailbox is followed.

The emulator plays Microsoft (sign-in over TLS, Graph, the subscription's validation handshake,
which reaches this app served on a loopback port).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from addin_emulator.microsoft.client import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.db import tables as t
from addin_server.services import directory, identity
from addin_server.services.context import ServiceContext
from addin_server.services.mailboxes import mailbox_status
from tests.browser import free_port, live_server
from tests.builders import World, make_world
from tests.emulated import running_emulator
from tests.web.app.conftest import sign_in

CLIENT_ID = "5a5a5a5a-1111-4222-8333-444455556666"
CLIENT_SECRET = "outlook-connect-test-secret"  # the emulator app's, made up
TENANT = "7b7b7b7b-1111-4222-8333-444455556666"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(microsoft_app=(CLIENT_ID, CLIENT_SECRET, TENANT), mailboxes=[("otto@acme.test", "Otto Other")]) as running:
        yield running


@pytest.fixture
def connecting(services: ServiceContext, emulator: RunningEmulator) -> Iterator[dict[str, Any]]:
    port = free_port()
    configured = services.settings.with_overrides(
        public_url=f"http://127.0.0.1:{port}", ms_client_id=CLIENT_ID, ms_client_secret=CLIENT_SECRET,
        ms_authority=f"{emulator.tls_base_url}/ms/organizations", ca_bundle=emulator.ca_bundle or "",
        graph_api_endpoint=f"{emulator.base_url}/graph/v1.0", mail_transport="providers")
    services.settings = configured
    app = create_app(configured, services=services)
    app.config["TESTING"] = True
    # Otto reads mail in Outlook at otto@acme.test; the operator linked Acme's tenant (the emulator's)
    world = make_world(services, ms_tenants=[TENANT])
    with live_server(app, port=port):
        yield {"client": app.test_client(), "world": world}


def _connect(c: dict[str, Any], emulator: RunningEmulator, as_user: str) -> Any:
    w: World = c["world"]
    browser = sign_in(c["client"], as_user, w.account_id)
    start = browser.post_from("/app/settings", "/app/settings/mailbox/outlook/connect", {})
    assert start.status_code == 302 and start.location.startswith(f"{emulator.tls_base_url}/ms/organizations/")
    answer = requests.get(start.location, allow_redirects=False, verify=emulator.ca_bundle, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/app/settings/mailbox/outlook/callback"
    return c["client"].get(back.path, query_string={k: v[0] for k, v in parse_qs(back.query).items()})


def test_a_rep_connects_their_outlook_mailbox_from_settings(connecting: dict[str, Any],
                                                           emulator: RunningEmulator, services: ServiceContext) -> None:
    w: World = connecting["world"]
    before = {m["mailbox"]: m for m in mailbox_status(services, w.admin)}["otto@acme.test"]
    assert before["connected"] is False
    done = _connect(connecting, emulator, w.other_rep["id"])
    assert done.status_code == 302 and done.location.endswith("/app/settings")
    after = {m["mailbox"]: m for m in mailbox_status(services, w.admin)}["otto@acme.test"]
    assert after["connected"] is True
    with services.session() as s:
        watch = s.scalars(select(t.MailboxWatch).where(t.MailboxWatch.mailbox_address == "otto@acme.test")).one()
    assert watch.subscription_id and watch.client_state_hash and watch.delta_link
    page = connecting["client"].get("/app/settings").get_data(as_text=True)
    assert "Connected otto@acme.test." in page


def test_connecting_outlook_trusts_the_configured_ca_even_when_the_environment_names_a_bundle(
        connecting: dict[str, Any], emulator: RunningEmulator, services: ServiceContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Machines often set REQUESTS_CA_BUNDLE to a public store; CA_BUNDLE (the demo's emulator CA) still
    decides whom the Microsoft sign-in trusts."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(name, requests.certs.where())
    w: World = connecting["world"]
    done = _connect(connecting, emulator, w.other_rep["id"])
    assert done.status_code == 302 and done.location.endswith("/app/settings")
    assert {m["mailbox"]: m for m in mailbox_status(services, w.admin)}["otto@acme.test"]["connected"] is True


def test_a_callback_nobody_started_changes_nothing(connecting: dict[str, Any], services: ServiceContext) -> None:
    w: World = connecting["world"]
    sign_in(connecting["client"], w.other_rep["id"], w.account_id)
    r = connecting["client"].get("/app/settings/mailbox/outlook/callback", query_string={"code": "x", "state": "y"})
    assert r.status_code == 400
    assert {m["mailbox"]: m for m in mailbox_status(services, w.admin)}["otto@acme.test"]["connected"] is False


def test_consenting_as_another_person_says_who_signed_in_and_whose_mailbox_it_is_and_changes_nothing(
        connecting: dict[str, Any], emulator: RunningEmulator, services: ServiceContext) -> None:
    """Otto starts the connection but signs in at Microsoft as Nina: refused before Nina's identity
    binds to anyone, in plain words."""
    MicrosoftEmulatorControl(emulator.base_url).create_mailbox("nina@acme.test", TENANT, display_name="Nina")
    w: World = connecting["world"]
    browser = sign_in(connecting["client"], w.other_rep["id"], w.account_id)
    start = browser.post_from("/app/settings", "/app/settings/mailbox/outlook/connect", {})
    chosen = start.location.replace("login_hint=otto%40acme.test", "login_hint=nina%40acme.test")
    assert chosen != start.location
    answer = requests.get(chosen, allow_redirects=False, verify=emulator.ca_bundle, timeout=10)
    back = urlsplit(answer.headers["Location"])
    done = connecting["client"].get(back.path, query_string={k: v[0] for k, v in parse_qs(back.query).items()})
    assert done.status_code == 403
    assert ("You signed in as nina@acme.test but this is otto@acme.test's mailbox; sign in as otto@acme.test."
            in done.get_data(as_text=True).replace("&#39;", "'"))
    assert {m["mailbox"]: m for m in mailbox_status(services, w.admin)}["otto@acme.test"]["connected"] is False
    with services.session() as s:
        assert s.scalar(select(t.User.id).where(t.User.ms_oid.is_not(None))) is None
        assert s.scalar(select(t.AddressBinding.id).where(t.AddressBinding.address == "nina@acme.test")) is None


def test_an_outlook_consent_binds_only_the_aliases_exchange_lists_for_the_mailbox(
        connecting: dict[str, Any], emulator: RunningEmulator, services: ServiceContext) -> None:
    """A typed alias binds only when Graph's proxyAddresses list it: another account's address typed as
    an alias stays unbound, and its owner still signs in to their own account (F4 of the outside test)."""
    w: World = connecting["world"]
    MicrosoftEmulatorControl(emulator.base_url).create_mailbox("olga@acme.test", TENANT, display_name="Olga",
                                                              aliases=["sales@acme.test"])
    olga = directory.create_user(services, w.admin, email="olga@acme.test", name="Olga", role="user",
                                 mailbox_provider="outlook", mailbox_address="olga@acme.test",
                                 mailbox_aliases=["sales@acme.test", "dave.sales@gmail.com"])
    assert _connect(connecting, emulator, olga["id"]).status_code == 302
    with services.session() as s:
        bound = set(s.scalars(select(t.AddressBinding.address).where(t.AddressBinding.user_id == int(olga["id"]))))
    assert bound == {"olga@acme.test", "sales@acme.test"}
    other = make_world(services, name="Initech", domain="initech.test")
    dave = directory.create_user(services, other.admin, email="dave.sales@gmail.com", name="Dave", role="user",
                                 mailbox_provider="gmail", mailbox_address="dave.sales@gmail.com")
    signed_in = identity.principal_for_google_user(services, sub="g-dave", email="dave.sales@gmail.com")
    assert signed_in is not None and signed_in.user_id == int(dave["id"])
