"""A mailbox's Graph notifications handled together: their messages fetched with $batch and applied
in one go, each notification with its own outcome (done, or retried when its part of the batch failed).

Real msal and requests against the emulator's Microsoft side over loopback; no mocks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services.inbox import requeue
from addin_server.services.inbox_worker import process_due_notifications
from tests.e2e.outlook_mailbox.test_outlook_end_to_end import reply, sent_id, state
from tests.integration.emulator_microsoft.support import MicrosoftSetup


def notifications(w: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    """The test's own notifications (not those of the first email's draft and sent copy)."""
    with w["ctx"].session() as s:
        return [(n.status, n.attempts, n.last_error) for n in s.scalars(
            select(t.InboundNotification).where(t.InboundNotification.provider == "graph",
                                                t.InboundNotification.id > w["notified_before"])
            .order_by(t.InboundNotification.id))]


def fail_fetch(setup: MicrosoftSetup, delivered: dict[str, Any], status: int) -> None:
    for key in ("id", "immutable_id"):
        setup.control.inject_fault(f"/graph/v1.0/users/*/messages/{delivered[key]}", status, count=5, method="GET")


def test_a_mailboxs_notifications_are_fetched_together_and_each_gets_its_outcome(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    sent = sent_id(outlook)
    gone = setup.control.deliver(setup.address, reply("gmail_vacation.eml", outlook, sent), kind="note")
    failing = setup.control.deliver(setup.address, reply("exchange_automatic_reply.eml", outlook, sent), kind="oof")
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent))
    setup.control.flush_notifications()
    fail_fetch(setup, gone, 404)  # deleted since Graph told us: nothing to retry
    fail_fetch(setup, failing, 500)

    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 2, "pending": 1}
    assert [(status, attempts) for status, attempts, _ in notifications(outlook)] == [
        ("done", 0), ("pending", 1), ("done", 0)]
    assert "500" in str(notifications(outlook)[1][2])
    got = state(outlook)
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")

    setup.control.clear_faults()
    with outlook["ctx"].session() as s:
        retry = s.scalars(select(t.InboundNotification.id).where(t.InboundNotification.status == "pending")).one()
    requeue(outlook["ctx"], [retry])
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    with outlook["ctx"].session() as s:
        kinds = sorted(s.scalars(select(t.ProcessedMessage.kind)))
    assert kinds == ["human_reply", "out_of_office"]  # the retried message applied once, after the reply


def test_a_mailbox_not_connected_any_more_parks_its_notifications(setup: MicrosoftSetup,
                                                                  outlook: dict[str, Any]) -> None:
    sent = sent_id(outlook)
    for fixture in ("human_reply.eml", "gmail_vacation.eml"):
        setup.control.deliver(setup.address, reply(fixture, outlook, sent))
    setup.control.flush_notifications()
    with outlook["ctx"].session() as s:
        s.scalars(select(t.User).where(t.User.id == int(outlook["rep"]["id"]))).one().mailbox_connected = False
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"parked": 2}
    assert [(status, attempts) for status, attempts, _ in notifications(outlook)] == [("pending", 0), ("pending", 0)]
    assert state(outlook)["status"] == "active"
