"""Inbound messages applied to enrollments: classify, decide, apply, once. Both mailbox providers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.mail.message import InboundMessage
from addin_server.services import directory, enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.inbound import apply_inbound_message, simulate
from addin_server.services.sequences import update_automation
from tests.builders import World
from tests.conftest import FakeClock

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


def render(name: str, *, sender: str, mailbox: str, in_reply_to: str = "<none@example.com>", n: int = 1) -> bytes:
    text = (FIXTURES / name).read_text()
    date = "Tue, 03 Mar 2026 10:00:00 +0000"
    for key, value in {"sender": sender, "mailbox": mailbox, "in_reply_to": in_reply_to, "n": str(n),
                       "date": date}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def enroll(services: ServiceContext, w: World, contact: dict[str, Any] | None = None) -> dict[str, Any]:
    return enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=(contact or w.contact)["id"],
                              sender_user_id=w.rep["id"])


def sent_message_id(services: ServiceContext, enrollment_id: str) -> str:
    with services.session() as s:
        return s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(enrollment_id))).first() or ""


def deliver(services: ServiceContext, w: World, provider: str, name: str, *, sender: str | None = None,
            in_reply_to: str = "<none@example.com>", message_id: str = "m-1") -> dict[str, Any]:
    raw = render(name, sender=sender or w.contact["email"], mailbox=w.rep["mailbox_address"], in_reply_to=in_reply_to)
    return apply_inbound_message(services, provider=provider, mailbox_address=w.rep["mailbox_address"],
                                 provider_message_id=message_id, message=InboundMessage.from_bytes(raw))


def state(services: ServiceContext, w: World, enrollment_id: str) -> dict[str, Any]:
    return enrollments.get_enrollment(services, w.admin, enrollment_id)


def test_a_reply_to_a_sequence_email_unenrolls_with_evidence(services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    result = deliver(services, world, provider, "human_reply.eml", in_reply_to=sent_message_id(services, e["id"]))
    assert result["kind"] == "human_reply"
    got = state(services, world, e["id"])
    assert (got["status"], got["end_reason"], got["end_surface"]) == ("unenrolled", "replied", "automatic")
    assert got["evidence"]["matched_by"] == "In-Reply-To" and got["evidence"]["matched_by_code"] == "in_reply_to"
    assert got["evidence"]["sequence_email_message_id"] == sent_message_id(services, e["id"])
    assert got["evidence"]["provider"] == provider and got["evidence"]["message_id"] == "m-1"
    assert [ev["type"] for ev in got["events"]][-2:] == ["replied", "unenrolled"]
    perf = enrollments.performance(services, world.admin, world.sequence["id"])
    assert perf["replies"] == 1 and perf["unenrolled"] == {"replied": 1}


def test_the_same_message_twice_counts_once(services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    mid = sent_message_id(services, e["id"])
    deliver(services, world, provider, "human_reply.eml", in_reply_to=mid)
    again = deliver(services, world, provider, "human_reply.eml", in_reply_to=mid)
    assert again["already_processed"] is True
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.type.in_(["replied", "unenrolled"]))) == 2


@pytest.mark.parametrize("fixture", ["gmail_vacation.eml", "exchange_automatic_reply.eml"])
def test_out_of_office_replies_never_unenroll_whichever_client_wrote_them(
        services: ServiceContext, world: World, provider: str, fixture: str) -> None:
    e = enroll(services, world)
    result = deliver(services, world, provider, fixture, in_reply_to=sent_message_id(services, e["id"]))
    assert result["kind"] == "out_of_office"
    got = state(services, world, e["id"])
    assert got["status"] == "active"
    assert got["events"][-1]["type"] == "out_of_office"


def test_out_of_office_pauses_until_the_return_date_when_the_sequence_says_so(
        services: ServiceContext, world: World, provider: str) -> None:
    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    e = enroll(services, world)
    result = deliver(services, world, provider, "exchange_automatic_reply.eml",
                     in_reply_to=sent_message_id(services, e["id"]))
    got = state(services, world, e["id"])
    assert result["evidence"]["return_date"] == "2026-03-09"
    assert got["status"] == "paused" and got["paused_until"] == "2026-03-09T00:00:00Z"


def test_a_return_date_already_past_records_the_notice_without_a_pause_in_the_dry_run_too(
        services: ServiceContext, world: World, provider: str, clock: FakeClock) -> None:
    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    e = enroll(services, world)
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # read after the stated return, 9 March
    raw = render("exchange_automatic_reply.eml", sender=world.contact["email"], mailbox=world.rep["mailbox_address"],
                 in_reply_to=sent_message_id(services, e["id"]))
    dry = simulate(services, world.admin, raw, world.rep["mailbox_address"])
    assert [d["action"] for d in dry["decisions"]] == ["record"]
    result = deliver(services, world, provider, "exchange_automatic_reply.eml",
                     in_reply_to=sent_message_id(services, e["id"]))
    assert result["evidence"]["return_date"] == "2026-03-09"
    got = state(services, world, e["id"])
    assert got["status"] == "active" and got["paused_until"] is None
    assert [ev["type"] for ev in got["events"]][-1] == "out_of_office"
    assert "paused" not in [ev["type"] for ev in got["events"]]


def test_undoing_a_reply_that_arrived_during_an_out_of_office_pause_restores_the_pause(
        services: ServiceContext, world: World, provider: str, clock: FakeClock) -> None:
    from addin_server.services.undoing import undo_unenrollment

    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    e = enroll(services, world)
    mid = sent_message_id(services, e["id"])
    deliver(services, world, provider, "exchange_automatic_reply.eml", in_reply_to=mid)
    assert state(services, world, e["id"])["paused_until"] == "2026-03-09T00:00:00Z"
    clock.advance(days=1)
    deliver(services, world, provider, "human_reply.eml", in_reply_to=mid, message_id="m-2")
    assert state(services, world, e["id"])["end_reason"] == "replied"
    again = undo_unenrollment(services, world.admin, e["id"], why="the reply was an auto-reply")
    assert (again["status"], again["paused_until"]) == ("paused", "2026-03-09T00:00:00Z")
    clock.now = datetime(2026, 3, 9, 0, 1, tzinfo=UTC)
    from addin_server.services.pausing import resume_due_pauses

    assert resume_due_pauses(services) == 1
    resumed = state(services, world, again["id"])
    assert resumed["status"] == "active" and resumed["next_step_at"] >= "2026-03-09"


def test_undoing_a_reply_after_the_pause_had_run_out_continues_active(
        services: ServiceContext, world: World, provider: str, clock: FakeClock) -> None:
    from addin_server.services.undoing import undo_unenrollment

    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    e = enroll(services, world)
    mid = sent_message_id(services, e["id"])
    deliver(services, world, provider, "exchange_automatic_reply.eml", in_reply_to=mid)
    deliver(services, world, provider, "human_reply.eml", in_reply_to=mid, message_id="m-2")
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # the stated return, 9 March, has passed
    again = undo_unenrollment(services, world.admin, e["id"], why="the reply was an auto-reply")
    assert (again["status"], again["paused_until"]) == ("active", None)


def test_an_email_outside_the_sequence_unenrolls(services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    deliver(services, world, provider, "outside_sequence.eml")
    assert state(services, world, e["id"])["end_reason"] == "emailed_outside_sequence"


def test_an_email_from_a_gmail_spelling_of_a_secondary_address_unenrolls_as_alias(
        services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    deliver(services, world, provider, "outside_sequence.eml", sender="JaneDoeHome+work@googlemail.com")
    got = state(services, world, e["id"])
    assert got["end_reason"] == "emailed_from_alias" and got["evidence"]["matched_by"] == "gmail alias"


def test_a_hard_bounce_unenrolls_and_marks_the_contact_bounced(services: ServiceContext, world: World,
                                                                 provider: str) -> None:
    e = enroll(services, world)
    result = deliver(services, world, provider, "hard_bounce.eml", sender=world.contact["email"],
                     in_reply_to=sent_message_id(services, e["id"]))
    assert result["kind"] == "bounce_hard"
    got = state(services, world, e["id"])
    assert got["end_reason"] == "bounced" and got["evidence"]["matched_by"] == "bounce report"
    assert directory.get_contact(services, world.admin, world.contact["id"])["bounced"] is True


def test_a_no_longer_with_the_company_reply_is_a_hard_bounce(services: ServiceContext, world: World,
                                                             provider: str) -> None:
    e = enroll(services, world)
    deliver(services, world, provider, "left_company.eml", in_reply_to=sent_message_id(services, e["id"]))
    assert state(services, world, e["id"])["end_reason"] == "bounced"


def test_a_colleague_reply_ends_the_company_when_the_setting_is_on(services: ServiceContext, world: World,
                                                                    provider: str) -> None:
    sequences.update_automation(services, world.admin, world.sequence["id"], on_reply="contact",
                                on_meeting="contact", pause_on_out_of_office=False, unenroll_same_company=True)
    jane, raj = enroll(services, world), enroll(services, world, world.colleague)
    deliver(services, world, provider, "human_reply.eml", sender="boss@globex-acme.test",
            in_reply_to=sent_message_id(services, jane["id"]))
    assert state(services, world, jane["id"])["end_reason"] == "replied_from_other_address"
    raj_state = state(services, world, raj["id"])
    assert raj_state["end_reason"] == "company_contact_replied"
    assert raj_state["evidence"]["company_matched_by"] == "domain"
    assert enrollments.performance(services, world.admin, world.sequence["id"])["replies"] == 1


def test_a_dry_run_changes_nothing(services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    raw = render("human_reply.eml", sender=world.contact["email"], mailbox=world.rep["mailbox_address"],
                 in_reply_to=sent_message_id(services, e["id"]))
    result = apply_inbound_message(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                   provider_message_id="m-dry", message=InboundMessage.from_bytes(raw), dry_run=True)
    assert [d["reason"] for d in result["decisions"]] == ["replied"]
    assert state(services, world, e["id"])["status"] == "active"
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.ProcessedMessage)) == 0


def test_exchange_online_out_of_office_seen_only_through_graph_fields(services: ServiceContext, world: World) -> None:
    """Headers thin, message class decisive: Exchange Online's OOF template never unenrolls."""
    e = enroll(services, world)
    graph = {
        "id": "AAMkAGI2-oof", "subject": "Intro", "internetMessageId": "<oof-graph@globex.example>",
        "from": {"emailAddress": {"name": "Jane Doe", "address": world.contact["email"]}},
        "toRecipients": [{"emailAddress": {"address": world.rep["mailbox_address"]}}],
        "conversationId": "AAQkAGI2-conv", "bodyPreview": "Thanks for your message.",
        "body": {"contentType": "text", "content": "Thanks for your message."},
        "receivedDateTime": datetime(2026, 3, 3, 10, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "internetMessageHeaders": [{"name": "In-Reply-To", "value": sent_message_id(services, e["id"])}],
        "singleValueExtendedProperties": [{"id": "String 0x001A", "value": "IPM.Note.Rules.OofTemplate.Microsoft"}],
    }
    result = apply_inbound_message(services, provider="outlook", mailbox_address=world.rep["mailbox_address"],
                                   provider_message_id="AAMkAGI2-oof", message=InboundMessage.from_graph(graph))
    assert result["kind"] == "out_of_office"
    assert state(services, world, e["id"])["status"] == "active"


def test_an_unknown_mailbox_is_refused(services: ServiceContext, world: World) -> None:
    from addin_server.services.errors import NotFound

    raw = render("human_reply.eml", sender="x@y.test", mailbox="nobody@acme.test")
    with pytest.raises(NotFound):
        apply_inbound_message(services, provider="gmail", mailbox_address="nobody@acme.test",
                              provider_message_id="m", message=InboundMessage.from_bytes(raw))


MIXED_BOUNCE = """Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx1.acme.test>
To: {mailbox}
Subject: Undelivered Mail Returned to Sender
Date: Tue, 03 Mar 2026 10:00:00 +0000
Message-ID: <mixed-bounce-1@mx1.acme.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="mixed"

--mixed
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered to one or more recipients.

--mixed
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.acme.test

Final-Recipient: rfc822; {unknown}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{unknown}>: Recipient address rejected: User unknown

Final-Recipient: rfc822; {full}
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 <{full}>: Mailbox full

--mixed
Content-Type: text/rfc822-headers

From: Rita Rep <{mailbox}>
To: {unknown}, {full}
Subject: Intro
Message-ID: {original}

--mixed--
"""


def test_a_report_about_one_unknown_user_and_one_full_mailbox_ends_only_the_unknown_users_enrollment(
        services: ServiceContext, world: World, provider: str) -> None:
    jane, raj = enroll(services, world), enroll(services, world, world.colleague)
    raw = MIXED_BOUNCE
    for key, value in {"mailbox": world.rep["mailbox_address"], "unknown": world.contact["email"],
                       "full": world.colleague["email"], "original": sent_message_id(services, jane["id"])}.items():
        raw = raw.replace("{" + key + "}", value)
    result = apply_inbound_message(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                   provider_message_id="m-mixed",
                                   message=InboundMessage.from_bytes(raw.replace("\n", "\r\n").encode()))
    assert result["kind"] == "bounce_hard"
    jane_state, raj_state = state(services, world, jane["id"]), state(services, world, raj["id"])
    assert jane_state["end_reason"] == "bounced"
    assert jane_state["evidence"]["hard_recipients"] == [world.contact["email"]]
    assert raj_state["status"] == "active"
    assert directory.get_contact(services, world.admin, world.contact["id"])["bounced"] is True
    assert directory.get_contact(services, world.admin, world.colleague["id"])["bounced"] is False
    with services.session() as s:
        counted = s.scalar(select(t.ContactAddress.soft_bounces).where(
            t.ContactAddress.address == world.colleague["email"]))
    assert counted == 1


def test_a_report_that_quotes_no_email_re_sent_with_new_message_ids_counts_once(
        services: ServiceContext, world: World, provider: str) -> None:
    """A remote server re-sends one soft bounce three times, each copy with its own Message-ID and
    none quoting our email: it is about the latest sequence email sent to Jane, so it counts once."""
    e = enroll(services, world)
    results = []
    for n in (1, 2, 3):
        raw = render("soft_bounce_unquoted.eml", sender=world.contact["email"], mailbox=world.rep["mailbox_address"],
                     n=n)
        results.append(apply_inbound_message(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                             provider_message_id=f"m-copy-{n}", message=InboundMessage.from_bytes(raw)))
    assert [r["kind"] for r in results] == ["bounce_soft"] * 3
    got = state(services, world, e["id"])
    assert got["status"] == "active", "three copies of one report are one soft bounce, below the threshold"
    assert [ev["type"] for ev in got["events"]].count("bounced") == 1
    first = next(ev for ev in got["events"] if ev["type"] == "bounced")
    assert first["soft_bounces"] == 1
    with services.session() as s:
        counted = s.scalar(select(t.ContactAddress.soft_bounces).where(
            t.ContactAddress.address == world.contact["email"]))
        keys = list(s.scalars(select(t.CountedBounce.report_key)))
    assert counted == 1
    assert keys == ["sent:" + sent_message_id(services, e["id"])]


def test_the_dry_run_of_a_reply_in_an_unknown_charset_agrees_with_applying_it(
        services: ServiceContext, world: World, provider: str) -> None:
    """Finding 1 of the attack, re-checked: simulate and the pipeline read such a message alike."""
    e = enroll(services, world)
    data = (FIXTURES / "unknown_charset_reply.eml").read_bytes()
    for key, value in {"sender": world.contact["email"], "mailbox": world.rep["mailbox_address"],
                       "in_reply_to": sent_message_id(services, e["id"]), "n": "1",
                       "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        data = data.replace(b"{" + key.encode() + b"}", value.encode())
    raw = data.replace(b"\n", b"\r\n")
    dry = simulate(services, None, raw, world.rep["mailbox_address"])
    real = apply_inbound_message(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                 provider_message_id="m-charset", message=InboundMessage.from_bytes(raw))
    assert dry["kind"] == real["kind"] == "human_reply"
    assert [(d["enrollment_id"], d["action"], d["reason"]) for d in dry["decisions"]] == \
        [(d["enrollment_id"], d["action"], d["reason"]) for d in real["decisions"]] == [(e["id"], "unenroll", "replied")]


def test_a_reply_after_a_hard_bounce_is_recorded_clears_the_mark_and_blocks_the_undo(
        services: ServiceContext, world: World, provider: str) -> None:
    from addin_server.services.errors import Conflict
    from addin_server.services.undoing import undo_unenrollment

    e = enroll(services, world)
    sent = sent_message_id(services, e["id"])
    deliver(services, world, provider, "hard_bounce.eml", in_reply_to=sent, message_id="m-bounce")
    assert state(services, world, e["id"])["end_reason"] == "bounced"
    deliver(services, world, provider, "human_reply.eml", in_reply_to=sent, message_id="m-reply")
    got = state(services, world, e["id"])
    assert got["end_reason"] == "bounced"
    assert "replied" in [ev["type"] for ev in got["events"]]
    # The reply proves the address receives mail.
    assert directory.get_contact(services, world.admin, world.contact["id"])["bounced"] is False
    with pytest.raises(Conflict) as refused:
        undo_unenrollment(services, world.admin, e["id"], why="the bounce was wrong")
    assert refused.value.code == "contact_replied"


def test_a_bounce_after_the_contact_replied_neither_marks_the_address_nor_blocks_an_undo(
        services: ServiceContext, world: World, provider: str) -> None:
    from addin_server.services.undoing import undo_unenrollment

    e = enroll(services, world)
    sent = sent_message_id(services, e["id"])
    deliver(services, world, provider, "human_reply.eml", in_reply_to=sent, message_id="m-reply")
    deliver(services, world, provider, "hard_bounce.eml", in_reply_to=sent, message_id="m-bounce")
    assert state(services, world, e["id"])["end_reason"] == "replied"
    assert directory.get_contact(services, world.admin, world.contact["id"])["bounced"] is False
    assert undo_unenrollment(services, world.admin, e["id"], why="the reply was misread")["status"] == "active"


def test_the_same_out_of_office_under_another_provider_id_is_recorded_once(
        services: ServiceContext, world: World, provider: str) -> None:
    e = enroll(services, world)
    sent = sent_message_id(services, e["id"])
    deliver(services, world, provider, "gmail_vacation.eml", in_reply_to=sent, message_id="m-ooo")
    copy = deliver(services, world, provider, "gmail_vacation.eml", in_reply_to=sent, message_id="m-ooo-copy")
    assert copy["already_processed"] is True and copy["decisions"] == []
    events = [ev["type"] for ev in state(services, world, e["id"])["events"]]
    assert events.count("out_of_office") == 1


# Outside attack r14, finding 7: the dry run of a notice already applied agrees with delivering it again.
def test_a_dry_run_of_an_out_of_office_already_applied_says_it_would_change_nothing(
        services: ServiceContext, world: World, provider: str) -> None:
    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    e = enroll(services, world)
    sent = sent_message_id(services, e["id"])
    deliver(services, world, provider, "exchange_automatic_reply.eml", in_reply_to=sent, message_id="m-ooo")
    before = state(services, world, e["id"])
    raw = render("exchange_automatic_reply.eml", sender=world.contact["email"], mailbox=world.rep["mailbox_address"],
                 in_reply_to=sent)
    dry = simulate(services, world.admin, raw, world.rep["mailbox_address"])
    assert dry["already_processed"] is True and dry["earlier"]["provider_message_id"] == "m-ooo"
    assert [(d["enrollment_id"], d["action"]) for d in dry["decisions"]] == [(e["id"], "nothing")]
    assert dry["address_updates"] == []
    copy = deliver(services, world, provider, "exchange_automatic_reply.eml", in_reply_to=sent, message_id="m-ooo-2")
    assert copy["already_processed"] is True and copy["decisions"] == []
    assert state(services, world, e["id"]) == before
