"""One message an Outlook mailbox cannot serve never holds back the mailbox (issue 14, item 7).

Real msal and requests against the emulator's Graph: through notifications and through the delta
catch-up, the bad message waits by itself with its error and the reply behind it is applied at once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import directory, enrollments
from addin_server.services.inbox import inbox_listing
from addin_server.worker.loop import run_due_steps
from tests.e2e.outlook_mailbox.test_outlook_end_to_end import reply, sent_id, state
from tests.integration.emulator_microsoft.support import MicrosoftSetup

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


def charset_reply(w: dict[str, Any], in_reply_to: str, sender: str, n: str) -> bytes:
    data = (FIXTURES / "unknown_charset_reply.eml").read_bytes()
    for key, value in {"sender": sender, "mailbox": w["rep"]["mailbox_address"], "in_reply_to": in_reply_to,
                       "n": n, "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        data = data.replace(b"{" + key.encode() + b"}", value.encode())
    return data.replace(b"\n", b"\r\n")


def refuse_message(setup: MicrosoftSetup, delivered: dict[str, Any]) -> None:
    """Graph answers every read of this one message with an error, under either of its ids."""
    for mid in {delivered["id"], delivered["immutable_id"]}:
        setup.control.inject_fault(f"*/messages/{mid}*", 400, count=1000, code="ErrorInvalidRequest")


def second_enrollment(w: dict[str, Any]) -> dict[str, Any]:
    ctx, admin = w["ctx"], w["admin"]
    other = directory.create_contact(ctx, admin, email="raj@fabrikam.test", first_name="Raj")
    return enrollments.enroll(ctx, admin, sequence_id=w["enrollment"]["sequence_id"], contact_id=other["id"],
                              sender_user_id=w["rep"]["id"])


def sent_of(w: dict[str, Any], enrollment_id: str) -> str:
    with w["ctx"].session() as s:
        return s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(enrollment_id))).one()


def test_a_reply_in_an_unknown_charset_is_fetched_and_applied(setup: MicrosoftSetup,
                                                             outlook: dict[str, Any]) -> None:
    setup.control.deliver(setup.address, charset_reply(outlook, sent_id(outlook), outlook["contact"]["email"], "1"))
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    assert (state(outlook)["status"], state(outlook)["end_reason"]) == ("unenrolled", "replied")


def test_a_notified_message_graph_cannot_serve_waits_alone_and_the_reply_behind_it_applies(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    other = second_enrollment(outlook)
    poison = setup.control.deliver(setup.address, charset_reply(outlook, sent_of(outlook, other["id"]),
                                                                "raj@fabrikam.test", "2"))
    refuse_message(setup, poison)
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    assert state(outlook)["end_reason"] == "replied"
    waiting = [r for r in inbox_listing(outlook["ctx"]) if r["status"] == "pending" and r["attempts"] > 0]
    assert len(waiting) == 1 and "400" in waiting[0]["last_error"]
    assert enrollments.get_enrollment(outlook["ctx"], outlook["admin"], other["id"])["status"] == "active"

    setup.control.clear_faults()
    later = outlook["ctx"].now() + timedelta(minutes=10)
    outlook["ctx"].clock = lambda: later
    run_due_steps(outlook["ctx"])
    assert enrollments.get_enrollment(outlook["ctx"], outlook["admin"], other["id"])["end_reason"] == "replied"


def test_the_delta_catch_up_parks_a_message_graph_cannot_serve_and_stores_its_link(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    other = second_enrollment(outlook)
    with outlook["ctx"].session() as s:
        link_before, subscription = s.execute(select(t.MailboxWatch.delta_link, t.MailboxWatch.subscription_id)).one()
    setup.control.notification_fault("drop", count=2)
    poison = setup.control.deliver(setup.address, charset_reply(outlook, sent_of(outlook, other["id"]),
                                                                "raj@fabrikam.test", "3"))
    refuse_message(setup, poison)
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()
    setup.control.send_lifecycle(subscription, "missed")
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])

    assert state(outlook)["end_reason"] == "replied"
    with outlook["ctx"].session() as s:
        assert s.scalars(select(t.MailboxWatch.delta_link)).one() != link_before
    parked = [r for r in inbox_listing(outlook["ctx"]) if r["provider"] == "graph_message"]
    assert len(parked) == 1 and parked[0]["attempts"] == 1 and "400" in parked[0]["last_error"]
    assert parked[0]["message_id"]
    assert [r for r in inbox_listing(outlook["ctx"]) if r["provider"] == "graph_lifecycle"] == []

    setup.control.clear_faults()
    later = outlook["ctx"].now() + timedelta(minutes=5)
    outlook["ctx"].clock = lambda: later
    run_due_steps(outlook["ctx"])
    assert enrollments.get_enrollment(outlook["ctx"], outlook["admin"], other["id"])["end_reason"] == "replied"
    assert [r for r in inbox_listing(outlook["ctx"]) if r["provider"] == "graph_message"] == []
