"""Buttons: confirm, unenroll (surface gmail_addon, actor the Google user), cancel, and what can go wrong."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services import enrollments
from tests.web.gmail.helpers import (
    button,
    card_text,
    carried,
    only_card,
    sections_by_email,
    validate_card,
    view_parameters,
)


def _unenroll_parameters(enrollment: dict[str, Any]) -> dict[str, str]:
    return {"enrollment_id": enrollment["id"], "view": "compose", "page": "0"}


def test_pressing_unenroll_asks_for_confirmation_first(addon: Any, services: Any, world: Any,
                                                       enrolled: dict[str, Any]) -> None:
    body = addon.press("confirm_unenroll", _unenroll_parameters(enrolled))

    navigation = body["renderActions"]["action"]["navigations"][0]
    card = navigation["pushCard"]
    validate_card(card)
    assert "Unenroll" in card_text(card) and "Jane Doe" in card_text(card) and "Intro outreach" in card_text(card)
    assert view_parameters(button(card, "Unenroll")) == _unenroll_parameters(enrolled)
    # The draft's recipients travel on, for the card shown after the unenrollment.
    assert carried(button(card, "Unenroll")) == carried(button(card, "Cancel")) == {
        "to": ["jane.doe@globex-acme.test"], "cc": ["Raj@Globex-Acme.test"], "bcc": ["stranger@elsewhere.example"]}
    assert button(card, "Unenroll")["onClick"]["action"]["function"] == "https://sidebar.test/gmail/actions/unenroll"
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


def test_confirming_ends_the_enrollment_from_the_gmail_addon_and_updates_the_card(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any]) -> None:
    body = addon.press("unenroll", _unenroll_parameters(enrolled))

    action = body["renderActions"]["action"]
    assert action["notification"] == {"text": "Unenrolled Jane Doe from Intro outreach"}
    assert action["navigations"][0] == {"popToRoot": True}
    card = action["navigations"][1]["updateCard"]
    validate_card(card)
    assert "Not in a sequence" in card_text(sections_by_email(card)["jane.doe@globex-acme.test"])
    ended = enrollments.get_enrollment(services, world.admin, enrolled["id"])
    assert (ended["status"], ended["end_reason"], ended["end_surface"], ended["end_actor"]) == (
        "unenrolled", "manual", "gmail_addon", "user:rita@acme.test")
    assert ended["events"][-1]["type"] == "unenrolled"


def test_unenrolling_twice_says_the_contact_had_already_left(addon: Any, enrolled: dict[str, Any]) -> None:
    addon.press("unenroll", _unenroll_parameters(enrolled))
    again = addon.press("unenroll", _unenroll_parameters(enrolled))
    assert again["renderActions"]["action"]["notification"]["text"] == (
        "Jane Doe had already left Intro outreach: unenrolled by rita@acme.test from the Gmail add-on")


def test_a_contact_a_colleague_unenrolled_meanwhile_is_said_to_have_left_and_by_whom(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any]) -> None:
    enrollments.unenroll(services, world.admin, enrolled["id"], surface="contact_record")
    said = addon.press("unenroll", _unenroll_parameters(enrolled))["renderActions"]["action"]["notification"]["text"]
    assert said.startswith("Jane Doe had already left Intro outreach: unenrolled by ")
    assert said.endswith(" from the contact record") and "rita@" not in said


def test_cancel_goes_back_without_changing_anything(addon: Any, services: Any, world: Any,
                                                    enrolled: dict[str, Any]) -> None:
    body = addon.press("cancel", {"view": "compose", "page": "0"})
    assert body == {"renderActions": {"action": {"navigations": [{"pop": True}]}}}
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


def test_a_rep_who_may_not_unenroll_sees_why_and_nothing_changes(addon: Any, services: Any, world: Any,
                                                                 enrolled: dict[str, Any]) -> None:
    otto = {"email": "otto@acme.test", "sub": "998877665544332211000"}
    event = addon.event("compose-event.json")
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(**otto)
    card = only_card(addon.post("/gmail/compose", event).get_json())
    jane = card_text(sections_by_email(card)["jane.doe@globex-acme.test"])
    assert "Unenroll from sequence" not in jane and "only the rep who enrolled them" in jane

    forced = addon.event("action-event.json", parameters=_unenroll_parameters(enrolled))
    forced["authorizationEventObject"]["userIdToken"] = addon.user_token(**otto)
    body = addon.post("/gmail/actions/unenroll", forced).get_json()
    assert body["renderActions"]["action"]["notification"]["text"].startswith("You cannot unenroll Jane Doe")
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


@pytest.mark.parametrize("enrollment_id", [
    pytest.param("999999", id="an enrollment that does not exist shows a not-found card"),
    pytest.param("not-a-number", id="a malformed enrollment id shows a not-found card"),
])
def test_a_missing_enrollment_shows_a_card_not_a_stack_trace(addon: Any, world: Any, enrollment_id: str) -> None:
    body = addon.press("unenroll", {"enrollment_id": enrollment_id, "view": "compose", "page": "0"})
    card = only_card(body)
    validate_card(card)
    assert card["name"] == "error" and "no longer exists" in card_text(card)
    assert view_parameters(button(card, "Try again")) == {"view": "compose"}


def test_an_enrollment_of_another_account_cannot_be_ended(addon: Any, services: Any, world: Any) -> None:
    from tests.builders import make_world

    other = make_world(services, name="Other", domain="other.test")
    theirs = enrollments.enroll(services, other.admin, sequence_id=other.sequence["id"],
                                contact_id=other.contact["id"], sender_user_id=other.rep["id"])
    body = addon.press("unenroll", {"enrollment_id": theirs["id"], "view": "compose", "page": "0"})
    assert only_card(body)["name"] == "error"
    assert enrollments.get_enrollment(services, other.admin, theirs["id"])["status"] == "active"


def test_an_unknown_action_is_not_found(addon: Any, world: Any) -> None:
    token = addon.system_token("/gmail/actions/refresh")
    response = addon.post("/gmail/actions/delete_everything", addon.event("action-event.json"),
                          authorization=f"Bearer {token}")
    assert response.status_code == 404


def test_an_unknown_action_named_by_its_own_token_is_refused_as_no_url_of_the_deployment(
        addon: Any, world: Any) -> None:
    response = addon.post("/gmail/actions/delete_everything", addon.event("action-event.json"))
    assert response.status_code == 401


def test_a_backend_failure_shows_a_card_that_says_what_to_do(addon: Any, world: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from addin_server.services import lookup

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(lookup, "lookup_recipients", broken)
    response = addon.post("/gmail/compose", addon.event("compose-event.json"))
    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    assert card["header"]["title"] == "Something went wrong" and "fire" not in card_text(card)
    assert "Try again" in card_text(card)


def test_unenrolling_when_the_recipients_cannot_be_reloaded_still_says_it_worked(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup_down(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the lookup is down")

    monkeypatch.setattr("addin_server.services.lookup.lookup_recipients", lookup_down)
    body = addon.press("unenroll", _unenroll_parameters(enrolled))

    action = body["renderActions"]["action"]
    assert action["notification"] == {"text": "Unenrolled Jane Doe from Intro outreach"}
    card = action["navigations"][1]["updateCard"]
    validate_card(card)
    assert card["header"]["title"] == "Unenrolled Jane Doe from Intro outreach"
    assert "could not reload the recipients" in card_text(card) and "Nothing was changed" not in card_text(card)
    # Try again reloads the same draft.
    assert carried(button(card, "Try again")) == {
        "to": ["jane.doe@globex-acme.test"], "cc": ["Raj@Globex-Acme.test"], "bcc": ["stranger@elsewhere.example"]}
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "unenrolled"
