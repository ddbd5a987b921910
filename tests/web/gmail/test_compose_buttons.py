"""Compose buttons carry the draft's recipients: Gmail may leave them out of button events.

Google documents draft recipients for the compose trigger (draftAccess METADATA); whether button
callbacks repeat them is not documented, so every compose button carries them in its parameters.
"""

from __future__ import annotations

import base64
import json
import secrets
import zlib
from typing import Any

import pytest

from addin_server.services import enrollments
from tests.web.gmail.helpers import button, card_text, carried, only_card, parameters, sections_by_email, validate_card

DRAFT = {"toRecipients": ["jane.doe@globex-acme.test"], "ccRecipients": ["raj@globex-acme.test"],
         "bccRecipients": []}


def _without_recipients(addon: Any, parameters_: dict[str, str]) -> dict[str, Any]:
    """A button event from which Gmail left the draft's recipients out entirely."""
    event = addon.event("action-event.json", parameters=parameters_)
    del event["gmail"]
    return event


def _compose_card(addon: Any, **gmail: Any) -> dict[str, Any]:
    return only_card(addon.post("/gmail/compose", addon.event("compose-event.json", **{**DRAFT, **gmail})).get_json())


def test_refresh_without_recipients_in_its_event_shows_the_ones_the_card_carried(
        addon: Any, enrolled: dict[str, Any]) -> None:
    refresh = button(_compose_card(addon), "Refresh")
    body = addon.post("/gmail/actions/refresh", _without_recipients(addon, parameters(refresh))).get_json()
    card = only_card(body)
    validate_card(card)
    assert list(sections_by_email(card)) == ["jane.doe@globex-acme.test", "raj@globex-acme.test"]
    assert "Add recipients" not in card_text(card)


def test_refresh_says_add_recipients_only_when_the_draft_itself_had_none(addon: Any, world: Any) -> None:
    refresh = button(_compose_card(addon, toRecipients=[], ccRecipients=[]), "Refresh")
    card = only_card(addon.post("/gmail/actions/refresh", _without_recipients(addon, parameters(refresh))).get_json())
    assert "Add recipients to the draft" in card_text(card)


@pytest.mark.parametrize("emptied", [
    pytest.param({"toRecipients": [], "ccRecipients": [], "bccRecipients": []}, id="all three lists empty"),
    pytest.param({"toRecipients": []}, id="only an empty to list"),
])
def test_an_emptied_draft_shows_no_recipients_even_though_the_button_carried_some(
        addon: Any, enrolled: dict[str, Any], emptied: dict[str, Any]) -> None:
    refresh = button(_compose_card(addon), "Refresh")
    event = _without_recipients(addon, parameters(refresh))
    event["gmail"] = emptied  # Gmail named the recipients, and there are none any more
    card = only_card(addon.post("/gmail/actions/refresh", event).get_json())
    assert "Add recipients to the draft" in card_text(card)
    assert sections_by_email(card) == {}
    assert carried(button(card, "Refresh")) == {"to": [], "cc": [], "bcc": []}


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "\uff11", "-1", "1e3", " 1", "9" * 6])
def test_a_page_that_is_not_plain_ascii_digits_shows_the_first_page(
        addon: Any, enrolled: dict[str, Any], page: str) -> None:
    many = [f"person{i}@crowd.example" for i in range(30)]
    more = button(_compose_card(addon, toRecipients=many, ccRecipients=[]), "More recipients")
    card = only_card(addon.post("/gmail/actions/page",
                                _without_recipients(addon, {**parameters(more), "page": page})).get_json())
    validate_card(card)
    assert "Recipients 1-20 of 30" in card_text(card)
    assert "Something went wrong" not in card_text(card)


def test_recipients_in_the_button_event_win_over_the_carried_ones(addon: Any, enrolled: dict[str, Any]) -> None:
    refresh = button(_compose_card(addon), "Refresh")
    body = addon.press("refresh", parameters(refresh), toRecipients=["peter@initech.example"], ccRecipients=[],
                       bccRecipients=[])
    card = only_card(body)
    assert list(sections_by_email(card)) == ["peter@initech.example"]
    assert carried(button(card, "Refresh")) == {"to": ["peter@initech.example"], "cc": [], "bcc": []}


def test_unenrolling_without_recipients_in_the_events_updates_the_card_with_the_carried_ones(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any]) -> None:
    unenroll_button = button(_compose_card(addon), "Unenroll from sequence")
    confirm = only_card(addon.post("/gmail/actions/confirm_unenroll",
                                   _without_recipients(addon, parameters(unenroll_button))).get_json())
    done = addon.post("/gmail/actions/unenroll",
                      _without_recipients(addon, parameters(button(confirm, "Unenroll")))).get_json()
    card = only_card(done)
    validate_card(card)
    assert done["renderActions"]["action"]["notification"]["text"] == "Unenrolled Jane Doe from Intro outreach"
    assert "Not in a sequence" in card_text(sections_by_email(card)["jane.doe@globex-acme.test"])
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "unenrolled"


def test_paging_without_recipients_in_the_event_pages_through_the_carried_ones(
        addon: Any, enrolled: dict[str, Any]) -> None:
    many = [f"person{i}@crowd.example" for i in range(30)]
    more = button(_compose_card(addon, toRecipients=many, ccRecipients=[]), "More recipients")
    card = only_card(addon.post("/gmail/actions/page", _without_recipients(addon, parameters(more))).get_json())
    assert "Recipients 21-30 of 30" in card_text(card)
    assert next(iter(sections_by_email(card))) == "person20@crowd.example"


@pytest.mark.parametrize("carried_value", [
    pytest.param("not base64 at all!", id="carried recipients that are not base64 count as none"),
    pytest.param("W10=", id="carried recipients that are not an object count as none"),
    pytest.param("eyJ0byI6IDF9", id="carried recipients that are not lists count as none"),
    pytest.param("A" * 50_000, id="carried recipients beyond the size bound count as none"),
])
def test_hostile_carried_recipients_get_the_empty_draft_card(addon: Any, world: Any, carried_value: str) -> None:
    response = addon.post("/gmail/actions/refresh",
                          _without_recipients(addon, {"view": "compose", "recipients": carried_value}))
    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    assert "Add recipients to the draft" in card_text(card)


def test_an_address_with_markup_is_carried_opaquely(addon: Any, world: Any) -> None:
    hostile = "<img src=x onerror=alert(1)>@x.example"
    card = _compose_card(addon, toRecipients=[hostile], ccRecipients=[])
    assert "<img" not in str(parameters(button(card, "Refresh")))
    assert carried(button(card, "Refresh")) == {"to": [hostile], "cc": [], "bcc": []}


def _crowd(n: int, length: int = 30, prefix: str = "p") -> list[str]:
    return [f"{prefix}{i:0{length - 16 - len(prefix)}d}@globex-ex.com" for i in range(n)]


def test_a_draft_of_600_recipients_carries_what_refresh_accepts_and_refresh_shows_them(
        addon: Any, enrolled: dict[str, Any]) -> None:
    to, cc, bcc = _crowd(200, prefix="t"), _crowd(200, prefix="c"), _crowd(200, prefix="b")
    response = addon.post("/gmail/compose", addon.event("compose-event.json", toRecipients=to, ccRecipients=cc,
                                                        bccRecipients=bcc))
    refresh = button(only_card(response.get_json()), "Refresh")
    assert len(parameters(refresh)["recipients"]) <= 40_000
    # The card shows at most 200 recipients: that is what is carried, To first.
    assert carried(refresh) == {"to": to, "cc": [], "bcc": []}
    # Each of ~20 buttons carries the list, compressed: the response stays well under Google's limits.
    assert len(response.get_data()) < 60_000
    card = only_card(addon.post("/gmail/actions/refresh", _without_recipients(addon, parameters(refresh))).get_json())
    assert "Recipients 1-20 of 200" in card_text(card)
    assert "Add recipients" not in card_text(card)


def test_an_address_in_two_fields_is_carried_once(addon: Any, enrolled: dict[str, Any]) -> None:
    card = _compose_card(addon, toRecipients=["jane.doe@globex-acme.test"],
                         ccRecipients=["Jane.Doe@globex-acme.test", "raj@globex-acme.test"], bccRecipients=[])
    assert carried(button(card, "Refresh")) == {"to": ["jane.doe@globex-acme.test"], "cc": ["raj@globex-acme.test"],
                                                "bcc": []}


def test_when_even_compressed_the_recipients_do_not_fit_the_first_ones_are_carried(
        addon: Any, enrolled: dict[str, Any]) -> None:
    # 200 addresses of 300 random characters each: incompressible, over the bound.
    long_ones = [secrets.token_hex(142) + f"{i:03d}@x.example" for i in range(200)]
    refresh = button(_compose_card(addon, toRecipients=long_ones, ccRecipients=[], bccRecipients=[]), "Refresh")
    value = parameters(refresh)["recipients"]
    assert len(value) <= 40_000
    kept = carried(refresh)
    assert kept is not None and 0 < len(kept["to"]) < 200 and kept["to"] == long_ones[:len(kept["to"])]
    card = only_card(addon.post("/gmail/actions/refresh", _without_recipients(addon, parameters(refresh))).get_json())
    assert "Add recipients" not in card_text(card)


def test_carried_recipients_that_inflate_beyond_the_bound_count_as_none(addon: Any, world: Any) -> None:
    bomb = json.dumps({"to": ["a@b.example"], "cc": [], "bcc": [], "pad": "x" * 5_000_000}).encode()
    value = "z." + base64.urlsafe_b64encode(zlib.compress(bomb, 9)).decode()
    assert len(value) < 40_000
    card = only_card(addon.post("/gmail/actions/refresh",
                                _without_recipients(addon, {"view": "compose", "recipients": value})).get_json())
    assert "Add recipients to the draft" in card_text(card)
