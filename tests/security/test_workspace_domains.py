"""Google Workspace domains as tenants, and the operator's `accounts link-tenant` (which prints a link).

An account can be linked to a Google Workspace domain (the `hd` claim of its users' Google tokens),
as it is to a Microsoft 365 tenant. A Google sign-in whose `hd` is another account's linked domain
signs in nobody here, an address at a linked domain counts only from that Workspace, and consumer
Google accounts (no `hd`, e.g. gmail.com) keep signing in by their address binding.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from addin_server.cli import DEMO_LINKS_FILE, main
from addin_server.db import tables as t
from addin_server.services import accounts, identity, tenant_links
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound
from tests.builders import ACME_TENANT, link_proven_domain, make_world
from tests.security.credentials import Credentials

NEW_REP = {"name": "Jane", "role": "user", "mailbox_provider": "gmail"}
OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


def _tenants(services: ServiceContext, account_id: int) -> set[tuple[str, str]]:
    with services.session() as s:
        return {(r.provider, r.tenant_id) for r in s.scalars(
            select(t.AccountTenant).where(t.AccountTenant.account_id == account_id))}


def test_a_google_sign_in_from_another_accounts_workspace_domain_is_refused(services: ServiceContext) -> None:
    a = make_world(services)
    b = make_world(services, name="Initech", domain="initech.test")
    link_proven_domain(services, b.account_id, "initech.test")
    # Rita of Acme, but the token comes from Initech's Workspace: not Rita, and nothing is bound.
    assert identity.principal_for_google_user(services, sub="g-x", email="rita@acme.test", hd="initech.test") is None
    with services.session() as s:
        assert s.scalar(select(t.User.google_sub).where(t.User.id == int(a.rep["id"]))) is None
    rita = identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test", hd="acme.test")
    assert rita is not None and rita.account_id == a.account_id  # acme.test is linked to nobody: as before
    # Once bound, the same Google subject coming through another account's Workspace is refused too.
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test",
                                              hd="initech.test") is None


def test_an_address_at_a_linked_workspace_domain_signs_in_only_from_that_workspace(
        services: ServiceContext) -> None:
    a = make_world(services)
    link_proven_domain(services, a.account_id, "acme.test")
    # A consumer Google account made with a company address (no hd) is not the company's rep.
    assert identity.principal_for_google_user(services, sub="g-consumer", email="rita@acme.test") is None
    rita = identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test", hd="ACME.test")
    assert rita is not None and rita.user_id == int(a.rep["id"])


def test_a_consumer_gmail_sign_in_without_hd_keeps_working_by_address_binding(
        client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    link_proven_domain(services, a.account_id, "acme.test")
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "jane.rep@gmail.com"})
    assert r.status_code == 201
    jane = identity.principal_for_google_user(services, sub="g-jane", email="jane.rep@gmail.com")
    assert jane is not None and jane.account_id == a.account_id


def test_the_gmail_add_on_refuses_a_rep_signed_in_from_another_accounts_workspace(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    make_world(services)
    b = make_world(services, name="Initech", domain="initech.test")
    link_proven_domain(services, b.account_id, "initech.test")
    event = creds.addon_event(creds.addon_user("rita@acme.test", sub="g-rita", hd="initech.test"))
    r = client.post("/gmail/homepage", json=event,
                    headers={"Authorization": f"Bearer {creds.addon_system('/gmail/homepage')}"})
    assert r.status_code == 200 and "Not connected" in r.get_data(as_text=True)
    event = creds.addon_event(creds.addon_user("rita@acme.test", sub="g-rita", hd="acme.test"))
    r = client.post("/gmail/homepage", json=event,
                    headers={"Authorization": f"Bearer {creds.addon_system('/gmail/homepage')}"})
    assert r.status_code == 200 and "Not connected" not in r.get_data(as_text=True)


def test_link_tenant_only_makes_the_link_for_a_microsoft_tenant_or_a_workspace_domain(
        services: ServiceContext) -> None:
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    made = tenant_links.operator_start_link(services, w.account_id, ms_tenant=OTHER_TENANT.upper())
    assert made["tenant_id"] == OTHER_TENANT and "/app/organisation/link?t=" in made["url"]
    made = tenant_links.operator_start_link(services, w.account_id, google_domain="@Initech.TEST")
    assert (made["provider"], made["tenant_id"]) == ("google", "initech.test")
    assert _tenants(services, w.account_id) == set()  # nothing is linked before the admin signs in


def _link(services: ServiceContext, account_id: int, link: dict[str, str]) -> object:
    return tenant_links.operator_start_link(services, account_id, **link)


@pytest.mark.parametrize("link", [{"ms_tenant": ACME_TENANT}, {"google_domain": "acme.test"}],
                         ids=["a tenant of another account", "a workspace domain of another account"])
def test_link_tenant_refuses_one_linked_to_another_account(services: ServiceContext, link: dict[str, str]) -> None:
    a = make_world(services)
    link_proven_domain(services, a.account_id, "acme.test")
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with pytest.raises(Conflict) as refused:
        _link(services, w.account_id, link)
    assert refused.value.code == "tenant_taken" and "Acme" not in refused.value.message
    assert _tenants(services, w.account_id) == set()


def test_an_address_the_operator_typed_for_another_account_does_not_block_the_domains_own_link(
        services: ServiceContext) -> None:
    """Nobody at squat.test proved anything; `accounts create` only typed someone@squat.test for
    another account. The domain's super administrator links it where they are asked (F3)."""
    accounts.create_account(services, name="Squat", plan="professional", admin_email="someone@squat.test")
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    assert _link(services, w.account_id, {"google_domain": "squat.test"})
    with services.session() as s:
        identity.link_tenant(s, w.account_id, "squat.test", "workspace_super_admin_sign_in", services.now(),
                             identity.GOOGLE)
    assert ("google", "squat.test") in _tenants(services, w.account_id)


def test_link_tenant_refuses_a_workspace_domain_whose_people_belong_to_another_account(
        services: ServiceContext) -> None:
    """Another account cannot take the Workspace domain of the company whose people are bound in one
    account: it would sign in nobody of that company (refused when the link is asked for, and again
    if its super administrator answered one)."""
    a = make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with pytest.raises(Conflict) as refused:
        _link(services, w.account_id, {"google_domain": "acme.test"})
    assert refused.value.code == "tenant_taken" and "Acme" not in refused.value.message
    with services.session() as s, pytest.raises(Conflict):
        identity.link_tenant(s, w.account_id, "acme.test", "workspace_super_admin_sign_in", services.now(),
                             identity.GOOGLE)
    assert _tenants(services, w.account_id) == set()
    assert _link(services, a.account_id, {"google_domain": "acme.test"})  # its own people's: the link is made


@pytest.mark.parametrize(("link", "code"), [
    pytest.param({"ms_tenant": "not-a-guid"}, "invalid", id="a tenant id that is no GUID"),
    pytest.param({"google_domain": "gmail.com"}, "free_mail_domain", id="gmail.com is no workspace domain"),
    pytest.param({"google_domain": "x..com"}, "invalid", id="a domain that is no host name"),
    pytest.param({"google_domain": "\u0430cme.test"}, "lookalike_address", id="a look-alike domain"),
    pytest.param({"google_domain": ""}, "invalid", id="neither"),
    pytest.param({"ms_tenant": OTHER_TENANT, "google_domain": "initech.test"}, "invalid", id="both"),
])
def test_link_tenant_refuses_bad_input(services: ServiceContext, link: dict[str, str], code: str) -> None:
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with pytest.raises(Invalid) as refused:
        _link(services, w.account_id, link)
    assert refused.value.code == code
    assert _tenants(services, w.account_id) == set()


def test_link_tenant_of_an_unknown_account_is_not_found(services: ServiceContext) -> None:
    with pytest.raises(NotFound):
        tenant_links.operator_start_link(services, 999, google_domain="initech.test")


def test_the_link_tenant_command_prints_the_link_and_refuses_another_accounts_tenant(
        services: ServiceContext, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The operator's command links nothing: it prints the link the organisation's admin signs in through."""
    make_world(services)
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "the-servers-secret")
    assert main(["accounts", "link-tenant", "--account", str(w.account_id), "--google-domain", "initech.test"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["provider"], out["tenant"], out["linked"]) == ("google", "initech.test", False)
    assert "/app/organisation/link?t=" in out["link"]
    assert main(["accounts", "link-tenant", "--account", str(w.account_id), "--ms-tenant", OTHER_TENANT]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["provider"], out["tenant"], out["linked"]) == ("microsoft", OTHER_TENANT, False)
    assert main(["accounts", "link-tenant", "--account-id", str(w.account_id), "--ms-tenant", ACME_TENANT]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "tenant_taken"
    assert _tenants(services, w.account_id) == set()


def test_the_link_tenant_command_refuses_to_print_a_link_no_server_would_accept(
        services: ServiceContext, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """F1 of the outside test: without SECRET_KEY the link would fail later as "not one Sequence
    Sidebar made"; the command says so now, and makes no link."""
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for command in (["accounts", "link-tenant", "--account", str(w.account_id), "--ms-tenant", OTHER_TENANT],
                    ["accounts", "create", "--name", "N", "--plan", "enterprise", "--admin-email", "boss@n.test",
                     "--ms-tenant", OTHER_TENANT]):
        assert main(command) == 2
        assert json.loads(capsys.readouterr().err)["error"]["code"] == "secret_key_missing"
    with services.session() as s:
        assert s.scalars(select(t.TenantLinkRequest)).first() is None
        assert s.scalars(select(t.Account).where(t.Account.name == "N")).first() is None


def test_the_link_tenant_command_run_against_the_demos_database_prints_a_link_the_demo_accepts(
        services: ServiceContext, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The demo keeps the address it serves and its signing key beside its database (demo-links.json)."""
    if not database_url.startswith("sqlite:///"):
        pytest.skip("the demo's database is a SQLite file")
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    (Path(database_url.removeprefix("sqlite:///")).parent / DEMO_LINKS_FILE).write_text(json.dumps(
        {"public_url": "http://127.0.0.1:18311", "secret_key": "demo-made-up"}), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert main(["accounts", "link-tenant", "--account", str(w.account_id), "--ms-tenant", OTHER_TENANT]) == 0
    link = json.loads(capsys.readouterr().out)["link"]
    assert link.startswith("http://127.0.0.1:18311/app/organisation/link?t=")
    demo = replace(services, settings=services.settings.with_overrides(secret_key="demo-made-up"))
    assert tenant_links.open_link(demo, link.split("t=")[1]).account_name == "Initech"


def test_a_linked_workspace_domain_does_not_count_as_the_accounts_microsoft_tenant(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    """The super admin's first Microsoft sign-in as a Global Administrator still links the Microsoft
    tenant of an account that has only a Google Workspace domain."""
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    link_proven_domain(services, w.account_id, "initech.test")
    token = creds.outlook_sso(preferred_username="admin@initech.test", oid="oid-boss", tid=OTHER_TENANT,
                              iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0",
                              wids=["62e90394-69f5-4237-9190-012177145e10"])
    assert client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert ("microsoft", OTHER_TENANT) in _tenants(services, w.account_id)
