"""Hostile names render as text: they can neither break a card's JSON nor inject formatting into it."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from addin_server.db import tables as t
from addin_server.domain.names import name_problem
from addin_server.services import directory, enrollments, sequences
from addin_server.services.sequences import StepInput
from addin_server.web import cards
from tests.web.gmail.helpers import card_text, only_card, sections_by_email, validate_card

HOSTILE = {
    "json breakout": '"}]}, {"widgets": [{"textParagraph": {"text": "pwned"}}]}',
    "script tag": "</script><script>alert(1)</script>",
    "formatting tag": '<b onmouseover="alert(1)">Bold</b> <a href="https://evil.example">click</a>',
    "emoji": "Zoë 🚀🔥 Ünïcødé",
    "right to left": "مرحبا עברית Dana",
    "template syntax": "{{ 7*7 }} {% raw %} ${7*7}",
    "line separators": "Line\u2028Para\u2029End\nNew\ttab",
    "entities": "&amp; &lt;b&gt; &#60;",
}
OUR_TAGS = re.compile(r"</?b>|<br>")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _as_read(text: str) -> str:
    """What a rep reads: our tags gone, entities decoded, direction isolates removed."""
    return html.unescape(OUR_TAGS.sub("", text)).replace("\u2068", "").replace("\u2069", "")


@pytest.fixture
def hostile_world(services: Any, world: Any, request: pytest.FixtureRequest) -> dict[str, Any]:
    name = HOSTILE[request.param]
    # Line breaks and control characters are refused when a name is written (domain/names): such
    # names are stored directly, as rows written before that check would hold them.
    stored = name if name_problem(name) is None else "Placeholder"
    company = directory.create_company(services, world.admin, name=stored, domains=["hostile.example"])
    contact = directory.create_contact(services, world.admin, email="target@hostile.example", first_name=stored,
                                       company_id=company["id"])
    rep = directory.create_user(services, world.admin, email="rita2@acme.test", name=stored, role="user",
                                mailbox_provider="gmail", mailbox_address="rita2@acme.test")
    seq = sequences.create_sequence(services, world.admin, name=stored, owner_user_id=world.rep["id"],
                                    steps=[StepInput("call", 0, "Call", ""), StepInput("task", 2, "Task", "")])
    if stored != name:
        with services.session() as s:
            s.execute(update(t.Company).where(t.Company.id == int(company["id"])).values(name=name))
            s.execute(update(t.Contact).where(t.Contact.id == int(contact["id"])).values(first_name=name))
            s.execute(update(t.User).where(t.User.id == int(rep["id"])).values(name=name))
            s.execute(update(t.Sequence).where(t.Sequence.id == int(seq["id"])).values(name=name))
    enrollments.enroll(services, world.admin, sequence_id=seq["id"], contact_id=contact["id"],
                       sender_user_id=world.rep["id"], enrolled_by_user_id=rep["id"])
    return {"name": name}


@pytest.mark.parametrize("hostile_world", list(HOSTILE), indirect=True,
                         ids=[f"a contact, company, sequence and rep named with {k} render as text" for k in HOSTILE])
def test_hostile_names_render_as_text(addon: Any, hostile_world: dict[str, Any]) -> None:
    name = hostile_world["name"]
    event = addon.event("compose-event.json", toRecipients=["target@hostile.example"], ccRecipients=[],
                        bccRecipients=[])
    card = only_card(addon.post("/gmail/compose", event).get_json())

    validate_card(card)
    assert list(sections_by_email(card)) == ["target@hostile.example"]
    assert not any("pwned" == s for s in _strings(card)), "the name created a widget"
    for text in _strings(card):
        assert "<" not in OUR_TAGS.sub("", text) and ">" not in OUR_TAGS.sub("", text), text
    readable = [_as_read(s) for s in _strings(card)]
    assert any(name in s for s in readable), "the contact's name is shown as written"
    assert any(f"enrolled by {name}" in s for s in readable), "the rep's name is shown as written"
    assert name in readable, "the company name is shown as written"


@pytest.mark.parametrize("hostile_world", ["script tag"], indirect=True, ids=["script tag"])
def test_a_hostile_name_in_the_confirmation_and_notification_is_text(addon: Any, services: Any, world: Any,
                                                                     hostile_world: dict[str, Any]) -> None:
    event = addon.event("compose-event.json", toRecipients=["target@hostile.example"], ccRecipients=[],
                        bccRecipients=[])
    card = only_card(addon.post("/gmail/compose", event).get_json())
    action = next(b for w in sections_by_email(card)["target@hostile.example"]["widgets"]
                  for b in (w.get("buttonList") or {}).get("buttons", []))["onClick"]["action"]
    params = {p["key"]: p["value"] for p in action["parameters"]}
    confirm = addon.press("confirm_unenroll", params, toRecipients=["target@hostile.example"])
    confirm_card = confirm["renderActions"]["action"]["navigations"][0]["pushCard"]
    validate_card(confirm_card)
    assert "<script>" not in card_text(confirm_card)
    done = addon.press("unenroll", params, toRecipients=["target@hostile.example"])
    # Notifications are plain text in Gmail: the name is shown exactly, never interpreted.
    assert done["renderActions"]["action"]["notification"]["text"].startswith(f"Unenrolled {hostile_world['name']}")


@pytest.mark.parametrize("address", [
    pytest.param('evil"}]}@x.example', id="a recipient address with a json breakout is text"),
    pytest.param("<img src=x onerror=alert(1)>@x.example", id="a recipient address with markup is text"),
    pytest.param("not an address at all", id="a recipient that is not an address says so"),
])
def test_hostile_recipient_addresses_render_as_text(addon: Any, world: Any, address: str) -> None:
    event = addon.event("compose-event.json", toRecipients=[address], ccRecipients=[], bccRecipients=[])
    card = only_card(addon.post("/gmail/compose", event).get_json())
    validate_card(card)
    assert any(address in _as_read(s) for s in _strings(card))
    assert "<img" not in card_text(card)


@pytest.mark.parametrize("enrollment_id", ['1"}]}', "<script>", "1 OR 1=1", "9" * 40])
def test_hostile_button_parameters_get_a_card_not_an_error(addon: Any, world: Any, enrollment_id: str) -> None:
    body = addon.press("unenroll", {"enrollment_id": enrollment_id, "view": "<compose>", "page": "-1"})
    card = only_card(body)
    validate_card(card)
    assert card["name"] == "error"


# --- the safety net itself -------------------------------------------------------------------


def test_a_template_may_not_interpolate_a_structure() -> None:
    with pytest.raises(TypeError):
        cards._finalize({"text": "<b>unescaped</b>"})


def test_an_interpolation_inside_a_string_literal_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "careless.json.j2").write_text('{"text": "Hello {{ name }}"}')
    environment = cards._make_environment(tmp_path)
    rendered = environment.get_template("careless.json.j2").render(name="Jane")
    with pytest.raises(json.JSONDecodeError):
        json.loads(rendered)


@pytest.mark.parametrize(("value", "written"), [
    pytest.param("<b>x</b>", '"&lt;b&gt;x&lt;/b&gt;"', id="text is html-escaped by default"),
    pytest.param(cards.Plain("<b>x</b>"), '"<b>x</b>"', id="plain text is only json-encoded"),
    pytest.param(None, "null", id="none is null"),
    pytest.param(3, "3", id="numbers stay numbers"),
])
def test_every_interpolation_is_a_json_literal(value: Any, written: str) -> None:
    assert cards._finalize(value) == written
