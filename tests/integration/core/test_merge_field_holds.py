"""A step whose email would have a hole is held, never sent: the enrollment pauses naming the
missing field, the rep gets a task, fixing the contact and resuming sends it, and performance
counts it. Through the API as an integrator drives it, and as a property over random contacts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.domain.merge_fields import FIELDS, tokens
from addin_server.domain.names import name_problem, one_line
from addin_server.services import directory, enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Invalid
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.builders import World, make_world
from tests.fuzz.limits import fuzzing

STEPS = [{"type": "automated_email", "delay_days": 0, "subject": "About {{company}}",
          "body": "Hi {{first_name | there}}, a question for {{company}}.", "thread_with_previous": False},
         {"type": "task", "delay_days": 2, "subject": "Call"}]


def _setup(client: Any, world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    seq = client.post("/api/v1/sequences", json={"name": "Holes", "owner_user_id": world.rep["id"], "steps": STEPS},
                      headers=world.headers)
    assert seq.status_code == 201
    contact = client.post("/api/v1/contacts", json={"email": "nobody@freelance.test"}, headers=world.headers).json
    return seq.json, contact


def _outbox(client: Any, world: World) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/outbox", headers=world.headers).json["emails"])


def test_a_step_shows_the_merge_fields_it_uses_when_it_is_written(client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    seq, _ = _setup(client, world)
    assert seq["steps"][0]["merge_fields"] == [
        {"field": "company", "fallback": None, "known": True, "holds_when_empty": True},
        {"field": "first_name", "fallback": "there", "known": True, "holds_when_empty": False}]
    assert seq["steps"][1]["merge_fields"] == []


def test_a_step_using_an_unknown_merge_field_is_refused_when_it_is_written(
        client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    refused = client.post("/api/v1/sequences", json={"name": "Typo", "owner_user_id": world.rep["id"], "steps": [
        {"type": "automated_email", "subject": "Hi {{firstname}}", "body": "x"}]}, headers=world.headers)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "unknown_merge_field"
    assert "firstname" in refused.json["error"]["message"] and "first_name" in refused.json["error"]["message"]


def test_a_field_with_neither_value_nor_fallback_holds_the_step_and_fixing_the_contact_sends_it(
        client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    seq, contact = _setup(client, world)
    enrolled = client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                                        "sender_user_id": world.rep["id"]}, headers=world.headers)
    assert enrolled.status_code == 201
    e = enrolled.json
    assert (e["status"], e["current_step"]) == ("paused", 0)
    held = enrollments.held_from_events(e["status"], e["events"])
    assert held is not None and held["missing_fields"] == ["company"] and held["step"] == 1
    assert "a company" in held["message"]
    paused = [ev for ev in e["events"] if ev["type"] == "paused"][-1]
    assert paused["reason"] == "missing_merge_field" and paused["missing_fields"] == ["company"]
    assert paused["task"]["assignee_user_id"] == world.rep["id"] and "a company" in paused["task"]["subject"]
    assert _outbox(client, world) == []

    # Resumed without a fix: held again, still nothing sent.
    assert client.post(f"/api/v1/enrollments/{e['id']}/resume", json={}, headers=world.headers).status_code == 200
    run_due_steps(services)
    again = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).json
    assert again["status"] == "paused"
    assert enrollments.held_from_events(again["status"], again["events"])["missing_fields"] == ["company"]
    assert _outbox(client, world) == []

    fixed = client.patch(f"/api/v1/contacts/{contact['id']}", json={"company_id": world.company["id"]},
                         headers=world.headers)
    assert fixed.status_code == 200 and fixed.json["company_id"] == world.company["id"]
    resumed = client.post(f"/api/v1/enrollments/{e['id']}/resume", json={}, headers=world.headers)
    assert resumed.status_code == 200 and resumed.json["status"] == "active"
    assert run_due_steps(services).steps_run == 1
    sent = _outbox(client, world)
    assert [(m["subject"], m["body"].split("\n")[0]) for m in sent] == [
        ("About Globex", "Hi there, a question for Globex.")]
    done = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).json
    assert (done["status"], done["current_step"]) == ("active", 1)
    assert enrollments.held_from_events(done["status"], done["events"]) is None

    figures = client.get(f"/api/v1/sequences/{seq['id']}/performance", headers=world.headers).json
    assert (figures["held_steps"], figures["held_now"], figures["emails_sent"]) == (2, 0, 1)


def test_performance_counts_an_enrollment_held_now(client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    seq, contact = _setup(client, world)
    client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                             "sender_user_id": world.rep["id"]}, headers=world.headers)
    figures = client.get(f"/api/v1/sequences/{seq['id']}/performance", headers=world.headers).json
    assert (figures["held_steps"], figures["held_now"], figures["paused"], figures["emails_sent"]) == (1, 1, 1, 0)


# --- never a hole, whatever the contact and the template ---------------------------------------

_WORD = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, blacklist_characters="{}|"),
                max_size=10)
_TOKEN = st.builds(lambda f, fb: "{{" + f + (f" | {fb}" if fb is not None else "") + "}}",
                   st.sampled_from(FIELDS), st.one_of(st.none(), _WORD))
_TEMPLATE = st.lists(st.one_of(_WORD, _TOKEN), min_size=1, max_size=6).map("".join)
_NAME = st.one_of(st.just(""), st.just("  "), _WORD)


def test_an_email_is_never_sent_with_an_empty_or_unreplaced_token(services: ServiceContext) -> None:
    world = make_world(services)
    count = iter(range(10_000))

    @given(subject=_TEMPLATE, body=_TEMPLATE, first=_NAME, last=_NAME, with_company=st.booleans())
    # A fallback ending in a soft hyphen: the subject is one header line, its format characters become spaces.
    @example(subject="{{first_name | 0\xad}}", body="", first="", last="", with_company=False)
    @fuzzing(40)
    def enroll_one(subject: str, body: str, first: str, last: str, with_company: bool) -> None:
        n = next(count)
        if not subject.strip():
            subject = "S " + subject  # an email step needs a subject
        seq = sequences.create_sequence(services, world.admin, name=f"P{n}", owner_user_id=world.rep["id"],
                                        steps=[StepInput("automated_email", 0, subject, body)])
        if name_problem(first) or name_problem(last):
            # A control character in a name is refused when written: such a contact never exists.
            with pytest.raises(Invalid):
                directory.create_contact(services, world.admin, email=f"p{n}@prop.test", first_name=first,
                                         last_name=last)
            return
        contact = directory.create_contact(services, world.admin, email=f"p{n}@prop.test", first_name=first,
                                           last_name=last, company_id=world.company["id"] if with_company else None)
        e = enrollments.enroll(services, world.admin, sequence_id=seq["id"], contact_id=contact["id"],
                               sender_user_id=world.rep["id"])
        with services.session() as s:
            sent = s.scalars(select(t.LocalOutbox).where(t.LocalOutbox.recipient == f"p{n}@prop.test")).all()
        values = {"first_name": first, "last_name": last, "company": "Globex" if with_company else "",
                  "sender_name": "Rita Rep"}
        if e["status"] == "paused":
            assert sent == [] and enrollments.held_from_events(e["status"], e["events"])
            return
        assert len(sent) == 1
        # The subject is written as one header line (names.one_line: line breaks, controls and format
        # characters become spaces); the body keeps the filled text as it is.
        for template, text, as_sent in ((subject, sent[0].subject, one_line), (body, sent[0].body, str)):
            assert "{{" not in text and "}}" not in text
            for token in tokens(template):
                filled = (values[token.field] or "").strip() or token.fallback
                assert filled.strip(), f"{token} was sent empty"
                assert re.search(re.escape(as_sent(filled).strip()), text)

    enroll_one()


def test_fixing_a_contact_with_another_accounts_company_is_a_404_and_changes_nothing(
        client: Any, services: ServiceContext) -> None:
    mine = make_world(services)
    theirs = make_world(services, name="Initech", domain="initech.test")
    _, contact = _setup(client, mine)
    refused = client.patch(f"/api/v1/contacts/{contact['id']}", json={"company_id": theirs.company["id"]},
                           headers=mine.headers)
    assert refused.status_code == 404
    assert client.patch(f"/api/v1/contacts/{contact['id']}", json={"first_name": "X"},
                        headers=theirs.headers).status_code == 404
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=mine.headers).json["company_id"] is None
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=mine.headers).json["first_name"] == ""


def test_resuming_a_held_enrollment_twice_resumes_it_once(client: Any, services: ServiceContext) -> None:
    world = make_world(services)
    seq, contact = _setup(client, world)
    e = client.post("/api/v1/enrollments", json={"sequence_id": seq["id"], "contact_id": contact["id"],
                                                 "sender_user_id": world.rep["id"]}, headers=world.headers).json
    first = client.post(f"/api/v1/enrollments/{e['id']}/resume", json={}, headers=world.headers)
    second = client.post(f"/api/v1/enrollments/{e['id']}/resume", json={}, headers=world.headers)
    assert (first.status_code, second.status_code) == (200, 409)
    events = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).json["events"]
    assert [ev["type"] for ev in events].count("resumed") == 1
