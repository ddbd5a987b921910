"""Every kind of notification the product keeps in its inbox has one handler, and every provider
follows mailboxes and calendars through the one Follower interface."""

from __future__ import annotations

import pytest

from addin_server.services.calendar_bookings import CALENDAR_CREATE
from addin_server.services.calendar_following import CALENDAR_SWEEP
from addin_server.services.following import Follower
from addin_server.services.gmail.following import GMAIL, GMAIL_PUSH
from addin_server.services.google_calendar.following import GOOGLE_CALENDAR, GOOGLE_CALENDAR_FOLLOWER
from addin_server.services.graph.calendar import GRAPH_CALENDAR
from addin_server.services.graph.mailbox import GRAPH_DELTA
from addin_server.services.graph.notices import GRAPH_CHANGE, GRAPH_LIFECYCLE
from addin_server.services.graph.subscriptions import GRAPH_MAIL, GRAPH_SUBSCRIBE
from addin_server.services.inbox import PARKED_MESSAGE_KINDS
from addin_server.services.inbox_worker import HANDLERS, MAILBOX_FOLLOWERS

RECORDED_KINDS = {
    GMAIL_PUSH: "a Gmail push (or a sweep) reads the mailbox's history from its cursor",
    PARKED_MESSAGE_KINDS["gmail"]: "a parked Gmail message is tried again on its own",
    PARKED_MESSAGE_KINDS["outlook"]: "a parked Outlook message is tried again on its own",
    GRAPH_CHANGE: "a Graph change notification reads its message, or its calendar",
    GRAPH_LIFECYCLE: "a Graph lifecycle event reauthorizes, recreates or catches up its subscription",
    GRAPH_DELTA: "a delta catch-up resumes from the stored link",
    GRAPH_SUBSCRIBE: "a deferred inbox subscription is made",
    GOOGLE_CALENDAR: "a calendar channel notification reads the calendar from its sync token",
    CALENDAR_SWEEP: "a quiet calendar is read again",
    CALENDAR_CREATE: "a booking waiting for the rep's calendar is written",
}


@pytest.mark.parametrize("kind", sorted(RECORDED_KINDS), ids=lambda k: RECORDED_KINDS[k])
def test_every_recorded_kind_has_a_handler(kind: str) -> None:
    assert kind in HANDLERS


def test_the_table_handles_nothing_the_product_never_records() -> None:
    assert set(HANDLERS) == set(RECORDED_KINDS)


@pytest.mark.parametrize("follower", [GMAIL, GRAPH_MAIL, GOOGLE_CALENDAR_FOLLOWER, GRAPH_CALENDAR],
                         ids=["gmail", "graph mail", "google calendar", "graph calendar"])
def test_each_provider_follows_through_the_one_interface(follower: Follower) -> None:
    for method in ("follow", "renew", "catch_up", "lifecycle"):
        assert callable(getattr(follower, method))


def test_the_presend_read_reaches_each_mailbox_provider() -> None:
    assert MAILBOX_FOLLOWERS == {"gmail": GMAIL, "outlook": GRAPH_MAIL}
