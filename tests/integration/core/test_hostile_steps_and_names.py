"""A step whose merge fields are broken is refused when written and held if it ever comes to be
sent; a name that could break an email header is refused when written and folded when sent.
Through the API as an integrator drives it (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from addin_server.db import tables as t
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world

BROKEN_TOKENS = ["Hi {{first-name}}", "Hi {{first name}}", "Hi {{}}", "Hi {{ }}", "Hi {{first_name}",
                 "At {{company | a|b}}", "Hi {{company | {{first_name}}}}", "Hi {{{first_name}}}",
                 "<p>{{<b>first_name</b>}}</p>", "Hi {{\ufb01rst_name}}", "Hi {{f\u0130rst_name}}",
                 "Hi \uff5b\uff5bfirst_name\uff5d\uff5d", "Hi %first_name%", "Hi ${first_name}",
                 "Hi {{ first_name|upper }}"]
HOSTILE_NAMES = ["A\r\nBcc: spy@evil.example", "A\nX-Injected: 1", "A\u2028B", "A\u202eB"]


def _count(services: ServiceContext, table: Any) -> int:
    with services.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _step(body: str) -> dict[str, Any]:
    return {"type": "automated_email", "subject": "Hello", "body": body}


@pytest.mark.parametrize("body", BROKEN_TOKENS)
def test_a_step_with_a_broken_merge_field_is_refused_when_written_naming_where(
        client: Any, services: ServiceContext, body: str) -> None:
    world = make_world(services)
    before = _count(services, t.Sequence)
    refused = client.post("/api/v1/sequences", headers=world.headers, json={
        "name": "Broken", "owner_user_id": world.rep["id"], "steps": [_step("Fine"), _step(body)]})
    assert refused.status_code == 422, refused.json
    error = refused.json["error"]
    assert error["code"] == "malformed_merge_field"
    assert "steps.1.body" in error["message"] and "character" in error["message"]
    assert error["details"][0]["field"] == "steps.1.body" and error["details"][0]["text"] in body
    assert _count(services, t.Sequence) == before


def test_an_unknown_field_is_named_with_the_same_step_indexing_as_other_errors(
        client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    refused = client.post("/api/v1/sequences", headers=world.headers, json={
        "name": "Typo", "owner_user_id": world.rep["id"], "steps": [_step("{{title}}")]})
    assert refused.status_code == 422 and refused.json["error"]["message"].startswith("steps.0 ")


def test_a_step_stored_broken_before_the_check_is_held_never_sent(client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    with services.session() as s:  # as rows written by an older version would be
        s.execute(update(t.Step).where(t.Step.sequence_id == int(world.sequence["id"]), t.Step.position == 1)
                  .values(body="Hi {{first-name}}, {{company | {{first_name}}}}"))
    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    assert e["status"] == "paused" and e["current_step"] == 0
    held = enrollments.held_from_events(e["status"], e["events"])
    assert held and "{{first-name}}" in held["message"]
    assert _count(services, t.LocalOutbox) == 0


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_that_could_break_a_header_is_refused_everywhere_it_is_written(
        client: Any, services: ServiceContext, name: str) -> None:
    world = make_world(services)
    counts = {table: _count(services, table) for table in (t.Contact, t.User, t.Company, t.Sequence)}
    attempts = [
        ("/api/v1/contacts", {"email": "new@prospect.test", "first_name": name}),
        ("/api/v1/contacts", {"email": "new@prospect.test", "last_name": name}),
        ("/api/v1/users", {"email": "new@acme.test", "name": name, "mailbox_provider": "gmail"}),
        ("/api/v1/companies", {"name": name, "domains": ["newco.test"]}),
        ("/api/v1/sequences", {"name": name, "owner_user_id": world.rep["id"], "steps": [_step("Hi")]}),
    ]
    for path, body in attempts:
        refused = client.post(path, json=body, headers=world.headers)
        assert refused.status_code == 422, (path, refused.json)
        assert refused.json["error"]["code"] == "invalid_name" and "U+" in refused.json["error"]["message"]
    changed = client.patch(f"/api/v1/contacts/{world.contact['id']}", json={"first_name": name},
                           headers=world.headers)
    assert changed.status_code == 422
    assert client.get(f"/api/v1/contacts/{world.contact['id']}", headers=world.headers).json["first_name"] == "Jane"
    assert {table: _count(services, table) for table in counts} == counts


def test_a_name_stored_with_a_line_break_before_the_check_is_folded_in_the_subject(
        client: Any, services: ServiceContext) -> None:
    world: World = make_world(services)
    seq = client.post("/api/v1/sequences", headers=world.headers, json={
        "name": "Names", "owner_user_id": world.rep["id"],
        "steps": [{"type": "automated_email", "subject": "Hi {{first_name}}", "body": "Hello"}]}).json
    with services.session() as s:
        s.execute(update(t.Contact).where(t.Contact.id == int(world.contact["id"]))
                  .values(first_name="Jane\r\nBcc: spy@evil.example"))
    enrolled = client.post("/api/v1/enrollments", headers=world.headers, json={
        "sequence_id": seq["id"], "contact_id": world.contact["id"], "sender_user_id": world.rep["id"]})
    assert enrolled.status_code == 201, enrolled.json
    with services.session() as s:
        sent = s.scalars(select(t.LocalOutbox)).all()
    assert [x.subject for x in sent] == ["Hi Jane  Bcc: spy@evil.example"]


@pytest.mark.parametrize("address", [".a@x.example", "a..b@x.example", "a@\u0661.example"])
def test_an_address_no_mail_system_delivers_to_is_a_422_and_no_contact(
        client: Any, services: ServiceContext, address: str) -> None:
    world = make_world(services)
    before = _count(services, t.Contact)
    refused = client.post("/api/v1/contacts", json={"email": address}, headers=world.headers)
    assert refused.status_code == 422, refused.json
    assert _count(services, t.Contact) == before
