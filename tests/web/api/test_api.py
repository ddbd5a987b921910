"""The JSON API through Flask's test client: the integrator's scenario, bad input, tenants."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.services import outgoing_webhooks
from addin_server.services.context import ServiceContext
from addin_server.web.api import spec
from tests.builders import World, make_world


def _snapshot(services: ServiceContext) -> dict[str, int]:
    from sqlalchemy import func, select

    from addin_server.db.tables import Base

    with services.session() as s:
        return {tbl.name: s.scalar(select(func.count()).select_from(tbl)) or 0 for tbl in Base.metadata.sorted_tables}


def test_the_integrators_scenario(client: Any, services: ServiceContext) -> None:
    from addin_server.services.accounts import create_account

    key = create_account(services, name="Acme", plan="enterprise", admin_email="admin@acme.test").api_key
    h = {"Authorization": f"Bearer {key}"}
    company = client.post("/api/v1/companies", json={"name": "Globex", "domains": ["globex.test", "gmail.com"]},
                          headers=h)
    assert company.status_code == 201 and company.json["domains"] == ["globex.test"]
    rep = client.post("/api/v1/users", json={"email": "rita@acme.test", "name": "Rita", "role": "user",
                                             "mailbox_provider": "gmail", "mailbox_address": "rita@acme.test"},
                      headers=h).json
    contact = client.post("/api/v1/contacts", json={
        "email": "jane@globex.test", "secondary_emails": ["jane.doe@gmail.com"], "first_name": "Jane",
        "last_name": "Doe", "company_id": company.json["id"]}, headers=h).json
    seq = client.post("/api/v1/sequences", json={"name": "Intro", "owner_user_id": rep["id"], "steps": [
        {"type": "automated_email", "delay_days": 0, "subject": "Hi", "body": "Hello", "thread_with_previous": False},
        {"type": "task", "delay_days": 1}]}, headers=h).json
    enrolled = client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                                        "sender_user_id": rep["id"]}, headers=h)
    assert enrolled.status_code == 201
    e = enrolled.json
    outbox = client.get("/api/v1/outbox", headers=h).json["emails"]
    assert [(m["from"], m["to"], m["subject"]) for m in outbox] == [("rita@acme.test", "jane@globex.test", "Hi")]
    status = client.get("/api/v1/recipients/status?email=JaneDoe@googlemail.com&email=x@y.test", headers=h).json
    first = status["recipients"][0]
    assert first["enrollment"]["id"] == e["id"] and first["can_unenroll"] is True
    assert status["recipients"][1]["contact"] is None
    posted = client.post("/api/v1/recipients/status", json={"emails": ["jane@globex.test"]}, headers=h).json
    assert posted["recipients"][0]["enrollment"]["id"] == e["id"]
    before = client.get(f"/api/v1/sequences/{seq['id']}/performance", headers=h).json
    ended = client.post(f"/api/v1/enrollments/{e['id']}/unenroll", json={"surface": "api"}, headers=h)
    assert ended.status_code == 200 and ended.json["end_reason"] == "manual"
    after = client.get(f"/api/v1/sequences/{seq['id']}/performance", headers=h).json
    assert after["emails_sent"] == before["emails_sent"] == 1 and after["enrolled"] == before["enrolled"] == 1
    assert after["unenrolled"] == {"manual": 1}
    client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                             "sender_user_id": rep["id"]}, headers=h)
    again = client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                                     "sender_user_id": rep["id"]}, headers=h)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_enrolled"
    full = client.get(f"/api/v1/enrollments/{e['id']}", headers=h).json
    assert [ev["type"] for ev in full["events"]][-1] == "unenrolled"
    assert full["evidence"] == {"rule": "unenrolled by hand"}


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


def _bad_requests(w: World) -> list[Any]:
    seq, contact, rep = w.sequence["id"], w.contact["id"], w.rep["id"]
    ok = {"sequence_id": seq, "contact_id": contact, "sender_user_id": rep}
    return [
        pytest.param("POST", "/api/v1/enrollments", b"{not json", "application/json", 400, id="malformed json"),
        pytest.param("POST", "/api/v1/enrollments", b"", "application/json", 400, id="empty body where one is required"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps(ok).encode(), "text/plain", 415, id="not json content type"),
        pytest.param("POST", "/api/v1/enrollments", b"[1, 2]", "application/json", 422, id="a list instead of an object"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps({**ok, "contact_id": [1]}).encode(), "application/json", 422, id="wrong type"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps({"sequence_id": seq}).encode(), "application/json", 422, id="missing fields"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps({**ok, "contact_id": "999999"}).encode(), "application/json", 404, id="unknown contact id"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps({**ok, "contact_id": "abc"}).encode(), "application/json", 422, id="an id that is not an id"),
        pytest.param("POST", "/api/v1/enrollments", json.dumps({**ok, "extra": 1}).encode(), "application/json", 422, id="unknown field"),
        pytest.param("POST", "/api/v1/enrollments", b'{"a": "' + b"x" * 1_100_000 + b'"}', "application/json", 413, id="oversized body"),
        pytest.param("POST", "/api/v1/contacts", json.dumps({"email": "not an address"}).encode(), "application/json", 422, id="invalid email"),
        pytest.param("POST", "/api/v1/contacts", json.dumps({"email": w.contact["email"]}).encode(), "application/json", 409, id="address of another contact"),
        pytest.param("POST", "/api/v1/sequences", json.dumps({"name": "x", "owner_user_id": rep, "steps": []}).encode(), "application/json", 422, id="sequence without steps"),
        pytest.param("POST", "/api/v1/sequences", json.dumps({"name": "x", "owner_user_id": rep, "steps": [{"type": "fax"}]}).encode(), "application/json", 422, id="unknown step type"),
        pytest.param("POST", "/api/v1/users", json.dumps({"email": "a@b.test", "mailbox_provider": "aol"}).encode(), "application/json", 422, id="unknown mailbox provider"),
        pytest.param("POST", "/api/v1/enrollments/1/unenroll", json.dumps({"surface": "fax"}).encode(), "application/json", 422, id="unknown surface"),
        pytest.param("POST", "/api/v1/enrollments/1/unenroll", json.dumps({"surface": "automatic"}).encode(), "application/json", 422, id="people cannot claim the automatic surface"),
        pytest.param("POST", f"/api/v1/sequences/{seq}/unenroll", json.dumps({"enrollment_ids": []}).encode(), "application/json", 422, id="bulk without ids"),
        pytest.param("GET", "/api/v1/recipients/status", None, None, 422, id="lookup without addresses"),
        pytest.param("GET", "/api/v1/enrollments?limit=0", None, None, 422, id="limit out of range"),
        pytest.param("GET", "/api/v1/enrollments/18446744073709551616000", None, None, 404, id="huge id"),
        pytest.param("DELETE", "/api/v1/enrollments", None, None, 405, id="wrong method"),
        pytest.param("GET", "/api/v1/no-such-thing", None, None, 404, id="unknown path"),
    ]


def test_bad_input_gets_a_clear_4xx_and_changes_nothing(client: Any, services: ServiceContext, world: World) -> None:
    for case in _bad_requests(world):
        method, path, body, ctype, expected = case.values
        before = _snapshot(services)
        kwargs: dict[str, Any] = {"headers": world.headers}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = ctype
        r = client.open(path, method=method, **kwargs)
        assert r.status_code == expected, (case.id, r.status_code, r.data[:300])
        assert set(r.json) == {"error"} and r.json["error"]["code"] and r.json["error"]["message"], case.id
        assert _snapshot(services) == before, case.id


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="no credentials"),
        pytest.param("Bearer ", id="empty bearer"),
        pytest.param("Basic dXNlcjpwYXNz", id="another scheme"),
        pytest.param("Bearer ssk_" + "x" * 43, id="an unknown key"),
        pytest.param("Bearer not-a-key", id="garbage"),
    ],
)
def test_requests_without_a_valid_key_are_401(client: Any, world: World, header: str | None) -> None:
    r = client.get("/api/v1/sequences", headers={"Authorization": header} if header else {})
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


SAMPLE_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/enrollments/{enrollment_id}/unenroll"): {},
    ("POST", "/sequences/{sequence_id}/unenroll"): "bulk",
    ("PUT", "/sequences/{sequence_id}/automation"): {"on_reply": "off"},
    ("POST", "/enrollments/{enrollment_id}/undo"): {"why": "judged wrong"},
    ("PATCH", "/users/{user_id}"): {"role": "user"},
}


def test_every_endpoint_keeps_accounts_apart(client: Any, services: ServiceContext) -> None:
    """Account B's key gets 404 for every id of account A, and account A's data is unchanged."""
    from addin_server.services import enrollments, people

    a = make_world(services, name="A", domain="a.test")
    b = make_world(services, name="B", domain="b.test")
    ea = enrollments.enroll(services, a.admin, sequence_id=a.sequence["id"], contact_id=a.contact["id"],
                            sender_user_id=a.rep["id"])
    # A's webhook endpoint and a delivery of it (a pause and a resume of A's enrollment).
    services.settings = services.settings.with_overrides(encryption_key=generate_encryption_key())
    hook = outgoing_webhooks.create_endpoint(services, a.admin, url="https://hooks.a.test/in",
                                             events=["enrollment.paused"])
    enrollments.pause(services, a.admin, ea["id"], until=None)
    enrollments.resume(services, a.admin, ea["id"])
    outgoing_webhooks.publish_pending_events(services)
    delivery = outgoing_webhooks.list_deliveries(services, a.admin, hook["id"])["deliveries"][0]
    ids = {"enrollment_id": ea["id"], "sequence_id": a.sequence["id"], "contact_id": a.contact["id"],
           "company_id": a.company["id"], "user_id": a.rep["id"], "endpoint_id": hook["id"],
           "delivery_id": delivery["id"], "address": a.contact["email"],
           "api_key_id": str(people.list_api_keys(services, a.super_admin)[0]["id"])}
    # Revoking keys is a person's act: the table refuses any key (403) before the id is looked up.
    refused_to_keys = {("DELETE", "/api-keys/{api_key_id}")}
    checked = 0
    for op in spec.operations:
        if "{" not in op.path:
            continue
        body = SAMPLE_BODIES.get((op.method, op.path), {})
        if body == "bulk":
            body = {"enrollment_ids": [ea["id"]]}
        before = _snapshot(services)
        r = client.open("/api/v1" + _fill(op.path, ids), method=op.method, headers=b.headers,
                        json=body if op.method != "GET" else None)
        assert r.status_code == (403 if (op.method, op.path) in refused_to_keys else 404), (
            op.method, op.path, r.status_code, r.json)
        assert _snapshot(services) == before
        checked += 1
    assert checked >= 9
    # Lists and lookups through B's key show nothing of A.
    assert client.get("/api/v1/enrollments", headers=b.headers).json["enrollments"] == []
    assert client.get(f"/api/v1/recipients/status?email={a.contact['email']}",
                      headers=b.headers).json["recipients"][0]["contact"] is None
    assert {s["id"] for s in client.get("/api/v1/sequences", headers=b.headers).json["sequences"]} == {b.sequence["id"]}
    assert client.get("/api/v1/outbox", headers=b.headers).json["emails"] == []
    assert client.post("/api/v1/enrollments", headers=b.headers, json={
        "sequence_id": a.sequence["id"], "contact_id": b.contact["id"], "sender_user_id": b.rep["id"]}).status_code == 404
    assert client.post("/api/v1/workflow-actions/unenroll", headers=b.headers,
                       json={"contact_id": a.contact["id"]}).status_code == 404
    assert enrollments.get_enrollment(services, a.admin, ea["id"])["status"] == "active"


def test_workflow_action_is_refused_for_professional_accounts(client: Any, services: ServiceContext) -> None:
    w = make_world(services, plan="professional")
    from addin_server.services import enrollments

    enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                       sender_user_id=w.rep["id"])
    r = client.post("/api/v1/workflow-actions/unenroll", json={"contact_id": w.contact["id"]}, headers=w.headers)
    assert r.status_code == 403 and r.json["error"]["code"] == "plan_required"
    assert "Enterprise" in r.json["error"]["message"]


def test_the_openapi_document_is_valid_openapi_3_1(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    for path in ["/recipients/status", "/enrollments", "/enrollments/{enrollment_id}",
                 "/enrollments/{enrollment_id}/unenroll", "/sequences/{sequence_id}/unenroll",
                 "/sequences/{sequence_id}/performance", "/workflow-actions/unenroll"]:
        assert path in doc["paths"], path
    assert doc["servers"][0]["url"] == "https://sidebar.test/api/v1"


def test_the_openapi_document_describes_what_the_api_validates(client: Any, world: World) -> None:
    """The request schema in the document is the one that refused the body."""
    from jsonschema import Draft202012Validator

    doc = client.get("/api/v1/openapi.json").json
    schema = {**doc["components"]["schemas"]["EnrollmentIn"], "components": doc["components"]}
    text = json.dumps(schema).replace("#/components/schemas/", "#/components/schemas/")
    validator = Draft202012Validator(json.loads(text))
    assert not validator.is_valid({"sequence_id": "1"})
    assert validator.is_valid({"sequence_id": "1", "contact_id": "2", "sender_user_id": "3"})


def test_unknown_pages_outside_the_api_are_plain_404(client: Any) -> None:
    assert client.get("/nope").status_code == 404
    assert client.get("/healthz").json == {"status": "ok"}


def test_unenroll_needs_no_body(client: Any, services: ServiceContext, world: World) -> None:
    from addin_server.services import enrollments

    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    r = client.post(f"/api/v1/enrollments/{e['id']}/unenroll", headers=world.headers)
    assert r.status_code == 200 and (r.json["end_reason"], r.json["end_surface"]) == ("manual", "api")


def test_pause_and_resume_through_the_api(client: Any, services: ServiceContext, world: World) -> None:
    from addin_server.services import enrollments

    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    paused = client.post(f"/api/v1/enrollments/{e['id']}/pause", json={"until": "2026-03-09T09:00:00Z"},
                         headers=world.headers)
    assert paused.status_code == 200 and paused.json["status"] == "paused"
    assert paused.json["paused_until"] == "2026-03-09T09:00:00Z"
    assert client.post(f"/api/v1/enrollments/{e['id']}/pause", headers=world.headers).status_code == 409
    naive = client.post(f"/api/v1/enrollments/{e['id']}/resume", json={"x": 1}, headers=world.headers)
    assert naive.status_code == 422
    resumed = client.post(f"/api/v1/enrollments/{e['id']}/resume", headers=world.headers)
    assert resumed.status_code == 200 and resumed.json["status"] == "active"
