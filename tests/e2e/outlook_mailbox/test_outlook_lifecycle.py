"""Graph's lifecycle events for the inbox subscription: a late one about a subscription replaced
since is done at once; one about the current subscription that Graph has forgotten makes a new
subscription and catches up by delta.

Real msal, O365 and requests against the emulator's Microsoft side over loopback; no mocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services.grants import graph_for
from addin_server.services.graph.subscriptions import renew_graph_subscriptions
from addin_server.services.inbox_worker import process_due_notifications
from tests.e2e.outlook_mailbox.test_outlook_end_to_end import reply, sent_id, state
from tests.integration.emulator_microsoft.support import MicrosoftSetup


@pytest.fixture(autouse=True)
def _no_faults_left(setup: MicrosoftSetup) -> Iterator[None]:
    yield
    setup.control.clear_faults()


def subscription(w: dict[str, Any]) -> str:
    with w["ctx"].session() as s:
        return str(s.scalars(select(t.MailboxWatch.subscription_id)).one())


def lifecycle_notifications(w: dict[str, Any]) -> list[tuple[str, str, int]]:
    with w["ctx"].session() as s:
        return [(str(n.payload["lifecycleEvent"]), n.status, n.attempts) for n in s.scalars(
            select(t.InboundNotification).where(t.InboundNotification.provider == "graph_lifecycle")
            .order_by(t.InboundNotification.id))]


def inbox_subscriptions(setup: MicrosoftSetup) -> list[str]:
    return [s["id"] for s in setup.control.subscriptions()
            if s["mailbox"] == setup.address.lower() and s["resource"].lower().endswith("/messages")]


def test_a_late_reauthorization_for_a_replaced_subscription_is_done_never_dead_lettered(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    old = subscription(outlook)
    setup.control.notification_fault("delay", count=1, delay_seconds=60)
    setup.control.send_lifecycle(old, "reauthorizationRequired")  # held back by Graph for a minute
    setup.control.send_lifecycle(old, "subscriptionRemoved")
    setup.control.flush_notifications()
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    new = subscription(outlook)
    assert new != old

    setup.control.advance_clock(61)
    setup.control.flush_notifications()  # the reauthorization for the old subscription arrives now
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    assert lifecycle_notifications(outlook) == [("subscriptionRemoved", "done", 0),
                                                ("reauthorizationRequired", "done", 0)]
    assert subscription(outlook) == new and inbox_subscriptions(setup) == [new]


def forget_subscription(w: dict[str, Any], subscription_id: str) -> None:
    """Graph forgets the subscription (it lapsed, or an admin removed it)."""
    with w["ctx"].session() as s:
        graph = graph_for(w["ctx"].settings, s.scalars(select(t.User).where(t.User.id == int(w["rep"]["id"]))).one())
    try:
        graph.delete(subscription_id)
    finally:
        graph.close()


def test_a_reauthorization_for_the_current_subscription_graph_forgot_subscribes_again_and_catches_up(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    old = subscription(outlook)
    setup.control.send_lifecycle(old, "reauthorizationRequired")
    forget_subscription(outlook, old)
    setup.control.notification_fault("drop", count=1)  # the reply is never notified
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()

    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    new = subscription(outlook)
    assert new != old and inbox_subscriptions(setup) == [new]
    assert state(outlook)["end_reason"] == "replied"  # read by the catch-up that followed


def test_a_subscription_graph_forgot_found_at_renewal_is_made_again_and_what_arrived_is_caught_up(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    old = subscription(outlook)
    forget_subscription(outlook, old)
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()  # nobody is subscribed: nothing is notified
    with outlook["ctx"].session() as s:
        s.scalars(select(t.MailboxWatch)).one().subscription_expires_at = outlook["ctx"].now()
    assert renew_graph_subscriptions(outlook["ctx"]) == 1
    assert subscription(outlook) != old
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    assert state(outlook)["end_reason"] == "replied"
