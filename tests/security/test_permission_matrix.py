"""The permission matrix: every operation of every surface, crossed with every principal kind.

Every operation of the OpenAPI document, every state-changing /app route and every Gmail add-on
action has a row here naming the product action it performs (domain/permissions.Action). Each is
called by every kind of principal, through the credential that principal really has (an API key,
a rep's Outlook single sign-on token, a web app session, a Gmail add-on token), on objects of a
fresh account, and the answer must be the permission table's. A new operation without a row fails
`test_every_operation_has_a_row`.

The object of each request belongs to Rita (she owns the sequence, enrolled the contact, sends
from her mailbox): she is the "owner rep", Otto the "other rep". Principals of account B aim at
account A's objects, which they must not even see (404; 403 when the action is refused to their kind
before anything is looked up), and A's rows stay as they were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from sqlalchemy import select, update

from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, Surface, UnenrollReason
from addin_server.domain.permissions import (
    API_KEY_ROLE_RANK,
    ROLE_RANK,
    Action,
    Actor,
    allows,
    may_grant,
)
from addin_server.services import accounts, directory, enrollments, outgoing_webhooks, web_sessions
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.identity import principal_for_user
from addin_server.web.api import spec
from addin_server.web.gmail_addon import ACTIONS
from addin_server.web.sessions import SESSION_TOKEN
from tests.builders import ACME_TENANT, INITECH_TENANT, World, make_world
from tests.security.credentials import Credentials

# --- who asks ------------------------------------------------------------------------------------

SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP = "super admin", "admin", "owner rep", "other rep"
KEY_ADMIN, KEY_INTEGRATION, KEY_READ_ONLY = "API key (admin)", "API key (integration)", "API key (read_only)"
FOREIGN_REP, FOREIGN_KEY, NOBODY = "rep of another account", "API key of another account", "unauthenticated"
PRINCIPALS = [SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP, KEY_ADMIN, KEY_INTEGRATION, KEY_READ_ONLY,
              FOREIGN_REP, FOREIGN_KEY, NOBODY]
PEOPLE = {SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP, FOREIGN_REP}
KEYS = {KEY_ADMIN, KEY_INTEGRATION, KEY_READ_ONLY, FOREIGN_KEY}
FOREIGN = {FOREIGN_REP, FOREIGN_KEY}

ACTOR = {SUPER_ADMIN: Actor.SUPER_ADMIN, ADMIN: Actor.ADMIN, OWNER_REP: Actor.OWNER_REP,
         OTHER_REP: Actor.OTHER_REP, KEY_ADMIN: Actor.KEY_ADMIN, KEY_INTEGRATION: Actor.KEY_INTEGRATION,
         KEY_READ_ONLY: Actor.KEY_READ_ONLY,
         # In their own account a foreign rep acts for themselves, a foreign key as the admin key it is.
         FOREIGN_REP: Actor.OWNER_REP, FOREIGN_KEY: Actor.KEY_ADMIN}
GRANT_RANK = {SUPER_ADMIN: ROLE_RANK["super_admin"], ADMIN: ROLE_RANK["admin"], KEY_ADMIN: API_KEY_ROLE_RANK["admin"],
              FOREIGN_KEY: API_KEY_ROLE_RANK["admin"]}

OK, FORBIDDEN, HIDDEN, UNAUTHENTICATED = "allowed", "403", "403 or 404", "401"


@dataclass(frozen=True)
class Op:
    """One request of one surface, the action it performs, and how to make it."""

    method: str
    path: str
    action: Action
    body: Any = None
    variant: str = ""
    names_a: bool = True  # names objects of account A (principals of B must not reach them)
    self_owned: bool = False  # acts on the caller's own things (their mailbox): every rep is its owner
    grant: int | None = None  # the rank of the role it grants (never above the caller's own)
    query: dict[str, Any] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)  # a path parameter filled with another object
    changes: bool | None = None  # whether an allowed call changes account A (default: a write that is no read)

    @property
    def writes(self) -> bool:
        if self.changes is not None:
            return self.changes
        return self.method != "GET" and self.action not in (Action.READ, Action.SIMULATE)

    def url(self, ids: dict[str, str]) -> str:
        return re.sub(r"[{<](\w+)[}>]", lambda m: ids[self.target.get(m.group(1), m.group(1))], self.path)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.variant})" if self.variant else "")


def expected(op: Op, who: str) -> str:
    """The permission table's answer for this principal on this operation."""
    if who == NOBODY:
        return UNAUTHENTICATED
    if who in FOREIGN and op.names_a:
        return HIDDEN
    actor = Actor.OWNER_REP if op.self_owned and who in PEOPLE and ACTOR[who] is Actor.OTHER_REP else ACTOR[who]
    allowed = allows(op.action, actor)
    if allowed and op.grant is not None:
        allowed = may_grant(GRANT_RANK.get(who, -1), op.grant)
    return OK if allowed else FORBIDDEN


# --- the rows: JSON API ---------------------------------------------------------------------------

_STEPS = [{"type": "task", "delay_days": 0, "subject": "Research", "body": ""}]
_RAW = "From: {contact_email}\r\nTo: {mailbox}\r\nSubject: Re: Intro\r\n\r\nThanks, not now.\r\n"

API_OPS: list[Op] = [
    Op("GET", "/account", Action.READ, names_a=False),
    Op("PATCH", "/account/settings", Action.ACCOUNT_SETTINGS, {"soft_bounce_threshold": 5}, "settings",
       names_a=False),
    Op("PATCH", "/account/settings", Action.ACCOUNT_SETTINGS, {"unenroll_same_company": True},
       "same-company default of new sequences", names_a=False),
    Op("GET", "/me", Action.READ, names_a=False),
    Op("GET", "/me/mailbox", Action.READ, names_a=False),
    Op("PATCH", "/account/settings", Action.BETA_OPT_IN, {"custom_triggers_beta": False}, "beta opt-out",
       names_a=False),
    Op("POST", "/api-keys", Action.MANAGE_API_KEYS, {"name": "crm", "role": "read_only"}, "read_only key",
       names_a=False, grant=API_KEY_ROLE_RANK["read_only"]),
    Op("POST", "/api-keys", Action.MANAGE_API_KEYS, {"name": "crm", "role": "admin"}, "admin key",
       names_a=False, grant=API_KEY_ROLE_RANK["admin"]),
    Op("POST", "/companies", Action.CREATE_DIRECTORY, {"name": "Umbrella", "domains": ["umbrella.test"]},
       names_a=False),
    Op("GET", "/companies/{company_id}", Action.READ),
    Op("POST", "/users", Action.MANAGE_USERS, {"email": "new.rep@acme.test", "role": "user",
                                               "mailbox_provider": "gmail"}, "role user",
       names_a=False, grant=ROLE_RANK["user"]),
    Op("POST", "/users", Action.MANAGE_USERS, {"email": "new.rep@acme.test", "role": "admin",
                                               "mailbox_provider": "gmail"}, "role admin",
       names_a=False, grant=ROLE_RANK["admin"]),
    Op("POST", "/users", Action.MANAGE_USERS, {"email": "new.rep@acme.test", "role": "super_admin",
                                               "mailbox_provider": "gmail"},
       "a rep makes a super admin with his own token", names_a=False, grant=ROLE_RANK["super_admin"]),
    Op("GET", "/users/{user_id}", Action.READ),
    Op("GET", "/users", Action.READ, names_a=False),
    Op("DELETE", "/users/{user_id}", Action.REMOVE_USER, variant="remove a rep", grant=ROLE_RANK["user"],
       target={"user_id": "other_id"}),
    Op("DELETE", "/users/{user_id}", Action.REMOVE_USER, variant="remove a super admin",
       grant=ROLE_RANK["super_admin"], target={"user_id": "second_super_admin_id"}),
    Op("GET", "/api-keys", Action.READ_API_KEYS, names_a=False),
    Op("DELETE", "/api-keys/{api_key_id}", Action.REVOKE_API_KEY),
    Op("PATCH", "/users/{user_id}", Action.MANAGE_USERS, {"role": "admin"}, "promote to admin",
       grant=ROLE_RANK["admin"], target={"user_id": "other_id"}),
    Op("PATCH", "/users/{user_id}", Action.MANAGE_USERS, {"role": "super_admin"}, "promote to super admin",
       grant=ROLE_RANK["super_admin"], target={"user_id": "other_id"}),
    Op("PATCH", "/users/{user_id}", Action.MANAGE_USERS, {"role": "user"}, "demote a super admin",
       grant=ROLE_RANK["super_admin"], target={"user_id": "second_super_admin_id"}),
    Op("POST", "/contacts", Action.CREATE_DIRECTORY, {"email": "new.person@globex-acme.test",
                                                      "company_id": "{company_id}"}),
    Op("GET", "/contacts/{contact_id}", Action.READ),
    Op("PATCH", "/contacts/{contact_id}", Action.CREATE_DIRECTORY, {"first_name": "Rina"}, "fix a merge field"),
    Op("POST", "/contacts/{contact_id}/addresses/{address}/clear-bounce", Action.CLEAR_BOUNCE, {},
       "a bounce no undo reaches", target={"contact_id": "bounced_contact_id", "address": "bounced_email"}),
    Op("POST", "/sequences", Action.CREATE_SEQUENCE, {"name": "Rita's second", "owner_user_id": "{user_id}",
                                                      "steps": _STEPS}),
    Op("GET", "/sequences", Action.READ, names_a=False),
    Op("GET", "/sequences/{sequence_id}", Action.READ),
    Op("PUT", "/sequences/{sequence_id}/automation", Action.AUTOMATION, {"on_reply": "off"},
       "on another rep's sequence"),
    Op("PUT", "/sequences/{sequence_id}/automation", Action.AUTOMATION,
       {"on_reply": "company", "on_meeting": "company", "pause_on_out_of_office": True,
        "unenroll_same_company": True}, "same-company checkbox, triggers unchanged"),
    Op("GET", "/sequences/{sequence_id}/performance", Action.READ),
    Op("POST", "/sequences/{sequence_id}/unenroll", Action.BULK_UNENROLL, {"enrollment_ids": ["{enrollment_id}"]}),
    Op("POST", "/enrollments", Action.ENROLL, {"sequence_id": "{sequence_id}", "contact_id": "{fresh_contact_id}",
                                               "sender_user_id": "{user_id}"}),
    Op("GET", "/enrollments", Action.READ, names_a=False),
    Op("GET", "/enrollments/{enrollment_id}", Action.READ),
    Op("POST", "/enrollments/{enrollment_id}/unenroll", Action.UNENROLL, {}),
    Op("POST", "/workflow-actions/unenroll", Action.WORKFLOW_UNENROLL, {"contact_id": "{contact_id}"},
       "a rep ends another rep's enrollment through a workflow"),
    Op("GET", "/recipients/status", Action.READ, names_a=False, query={"email": "{contact_email}"}),
    Op("POST", "/recipients/status", Action.READ, {"emails": ["{contact_email}"]}, names_a=False),
    Op("GET", "/outbox", Action.OUTBOX, names_a=False),
    Op("POST", "/enrollments/{enrollment_id}/pause", Action.PAUSE_RESUME, {}, "pause another rep's enrollment"),
    Op("POST", "/enrollments/{enrollment_id}/resume", Action.PAUSE_RESUME, {}, target={"enrollment_id": "paused_id"}),
    Op("POST", "/meetings", Action.LOG_MEETING, {"contact_id": "{fresh_contact_id}", "logged_by_user_id": "{user_id}",
                                                 "start_time": "2026-03-03T10:00:00Z", "title": "Call"}),
    Op("POST", "/enrollments/{enrollment_id}/undo", Action.UNDO, {"why": "she never replied"},
       "undo on another rep's enrollment", target={"enrollment_id": "automatic_id"}),
    Op("POST", "/inbound/simulate", Action.SIMULATE, {"mailbox": "{mailbox}", "raw": _RAW},
       "dry-run another rep's mailbox"),
    # Outgoing webhooks: account-wide, so whose object it is does not matter; a rep manages none.
    # Another URL than the endpoint the world has: one URL hears an event from one endpoint only.
    Op("POST", "/webhook-endpoints", Action.MANAGE_WEBHOOKS,
       {"url": "https://hooks.crm-acme.test/new", "events": ["enrollment.unenrolled"]}, names_a=False),
    Op("GET", "/webhook-endpoints", Action.MANAGE_WEBHOOKS, names_a=False, changes=False),
    Op("GET", "/webhook-endpoints/{endpoint_id}", Action.MANAGE_WEBHOOKS, changes=False),
    Op("DELETE", "/webhook-endpoints/{endpoint_id}", Action.MANAGE_WEBHOOKS),
    Op("POST", "/webhook-endpoints/{endpoint_id}/rotate-secret", Action.MANAGE_WEBHOOKS, {}),
    Op("POST", "/webhook-endpoints/{endpoint_id}/enable", Action.MANAGE_WEBHOOKS, {},
       target={"endpoint_id": "disabled_endpoint_id"}),
    Op("GET", "/webhook-endpoints/{endpoint_id}/deliveries", Action.MANAGE_WEBHOOKS, changes=False),
    Op("POST", "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry", Action.MANAGE_WEBHOOKS, {}),
]

# --- the rows: web app (state-changing routes) and Gmail add-on actions -------------------------

APP_OPS: list[Op] = [
    Op("POST", "/app/contacts/<contact_id>/unenroll", Action.UNENROLL, {"enrollment_id": "{enrollment_id}"}),
    Op("POST", "/app/sequences/<sequence_id>/unenroll", Action.BULK_UNENROLL,
       {"enrollment_id": "{enrollment_id}", "surface": "bulk"}),
    Op("POST", "/app/sequences/<sequence_id>/automation", Action.AUTOMATION,
       {"action": "save", "on_meeting_enabled": "on", "on_meeting_scope": "company"}),
    Op("POST", "/app/sequences/<sequence_id>/same-company", Action.AUTOMATION, {"unenroll_same_company": "on"}),
    Op("POST", "/app/contacts/<contact_id>/resume", Action.PAUSE_RESUME, {"enrollment_id": "{paused_id}"},
       "resume a held step", target={"contact_id": "paused_contact_id"}),
    Op("POST", "/app/settings", Action.ACCOUNT_SETTINGS, {"unenroll_same_company": "on", "soft_bounce_threshold": "3"},
       names_a=False),
    Op("POST", "/app/settings/beta", Action.BETA_OPT_IN, {}, "leave the beta", names_a=False),
    # Both only send the rep to the provider's consent screen (here: not configured); the grant comes back later.
    Op("POST", "/app/settings/mailbox/reconnect", Action.MAILBOX_CONNECTION, {}, names_a=False, self_owned=True,
       changes=False),
    Op("POST", "/app/settings/mailbox/outlook/connect", Action.MAILBOX_CONNECTION, {}, names_a=False,
       self_owned=True, changes=False),
    Op("POST", "/app/settings/people", Action.MANAGE_USERS, {"email": "new.rep@acme.test", "role": "admin",
                                                              "mailbox_provider": "gmail"}, "invite an admin",
       names_a=False, grant=ROLE_RANK["admin"]),
    Op("POST", "/app/settings/people/<user_id>/role", Action.MANAGE_USERS, {"role": "admin"}, "promote to admin",
       grant=ROLE_RANK["admin"], target={"user_id": "other_id"}),
    Op("POST", "/app/settings/people/<user_id>/remove", Action.REMOVE_USER, {}, "remove a rep",
       grant=ROLE_RANK["user"], target={"user_id": "other_id"}),
    Op("POST", "/app/settings/api-keys", Action.MANAGE_API_KEYS,
       {"name": "crm", "role": "admin", "form_nonce": "matrix-form"}, "admin key",
       names_a=False, grant=API_KEY_ROLE_RANK["admin"]),
    Op("POST", "/app/settings/api-keys/<api_key_id>/revoke", Action.REVOKE_API_KEY, {}),
    # Makes the link a tenant's Global Administrator signs in through (a request row); it links nothing itself.
    Op("POST", "/app/settings/organisation/link", Action.LINK_TENANT,
       {"ms_tenant": "5d5d5d5d-1111-4222-8333-444455556666"}, names_a=False),
    Op("POST", "/app/settings/webhooks", Action.MANAGE_WEBHOOKS,
       {"url": "https://hooks.crm-acme.test/new", "events": ["enrollment.unenrolled"]}, names_a=False),
    Op("POST", "/app/settings/webhooks/<endpoint_id>/rotate", Action.MANAGE_WEBHOOKS, {}),
    Op("POST", "/app/settings/webhooks/<endpoint_id>/enable", Action.MANAGE_WEBHOOKS, {},
       target={"endpoint_id": "disabled_endpoint_id"}),
    Op("POST", "/app/settings/webhooks/<endpoint_id>/delete", Action.MANAGE_WEBHOOKS, {}),
    Op("POST", "/app/settings/webhooks/<endpoint_id>/deliveries/<delivery_id>/retry", Action.MANAGE_WEBHOOKS, {}),
]
# Routes that are authentication itself (their credential is the check: tests/security/test_credentials_refused;
# the organisation link's sign-in: its signed link and the tenant admin's own sign-in, tests/web/app/test_tenant_link).
APP_AUTHENTICATION = {"/app/sign-in/google", "/app/sign-in/microsoft", "/app/sign-in/demo", "/app/sign-out",
                      "/app/organisation/link/go"}

ADDON_OPS: list[Op] = [
    Op("POST", "/gmail/actions/unenroll", Action.UNENROLL, {"enrollment_id": "{enrollment_id}"}),
    # The confirmation is offered only to whom the table lets unenroll: it changes nothing itself.
    Op("POST", "/gmail/actions/confirm_unenroll", Action.UNENROLL, {"enrollment_id": "{enrollment_id}"},
       changes=False),
    Op("POST", "/gmail/actions/cancel", Action.READ, {}, names_a=False),
    Op("POST", "/gmail/actions/refresh", Action.READ, {}, names_a=False),
    Op("POST", "/gmail/actions/page", Action.READ, {"page": "0"}, names_a=False),
]


# --- the world ------------------------------------------------------------------------------------


@dataclass
class Matrix:
    client: Any
    services: ServiceContext
    creds: Credentials
    a: World
    b: World
    people: dict[str, dict[str, Any]]  # who -> the user row's view (email, id)
    keys: dict[str, str]
    ids: dict[str, str]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return re.sub(r"\{(\w+)\}", lambda m: self.ids[m.group(1)], value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def bearer(self, who: str) -> dict[str, str]:
        if who == NOBODY:
            return {}
        if who in KEYS:
            return {"Authorization": f"Bearer {self.keys[who]}"}
        person = self.people[who]
        # Each person signs in from their own company's Microsoft 365 tenant (the one its account holds).
        tid = INITECH_TENANT if person["email"].endswith("@initech.test") else ACME_TENANT
        token = self.creds.outlook_sso(preferred_username=person["email"], oid=f"oid-{person['id']}", tid=tid,
                                       iss=f"https://login.microsoftonline.com/{tid}/v2.0")
        return {"Authorization": f"Bearer {token}"}


def _rows_of_a(services: ServiceContext, account_id: int) -> dict[str, list[str]]:
    """Every row of account A (what "changes nothing" compares)."""
    out: dict[str, list[str]] = {}
    with services.session() as s:
        out["accounts"] = [repr(tuple(r)) for r in s.execute(select(t.Account.__table__)
                                                             .where(t.Account.id == account_id))]
        for table in t.Base.metadata.sorted_tables:
            if "account_id" in table.c and table.name not in {"web_sessions", "address_bindings"}:
                rows = s.execute(select(table).where(table.c.account_id == account_id)).all()
                out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


@pytest.fixture
def matrix(client: Any, services: ServiceContext, creds: Credentials, seeded: Any) -> Matrix:
    # The same rows for every case of the table: written once per process, copied per test.
    made = seeded("permission-matrix", lambda: _build_matrix(client, services, creds), live=(client, services, creds))
    return replace(made, client=client, services=services, creds=creds)


def _build_matrix(client: Any, services: ServiceContext, creds: Credentials) -> Matrix:
    a = make_world(services, name="Acme", domain="acme.test")
    b = make_world(services, name="Initech", domain="initech.test")
    sa = a.super_admin
    accounts.update_account_settings(services, sa, custom_triggers_beta=True)
    ada = directory.create_user(services, sa, email="ada@acme.test", name="Ada Admin", role="admin",
                                mailbox_provider="gmail", mailbox_address=None)
    sam = directory.create_user(services, sa, email="sam@acme.test", name="Sam Second", role="super_admin",
                                mailbox_provider="gmail", mailbox_address=None)
    fresh = directory.create_contact(services, a.admin, email="fresh@globex-acme.test", first_name="Fay")
    paused_contact = directory.create_contact(services, a.admin, email="pia@globex-acme.test", first_name="Pia")
    enroll = lambda contact: enrollments.enroll(  # noqa: E731 - Rita enrolls from her own mailbox
        services, a.admin, sequence_id=a.sequence["id"], contact_id=contact["id"], sender_user_id=a.rep["id"])
    # Webhook endpoints exist before the enrollments change, so those changes are announced to them.
    endpoint = outgoing_webhooks.create_endpoint(services, a.admin, url="https://hooks.crm-acme.test/in",
                                                 events=["enrollment.paused", "enrollment.unenrolled"])
    disabled = outgoing_webhooks.create_endpoint(services, a.admin, url="https://hooks.crm-acme.test/old",
                                                 events=["enrollment.paused", "enrollment.unenrolled"])
    active = enroll(a.contact)
    paused = enroll(paused_contact)
    enrollments.pause(services, a.admin, paused["id"], until=None)
    automatic = enroll(a.colleague)
    with services.session() as s:
        enrollments.end_enrollment(s, int(automatic["id"]), EndOfEnrollment(
            UnenrollReason.REPLIED, Surface.AUTOMATIC, "system", {"rule": "replied"}), services.now())
    outgoing_webhooks.publish_pending_events(services)
    with services.session() as s:
        s.execute(update(t.WebhookEndpoint).where(t.WebhookEndpoint.id == int(disabled["id"]))
                  .values(status="disabled", disabled_at=services.now(), disabled_reason="failing for a day"))
        # A delivery that gave up: retrying it is a change.
        delivery = s.scalars(select(t.WebhookDelivery).where(t.WebhookDelivery.endpoint_id == int(endpoint["id"]))
                             .order_by(t.WebhookDelivery.id)).first()
        assert delivery is not None
        delivery.status = "failed"
        delivery_id = str(delivery.id)
    # An address a report marked bounced after its enrollment had ended: only clearing reaches it.
    bounced_contact = directory.create_contact(services, a.admin, email="bo@globex-acme.test", first_name="Bo")
    with services.session() as s:
        for row in s.scalars(select(t.ContactAddress).where(t.ContactAddress.contact_id == int(bounced_contact["id"]))):
            row.bounced = True
        s.get_one(t.Contact, int(bounced_contact["id"])).bounced = True
    with services.session() as s:
        admin_row = s.get_one(t.User, sa.user_id)
        admin_view = {"id": str(admin_row.id), "email": admin_row.email}
        b_rep = s.get_one(t.User, int(b.other_rep["id"]))
        b_view = {"id": str(b_rep.id), "email": b_rep.email}
    people = {SUPER_ADMIN: admin_view, ADMIN: ada, OWNER_REP: a.rep, OTHER_REP: a.other_rep, FOREIGN_REP: b_view}
    keys = {KEY_ADMIN: a.api_key, FOREIGN_KEY: b.api_key,
            KEY_INTEGRATION: accounts.create_api_key(services, a.account_id, "crm", "integration"),
            KEY_READ_ONLY: accounts.create_api_key(services, a.account_id, "reports", "read_only")}
    # A key nobody in the matrix calls with: the one revoking is done to.
    accounts.create_api_key(services, a.account_id, "old export", "integration")
    with services.session() as s:
        spare_key_id = str(s.scalars(select(t.ApiKey.id).where(t.ApiKey.account_id == a.account_id,
                                                             t.ApiKey.name == "old export")).one())
    ids = {"company_id": a.company["id"], "user_id": a.rep["id"], "other_id": a.other_rep["id"],
           "second_super_admin_id": sam["id"], "contact_id": a.contact["id"], "contact_email": a.contact["email"],
           "fresh_contact_id": fresh["id"], "sequence_id": a.sequence["id"], "enrollment_id": active["id"],
           "paused_id": paused["id"], "automatic_id": automatic["id"], "mailbox": a.rep["mailbox_address"],
           "paused_contact_id": paused_contact["id"], "endpoint_id": endpoint["id"],
           "disabled_endpoint_id": disabled["id"], "delivery_id": delivery_id,
           "bounced_contact_id": bounced_contact["id"], "bounced_email": bounced_contact["email"],
           "api_key_id": spare_key_id}
    return Matrix(client, services, creds, a, b, people, keys, ids)


def _outcome(status: int) -> str:
    if status == 401:
        return UNAUTHENTICATED
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return "404"
    assert status < 500, status
    return OK


def _check(m: Matrix, op: Op, who: str, call: Callable[[], str], warm: Callable[[], object] | None = None) -> None:
    want = expected(op, who)
    if warm is not None:
        warm()  # a first sign-in links the person's Google or Microsoft identity: not the operation's doing
    before = _rows_of_a(m.services, m.a.account_id)
    got = call()
    if want == HIDDEN:
        assert got in (FORBIDDEN, "404"), (op.name, who, got)
    else:
        assert got == want, (op.name, who, got, want)
    after = _rows_of_a(m.services, m.a.account_id)
    if want != OK:
        assert after == before, (op.name, who, "account A changed")
    elif who not in FOREIGN:
        # Allowed is an outcome too: a write changed account A, a read changed nothing.
        assert (after != before) == op.writes, (op.name, who, "changed" if after != before else "unchanged")


def _cases(ops: list[Op], principals: list[str]) -> list[Any]:
    return [pytest.param(op, who, id=f"{op.name} by {who}") for op in ops for who in principals]


# --- enumeration: a new operation without a row fails -----------------------------------------


def test_every_operation_has_a_row(app: Any, settings: Any, services: Any) -> None:
    api = {(o.method, o.path) for o in spec.operations}
    assert api == {(o.method, o.path) for o in API_OPS}, "an API operation has no row in the permission matrix"
    # The demo's sign-in is an /app route served in demo mode only: both apps' routes are counted.
    from addin_server import create_app

    demo_app = create_app(settings.with_overrides(demo_mode=True), services=services)
    app_posts = {r.rule for served in (app, demo_app) for r in served.url_map.iter_rules()
                 if r.rule.startswith("/app/") and "POST" in (r.methods or set())}
    assert app_posts == {o.path for o in APP_OPS} | APP_AUTHENTICATION, "an /app route has no row"
    assert {f"/gmail/actions/{name}" for name in ACTIONS} == {o.path for o in ADDON_OPS}, "an add-on action has no row"
    # Every row names an action of the table, and every action of the table is named somewhere or operator-only.
    named = {o.action for o in [*API_OPS, *APP_OPS, *ADDON_OPS]}
    assert set(Action) - named == {Action.INBOX_REQUEUE}, set(Action) - named


# --- JSON API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "who"), _cases(API_OPS, PRINCIPALS))
def test_api_operation_answers_as_the_table_says(matrix: Matrix, op: Op, who: str) -> None:
    m = matrix

    def call() -> str:
        query = m.fill(op.query) if op.query else None
        body = m.fill(op.body) if op.method != "GET" else None
        r = m.client.open("/api/v1" + op.url(m.ids), method=op.method,
                          headers=m.bearer(who), json=body, query_string=query)
        return _outcome(r.status_code)

    _check(m, op, who, call, warm=lambda: m.client.get("/api/v1/account", headers=m.bearer(who)))


# --- web app ------------------------------------------------------------------------------------

WEB_PRINCIPALS = [SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP, FOREIGN_REP, KEY_ADMIN, NOBODY]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _web_sign_in(m: Matrix, who: str) -> None:
    with m.services.session() as s:
        principal = principal_for_user(s.get_one(t.User, int(m.people[who]["id"])))
    token = web_sessions.start(m.services, principal)
    with m.client.session_transaction() as session:
        session[SESSION_TOKEN] = token


def _csrf(m: Matrix) -> str:
    page = m.client.get("/app/sign-in").get_data(as_text=True)
    if "csrf_token" not in page:
        page = m.client.get("/app/settings").get_data(as_text=True)
    found = CSRF.search(page)
    assert found, "no CSRF token"
    return found.group(1)


@pytest.mark.parametrize(("op", "who"), _cases(APP_OPS, WEB_PRINCIPALS))
def test_web_app_route_answers_as_the_table_says(matrix: Matrix, op: Op, who: str) -> None:
    m = matrix
    if who in PEOPLE:
        _web_sign_in(m, who)
    path = op.url(m.ids)

    def call() -> str:
        form = {**m.fill(op.body or {}), "csrf_token": _csrf(m)}
        r = m.client.post(path, data=form, headers=m.bearer(who) if who in KEYS else {})
        if r.status_code == 302 and r.headers["Location"].startswith("/app/sign-in"):
            return UNAUTHENTICATED
        return _outcome(r.status_code)

    # A key is no web session: the web app answers it as it answers nobody.
    want_override = UNAUTHENTICATED if who in KEYS else None
    if want_override:
        before = _rows_of_a(m.services, m.a.account_id)
        assert call() == UNAUTHENTICATED
        assert _rows_of_a(m.services, m.a.account_id) == before
        return
    _check(m, op, who, call)


# --- Gmail add-on -------------------------------------------------------------------------------

ADDON_PRINCIPALS = [SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP, FOREIGN_REP, KEY_ADMIN, NOBODY]


def _card_outcome(m: Matrix, response: Any) -> str:
    if response.status_code in (401, 403):
        return UNAUTHENTICATED
    text = json.dumps(response.get_json())
    if "You cannot unenroll" in text or "you may only unenroll" in text:
        return FORBIDDEN
    if "Not found" in text:
        return "404"
    assert response.status_code == 200, response.status_code
    return OK


@pytest.mark.parametrize(("op", "who"), _cases(ADDON_OPS, ADDON_PRINCIPALS))
def test_addon_action_answers_as_the_table_says(matrix: Matrix, op: Op, who: str) -> None:
    m = matrix

    def call() -> str:
        headers: dict[str, str] = {}
        user_token = ""
        if who in PEOPLE:
            person = m.people[who]
            user_token = m.creds.addon_user(person["email"], sub=f"google-{person['id']}")
            headers = {"Authorization": f"Bearer {m.creds.addon_system(op.path)}"}
        elif who in KEYS:
            headers = m.bearer(who)
        event = m.creds.addon_event(user_token, toRecipients=[m.a.contact["email"]])
        event["commonEventObject"]["parameters"] = m.fill(op.body or {})
        return _card_outcome(m, m.client.post(op.path, json=event, headers=headers))

    def warm() -> None:
        if who in PEOPLE:
            person = m.people[who]
            event = m.creds.addon_event(m.creds.addon_user(person["email"], sub=f"google-{person['id']}"))
            m.client.post("/gmail/homepage", json=event,
                          headers={"Authorization": f"Bearer {m.creds.addon_system('/gmail/homepage')}"})

    if who in KEYS:
        assert call() == UNAUTHENTICATED  # the add-on speaks only to Google's signed requests
        return
    _check(m, op, who, call, warm=warm)
    if op.path == "/gmail/actions/unenroll":
        status = enrollments.get_enrollment(m.services, m.a.admin, m.ids["enrollment_id"])["status"]
        assert status == ("unenrolled" if expected(op, who) == OK else "active"), (who, status)


# --- the issue's reproductions, as named outcomes -------------------------------------------------


def test_a_rep_cannot_make_himself_super_admin_and_join_the_beta(matrix: Matrix) -> None:
    m = matrix
    r = m.client.post("/api/v1/users", headers=m.bearer(OTHER_REP), json={
        "email": "omar.boss@acme.test", "role": "super_admin", "mailbox_provider": "outlook"})
    assert r.status_code == 403
    r = m.client.patch("/api/v1/account/settings", headers=m.bearer(OTHER_REP), json={"custom_triggers_beta": False})
    assert r.status_code == 403
    r = m.client.patch("/api/v1/account/settings", headers=m.bearer(KEY_ADMIN), json={"custom_triggers_beta": False})
    assert r.status_code == 403, "an API key is no super admin"
    assert accounts.get_account(m.services, m.a.account_id).custom_triggers_beta is True


def test_a_rep_cannot_end_pause_undo_or_retune_another_reps_work(matrix: Matrix) -> None:
    m, otto = matrix, matrix.bearer(OTHER_REP)
    m.client.get("/api/v1/account", headers=otto)  # his first sign-in links his Microsoft identity
    calls = [("POST", "/workflow-actions/unenroll", {"contact_id": m.ids["contact_id"]}),
             ("POST", f"/enrollments/{m.ids['enrollment_id']}/pause", {}),
             ("POST", f"/enrollments/{m.ids['automatic_id']}/undo", {"why": "mine now"}),
             ("PUT", f"/sequences/{m.ids['sequence_id']}/automation", {"on_reply": "off"}),
             ("POST", "/inbound/simulate", {"mailbox": m.ids["mailbox"], "raw": m.fill(_RAW)})]
    before = _rows_of_a(m.services, m.a.account_id)
    for method, path, body in calls:
        assert m.client.open("/api/v1" + path, method=method, headers=otto, json=body).status_code == 403, path
    assert _rows_of_a(m.services, m.a.account_id) == before
    # The super admin still can.
    for method, path, body in calls:
        r = m.client.open("/api/v1" + path, method=method, headers=m.bearer(SUPER_ADMIN), json=body)
        assert r.status_code in (200, 201, 409), (path, r.status_code, r.get_json())


def test_automation_triggers_need_the_beta_through_the_api_too(matrix: Matrix) -> None:
    m = matrix
    accounts.update_account_settings(m.services, m.a.super_admin, custom_triggers_beta=False)
    r = m.client.put(f"/api/v1/sequences/{m.ids['sequence_id']}/automation", headers=m.bearer(OWNER_REP),
                     json={"on_reply": "off"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (403, "beta_required")


@pytest.mark.parametrize("who", [OWNER_REP, KEY_ADMIN], ids=["the owner rep", "an admin key"])
def test_creating_a_sequence_with_reply_or_meeting_triggers_needs_the_beta_too(matrix: Matrix, who: str) -> None:
    """F7 of the outside test: POST /sequences takes the same `automation` object as PUT …/automation,
    and the same rule: other reply/meeting triggers need the beta; nothing is created without it."""
    m = matrix
    accounts.update_account_settings(m.services, m.a.super_admin, custom_triggers_beta=False)
    with m.services.session() as s:
        rep_id = s.scalar(select(t.Sequence.owner_user_id).where(t.Sequence.id == int(m.ids["sequence_id"])))
    body = {"name": "No replies", "owner_user_id": str(rep_id),
            "steps": [{"type": "automated_email", "delay_days": 0, "subject": "s", "body": "b"}]}
    m.client.get("/api/v1/account", headers=m.bearer(who))  # a rep's first call binds their identity
    before = _rows_of_a(m.services, m.a.account_id)
    for automation in ({"on_reply": "off"}, {"on_meeting": "off"}, {"on_reply": "company", "on_meeting": "off"}):
        r = m.client.post("/api/v1/sequences", headers=m.bearer(who), json={**body, "automation": automation})
        assert (r.status_code, r.get_json()["error"]["code"]) == (403, "beta_required"), automation
    assert _rows_of_a(m.services, m.a.account_id) == before
    r = m.client.post("/api/v1/sequences", headers=m.bearer(who),
                      json={**body, "automation": {"pause_on_out_of_office": True, "unenroll_same_company": True}})
    assert r.status_code == 201  # the options outside the beta stay everyone's
    accounts.update_account_settings(m.services, m.a.super_admin, custom_triggers_beta=True)
    r = m.client.post("/api/v1/sequences", headers=m.bearer(who), json={**body, "automation": {"on_reply": "off"}})
    assert r.status_code == 201 and r.get_json()["automation"]["on_reply"] == "off"


def test_a_principal_without_a_role_is_refused_everything() -> None:
    from addin_server.services.permissions import may

    nobody_in_particular = Principal(account_id=1, label="user:forgot@acme.test", user_id=7)
    assert not nobody_in_particular.is_admin
    assert not any(may(nobody_in_particular, action, [7]) for action in Action)
    keyless = Principal(account_id=1, label="api_key:ssk_x", kind="api_key")
    assert not any(may(keyless, action) for action in Action)


def test_a_read_only_key_cannot_even_replay_an_unenrollment_that_already_happened(matrix: Matrix) -> None:
    m = matrix
    ended = m.ids["automatic_id"]
    r = m.client.post(f"/api/v1/enrollments/{ended}/unenroll", headers=m.bearer(KEY_READ_ONLY), json={})
    assert r.status_code == 403
    r = m.client.post(f"/api/v1/sequences/{m.ids['sequence_id']}/unenroll", headers=m.bearer(KEY_READ_ONLY),
                      json={"enrollment_ids": [ended]})
    assert r.status_code == 403
    r = m.client.post(f"/api/v1/enrollments/{ended}/unenroll", headers=m.bearer(KEY_INTEGRATION), json={})
    assert (r.status_code, r.get_json()["end_reason"]) == (200, "replied")  # the outcome, unchanged


# --- an outside tester's findings against main, as named outcomes ----------------------------------


def test_outside_finding_a_a_reps_outlook_token_cannot_retune_another_reps_sequence(matrix: Matrix) -> None:
    m, otto = matrix, matrix.bearer(OTHER_REP)
    m.client.get("/api/v1/account", headers=otto)
    before = _rows_of_a(m.services, m.a.account_id)
    for body in ({"on_reply": "off"}, {"on_reply": "company", "on_meeting": "company", "pause_on_out_of_office": False,
                                      "unenroll_same_company": True}):
        r = m.client.put(f"/api/v1/sequences/{m.ids['sequence_id']}/automation", headers=otto, json=body)
        assert r.status_code == 403, (body, r.get_json())
        assert r.get_json()["error"]["code"] != "beta_required", "who may change it is answered first"
    assert _rows_of_a(m.services, m.a.account_id) == before
    r = m.client.put(f"/api/v1/sequences/{m.ids['sequence_id']}/automation", headers=m.bearer(OWNER_REP),
                     json={"on_reply": "company", "on_meeting": "company", "pause_on_out_of_office": False,
                           "unenroll_same_company": True})
    assert r.status_code == 200 and r.get_json()["automation"]["unenroll_same_company"] is True


def test_outside_finding_b_a_reps_token_cannot_undo_another_reps_automatic_ending(matrix: Matrix) -> None:
    m, otto = matrix, matrix.bearer(OTHER_REP)
    m.client.get("/api/v1/account", headers=otto)
    r = m.client.post(f"/api/v1/enrollments/{m.ids['automatic_id']}/undo", headers=otto, json={"why": "mine now"})
    assert r.status_code == 403
    ended = enrollments.get_enrollment(m.services, m.a.admin, m.ids["automatic_id"])
    assert (ended["status"], ended["end_reason"]) == ("unenrolled", "replied")
    r = m.client.post(f"/api/v1/enrollments/{m.ids['automatic_id']}/undo", headers=m.bearer(OWNER_REP),
                      json={"why": "that was an auto-reply"})
    # Undo enrolls the contact again where it stopped: a new enrollment, owned as the old one was.
    assert r.status_code == 201 and r.get_json()["status"] == "active"
    assert r.get_json()["contact_id"] == ended["contact_id"] and r.get_json()["id"] != m.ids["automatic_id"]


def test_the_contact_list_is_every_persons_read_and_shows_only_their_own_account(matrix: Matrix) -> None:
    m = matrix
    for who in (SUPER_ADMIN, ADMIN, OWNER_REP, OTHER_REP, FOREIGN_REP):
        _web_sign_in(m, who)
        page = m.client.get("/app/contacts")
        assert page.status_code == 200, who
        assert (m.a.contact["email"] in page.get_data(as_text=True)) is (who not in FOREIGN), who
    with m.client.session_transaction() as session:
        session.clear()
    r = m.client.get("/app/contacts", headers=m.bearer(KEY_ADMIN))
    assert r.status_code == 302 and r.headers["Location"].startswith("/app/sign-in")


@pytest.mark.parametrize("contact_id", ["abc", "99999999999999999999999", "0", "-1"])
def test_resuming_a_contact_that_is_no_id_is_a_404_and_changes_nothing(matrix: Matrix, contact_id: str) -> None:
    m = matrix
    _web_sign_in(m, OWNER_REP)
    before = _rows_of_a(m.services, m.a.account_id)
    r = m.client.post(f"/app/contacts/{contact_id}/resume",
                      data={"enrollment_id": m.ids["paused_id"], "csrf_token": _csrf(m)})
    assert r.status_code == 404
    assert _rows_of_a(m.services, m.a.account_id) == before


# --- refusals speak to whoever was refused ----------------------------------------------------------

REFUSAL_WORDING = [
    pytest.param(KEY_READ_ONLY, "POST", "/enrollments/{enrollment_id}/unenroll", {},
                 ["API key has the role read_only", "role admin or integration"], ["admin", "integration"],
                 id="a read_only key learns which key roles may unenroll, not whom to ask"),
    pytest.param(KEY_INTEGRATION, "POST", "/users", {"email": "new@acme.test", "name": "New", "role": "user",
                                                     "mailbox_provider": "gmail"},
                 ["role integration", "role admin"], ["admin"], id="an integration key learns users need an admin key"),
    pytest.param(KEY_ADMIN, "PATCH", "/account/settings", {"custom_triggers_beta": False},
                 ["no API key may", "a super admin does it"], [],
                 id="no key joins the beta: the key learns a super admin person does it"),
    pytest.param(KEY_ADMIN, "PATCH", "/users/{super_admin_id}", {"role": "admin"},
                 ["no API key may change the role of a super_admin"], [],
                 id="an admin key trying to demote the super admin is told only a super admin can"),
    pytest.param(ADMIN, "PATCH", "/users/{super_admin_id}", {"role": "admin"},
                 ["only a super admin can change the role of a super_admin"], None,
                 id="an admin person trying to demote the super admin is told only a super admin can"),
    pytest.param(OTHER_REP, "POST", "/enrollments/{enrollment_id}/unenroll", {},
                 ["ask the rep who enrolled them"], None, id="a rep is told whom to ask"),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "says", "key_roles"), REFUSAL_WORDING)
def test_a_refusal_is_worded_for_the_kind_of_principal_refused(
        matrix: Matrix, who: str, method: str, path: str, body: dict[str, Any], says: list[str],
        key_roles: list[str] | None) -> None:
    m = matrix
    ids = {**m.ids, "super_admin_id": str(m.a.super_admin.user_id)}
    m.client.get("/api/v1/account", headers=m.bearer(who))  # a person's first sign-in links their identity
    before = _rows_of_a(m.services, m.a.account_id)
    r = m.client.open("/api/v1" + path.format(**ids), method=method, headers=m.bearer(who), json=body)
    assert r.status_code == 403, r.get_json()
    error = r.get_json()["error"]
    for words in says:
        assert words in error["message"], error
    if who in KEYS:
        assert "ask the rep" not in error["message"] and "you may only" not in error["message"]
    if key_roles is not None:
        assert error["details"]["needed_key_roles"] == key_roles
    assert _rows_of_a(m.services, m.a.account_id) == before


def test_the_gmail_add_on_offers_no_confirmation_the_table_would_refuse_and_names_who_can(matrix: Matrix) -> None:
    m = matrix

    def confirm(who: str) -> str:
        person = m.people[who]
        event = m.creds.addon_event(m.creds.addon_user(person["email"], sub=f"google-{person['id']}"),
                                    toRecipients=[m.a.contact["email"]])
        event["commonEventObject"]["parameters"] = {"enrollment_id": m.ids["enrollment_id"]}
        r = m.client.post("/gmail/actions/confirm_unenroll", json=event,
                          headers={"Authorization": f"Bearer {m.creds.addon_system('/gmail/actions/confirm_unenroll')}"})
        assert r.status_code == 200
        return json.dumps(r.get_json())

    refused = confirm(OTHER_REP)
    assert "You cannot unenroll" in refused and m.people[OWNER_REP]["name"] in refused and "an admin" in refused
    assert "/gmail/actions/unenroll" not in refused  # no Unenroll button on it
    offered = confirm(OWNER_REP)
    assert "/gmail/actions/unenroll" in offered and "You cannot unenroll" not in offered


def test_the_outlook_pane_reads_whether_to_offer_unenroll_from_the_lookup(matrix: Matrix) -> None:
    m = matrix
    for who, offered in ((OWNER_REP, True), (OTHER_REP, False), (ADMIN, True)):
        r = m.client.get("/api/v1/recipients/status", headers=m.bearer(who),
                         query_string={"email": m.a.contact["email"]})
        assert r.status_code == 200
        assert r.get_json()["recipients"][0]["can_unenroll"] is offered, who
