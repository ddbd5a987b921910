"""Following a rep's calendar: 410 recovery, what counts as new, renewals, and failures that do not
fail the mailbox connection. Through the emulator, with our webhooks served on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server.db import tables as t
from addin_server.services.calendar_following import keep_calendars_followed, renew_calendar_watches
from addin_server.services.grants import graph_for
from tests.integration.calendar.support import CalendarWorld, MovableClock, calendar_world, fixture


def _soon() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def _meeting_before_following(google: GoogleEmulatorControl, address: str, clock: MovableClock) -> None:
    """A meeting with Jane is already in the calendar ten minutes before the rep connects."""
    n = address.partition("@")[2].removeprefix("acme").removesuffix(".test")  # the world's number
    start = _soon()
    google.add_calendar_event(address, fixture(
        "google-event-meeting.json", start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        end=(start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), organizer=address, rep=address,
        contact=f"jane.doe@globex{n}.test"))
    clock.advance(minutes=10)


@pytest.fixture
def world_with_an_older_meeting(emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world("gmail", emulator, database_url, before_connect=_meeting_before_following) as made:
        # The emulator's clock catches up with ours: Google's later events are created after we followed.
        made.google.advance_clock(10 * 60)
        yield made


def test_an_expired_sync_token_is_recovered_by_a_bounded_full_sync(google_world: CalendarWorld) -> None:
    jane = google_world.enroll()
    token_before = google_world.watch().sync_token
    google_world.google.invalidate_sync_tokens(google_world.rep_address)
    google_world.add_meeting(_soon())
    google_world.deliver_notifications()
    assert google_world.run_worker() == {"done": 1}
    got = google_world.enrollment(jane["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "meeting_booked")
    watch = google_world.watch()
    assert watch.sync_token and watch.sync_token != token_before and watch.status == "active"
    # The new token works: the next change is read incrementally.
    google_world.add_busy_time(_soon() + timedelta(hours=2))
    google_world.deliver_notifications()
    assert google_world.run_worker() == {"done": 1}


def test_meetings_already_in_the_calendar_before_following_are_not_new_meetings(
        world_with_an_older_meeting: CalendarWorld) -> None:
    w = world_with_an_older_meeting
    jane = w.enroll()
    # A 410 makes the worker read every event of the window again, the older meeting with Jane included.
    w.google.invalidate_sync_tokens(w.rep_address)
    w.add_busy_time(_soon() + timedelta(hours=4))
    w.deliver_notifications()
    w.run_worker()
    assert w.enrollment(jane["id"])["status"] == "active"
    assert w.count(t.Meeting, source="calendar") == 0
    w.add_meeting(_soon() + timedelta(hours=1))
    w.deliver_notifications()
    w.run_worker()
    assert w.enrollment(jane["id"])["end_reason"] == "meeting_booked"


def test_a_google_channel_is_renewed_by_a_new_channel_before_it_expires(google_world: CalendarWorld) -> None:
    jane = google_world.enroll()
    old = google_world.watch()
    google_world.clock.advance(days=6, hours=1)
    assert renew_calendar_watches(google_world.ctx) == 1
    new = google_world.watch()
    assert new.channel_id != old.channel_id and new.channel_token_hash != old.channel_token_hash
    assert new.expires_at and old.expires_at and new.expires_at > old.expires_at
    google_world.deliver_notifications()  # the new channel's "sync"
    google_world.add_meeting(_soon())
    queued = [n for n in google_world.google.notifications(kind="calendar") if n["status"] == "queued"]
    assert {n["headers"]["X-Goog-Channel-ID"] for n in queued} == {new.channel_id}, "the old channel is stopped"
    assert google_world.deliver_notifications() == [200]
    google_world.run_worker()
    assert google_world.enrollment(jane["id"])["end_reason"] == "meeting_booked"


def test_a_graph_events_subscription_is_renewed_before_it_expires(outlook_world: CalendarWorld) -> None:
    assert outlook_world.ms is not None
    old = outlook_world.watch()
    outlook_world.clock.advance(days=2)
    # The renewal is Graph's PATCH: while Graph fails it, the error is kept and the next pass retries.
    outlook_world.ms.control.inject_fault("/graph/v1.0/subscriptions/*", 400, method="PATCH", count=1)
    assert renew_calendar_watches(outlook_world.ctx) == 0
    assert "400" in str(outlook_world.watch().last_error)
    outlook_world.clock.advance(minutes=16)
    assert renew_calendar_watches(outlook_world.ctx) == 1
    new = outlook_world.watch()
    assert new.subscription_id == old.subscription_id and new.status == "active"
    assert new.expires_at and old.expires_at and new.expires_at >= old.expires_at


def test_a_graph_events_subscription_graph_forgot_is_recreated(outlook_world: CalendarWorld) -> None:
    jane = outlook_world.enroll()
    old = outlook_world.watch()
    with outlook_world.ctx.sessions() as s:
        graph = graph_for(outlook_world.ctx.settings, s.get_one(t.User, int(outlook_world.rep["id"])))
    graph.delete(str(old.subscription_id))
    graph.close()
    outlook_world.clock.advance(days=2)
    assert renew_calendar_watches(outlook_world.ctx) == 1
    new = outlook_world.watch()
    assert new.subscription_id != old.subscription_id and new.status == "active"
    outlook_world.add_meeting(_soon())
    assert outlook_world.deliver_notifications() == [202]
    outlook_world.run_worker()
    assert outlook_world.enrollment(jane["id"])["end_reason"] == "meeting_booked"


def _calendar_refuses_channels(google: GoogleEmulatorControl, address: str, clock: MovableClock) -> None:
    google.inject_fault("/calendar/v3/calendars/*/events/watch", 400, count=1)


def test_a_calendar_that_cannot_be_followed_does_not_fail_the_mailbox_connection(
        emulator: RunningEmulator, database_url: str) -> None:
    with calendar_world("gmail", emulator, database_url, before_connect=_calendar_refuses_channels) as w:
        assert w.connected["history_id"], "the mailbox is connected"
        assert w.connected["calendar"]["status"] == "failed"
        assert w.watch().status == "failed" and "400" in str(w.watch().last_error)
        assert renew_calendar_watches(w.ctx) == 0, "not at once: after a pause"
        w.clock.advance(minutes=16)
        assert renew_calendar_watches(w.ctx) == 1, "the renewal pass follows it again"
        assert w.watch().status == "active" and w.watch().channel_id


def test_graph_lifecycle_events_of_the_events_subscription_are_handled_apart_from_the_inbox(
        outlook_world: CalendarWorld) -> None:
    assert outlook_world.ms is not None
    jane = outlook_world.enroll()
    old = outlook_world.watch()
    with outlook_world.ctx.sessions() as s:
        inbox_subscription = s.scalars(select(t.MailboxWatch.subscription_id)).one()
    outlook_world.ms.control.send_lifecycle(str(old.subscription_id), "reauthorizationRequired")
    outlook_world.ms.control.send_lifecycle(str(old.subscription_id), "subscriptionRemoved")
    outlook_world.deliver_notifications()
    assert outlook_world.run_worker() == {"done": 2}
    new = outlook_world.watch()
    assert new.subscription_id != old.subscription_id and new.status == "active"
    with outlook_world.ctx.sessions() as s:
        assert s.scalars(select(t.MailboxWatch.subscription_id)).one() == inbox_subscription
    outlook_world.add_meeting(_soon())
    outlook_world.deliver_notifications()
    outlook_world.run_worker()
    assert outlook_world.enrollment(jane["id"])["end_reason"] == "meeting_booked"


def test_a_lost_calendar_notification_is_caught_by_the_sweep(world: CalendarWorld) -> None:
    jane = world.enroll()
    if world.provider == "gmail":
        world.google.notification_fault("drop", count=1)
    else:
        assert world.ms is not None
        world.ms.control.notification_fault("drop", count=1)
    world.add_meeting(_soon())
    world.deliver_notifications()
    assert world.run_worker() == {}, "nothing arrived"
    world.clock.advance(minutes=world.ctx.settings.sweep_minutes + 1)
    assert keep_calendars_followed(world.ctx)["swept"] == 1
    world.run_worker()
    assert world.enrollment(jane["id"])["end_reason"] == "meeting_booked"
