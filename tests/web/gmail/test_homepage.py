"""The homepage: the rep's recent automatic unenrollments with reasons and evidence, and the web app."""

from __future__ import annotations

from typing import Any

from addin_server.domain.model import EndOfEnrollment, Surface, UnenrollReason
from addin_server.services.enrollments import end_enrollment
from addin_server.services.mail_port import LocalOutboxSender
from addin_server.services.sending import ProviderMailSender
from tests.web.gmail.helpers import button, card_text, only_card, validate_card


def _end_automatically(services: Any, enrollment_id: str, reason: UnenrollReason, evidence: dict[str, Any]) -> None:
    with services.session() as s:
        end_enrollment(s, int(enrollment_id), EndOfEnrollment(reason, Surface.AUTOMATIC, "system", evidence),
                       services.now())


def test_the_homepage_lists_recent_automatic_unenrollments_with_their_evidence(
        addon: Any, services: Any, enrolled: dict[str, Any]) -> None:
    _end_automatically(services, enrolled["id"], UnenrollReason.REPLIED, {
        "rule": "reply to a sequence email", "matched": "In-Reply-To", "from": "jane.doe@globex-acme.test"})

    response = addon.post("/gmail/homepage", addon.event("homepage-event.json"))

    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    text = card_text(card)
    assert card["header"]["subtitle"] == "rita@acme.test"
    assert "Replied" in text and "Jane Doe" in text and "Intro outreach" in text
    assert "rule: reply to a sequence email" in text and "matched: In-Reply-To" in text
    assert "Mon 2 Mar at 09:00 UTC" in text


def test_a_homepage_without_automatic_endings_explains_what_will_show(addon: Any, enrolled: dict[str, Any]) -> None:
    card = only_card(addon.post("/gmail/homepage", addon.event("homepage-event.json")).get_json())
    validate_card(card)
    assert "No contact has been unenrolled automatically yet" in card_text(card)


def test_the_homepage_links_to_the_web_app(addon: Any, world: Any) -> None:
    card = only_card(addon.post("/gmail/homepage", addon.event("homepage-event.json")).get_json())
    link = button(card, "Open Sequence Sidebar")
    assert link["onClick"]["openLink"]["url"] == "https://sidebar.test/app/"


def test_a_disconnected_mailbox_is_called_out_with_where_to_reconnect(addon: Any, services: Any, world: Any) -> None:
    from sqlalchemy import update

    from addin_server.db import tables as t

    with services.session() as s:
        s.execute(update(t.User).where(t.User.email == "rita@acme.test").values(mailbox_connected=False))
    for path, fixture in [("/gmail/homepage", "homepage-event.json"), ("/gmail/compose", "compose-event.json")]:
        card = only_card(addon.post(path, addon.event(fixture)).get_json())
        validate_card(card)
        assert "Your mailbox is not connected" in card_text(card)
        assert "https://sidebar.test/app/" in card_text(card)


def test_a_mailbox_nobody_connected_yet_is_offered_connect_and_a_revoked_one_reconnect(
        addon: Any, services: Any, world: Any) -> None:
    """As Settings says: Not connected and Connect for an invitation, Disconnected and Reconnect after a grant was lost."""
    from sqlalchemy import update

    from addin_server.db import tables as t
    from addin_server.services.grants import mark_disconnected

    with services.session() as s:
        s.execute(update(t.User).where(t.User.email == "rita@acme.test").values(mailbox_connected=False))
    text = card_text(only_card(addon.post("/gmail/homepage", addon.event("homepage-event.json")).get_json()))
    assert "Connect it in Sequence Sidebar" in text and "Reconnect" not in text
    mark_disconnected(services, int(world.rep["id"]), "invalid_grant: token revoked")
    text = card_text(only_card(addon.post("/gmail/homepage", addon.event("homepage-event.json")).get_json()))
    assert "Reconnect it in Sequence Sidebar" in text


def test_a_mailbox_that_cannot_send_says_so_in_the_same_words_as_the_api(addon: Any, services: Any,
                                                                        world: Any) -> None:
    # Production sending (no local outbox): Rita never connected her Gmail mailbox.
    services.mail_sender = ProviderMailSender(services.settings)
    try:
        for path, fixture in [("/gmail/homepage", "homepage-event.json"), ("/gmail/compose", "compose-event.json")]:
            card = only_card(addon.post(path, addon.event(fixture)).get_json())
            validate_card(card)
            text = card_text(card)
            assert "Rita Rep's Gmail mailbox rita@acme.test is not connected" in text.replace("&#39;", "'")
            assert "Settings" in text
    finally:
        services.mail_sender = LocalOutboxSender()
