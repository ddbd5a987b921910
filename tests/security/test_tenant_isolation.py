"""Tenant isolation across every endpoint: another account's ids are treated as missing, and nothing of it leaks.

Account A holds the data; account B (its API key, its rep's Outlook SSO token, its rep signed in
to the web app or using the Gmail add-on) asks for or acts on A's ids through every operation of
the OpenAPI document and every add-in and web-app route that takes an id. Each must answer 404 (or
show nothing of A), and every row of A must be exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from tests.builders import INITECH_TENANT, World, make_world
from tests.security.credentials import Credentials
from tests.web.app.conftest import sign_in

# Every operation of /api/v1/openapi.json, with a body naming account A's ids where it takes one.
# None: the operation names no id of another account (it can only touch the caller's own account).
API_BODIES: dict[tuple[str, str], Any] = {
    ("get", "/account"): None,
    ("patch", "/account/settings"): None,
    ("get", "/me"): None,
    ("get", "/me/mailbox"): None,
    ("post", "/companies"): None,
    ("get", "/companies/{company_id}"): {},
    ("post", "/users"): None,
    ("get", "/users/{user_id}"): {},
    ("patch", "/users/{user_id}"): {"role": "user"},
    ("post", "/api-keys"): None,
    ("get", "/api-keys"): None,
    ("delete", "/api-keys/{api_key_id}"): {},
    ("get", "/users"): None,
    ("delete", "/users/{user_id}"): {},
    ("post", "/contacts"): {"email": "new.person@elsewhere.example", "company_id": "{company_id}"},
    ("get", "/contacts/{contact_id}"): {},
    ("patch", "/contacts/{contact_id}"): {"first_name": "Changed", "company_id": "{company_id}"},
    ("post", "/contacts/{contact_id}/addresses/{address}/clear-bounce"): {},
    ("post", "/sequences"): {"name": "Stolen", "owner_user_id": "{user_id}",
                             "steps": [{"type": "task", "delay_days": 0, "subject": "s", "body": ""}]},
    ("get", "/sequences"): None,
    ("get", "/sequences/{sequence_id}"): {},
    ("put", "/sequences/{sequence_id}/automation"): {"on_reply": "off"},
    ("get", "/sequences/{sequence_id}/performance"): {},
    ("post", "/sequences/{sequence_id}/unenroll"): {"enrollment_ids": ["{enrollment_id}"]},
    ("post", "/enrollments"): {"sequence_id": "{sequence_id}", "contact_id": "{contact_id}",
                               "sender_user_id": "{user_id}"},
    ("get", "/enrollments"): {"query": {"sequence_id": "{sequence_id}"}},
    ("get", "/enrollments/{enrollment_id}"): {},
    ("post", "/enrollments/{enrollment_id}/unenroll"): {},
    ("post", "/workflow-actions/unenroll"): {"contact_id": "{contact_id}"},
    ("get", "/recipients/status"): {"query": {"email": "{contact_email}"}},
    ("post", "/recipients/status"): {"emails": ["{contact_email}"]},
    ("get", "/outbox"): None,
    ("post", "/enrollments/{enrollment_id}/pause"): {},
    ("post", "/enrollments/{enrollment_id}/resume"): {},
    ("post", "/meetings"): {"contact_id": "{contact_id}", "logged_by_user_id": "{user_id}",
                            "start_time": "2026-03-03T10:00:00Z", "title": "Call"},
    ("post", "/enrollments/{enrollment_id}/undo"): {"why": "they never replied"},
    ("post", "/inbound/simulate"): {"mailbox": "{mailbox}", "raw": "From: {contact_email}\r\nTo: {mailbox}\r\n"
                                    "Subject: Re: Intro\r\n\r\nPlease stop.\r\n"},
    ("post", "/webhook-endpoints"): None,
    ("get", "/webhook-endpoints"): None,
    ("get", "/webhook-endpoints/{endpoint_id}"): {},
    ("delete", "/webhook-endpoints/{endpoint_id}"): {},
    ("post", "/webhook-endpoints/{endpoint_id}/rotate-secret"): {},
    ("post", "/webhook-endpoints/{endpoint_id}/enable"): {},
    ("get", "/webhook-endpoints/{endpoint_id}/deliveries"): {},
    ("post", "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry"): {},
}
# Web-app and add-in routes that take an id, with how B's rep tries them.
APP_ROUTES: dict[str, tuple[str, str]] = {
    "/app/contacts/<contact_id>": ("GET", "/app/contacts/{contact_id}"),
    "/app/contacts/<contact_id>/unenroll": ("POST", "/app/contacts/{contact_id}/unenroll"),
    "/app/contacts/<contact_id>/resume": ("POST", "/app/contacts/{contact_id}/resume"),
    "/app/sequences/<sequence_id>": ("GET", "/app/sequences/{sequence_id}"),
    "/app/sequences/<sequence_id>/<tab>": ("GET", "/app/sequences/{sequence_id}/{tab}"),
    "/app/sequences/<sequence_id>/automation": ("POST", "/app/sequences/{sequence_id}/automation"),
    "/app/sequences/<sequence_id>/same-company": ("POST", "/app/sequences/{sequence_id}/same-company"),
    "/app/sequences/<sequence_id>/unenroll": ("POST", "/app/sequences/{sequence_id}/unenroll"),
    "/app/settings/people/<user_id>/role": ("POST", "/app/settings/people/{user_id}/role"),
    "/app/settings/people/<user_id>/remove": ("POST", "/app/settings/people/{user_id}/remove"),
    "/app/settings/api-keys/<api_key_id>/revoke": ("POST", "/app/settings/api-keys/{api_key_id}/revoke"),
    "/app/settings/webhooks/<endpoint_id>/rotate": ("POST", "/app/settings/webhooks/{endpoint_id}/rotate"),
    "/app/settings/webhooks/<endpoint_id>/enable": ("POST", "/app/settings/webhooks/{endpoint_id}/enable"),
    "/app/settings/webhooks/<endpoint_id>/delete": ("POST", "/app/settings/webhooks/{endpoint_id}/delete"),
    "/app/settings/webhooks/<endpoint_id>/deliveries": ("GET", "/app/settings/webhooks/{endpoint_id}/deliveries"),
    "/app/settings/webhooks/<endpoint_id>/deliveries/<delivery_id>/retry": (
        "POST", "/app/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry"),
}
TABS = ("enrollments", "scheduled", "automation", "performance")


@dataclass
class Tenants:
    a: World
    b: World
    ids: dict[str, str]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            for key, real in self.ids.items():
                value = value.replace("{" + key + "}", real)
            return value
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def markers(self) -> list[str]:
        """Strings that only account A's data contains."""
        return [self.a.contact["email"], self.a.rep["email"], self.a.colleague["email"]]


@pytest.fixture
def tenants(services: ServiceContext, seeded: Any) -> Tenants:
    # The same two accounts for every case: written once per process, copied per test.
    made: Tenants = seeded("tenant-isolation", lambda: _build_tenants(services))
    return made


def _build_tenants(services: ServiceContext) -> Tenants:
    a = make_world(services, name="Acme", domain="acme.test")
    b = make_world(services, name="Initech", domain="initech.test")
    made = enrollments.enroll(services, a.admin, sequence_id=a.sequence["id"], contact_id=a.contact["id"],
                              sender_user_id=a.rep["id"], enrolled_by_user_id=a.rep["id"])
    # A's webhook endpoint, with a delivery about A's colleague (whose address must never show).
    endpoint = outgoing_webhooks.create_endpoint(services, a.admin, url="https://hooks.acme.test/in",
                                                 events=["enrollment.paused"])
    other = enrollments.enroll(services, a.admin, sequence_id=a.sequence["id"], contact_id=a.colleague["id"],
                               sender_user_id=a.rep["id"])
    enrollments.pause(services, a.admin, other["id"], until=None)
    outgoing_webhooks.publish_pending_events(services)
    delivery = outgoing_webhooks.list_deliveries(services, a.admin, endpoint["id"])["deliveries"][0]
    ids = {"enrollment_id": str(made["id"]), "sequence_id": str(a.sequence["id"]), "contact_id": str(a.contact["id"]),
           "company_id": str(a.company["id"]), "user_id": str(a.rep["id"]), "contact_email": a.contact["email"], "address": a.contact["email"],
           "mailbox": a.rep["mailbox_address"], "endpoint_id": endpoint["id"], "delivery_id": delivery["id"],
           "api_key_id": str(_first_key_id(services, a.account_id))}
    return Tenants(a, b, ids)


def _first_key_id(services: ServiceContext, account_id: int) -> int:
    with services.session() as s:
        return s.scalars(select(t.ApiKey.id).where(t.ApiKey.account_id == account_id).order_by(t.ApiKey.id)).first() or 0


def snapshot(services: ServiceContext, account_id: int) -> dict[str, list[str]]:
    """Every row of one account, in every table that carries account_id."""
    out = {}
    with services.session() as s:
        for table in t.Base.metadata.sorted_tables:
            if "account_id" in table.c:
                rows = s.execute(select(table).where(table.c.account_id == account_id)
                                 .order_by(*table.primary_key.columns)).all()
                out[table.name] = [repr(tuple(r)) for r in rows]
    return out


@pytest.fixture
def guard(services: ServiceContext, tenants: Tenants) -> Iterator[None]:
    before = snapshot(services, tenants.a.account_id)
    yield
    assert snapshot(services, tenants.a.account_id) == before, "account A's rows changed"


def _shows_nothing_of_a(response: Any, tenants: Tenants, asked: Any = None) -> None:
    """No string of A's data in the answer, except those the caller sent (an echo reveals nothing)."""
    text, sent = response.get_data(as_text=True), json.dumps(asked)
    leaked = [m for m in tenants.markers() if m in text and m not in sent]
    assert not leaked, (response.status_code, leaked, text[:300])


def _api_cases() -> list[tuple[str, str]]:
    return sorted(API_BODIES)


def test_the_table_covers_every_operation_of_the_openapi_document(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = {(m, p) for p, ops in doc["paths"].items() for m in ops if m in {"get", "post", "put", "patch", "delete"}}
    assert operations == set(API_BODIES)


def _api_call(client: Any, tenants: Tenants, method: str, path: str, authorization: str) -> Any:
    spec = API_BODIES[(method, path)]
    body = tenants.fill(spec) if spec is not None else _own_body(method, path)
    query = body.pop("query", None) if isinstance(body, dict) else None
    return client.open("/api/v1" + tenants.fill(path), method=method.upper(), query_string=query,
                       headers={"Authorization": authorization},
                       json=body if method != "get" else None)


def _own_body(method: str, path: str) -> Any:
    """Bodies of operations that name no id: valid, and about the caller's own account."""
    return {("patch", "/account/settings"): {"soft_bounce_threshold": 3},
            ("post", "/companies"): {"name": "Umbrella", "domains": ["umbrella-b.test"]},
            ("post", "/users"): {"email": "new.rep@initech.test", "name": "New", "role": "user",
                                 "mailbox_provider": "gmail", "mailbox_address": "new.rep@initech.test"},
            ("post", "/webhook-endpoints"): {"url": "https://hooks.initech.test/in",
                                             "events": ["enrollment.unenrolled"]},
            ("post", "/api-keys"): {"name": "crm", "role": "read_only"}}.get((method, path), {})


@pytest.mark.parametrize(("method", "path"), _api_cases(), ids=[f"{m.upper()} {p}" for m, p in _api_cases()])
@pytest.mark.parametrize("caller", ["api key", "outlook sso"])
def test_account_b_cannot_reach_account_a_through_any_api_operation(
        client: Any, tenants: Tenants, creds: Credentials, guard: None, method: str, path: str, caller: str) -> None:
    authorization = (f"Bearer {tenants.b.api_key}" if caller == "api key" else
                     "Bearer " + creds.outlook_sso(preferred_username=tenants.b.other_rep["email"],
                                                   oid="b-otto-oid", tid=INITECH_TENANT,
                                                   iss=f"https://login.microsoftonline.com/{INITECH_TENANT}/v2.0"))
    response = _api_call(client, tenants, method, path, authorization)
    asked = tenants.fill(API_BODIES[(method, path)])
    assert response.status_code < 500, response.get_data(as_text=True)
    if API_BODIES[(method, path)] is not None and path not in ("/enrollments", "/recipients/status",
                                                               "/inbound/simulate"):
        assert response.status_code in (403, 404), (response.status_code, response.get_data(as_text=True)[:300])
    _shows_nothing_of_a(response, tenants, asked)
    if path == "/recipients/status":
        assert [r["contact"] for r in response.get_json()["recipients"]] == [None]


def test_the_table_covers_every_web_app_route_that_takes_an_id(app: Any) -> None:
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/app/") and "_id>" in r.rule}
    assert routes == set(APP_ROUTES)


@pytest.mark.parametrize("route", sorted(APP_ROUTES), ids=sorted(APP_ROUTES))
def test_a_rep_of_account_b_signed_in_to_the_web_app_cannot_reach_account_a(
        client: Any, tenants: Tenants, guard: None, route: str) -> None:
    browser = sign_in(client, tenants.b.rep["id"], tenants.b.account_id)
    method, template = APP_ROUTES[route]
    for tab in TABS if "{tab}" in template else ("",):
        url = tenants.fill(template.replace("{tab}", tab))
        if method == "GET":
            response = client.get(url, follow_redirects=True)
        else:
            response = browser.post_from("/app/sequences", url, {
                "enrollment_id": tenants.ids["enrollment_id"], "surface": "bulk", "on_reply": "off",
                "on_meeting": "off"})
        assert response.status_code in (403, 404), (url, response.status_code)
        _shows_nothing_of_a(response, tenants)


@pytest.mark.parametrize("action", ["confirm_unenroll", "unenroll"])
def test_the_gmail_add_on_of_account_b_cannot_unenroll_account_a(
        client: Any, tenants: Tenants, creds: Credentials, guard: None, action: str) -> None:
    path = f"/gmail/actions/{action}"
    event = creds.addon_event(creds.addon_user(tenants.b.rep["email"]))
    event["commonEventObject"]["parameters"] = {"enrollment_id": tenants.ids["enrollment_id"]}
    response = client.post(path, json=event, headers={"Authorization": f"Bearer {creds.addon_system(path)}"})
    assert response.status_code in (200, 404), response.status_code
    _shows_nothing_of_a(response, tenants)


def test_the_gmail_add_on_of_account_b_does_not_recognise_account_a_contacts(
        client: Any, tenants: Tenants, creds: Credentials, guard: None) -> None:
    path = "/gmail/compose"
    event = creds.addon_event(creds.addon_user(tenants.b.rep["email"]), toRecipients=[tenants.a.contact["email"]])
    response = client.post(path, json=event, headers={"Authorization": f"Bearer {creds.addon_system(path)}"})
    assert response.status_code == 200
    card = json.dumps(response.get_json())
    assert "Jane Doe" not in card and "Intro outreach" not in card
