"""The dialog sign-in when SSO is unavailable: Microsoft's authorization code flow, against the emulator."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import delete

from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.emulated import running_emulator
from tests.web.outlook.sso_tokens import CLIENT_ID, TENANT

CLIENT_SECRET = "outlook-sign-in-test-secret"  # the emulator app's, made up


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(microsoft_app=(CLIENT_ID, CLIENT_SECRET, TENANT), mailboxes=[("otto@acme.test", "Otto Other"), ("visitor@acme.test", "Not a rep")]) as running:
        yield running


@pytest.fixture
def sign_in_client(settings: Settings, services: ServiceContext, emulator: RunningEmulator) -> Any:
    configured = settings.with_overrides(ms_client_secret=CLIENT_SECRET, ca_bundle=emulator.ca_bundle or "",
                                         ms_authority=f"{emulator.tls_base_url}/ms/organizations")
    services.settings = configured
    app = create_app(configured, services=services)
    app.config["TESTING"] = True
    return app.test_client()


def _through_microsoft(client: Any, emulator: RunningEmulator, login_hint: str) -> str:
    """Open the dialog, let the emulator sign the user in, come back: the dialog page's message."""
    start = client.get("/outlook/sign-in", query_string={"login_hint": login_hint})
    assert start.status_code == 302 and start.location.startswith(f"{emulator.tls_base_url}/ms/organizations/")
    answer = requests.get(start.location, allow_redirects=False, verify=emulator.ca_bundle, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert f"https://sidebar.test{back.path}" == "https://sidebar.test/outlook/sign-in/callback"
    page = client.get(back.path, query_string={k: v[0] for k, v in parse_qs(back.query).items()})
    assert page.status_code == 200
    found = re.search(r'<script id="sign-in-result" type="application/json">(.*?)</script>', page.get_data(as_text=True),
                      re.S)
    assert found is not None
    return found.group(1)


def test_a_rep_without_sso_signs_in_with_microsoft_and_the_pane_token_works(
        sign_in_client: Any, emulator: RunningEmulator, world: World) -> None:
    message = json.loads(_through_microsoft(sign_in_client, emulator, "otto@acme.test"))
    assert message["rep"]["email"] == "otto@acme.test"
    lookup = sign_in_client.get("/api/v1/recipients/status", query_string={"email": world.contact["email"]},
                                headers={"Authorization": f"Bearer {message['token']}"})
    assert lookup.status_code == 200


REFUSED = [
    ("a user of an organisation linked to no account gets no token", None, "visitor@acme.test",
     "This Microsoft 365 organisation is not linked to a Sequence Sidebar account yet: a Global Administrator "
     "of it signs in through the link your super admin makes in Settings."),
    ("a user of a customer's organisation who is not a rep gets no token", "otto@acme.test", "visitor@acme.test",
     "Your Microsoft 365 account is not a rep of any Sequence Sidebar account."),
    ("a sign-in Microsoft refuses gets no token", None, "nobody@acme.test",
     "Microsoft did not complete the sign-in. Start again."),
]


@pytest.mark.parametrize(("case", "rep_first", "login_hint", "reason"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_refused_sign_in_tells_the_pane_why_and_gives_no_token(
        sign_in_client: Any, services: ServiceContext, emulator: RunningEmulator, world: World, case: str,
        rep_first: str | None, login_hint: str, reason: str) -> None:
    if rep_first is None:  # the operator never linked Acme's tenant to the account
        with services.session() as s:
            s.execute(delete(t.AccountTenant))
    if rep_first:  # the rep's first sign-in links the organisation
        assert "token" in json.loads(_through_microsoft(sign_in_client, emulator, rep_first))
    assert json.loads(_through_microsoft(sign_in_client, emulator, login_hint)) == {"error": reason}


def test_a_callback_without_a_started_sign_in_gives_no_token(sign_in_client: Any, world: World) -> None:
    page = sign_in_client.get("/outlook/sign-in/callback", query_string={"code": "stolen", "state": "x"})
    assert "This sign-in has expired or was already used." in page.get_data(as_text=True)
    assert "sspane:" not in page.get_data(as_text=True)
