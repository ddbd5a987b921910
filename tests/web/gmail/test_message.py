"""Opening a received message: the sender and the other participants, read from Gmail with the event's tokens."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services import enrollments
from addin_server.services.gmail_addon import participants_from_headers
from tests.web.gmail.helpers import button, card_text, only_card, parameters, sections_by_email, validate_card


def test_an_opened_message_shows_the_sender_first_then_the_other_participants(
        addon: Any, fake_google: Any, enrolled: dict[str, Any]) -> None:
    response = addon.post("/gmail/message", addon.event("message-event.json"))

    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    by_email = sections_by_email(card)
    # Rita is the rep reading her own mailbox: she is not listed as a participant.
    assert list(by_email) == ["jane.doe@globex-acme.test", "raj@globex-acme.test", "procurement@globex-acme.test"]
    assert [s["header"] for s in by_email.values()] == ["From", "To", "Cc"]
    assert "Enrolled in" in card_text(by_email["jane.doe@globex-acme.test"])
    unenroll = button(card, "Unenroll from sequence")
    assert parameters(unenroll) == {"enrollment_id": enrolled["id"], "view": "message", "page": "0"}


def test_gmail_is_asked_for_metadata_only_with_both_of_the_events_tokens(addon: Any, fake_google: Any,
                                                                         world: Any) -> None:
    addon.post("/gmail/message", addon.event("message-event.json"))

    [asked] = fake_google.gmail_requests
    assert asked["user_id"] == "me" and asked["message_id"] == "msg-f:1790123456789012345"
    assert asked["args"]["format"] == ["metadata"]
    assert asked["args"]["metadataHeaders"] == ["From", "To", "Cc"]
    assert asked["authorization"] == "Bearer ya29.a0-message-user-oauth-token-placeholder"
    assert asked["gmail_access_token"] == "AFxwCsk-per-message-access-token-placeholder"


def test_unenrolling_from_a_message_refreshes_the_message_view(addon: Any, fake_google: Any,
                                                                enrolled: dict[str, Any]) -> None:
    body = addon.press("unenroll", {"enrollment_id": enrolled["id"], "view": "message", "page": "0"},
                       fixture="message-event.json")
    card = body["renderActions"]["action"]["navigations"][1]["updateCard"]
    assert "Not in a sequence" in card_text(sections_by_email(card)["jane.doe@globex-acme.test"])
    assert len(fake_google.gmail_requests) == 1


@pytest.mark.parametrize(("status", "title"), [
    pytest.param(401, "This message cannot be read", id="gmail refusing the tokens says to reopen the message"),
    pytest.param(403, "This message cannot be read", id="gmail refusing the scope says to reinstall"),
    pytest.param(500, "Gmail is not answering", id="gmail failing offers to try again"),
])
def test_when_gmail_cannot_be_read_a_card_says_what_to_do(addon: Any, fake_google: Any, world: Any,
                                                          status: int, title: str) -> None:
    fake_google.gmail_status = status
    response = addon.post("/gmail/message", addon.event("message-event.json"))
    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    assert card["header"]["title"] == title


@pytest.mark.parametrize(("headers", "expected"), [
    pytest.param([{"name": "From", "value": "\"Doe, Jane\" <jane@x.example>"}], [("From", "jane@x.example")],
                 id="a quoted display name with a comma is one participant"),
    pytest.param([{"name": "to", "value": "a@x.example, b@x.example"}, {"name": "CC", "value": "A@x.example"}],
                 [("To", "a@x.example"), ("To", "b@x.example")], id="header names are case-insensitive and "
                 "repeats are dropped"),
    pytest.param([{"name": "From", "value": "undisclosed-recipients:;"}], [],
                 id="a group with no addresses names nobody"),
])
def test_participants_are_read_from_the_headers(headers: list[dict[str, str]],
                                                expected: list[tuple[str, str]]) -> None:
    assert [(p.field, p.address) for p in participants_from_headers(headers)] == expected


@pytest.mark.parametrize(("status", "why"), [
    pytest.param(401, "Gmail did not let Sequence Sidebar read who is on this message.",
                 id="gmail refusing the tokens after the unenroll"),
    pytest.param(500, "Sequence Sidebar could not ask Gmail who is on this message.",
                 id="gmail failing after the unenroll"),
])
def test_unenrolling_from_a_message_that_cannot_be_read_afterwards_still_says_it_worked(
        addon: Any, fake_google: Any, services: Any, world: Any, enrolled: dict[str, Any], status: int,
        why: str) -> None:
    fake_google.gmail_status = status
    body = addon.press("unenroll", {"enrollment_id": enrolled["id"], "view": "message", "page": "0"},
                       fixture="message-event.json")
    action = body["renderActions"]["action"]
    assert action["notification"] == {"text": "Unenrolled Jane Doe from Intro outreach"}
    card = action["navigations"][1]["updateCard"]
    validate_card(card)
    assert card["header"]["title"] == "Unenrolled Jane Doe from Intro outreach"
    assert why in card_text(card) and "Nothing was changed" not in card_text(card)
    assert "Try again" in card_text(card)
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "unenrolled"
