"""Composing: the draft's recipients, each with whether they are in a sequence and a way out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.gmail.helpers import (
    button,
    card_text,
    carried,
    only_card,
    parameters,
    sections_by_email,
    validate_card,
    view_parameters,
)


def test_a_draft_shows_each_recipient_with_their_sequence_status(addon: Any, enrolled: dict[str, Any]) -> None:
    response = addon.post("/gmail/compose", addon.event("compose-event.json"))

    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["action"] and "pushCard" in body["action"]["navigations"][0]
    card = only_card(body)
    validate_card(card)
    by_email = sections_by_email(card)
    assert list(by_email) == ["jane.doe@globex-acme.test", "raj@globex-acme.test", "stranger@elsewhere.example"]
    jane, raj, stranger = (card_text(s) for s in by_email.values())
    assert "Jane Doe" in jane and "Globex" in jane and "Enrolled in" in jane and "Intro outreach" in jane
    assert "Step 1 of 3" in jane and "next step" in jane and "enrolled by Rita Rep" in jane
    assert "Not in a sequence" in raj and "Raj" in raj
    assert "Not a contact" in stranger
    assert [s["header"] for s in by_email.values()] == ["To", "Cc", "Bcc"]


@pytest.mark.parametrize(("who", "has_button"), [
    pytest.param("jane.doe@globex-acme.test", True, id="an enrolled contact has an Unenroll from sequence button"),
    pytest.param("raj@globex-acme.test", False, id="a contact in no sequence has no button"),
    pytest.param("stranger@elsewhere.example", False, id="an address that is not a contact has no button"),
])
def test_only_enrolled_contacts_offer_unenroll(addon: Any, enrolled: dict[str, Any], who: str,
                                               has_button: bool) -> None:
    card = only_card(addon.post("/gmail/compose", addon.event("compose-event.json")).get_json())
    section = sections_by_email(card)[who]
    texts = [b["text"] for w in section["widgets"] for b in (w.get("buttonList") or {}).get("buttons", [])]
    assert ("Unenroll from sequence" in texts) is has_button


def test_the_unenroll_button_names_the_enrollment_with_string_parameters(addon: Any,
                                                                         enrolled: dict[str, Any]) -> None:
    card = only_card(addon.post("/gmail/compose", addon.event("compose-event.json")).get_json())
    pressed = button(card, "Unenroll from sequence")
    action = pressed["onClick"]["action"]
    assert action["function"] == "https://sidebar.test/gmail/actions/confirm_unenroll"
    assert view_parameters(pressed) == {"enrollment_id": enrolled["id"], "view": "compose", "page": "0"}


def test_next_step_is_shown_in_the_reps_time_zone(addon: Any, enrolled: dict[str, Any]) -> None:
    # The fixture's timeZone is Europe/Paris; the test clock is 09:00 UTC and the call step is 2 days later.
    card = only_card(addon.post("/gmail/compose", addon.event("compose-event.json")).get_json())
    jane = card_text(sections_by_email(card)["jane.doe@globex-acme.test"])
    assert "next step Wed 4 Mar at 10:00" in jane


def test_an_empty_draft_says_to_add_recipients_and_offers_refresh(addon: Any, world: Any) -> None:
    event = addon.event("compose-event.json", toRecipients=[], ccRecipients=[], bccRecipients=[])
    card = only_card(addon.post("/gmail/compose", event).get_json())
    validate_card(card)
    assert "Add recipients to the draft" in card_text(card)
    assert view_parameters(button(card, "Refresh")) == {"view": "compose"}
    assert carried(button(card, "Refresh")) == {"to": [], "cc": [], "bcc": []}


def test_refresh_re_reads_the_drafts_recipients(addon: Any, enrolled: dict[str, Any]) -> None:
    body = addon.press("refresh", {"view": "compose"}, toRecipients=["raj@globex-acme.test"], ccRecipients=[],
                       bccRecipients=[])
    assert "updateCard" in body["renderActions"]["action"]["navigations"][0]
    card = only_card(body)
    assert list(sections_by_email(card)) == ["raj@globex-acme.test"]


def test_the_same_address_in_to_and_cc_is_shown_once(addon: Any, enrolled: dict[str, Any]) -> None:
    event = addon.event("compose-event.json", toRecipients=["jane.doe@globex-acme.test"],
                        ccRecipients=["JANE.DOE@globex-acme.test"], bccRecipients=[])
    card = only_card(addon.post("/gmail/compose", event).get_json())
    assert list(sections_by_email(card)) == ["jane.doe@globex-acme.test"]


def test_a_long_recipient_list_pages_and_stays_under_the_widget_limit(addon: Any, enrolled: dict[str, Any]) -> None:
    many = [f"person{i}@crowd.example" for i in range(45)]
    event = addon.event("compose-event.json", toRecipients=["jane.doe@globex-acme.test", *many],
                        ccRecipients=[], bccRecipients=[])
    first = only_card(addon.post("/gmail/compose", event).get_json())
    validate_card(first)
    assert len(sections_by_email(first)) == 20 and "Recipients 1-20 of 46" in card_text(first)
    more = button(first, "More recipients")
    assert view_parameters(more) == {"view": "compose", "page": "1"}

    body = addon.press("page", parameters(more), toRecipients=["jane.doe@globex-acme.test", *many],
                       ccRecipients=[], bccRecipients=[])
    second = only_card(body)
    validate_card(second)
    assert "Recipients 21-40 of 46" in card_text(second)
    assert view_parameters(button(second, "Previous")) == {"view": "compose", "page": "0"}
    assert next(iter(sections_by_email(second))) == "person19@crowd.example"
