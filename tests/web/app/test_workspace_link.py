"""Linking a Google Workspace domain to an account on its super administrator's sign-in.

The super admin makes the link in Settings; whoever opens it consents at Google (the emulator's
consent screen and token endpoint, with `openid`), and the domain binds only when the verified ID
token's `hd` is the domain meant and the Directory API (the emulator's users.get) says that person
is a super administrator of it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world
from tests.emulated import google_emulator_settings
from tests.web.app.conftest import sign_in, sign_in_from_link_page

CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"


@pytest.fixture
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    control = GoogleEmulatorControl(emulator.base_url)
    control.reset()
    control.create_mailbox("gwen@initech.test", workspace_admin=True)
    control.create_mailbox("otto@initech.test")
    control.create_mailbox("gabe@globex.test", workspace_admin=True)
    control.create_mailbox("mallory@gmail.com")
    return control


@pytest.fixture
def settings(database_url: str, control: GoogleEmulatorControl) -> Settings:
    return google_emulator_settings(control, database_url, mail_transport="local", google_oauth_client_id=CLIENT_ID,
                                    google_oauth_client_secret="sidebar-client-secret")


@pytest.fixture
def initech(services: ServiceContext) -> World:
    return make_world(services, name="Initech", domain="initech.test", ms_tenants=[])


def _make_link(client: Any, world: World) -> str:
    browser = sign_in(client, world.super_admin.user_id or 0, world.account_id)
    made = browser.post_from("/app/settings", "/app/settings/organisation/link", {"google_domain": "initech.test"})
    assert made.status_code == 302
    found = re.search(r"(https://sidebar\.test/app/organisation/link\?t=[\w.\-]+)",
                      client.get("/app/settings").get_data(as_text=True))
    assert found, "the link is shown to the super admin"
    return found.group(1)


def _open(app: Any, control: GoogleEmulatorControl, link: str, login_hint: str) -> Any:
    """The Workspace's admin, in a browser without any Sequence Sidebar session, follows the link."""
    client = app.test_client()
    token = parse_qs(urlsplit(link).query)["t"][0]
    page = client.get("/app/organisation/link", query_string={"t": token, "login_hint": login_hint})
    assert page.status_code == 200 and "initech.test" in page.get_data(as_text=True)
    to_google = sign_in_from_link_page(client, "/app/organisation/link", token, login_hint)
    assert to_google.status_code == 302 and to_google.location.startswith(control.auth_uri)
    back = urlsplit(requests.get(to_google.location, allow_redirects=False, timeout=10).headers["Location"])
    assert back.path == "/app/organisation/google/callback"
    return client.get(f"{back.path}?{back.query}")


def _domain_row(services: ServiceContext) -> t.AccountTenant | None:
    with services.session() as s:
        row = s.scalar(select(t.AccountTenant).where(t.AccountTenant.tenant_id == "initech.test"))
        if row is not None:
            s.expunge(row)
        return row


def test_a_workspace_super_administrators_sign_in_through_the_link_binds_the_domain_and_stores_the_proof(
        app: Any, client: Any, services: ServiceContext, control: GoogleEmulatorControl, initech: World) -> None:
    done = _open(app, control, _make_link(client, initech), "gwen@initech.test")
    assert done.status_code == 200 and "Workspace domain linked" in done.get_data(as_text=True)
    row = _domain_row(services)
    assert row is not None and row.account_id == initech.account_id and row.provider == "google"
    assert row.linked_by == "workspace_super_admin_sign_in" and row.started_by_user_id == initech.super_admin.user_id
    assert row.proven_by is not None and row.proven_by.startswith(
        "Google Workspace super administrator: gwen@initech.test (sub ")


@pytest.mark.parametrize(("who", "said"), [
    pytest.param("otto@initech.test", "You signed in as otto@initech.test, who is not a super administrator of "
                 "initech.test", id="a member of the workspace who is no super administrator"),
    pytest.param("gabe@globex.test", "You signed in as gabe@globex.test of Workspace domain globex.test, but this "
                 "link is for initech.test", id="a super administrator of another workspace"),
    pytest.param("mallory@gmail.com", "You signed in as mallory@gmail.com with a Google account outside any "
                 "Workspace, but this link is for initech.test", id="a consumer google account"),
])
def test_a_sign_in_that_proves_nothing_about_the_domain_links_nothing_and_uses_up_the_link(
        app: Any, client: Any, services: ServiceContext, control: GoogleEmulatorControl, initech: World,
        who: str, said: str) -> None:
    link = _make_link(client, initech)
    done = _open(app, control, link, who)
    assert done.status_code == 403 and said in done.get_data(as_text=True)
    assert _domain_row(services) is None
    again = app.test_client().get("/app/organisation/link", query_string={"t": parse_qs(urlsplit(link).query)["t"][0]})
    assert again.status_code == 403 and "already used" in again.get_data(as_text=True)


def test_a_google_answer_for_another_browser_is_refused(
        app: Any, client: Any, services: ServiceContext, control: GoogleEmulatorControl, initech: World) -> None:
    link = _make_link(client, initech)
    browser = app.test_client()
    token = parse_qs(urlsplit(link).query)["t"][0]
    to_google = sign_in_from_link_page(browser, "/app/organisation/link", token, "gwen@initech.test")
    back = urlsplit(requests.get(to_google.location, allow_redirects=False, timeout=10).headers["Location"])
    assert browser.get(f"{back.path}?{back.query.replace('state=', 'state=forged')}").status_code == 400
    assert app.test_client().get(f"{back.path}?{back.query}").status_code == 400  # no link started there
    assert _domain_row(services) is None
