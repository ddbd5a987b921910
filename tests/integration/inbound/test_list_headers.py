"""Issue #14: a message whose In-Reply-To or References names our sequence email is a reply unless it
is an out-of-office or a delivery report, whatever list or unsubscribe headers it carries."""

from __future__ import annotations

from addin_server.mail.message import InboundMessage
from addin_server.services.context import ServiceContext
from addin_server.services.inbound import apply_inbound_message
from tests.builders import World
from tests.integration.inbound.test_apply_inbound import deliver, enroll, render, sent_message_id, state


def test_a_reply_carrying_one_click_unsubscribe_headers_unenrolls(services: ServiceContext, world: World,
                                                                 provider: str) -> None:
    e = enroll(services, world)
    sent = sent_message_id(services, e["id"])
    raw = render("reply_with_unsubscribe_headers.eml", sender=world.contact["email"],
                 mailbox=world.rep["mailbox_address"], in_reply_to=sent)
    dry = apply_inbound_message(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                provider_message_id="m-1", message=InboundMessage.from_bytes(raw), dry_run=True)
    result = deliver(services, world, provider, "reply_with_unsubscribe_headers.eml", in_reply_to=sent)
    got = state(services, world, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["evidence"]["read_as"].startswith("human_reply")
    assert [ev["type"] for ev in got["events"]][-2:] == ["replied", "unenrolled"]
    assert [(d["action"], d["reason"]) for d in dry["decisions"]] == [
        (d["action"], d["reason"]) for d in result["decisions"]] == [("unenroll", "replied")]


def test_bulk_mail_from_an_enrolled_contacts_company_that_answers_nothing_ends_nothing(
        services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    result = deliver(services, world, provider, "newsletter_one_click.eml", sender=world.contact["email"])
    assert result["kind"] == "auto_other" and result["decisions"] == []
    assert state(services, world, e["id"])["status"] == "active"


def test_an_out_of_office_answering_our_email_with_list_headers_still_never_unenrolls(
        services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    deliver(services, world, provider, "gmail_vacation.eml", in_reply_to=sent_message_id(services, e["id"]))
    assert state(services, world, e["id"])["status"] == "active"
