"""Identities no other account can claim, and sessions that end on the server.

An address binds to an account when the person proves it (Google or Microsoft sign-in, mailbox
consent; the operator's `accounts create` for the first super admin). A user created through the
API is an invitation: it binds nothing, shadows nobody, and its mailbox starts unconnected.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import accounts, identity
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict
from addin_server.services.gmail.following import record_gmail_push
from addin_server.web.sessions import SESSION_TOKEN
from tests.builders import ACME_TENANT, link_proven_domain, make_world
from tests.security.credentials import Credentials
from tests.security.test_permission_matrix import CSRF

NEW_REP = {"name": "Impostor", "role": "user", "mailbox_provider": "gmail"}


def test_a_user_created_through_the_api_starts_with_an_unconnected_mailbox(client: Any,
                                                                            services: ServiceContext) -> None:
    a = make_world(services)
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "nina@acme.test"})
    assert r.status_code == 201 and r.get_json()["mailbox_connected"] is False


def test_another_account_cannot_register_an_address_a_rep_proved(client: Any, services: ServiceContext) -> None:
    a, b = make_world(services), make_world(services, name="Initech", domain="initech.test")
    assert identity.principal_for_google_user(services, sub="g-rita", email=a.rep["email"]) is not None
    for body in ({"email": a.rep["email"]}, {"email": "x@initech.test", "mailbox_address": a.rep["email"]},
                 {"email": "y@initech.test", "mailbox_aliases": [a.rep["email"]]}):
        r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, **body})
        assert r.status_code == 409, body
        error = r.get_json()["error"]
        assert error["code"] == "address_taken" and a.rep["email"] in error["message"]
        assert "Acme" not in error["message"] and str(a.account_id) not in error["message"].split("@")[0]


def test_an_invitation_in_another_account_does_not_lock_the_rep_out(client: Any, services: ServiceContext,
                                                                      creds: Credentials) -> None:
    """Another account invites Rita's address before she ever signed in: she still gets her own account."""
    b = make_world(services, name="Initech", domain="initech.test")
    a = make_world(services)
    r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, "email": "rita@acme.test",
                                                              "mailbox_aliases": ["otto@acme.test"]})
    assert r.status_code == 201  # an invitation binds nothing...
    rita = identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test")
    assert rita is not None and (rita.account_id, rita.user_id) == (a.account_id, int(a.rep["id"]))
    token = creds.outlook_sso(preferred_username="otto@acme.test", oid="oid-otto")
    r = client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.get_json()["id"]) == (200, str(a.account_id))  # ...and shadows nobody
    # Once proven, the address is Rita's Google identity's: another Google identity showing the same
    # address (an address that changed hands at Google) is neither Rita nor the other account's invitation.
    assert identity.principal_for_google_user(services, sub="g-rita-2", email="rita@acme.test") is None
    again = identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test")
    assert again is not None and again.account_id == a.account_id


def test_a_gmail_push_routes_by_the_watch_not_by_an_address_another_account_typed_in(
        client: Any, services: ServiceContext) -> None:
    b = make_world(services, name="Initech", domain="initech.test")
    r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, "email": "x@initech.test",
                                                              "mailbox_address": "rita@acme.test"})
    assert r.status_code == 201  # registered first, with the lower id
    a = make_world(services)
    with services.session() as s:  # Rita granted her mailbox: the consent created this watch
        s.add(t.MailboxWatch(account_id=a.account_id, user_id=int(a.rep["id"]), provider="gmail",
                             mailbox_address="rita@acme.test", history_id=1, status="active"))
    recorded = record_gmail_push(services, pubsub_message_id="m-1", email_address="rita@acme.test",
                                               history_id="2")
    assert recorded.stored
    with services.session() as s:
        stored = s.scalars(select(t.InboundNotification)).one()
        assert stored.account_id == a.account_id
    # A mailbox nobody connected is not followed: a push for it is stored nowhere.
    ignored = record_gmail_push(services, pubsub_message_id="m-2", email_address="otto@acme.test",
                                              history_id="2")
    assert not ignored.stored


def _signed_in(client: Any, services: ServiceContext, who: dict[str, Any], account_id: int) -> str:
    from tests.web.app.conftest import sign_in

    sign_in(client, who["id"], account_id)
    with client.session_transaction() as session:
        token: str = session[SESSION_TOKEN]
    return token


def test_signing_out_ends_the_session_on_the_server_not_only_in_this_browser(app: Any,
                                                                               services: ServiceContext) -> None:
    a = make_world(services)
    browser, stolen_copy = app.test_client(), app.test_client()
    token = _signed_in(browser, services, a.rep, a.account_id)
    with stolen_copy.session_transaction() as session:
        session[SESSION_TOKEN] = token
    assert stolen_copy.get("/app/settings").status_code == 200
    csrf = CSRF.search(browser.get("/app/settings").get_data(as_text=True))
    assert csrf is not None
    assert browser.post("/app/sign-out", data={"csrf_token": csrf.group(1)}).status_code == 302
    r = stolen_copy.get("/app/settings")
    assert r.status_code == 302 and r.headers["Location"].startswith("/app/sign-in")


def test_a_role_change_ends_the_reps_sessions(app: Any, client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    otto_browser = app.test_client()
    _signed_in(otto_browser, services, a.other_rep, a.account_id)
    assert otto_browser.get("/app/settings").status_code == 200
    r = client.patch(f"/api/v1/users/{a.other_rep['id']}", headers=a.headers, json={"role": "admin"})
    assert (r.status_code, r.get_json()["role"]) == (200, "admin")
    r = otto_browser.get("/app/settings")
    assert r.status_code == 302 and r.headers["Location"].startswith("/app/sign-in")


def test_a_removed_rep_has_no_session_left(app: Any, services: ServiceContext) -> None:
    a = make_world(services)
    browser = app.test_client()
    _signed_in(browser, services, a.other_rep, a.account_id)
    with services.session() as s:
        s.delete(s.get_one(t.User, int(a.other_rep["id"])))
    with services.session() as s:
        assert s.scalars(select(t.WebSession).where(t.WebSession.user_id == int(a.other_rep["id"]))).all() == []
    r = browser.get("/app/settings")
    assert r.status_code == 302 and r.headers["Location"].startswith("/app/sign-in")


def test_the_last_super_admin_cannot_be_demoted(client: Any, services: ServiceContext, creds: Credentials) -> None:
    a = make_world(services)
    token = creds.outlook_sso(preferred_username="admin@acme.test", oid="oid-admin")
    r = client.patch(f"/api/v1/users/{a.super_admin.user_id}", headers={"Authorization": f"Bearer {token}"},
                     json={"role": "admin"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "last_super_admin")
    r = client.post("/api/v1/users", headers={"Authorization": f"Bearer {token}"},
                    json={**NEW_REP, "email": "sa2@acme.test", "role": "super_admin"})
    assert r.status_code == 201  # an invited super admin nobody has signed in as yet...
    r = client.patch(f"/api/v1/users/{a.super_admin.user_id}", headers={"Authorization": f"Bearer {token}"},
                     json={"role": "admin"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "last_super_admin")  # ...does not count
    r = client.patch(f"/api/v1/users/{a.rep['id']}", headers={"Authorization": f"Bearer {token}"},
                     json={"role": "super_admin"})
    assert r.status_code == 200  # a super admin makes another one...
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    r = client.patch(f"/api/v1/users/{a.super_admin.user_id}", headers={"Authorization": f"Bearer {token}"},
                     json={"role": "admin"})
    assert (r.status_code, r.get_json()["role"]) == (200, "admin")  # ...and may then step down


def test_an_admin_key_cannot_make_keys_or_super_admins(client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    assert client.post("/api/v1/api-keys", headers=a.headers, json={"name": "x", "role": "read_only"}).status_code == 403
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "z@acme.test", "role": "super_admin"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (403, "role_above_own")


def test_a_key_an_admin_made_stops_working_when_they_are_no_longer_an_admin(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    """Otto, an admin for a while, makes an admin key; once he is a plain rep again the key is no
    admin's either, and the keys the operator made keep working."""
    a = make_world(services)
    admin = {"Authorization": f"Bearer {creds.outlook_sso(preferred_username='admin@acme.test', oid='oid-admin')}"}
    otto = {"Authorization": f"Bearer {creds.outlook_sso(preferred_username='otto@acme.test', oid='oid-otto')}"}
    assert client.patch(f"/api/v1/users/{a.other_rep['id']}", headers=admin, json={"role": "admin"}).status_code == 200
    r = client.post("/api/v1/api-keys", headers=otto, json={"name": "otto-admin", "role": "admin"})
    assert r.status_code == 201
    ottos_key = {"Authorization": f"Bearer {r.get_json()['api_key']}"}
    assert client.get("/api/v1/me", headers=ottos_key).status_code == 200
    assert client.patch(f"/api/v1/users/{a.other_rep['id']}", headers=admin, json={"role": "user"}).status_code == 200
    r = client.get("/api/v1/me", headers=ottos_key)
    assert r.status_code == 401 and "no longer an admin" in r.get_json()["error"]["message"]
    assert client.get("/api/v1/me", headers=a.headers).status_code == 200  # the operator's key is nobody's


def test_a_key_its_makers_demotion_ended_stays_ended_when_they_are_promoted_again(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    """F5 of the outside test: demoting a person ends the keys they made for good, and the operator's
    listing says why (also before anyone presents the key again)."""
    a = make_world(services)
    admin = {"Authorization": f"Bearer {creds.outlook_sso(preferred_username='admin@acme.test', oid='oid-admin')}"}
    otto = {"Authorization": f"Bearer {creds.outlook_sso(preferred_username='otto@acme.test', oid='oid-otto')}"}
    otto_url = f"/api/v1/users/{a.other_rep['id']}"
    assert client.patch(otto_url, headers=admin, json={"role": "admin"}).status_code == 200
    made = [client.post("/api/v1/api-keys", headers=otto, json={"name": n, "role": "admin"}) for n in ("k1", "k2")]
    used = {"Authorization": f"Bearer {made[0].get_json()['api_key']}"}
    assert client.patch(otto_url, headers=admin, json={"role": "user"}).status_code == 200
    assert client.get("/api/v1/me", headers=used).status_code == 401
    listed = {k["name"]: k for k in accounts.list_api_keys(services, a.account_id)}
    assert (listed["k1"]["revoked"], listed["k1"]["revoked_reason"]) == (True, "maker_no_longer_admin")
    assert (listed["k2"]["revoked"], listed["k2"]["revoked_reason"]) == (True, "maker_no_longer_admin")
    assert (listed["default"]["revoked"], listed["default"]["revoked_reason"]) == (False, None)
    assert client.patch(otto_url, headers=admin, json={"role": "admin"}).status_code == 200
    r = client.get("/api/v1/me", headers=used)
    assert r.status_code == 401 and "no longer an admin" in r.get_json()["error"]["message"]
    listed = {k["name"]: k for k in accounts.list_api_keys(services, a.account_id)}
    assert listed["k1"]["revoked_reason"] == "maker_no_longer_admin" and listed["k1"]["revoked_at"]


# --- the outside attack on identity (docs/ARCHITECTURE.md, "Who signs in") ---------------------------

FOREIGN_TENANT = "eeee0000-0000-4000-8000-00000000beef"


GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def _sso(creds: Credentials, username: str, *, tid: str = ACME_TENANT, oid: str = "oid-otto",
         wids: list[str] | None = None) -> dict[str, str]:
    extra = {"wids": wids} if wids is not None else {}
    token = creds.outlook_sso(preferred_username=username, oid=oid, tid=tid,
                              iss=f"https://login.microsoftonline.com/{tid}/v2.0", **extra)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("username", ["admin@acme.test", "otto@acme.test", "rita@acme.test", "nina@acme.test",
                                      "Admin@Acme.Test"])
def test_a_user_of_another_microsoft_organisation_signs_in_as_nobody_of_the_account(
        client: Any, services: ServiceContext, creds: Credentials, username: str) -> None:
    a = make_world(services)
    assert client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "nina@acme.test"}).status_code == 201
    headers = _sso(creds, username, tid=FOREIGN_TENANT, oid="oid-mallory")
    assert client.get("/api/v1/account", headers=headers).status_code == 401
    assert client.patch("/api/v1/account/settings", headers=headers, json={"soft_bounce_threshold": 3}).status_code == 401
    assert client.post("/api/v1/api-keys", headers=headers, json={"name": "x", "role": "admin"}).status_code == 401
    with services.session() as s:  # nothing was bound to the foreign tenant
        assert s.scalar(select(t.User.id).where(t.User.ms_tid == FOREIGN_TENANT)) is None
        assert s.scalar(select(t.AccountTenant.id).where(t.AccountTenant.tenant_id == FOREIGN_TENANT)) is None
        assert s.scalar(select(t.AddressBinding.id).where(t.AddressBinding.proof == "microsoft_sign_in")) is None


def test_a_token_of_an_unlinked_organisation_says_it_is_not_linked_and_how_to_link_it(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    make_world(services)
    r = client.get("/api/v1/me", headers=_sso(creds, "otto@acme.test", tid=FOREIGN_TENANT, oid="oid-mallory"))
    error = r.get_json()["error"]
    assert (r.status_code, error["code"]) == (401, "unknown_tenant")
    assert "not linked to a Sequence Sidebar account" in error["message"] and "link-tenant" in error["message"]


def test_a_rep_is_bound_to_the_microsoft_object_id_of_their_first_sign_in(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    make_world(services)
    assert client.get("/api/v1/account", headers=_sso(creds, "otto@acme.test", oid="oid-otto")).status_code == 200
    # Another user of the same tenant who now carries Otto's username is not Otto.
    assert client.get("/api/v1/account", headers=_sso(creds, "otto@acme.test", oid="oid-other")).status_code == 401


def test_an_account_without_a_tenant_is_linked_by_its_super_admins_first_microsoft_sign_in_only(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    """...and only when the super admin signs in as a Global Administrator of the tenant (`wids`)."""
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])  # no tenant linked yet
    tenant = "11111111-2222-4333-8444-555555555555"
    assert client.get("/api/v1/account", headers=_sso(creds, "otto@initech.test", tid=tenant,
                                                      wids=[GLOBAL_ADMINISTRATOR])).status_code == 401
    assert client.get("/api/v1/account", headers=_sso(creds, "admin@initech.test", tid=tenant,
                                                      oid="oid-boss")).status_code == 401
    assert client.get("/api/v1/account", headers=_sso(creds, "admin@initech.test", tid=tenant, oid="oid-boss",
                                                      wids=[USER_ADMINISTRATOR])).status_code == 401
    assert _tenants_of(services, w.account_id) == set()
    assert client.get("/api/v1/account", headers=_sso(creds, "admin@initech.test", tid=tenant, oid="oid-boss",
                                                      wids=[USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR])).status_code == 200
    with services.session() as s:
        row = s.scalar(select(t.AccountTenant).where(t.AccountTenant.tenant_id == tenant))
        assert row is not None and row.linked_by == "super_admin_sign_in"
        assert row.proven_by == "Global Administrator: admin@initech.test (oid oid-boss)"
        assert row.started_by_user_id == w.super_admin.user_id
    assert client.get("/api/v1/account", headers=_sso(creds, "otto@initech.test", tid=tenant)).status_code == 200
    # Linked now: the super admin's address from any other tenant is refused.
    assert client.get("/api/v1/account", headers=_sso(creds, "admin@initech.test", tid=FOREIGN_TENANT,
                                                      oid="oid-boss")).status_code == 401


def _tenants_of(services: ServiceContext, account_id: int) -> set[str]:
    with services.session() as s:
        return set(s.scalars(select(t.AccountTenant.tenant_id).where(t.AccountTenant.account_id == account_id)))


def test_an_outlook_mailbox_is_followed_only_with_its_accounts_own_linked_tenant(services: ServiceContext) -> None:
    """A tenant id a caller or a rep's token names links nothing, even for an account with no tenant."""
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    tenant = "11111111-2222-4333-8444-555555555555"
    with services.session() as s, pytest.raises(Conflict) as refused:
        identity.require_linked_tenant(s, w.account_id, tenant)
    assert refused.value.code == "tenant_not_linked" and "Global Administrator" in refused.value.message
    assert _tenants_of(services, w.account_id) == set()


def test_an_outlook_mailbox_of_another_tenant_is_refused_for_an_account_that_has_one(
        services: ServiceContext) -> None:
    w = make_world(services)
    with services.session() as s, pytest.raises(Conflict) as refused:
        identity.require_linked_tenant(s, w.account_id, FOREIGN_TENANT)
    assert refused.value.code == "tenant_not_linked"
    with services.session() as s:
        identity.require_linked_tenant(s, w.account_id, ACME_TENANT)  # its own: fine
    assert _tenants_of(services, w.account_id) == {ACME_TENANT}


def test_an_outlook_mailbox_of_another_accounts_tenant_is_refused(services: ServiceContext) -> None:
    make_world(services)
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    with services.session() as s, pytest.raises(Conflict) as refused:
        identity.require_linked_tenant(s, w.account_id, ACME_TENANT)
    assert refused.value.code == "tenant_taken" and "Acme" not in refused.value.message
    assert _tenants_of(services, w.account_id) == set()


@pytest.mark.parametrize("spelling", ["admin@acme.test", "ADMIN@ACME.TEST", " Admin@acme.test ", '"admin"@acme.test',
                                      '"ad\\min"@acme.test'])
def test_accounts_create_refuses_an_admin_address_another_account_holds_in_any_spelling(
        services: ServiceContext, spelling: str) -> None:
    make_world(services)
    with pytest.raises(Conflict) as refused:
        accounts.create_account(services, name="Evil3", plan="enterprise", admin_email=spelling)
    assert refused.value.code == "address_taken" and "Acme" not in refused.value.message
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.Account)) == 1


def test_an_operator_made_account_does_not_lock_a_new_rep_out_of_the_company_that_proved_its_domain(
        client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    # The operator cannot make a stranger account with the company's next rep as its super admin
    # (F2 of the outside test: newhire@ would have landed as that account's super admin)...
    with pytest.raises(Conflict) as refused:
        accounts.create_account(services, name="Evil3", plan="enterprise", admin_email="newrep@acme.test")
    assert refused.value.code == "address_taken" and "Acme" not in refused.value.message
    evil = accounts.create_account(services, name="Evil3", plan="enterprise", admin_email="boss@evil3.test")
    for headers in (a.headers, {"Authorization": f"Bearer {evil.api_key}"}):
        r = client.post("/api/v1/users", headers=headers, json={**NEW_REP, "email": "newrep@acme.test"})
        assert r.status_code == 201
    # ...and its invitation signs in nobody: the company's account invites and gets its new rep.
    newrep = identity.principal_for_google_user(services, sub="g-newrep", email="newrep@acme.test")
    assert newrep is not None and newrep.account_id == a.account_id


def test_an_address_the_operator_typed_locks_nobody_out_of_the_account_that_holds_its_tenant_or_domain(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    """`accounts create` with an address of another account's linked Microsoft tenant (not knowable
    from the address) or Workspace domain: refused for the domain; for the tenant the address stays
    the operator's word only, so the tenant's account still invites and signs its person in (F2)."""
    a = make_world(services)
    link_proven_domain(services, a.account_id, "gcorp.test")
    with pytest.raises(Conflict) as refused:
        accounts.create_account(services, name="Acme2", plan="enterprise", admin_email="boss@gcorp.test")
    assert refused.value.code == "address_taken"
    accounts.create_account(services, name="Acme3", plan="enterprise", admin_email="it@acme.test")
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "it@acme.test",
                                                              "mailbox_provider": "outlook"})
    assert r.status_code == 201
    token = creds.outlook_sso(preferred_username="it@acme.test", oid="oid-it")
    r = client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.get_json()["id"]) == (200, str(a.account_id))
    with services.session() as s:
        binding = s.scalars(select(t.AddressBinding).where(t.AddressBinding.address == "it@acme.test")).one()
    assert binding.account_id == a.account_id and binding.proof != identity.UNPROVEN


@pytest.mark.parametrize("shadow_first", [False, True], ids=["shadow invited second", "shadow invited first"])
def test_another_accounts_invitation_does_not_lock_out_an_invitee_of_an_operator_made_account(
        client: Any, services: ServiceContext, shadow_first: bool) -> None:
    """Nobody of the victim account signed in yet (only `accounts create` bound its super admin); an
    account with nobody on the domain invites the same address: the victim's rep still signs in."""
    victim = accounts.create_account(services, name="Victim", plan="enterprise", admin_email="boss@victim.example")
    clean = accounts.create_account(services, name="Clean", plan="enterprise", admin_email="boss@clean.example")
    order = [clean, victim] if shadow_first else [victim, clean]
    for made in order:
        r = client.post("/api/v1/users", headers={"Authorization": f"Bearer {made.api_key}"},
                        json={**NEW_REP, "email": "sales1@victim.example"})
        assert r.status_code == 201
    sales1 = identity.principal_for_google_user(services, sub="g-sales1", email="sales1@victim.example")
    assert sales1 is not None and sales1.account_id == victim.account_id


def test_an_account_with_nobody_at_a_company_cannot_capture_its_next_rep_by_inviting_first(
        client: Any, services: ServiceContext) -> None:
    """Acme's people are bound in Acme; a stranger account invites ceo@acme.test first. The CEO's
    first Google sign-in binds nothing to the stranger, and Acme can still add and sign them in."""
    a = make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    shadow = accounts.create_account(services, name="Shadow", plan="enterprise", admin_email="boss@shadow.example")
    r = client.post("/api/v1/users", headers={"Authorization": f"Bearer {shadow.api_key}"},
                    json={**NEW_REP, "email": "ceo@acme.test", "role": "admin"})
    assert r.status_code == 201
    assert identity.principal_for_google_user(services, sub="g-ceo", email="ceo@acme.test") is None
    with services.session() as s:
        assert identity.bound_owner(s, "ceo@acme.test") is None
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "ceo@acme.test"})
    assert r.status_code == 201
    ceo = identity.principal_for_google_user(services, sub="g-ceo", email="ceo@acme.test")
    assert ceo is not None and ceo.account_id == a.account_id


def test_google_binds_a_rep_to_the_subject_of_their_first_sign_in(services: ServiceContext) -> None:
    a = make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    # Rita's address now belongs to someone else at Google: that person is not Rita.
    assert identity.principal_for_google_user(services, sub="g-someone-else", email="rita@acme.test") is None
    back = identity.principal_for_google_user(services, sub="g-rita", email="rita.new@acme.test")
    assert back is not None and back.user_id == int(a.rep["id"])


def test_a_super_admin_who_is_no_global_administrator_is_told_how_the_organisation_gets_linked(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    w = make_world(services, name="Initech", domain="initech.test", ms_tenants=[])
    tenant = "11111111-2222-4333-8444-555555555555"
    r = client.get("/api/v1/account", headers=_sso(creds, "admin@initech.test", tid=tenant, oid="oid-boss"))
    error = r.get_json()["error"]
    assert (r.status_code, error["code"]) == (401, "tenant_not_linked")
    assert "Global Administrator" in error["message"] and "link" in error["message"]
    assert _tenants_of(services, w.account_id) == set()
    with services.session() as s:  # nothing of the sign-in was kept
        assert s.get_one(t.User, w.super_admin.user_id).ms_oid is None


def test_an_alias_typed_for_another_accounts_rep_signs_in_nobody_as_that_rep(
        client: Any, services: ServiceContext) -> None:
    """A typed alias is a claim, not a proof: the person whose address it is never lands as the rep it
    was typed for (F4 of the outside test)."""
    b = make_world(services, name="Initech", domain="initech.test")
    r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, "email": "agent2@initech.test",
                                                              "mailbox_aliases": ["kim@newco.test"]})
    assert r.status_code == 201
    assert identity.principal_for_google_user(services, sub="g-kim", email="kim@newco.test", hd="newco.test") is None


def test_an_invitation_or_alias_at_a_workspace_domain_linked_to_another_account_is_refused(
        client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    link_proven_domain(services, a.account_id, "acme.test")
    b = make_world(services, name="Initech", domain="initech.test")
    for body in ({"email": "ceo@acme.test"}, {"email": "z@initech.test", "mailbox_aliases": ["ceo@acme.test"]}):
        r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, **body})
        assert r.status_code == 409, body
        error = r.get_json()["error"]
        assert error["code"] == "address_taken" and "Acme" not in error["message"]
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "email": "ceo@acme.test"})
    assert r.status_code == 201  # the domain's own account invites its people as before
