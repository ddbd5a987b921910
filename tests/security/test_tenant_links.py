"""Tenant isolation of the organisation link: what one account's link can and cannot bind.

Service-level cases (the web tests in tests/web/app/test_tenant_link.py go through the emulator):
the claims are what msal returns after verifying Microsoft's ID token.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import tenant_links
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Forbidden
from tests.builders import ACME_TENANT, make_world

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
NEW_TENANT = "4f4f4f4f-1111-4222-8333-444455556666"


def _token(made: dict[str, str]) -> str:
    return made["url"].split("?t=", 1)[1]


def _claims(tid: str, who: str = "gwen@initech.test", wids: list[str] | None = None) -> dict[str, object]:
    return {"tid": tid, "oid": "oid-gwen", "preferred_username": who,
            "wids": [GLOBAL_ADMINISTRATOR] if wids is None else wids}


def _owner(services: ServiceContext, tid: str) -> int | None:
    with services.session() as s:
        return s.scalar(select(t.AccountTenant.account_id).where(t.AccountTenant.tenant_id == tid))


def test_another_accounts_link_naming_a_linked_tenant_is_a_409_that_names_no_account(
        services: ServiceContext) -> None:
    make_world(services)
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with pytest.raises(Conflict) as refused:
        tenant_links.start_link(services, b.super_admin, ms_tenant=ACME_TENANT)
    assert refused.value.code == "tenant_taken" and "Acme" not in refused.value.message


def test_another_accounts_unnamed_link_answered_by_a_linked_tenants_admin_is_a_409(services: ServiceContext) -> None:
    a = make_world(services)
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    made = tenant_links.start_link(services, b.super_admin)
    with pytest.raises(Conflict) as refused:
        tenant_links.finish_microsoft_link(services, _token(made), _claims(ACME_TENANT, "gwen@acme.test"))
    assert refused.value.code == "tenant_taken" and "Acme" not in refused.value.message
    assert _owner(services, ACME_TENANT) == a.account_id


def test_a_link_binds_the_tenant_to_the_account_that_made_it_never_another(services: ServiceContext) -> None:
    make_world(services)
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    made = tenant_links.start_link(services, b.super_admin, ms_tenant=NEW_TENANT)
    linked = tenant_links.finish_microsoft_link(services, _token(made), _claims(NEW_TENANT))
    assert linked["account"] == "Initech" and _owner(services, NEW_TENANT) == b.account_id


@pytest.mark.parametrize("who", ["admin", "rep", "api key"])
def test_only_a_super_admin_makes_a_link(services: ServiceContext, who: str) -> None:
    a = make_world(services)
    principal = {"admin": Principal(account_id=a.account_id, label="user:x", user_id=a.super_admin.user_id,
                                    role="admin", kind="user"),
                 "rep": Principal(account_id=a.account_id, label="user:r", user_id=int(a.rep["id"]), role="user",
                                  kind="user"),
                 "api key": a.admin}[who]
    with pytest.raises(Forbidden):
        tenant_links.start_link(services, principal, ms_tenant=NEW_TENANT)
    with services.session() as s:
        assert s.scalar(select(t.TenantLinkRequest.id)) is None


def test_a_link_whose_super_admin_was_demoted_links_nothing(services: ServiceContext) -> None:
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    made = tenant_links.start_link(services, b.super_admin, ms_tenant=NEW_TENANT)
    with services.session() as s:
        s.get_one(t.User, b.super_admin.user_id).role = "admin"
    with pytest.raises(Forbidden):
        tenant_links.finish_microsoft_link(services, _token(made), _claims(NEW_TENANT))
    assert _owner(services, NEW_TENANT) is None


def test_an_answer_without_a_tenant_or_object_links_nothing(services: ServiceContext) -> None:
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    made = tenant_links.start_link(services, b.super_admin)
    with pytest.raises(Forbidden):
        tenant_links.finish_microsoft_link(services, _token(made), {"preferred_username": "x@y.test"})
    assert _owner(services, NEW_TENANT) is None


def test_the_settings_list_shows_only_the_accounts_own_organisations(services: ServiceContext) -> None:
    a = make_world(services)
    b = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    assert [o["tenant_id"] for o in tenant_links.tenant_links(services, a.super_admin)] == [ACME_TENANT]
    assert tenant_links.tenant_links(services, b.super_admin) == []
