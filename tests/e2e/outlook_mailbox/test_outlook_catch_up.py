"""Outlook's delta catch-up: every message the delta names is applied before the link past it is
stored, however many there are; a failure of the mailbox never moves the link past a message not
applied, and a message Graph refuses for good waits by itself (parked) while the link moves on.

Real msal, O365 and requests against the emulator's Microsoft side over loopback; no mocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.providers.graph import GraphError
from addin_server.services.graph.mailbox import graph_catch_up
from addin_server.services.inbox import record_notification
from addin_server.services.inbox_worker import process_due_notifications
from tests.integration.emulator_microsoft.support import MicrosoftSetup, rfc822

DELTA_ROUTE = "/graph/v1.0/users/*/messages/delta*"


@pytest.fixture(autouse=True)
def _no_faults_left(setup: MicrosoftSetup) -> Iterator[None]:
    yield
    setup.control.clear_faults()


def deliver_unannounced(setup: MicrosoftSetup, count: int, tag: str) -> list[dict[str, Any]]:
    """Messages from strangers that Graph never notifies (every notification dropped)."""
    setup.control.notification_fault("drop", count=count)
    return [setup.control.deliver(setup.address, rfc822(f"Hello {i}", sender=f"s{tag}{i}@elsewhere.test",
                                                        to=setup.address, message_id=f"<{tag}{i}@elsewhere.test>"),
                                  kind="note") for i in range(count)]


def applied(w: dict[str, Any]) -> int:
    with w["ctx"].session() as s:
        return int(s.scalar(select(func.count()).select_from(t.ProcessedMessage)) or 0)


def delta_link(w: dict[str, Any]) -> str | None:
    with w["ctx"].session() as s:
        return s.scalars(select(t.MailboxWatch.delta_link)).one()


def sweep(w: dict[str, Any], setup: MicrosoftSetup, key: str) -> None:
    record_notification(w["ctx"], provider="graph_delta", dedupe_key=key, mailbox_address=setup.address,
                        account_id=None, payload={"sweep": True})


def test_a_catch_up_of_more_than_five_hundred_unannounced_messages_applies_every_one(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    deliver_unannounced(setup, 560, "many")
    setup.control.flush_notifications()
    sweep(outlook, setup, "sweep:1")
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    assert applied(outlook) == 560
    # Nothing is left behind the stored link: a second catch-up finds nothing new.
    assert graph_catch_up(outlook["ctx"], setup.address) == 0


def test_a_catch_up_bounded_per_call_resumes_from_the_stored_link(setup: MicrosoftSetup,
                                                                 outlook: dict[str, Any]) -> None:
    deliver_unannounced(setup, 450, "bounded")
    first = graph_catch_up(outlook["ctx"], setup.address, limit=150)
    assert 150 <= first < 450
    with outlook["ctx"].session() as s:
        queued = s.scalars(select(t.InboundNotification.provider).where(
            t.InboundNotification.status == "pending")).all()
    assert queued == ["graph_delta"]  # the rest is handed on, never dropped
    while process_due_notifications(outlook["ctx"], "worker-1"):
        pass
    assert applied(outlook) == 450


def test_a_throttled_fetch_never_moves_the_delta_link_past_a_message_not_applied(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    delivered = deliver_unannounced(setup, 300, "failing")
    before = delta_link(outlook)
    broken = delivered[250]
    for key in ("id", "immutable_id"):  # throttled past every retry: the mailbox, not the message
        setup.control.inject_fault(f"/graph/v1.0/users/*/messages/{broken[key]}", 429, count=10, method="GET",
                                   retry_after=0)
    with pytest.raises(GraphError):
        graph_catch_up(outlook["ctx"], setup.address)
    done_before_failure = applied(outlook)
    assert 0 < done_before_failure < 300
    assert delta_link(outlook) != before  # the pages applied in full are behind us...
    setup.control.clear_faults()
    graph_catch_up(outlook["ctx"], setup.address)  # ...and the failed one is read again
    assert applied(outlook) == 300


def test_a_message_graph_refuses_for_good_is_parked_and_the_link_moves_past_it(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    delivered = deliver_unannounced(setup, 300, "failing")
    broken = delivered[250]
    for key in ("id", "immutable_id"):  # refused for good (a 400 is not retried)
        setup.control.inject_fault(f"/graph/v1.0/users/*/messages/{broken[key]}", 400, count=10, method="GET")
    assert graph_catch_up(outlook["ctx"], setup.address) == 299  # the messages after it are not held back
    assert graph_catch_up(outlook["ctx"], setup.address) == 0  # the link is past all of them
    with outlook["ctx"].session() as s:
        parked = s.scalars(select(t.InboundNotification).where(
            t.InboundNotification.provider == "graph_message")).one()
    assert parked.status == "pending" and parked.attempts == 1 and "400" in (parked.last_error or "")
    setup.control.clear_faults()
    # Never lost: the parked message is applied when its turn comes again.
    outlook["ctx"].clock = lambda: parked.next_attempt_at
    while process_due_notifications(outlook["ctx"], "worker-1"):
        pass
    assert applied(outlook) == 300


def test_an_expired_delta_link_is_answered_by_a_fresh_enumeration_that_loses_nothing(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    deliver_unannounced(setup, 30, "expired")
    setup.control.inject_fault(DELTA_ROUTE, 410, count=1, method="GET", code="SyncStateNotFound")
    assert graph_catch_up(outlook["ctx"], setup.address) == 30
    assert [f["hits"] for f in setup.control.faults()] == [1]
    assert applied(outlook) == 30
    deliver_unannounced(setup, 3, "after")
    assert graph_catch_up(outlook["ctx"], setup.address) == 3  # the new link follows on
