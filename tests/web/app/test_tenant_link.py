"""Linking a Microsoft 365 organisation to an account on its Global Administrator's sign-in.

The super admin makes the link in Settings; whoever opens it signs in with Microsoft (the emulator,
over TLS, through msal) and the tenant binds only when the verified ID token's `tid` is the one
meant and its `wids` hold a tenant-wide admin role. Forged, expired and used links are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from addin_emulator.microsoft.client import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.db import tables as t
from addin_server.services import tenant_links
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict
from tests.browser import free_port, live_server
from tests.builders import World, make_world
from tests.emulated import running_emulator
from tests.web.app.conftest import sign_in, sign_in_from_link_page

CLIENT_ID = "6c6c6c6c-1111-4222-8333-444455556666"
CLIENT_SECRET = "tenant-link-test-secret"  # the emulator app's, made up
TENANT = "8d8d8d8d-1111-4222-8333-444455556666"  # Initech's organisation
OTHER_TENANT = "9e9e9e9e-1111-4222-8333-444455556666"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(microsoft_app=(CLIENT_ID, CLIENT_SECRET, TENANT)) as running:
        control = MicrosoftEmulatorControl(running.base_url)
        control.create_mailbox("gwen@initech.test", TENANT, directory_roles=[GLOBAL_ADMINISTRATOR])
        control.create_mailbox("ulla@initech.test", TENANT, directory_roles=[USER_ADMINISTRATOR])
        control.create_mailbox("otto@initech.test", TENANT)
        control.create_mailbox("gabe@globex.test", OTHER_TENANT, directory_roles=[GLOBAL_ADMINISTRATOR])
        control.session.close()
        yield running


@pytest.fixture
def linking(services: ServiceContext, emulator: RunningEmulator) -> Iterator[dict[str, Any]]:
    port = free_port()
    configured = services.settings.with_overrides(
        public_url=f"http://127.0.0.1:{port}", ms_client_id=CLIENT_ID, ms_client_secret=CLIENT_SECRET,
        ms_authority=f"{emulator.tls_base_url}/ms/organizations", ca_bundle=emulator.ca_bundle or "")
    services.settings = configured
    app = create_app(configured, services=services)
    app.config["TESTING"] = True
    acme = make_world(services)  # linked to Acme's own tenant
    initech = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with live_server(app, port=port):
        yield {"app": app, "acme": acme, "initech": initech}


def _make_link(c: dict[str, Any], world: World, ms_tenant: str = TENANT) -> str:
    client = c["app"].test_client()
    browser = sign_in(client, world.super_admin.user_id or 0, world.account_id)
    made = browser.post_from("/app/settings", "/app/settings/organisation/link", {"ms_tenant": ms_tenant})
    assert made.status_code == 302
    page = client.get("/app/settings").get_data(as_text=True)
    found = re.search(r"(http://127\.0\.0\.1:\d+/app/organisation/link\?t=[\w.\-]+)", page)
    assert found, "the link is shown to the super admin"
    return found.group(1)


def _open(c: dict[str, Any], emulator: RunningEmulator, link: str, login_hint: str) -> Any:
    """The tenant's admin, in a browser without any Sequence Sidebar session, follows the link."""
    client = c["app"].test_client()
    parts = urlsplit(link)
    page = client.get(parts.path, query_string={"t": parse_qs(parts.query)["t"][0], "login_hint": login_hint})
    assert page.status_code == 200 and "Initech" in page.get_data(as_text=True)
    to_microsoft = sign_in_from_link_page(client, parts.path, parse_qs(parts.query)["t"][0], login_hint)
    assert to_microsoft.status_code == 302 and to_microsoft.location.startswith(emulator.tls_base_url)
    answer = requests.get(to_microsoft.location, allow_redirects=False, verify=emulator.ca_bundle, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/app/organisation/callback"
    return client.get(back.path, query_string={k: v[0] for k, v in parse_qs(back.query).items()})


def _tenant_row(services: ServiceContext, tid: str) -> t.AccountTenant | None:
    with services.session() as s:
        row = s.scalar(select(t.AccountTenant).where(t.AccountTenant.tenant_id == tid))
        if row is not None:
            s.expunge(row)
        return row


def test_a_global_administrators_sign_in_through_the_link_binds_the_tenant_and_stores_the_proof(
        linking: dict[str, Any], emulator: RunningEmulator, services: ServiceContext) -> None:
    initech: World = linking["initech"]
    done = _open(linking, emulator, _make_link(linking, initech), "gwen@initech.test")
    assert done.status_code == 200 and "Organisation linked" in done.get_data(as_text=True)
    row = _tenant_row(services, TENANT)
    assert row is not None and row.account_id == initech.account_id
    assert row.linked_by == "tenant_admin_sign_in" and row.started_by_user_id == initech.super_admin.user_id
    assert row.proven_by is not None and row.proven_by.startswith("Global Administrator: gwen@initech.test (oid ")


@pytest.mark.parametrize("who", ["otto@initech.test", "ulla@initech.test"],
                         ids=["a user without a directory role", "a user administrator"])
def test_a_sign_in_without_a_tenant_wide_admin_role_links_nothing_and_uses_up_the_link(
        linking: dict[str, Any], emulator: RunningEmulator, services: ServiceContext, who: str) -> None:
    link = _make_link(linking, linking["initech"])
    done = _open(linking, emulator, link, who)
    assert done.status_code == 403
    assert f"You signed in as {who}, who is not a Global Administrator" in done.get_data(as_text=True)
    assert _tenant_row(services, TENANT) is None
    replay = linking["app"].test_client().get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert replay.status_code == 403 and "already used" in replay.get_data(as_text=True)


def test_a_global_administrator_of_another_organisation_than_the_link_names_links_nothing(
        linking: dict[str, Any], emulator: RunningEmulator, services: ServiceContext) -> None:
    done = _open(linking, emulator, _make_link(linking, linking["initech"]), "gabe@globex.test")
    assert done.status_code == 403
    assert f"but this link is for organisation {TENANT}" in done.get_data(as_text=True)
    assert _tenant_row(services, TENANT) is None and _tenant_row(services, OTHER_TENANT) is None


def test_a_used_link_is_refused(linking: dict[str, Any], emulator: RunningEmulator) -> None:
    link = _make_link(linking, linking["initech"])
    assert _open(linking, emulator, link, "gwen@initech.test").status_code == 200
    again = linking["app"].test_client().get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert again.status_code == 403 and "already used" in again.get_data(as_text=True)


def test_an_expired_link_is_refused(linking: dict[str, Any], services: ServiceContext) -> None:
    link = _make_link(linking, linking["initech"])
    with services.session() as s:
        s.execute(update(t.TenantLinkRequest).values(expires_at=services.now() - timedelta(seconds=1)))
    r = linking["app"].test_client().get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert r.status_code == 403 and "expired" in r.get_data(as_text=True)


@pytest.mark.parametrize("token", ["", "x", "eyJuIjoiYWJjIn0.forged.signature"], ids=["empty", "garbage", "forged"])
def test_a_forged_link_is_refused(linking: dict[str, Any], services: ServiceContext, token: str) -> None:
    r = linking["app"].test_client().get("/app/organisation/link", query_string={"t": token})
    assert r.status_code == 403 and "not one Sequence Sidebar made" in r.get_data(as_text=True)
    browser = linking["app"].test_client()
    browser.get("/app/organisation/link", query_string={"t": token})
    go = browser.post("/app/organisation/link/go", data={"t": token})
    assert go.status_code == 400  # no page of ours started it
    assert _tenant_row(services, TENANT) is None


def test_a_link_signed_with_another_key_is_refused(linking: dict[str, Any], services: ServiceContext) -> None:
    from itsdangerous import URLSafeTimedSerializer

    link = _make_link(linking, linking["initech"])
    with services.session() as s:
        nonce = s.scalars(select(t.TenantLinkRequest.nonce)).one()
    forged = URLSafeTimedSerializer("not-our-secret", salt="tenant-link").dumps({"n": nonce})
    r = linking["app"].test_client().get("/app/organisation/link", query_string={"t": forged})
    assert r.status_code == 403 and link.split("t=")[1] != forged


def test_a_callback_nobody_started_changes_nothing(linking: dict[str, Any], services: ServiceContext) -> None:
    r = linking["app"].test_client().get("/app/organisation/callback", query_string={"code": "x", "state": "y"})
    assert r.status_code == 400
    assert _tenant_row(services, TENANT) is None


def test_a_tenant_bound_to_one_account_cannot_be_bound_in_another(
        linking: dict[str, Any], emulator: RunningEmulator, services: ServiceContext) -> None:
    """Asked for by name: a 409 that names no account. Unnamed, through its admin's sign-in: a 409 too."""
    initech: World = linking["initech"]
    assert _open(linking, emulator, _make_link(linking, initech), "gwen@initech.test").status_code == 200
    acme: World = linking["acme"]
    with pytest.raises(Conflict) as refused:
        tenant_links.start_link(services, acme.super_admin, ms_tenant=TENANT)
    assert refused.value.code == "tenant_taken" and "Initech" not in refused.value.message
    unnamed = tenant_links.start_link(services, acme.super_admin)
    done = _open_for(linking, emulator, unnamed["url"], "gwen@initech.test")
    assert done.status_code == 409 and "Initech" not in done.get_data(as_text=True)
    row = _tenant_row(services, TENANT)
    assert row is not None and row.account_id == initech.account_id


def _open_for(c: dict[str, Any], emulator: RunningEmulator, link: str, login_hint: str) -> Any:
    client = c["app"].test_client()
    parts = urlsplit(link)
    to_microsoft = sign_in_from_link_page(client, parts.path, parse_qs(parts.query)["t"][0], login_hint)
    answer = requests.get(to_microsoft.location, allow_redirects=False, verify=emulator.ca_bundle, timeout=10)
    back = urlsplit(answer.headers["Location"])
    return client.get(back.path, query_string={k: v[0] for k, v in parse_qs(back.query).items()})


@pytest.mark.parametrize("who", ["admin", "other_rep"], ids=["an admin", "a rep"])
def test_only_a_super_admin_makes_the_link(linking: dict[str, Any], services: ServiceContext, who: str) -> None:
    initech: World = linking["initech"]
    client = linking["app"].test_client()
    user_id = initech.other_rep["id"]
    if who == "admin":
        with services.session() as s:
            s.get_one(t.User, int(user_id)).role = "admin"
    browser = sign_in(client, user_id, initech.account_id)
    r = browser.post_from("/app/settings", "/app/settings/organisation/link", {"ms_tenant": TENANT})
    assert r.status_code == 403
    with services.session() as s:
        assert s.scalar(select(t.TenantLinkRequest.id)) is None


def test_the_sign_in_starts_only_from_the_page_that_names_the_account(
        linking: dict[str, Any], services: ServiceContext) -> None:
    """A link to …/link/go sent from elsewhere (F6 of the outside test) starts no sign-in: a GET is not
    served (at most our own sign-in page), and a POST without the CSRF token of the page naming the account is refused."""
    token = parse_qs(urlsplit(_make_link(linking, linking["initech"])).query)["t"][0]
    browser = linking["app"].test_client()
    followed = browser.get("/app/organisation/link/go", query_string={"t": token})
    assert followed.status_code in (302, 405) and "/ms/" not in (followed.location or "")
    assert browser.post("/app/organisation/link/go", data={"t": token}).status_code == 400
    assert _tenant_row(services, TENANT) is None
    page = browser.get("/app/organisation/link", query_string={"t": token}).get_data(as_text=True)
    assert "Initech" in page and 'action="/app/organisation/link/go"' in page
