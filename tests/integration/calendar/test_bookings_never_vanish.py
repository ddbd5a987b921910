"""Issue #14: bookings never vanish. A booking page for a rep without a working calendar (never
connected, or the grant revoked) says so; a booking there stands, tells the booker and the rep that it
is not in the calendar yet, and is written into the calendar once the rep connects again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import meetings
from addin_server.services.app_pages import account_settings
from addin_server.services.context import Principal
from addin_server.services.free_busy import ProviderBusyTimes
from addin_server.services.mailboxes import connect_gmail
from tests.integration.calendar.support import CalendarWorld


def _book(world: CalendarWorld, rep: dict[str, Any], *, email: str = "pat@example.org",
          enrollment_id: str | None = None) -> dict[str, Any]:
    """Book the first free slot; through the link in the enrollment's first email when given."""
    token = None
    if enrollment_id is not None:
        with world.ctx.sessions() as s:
            token = s.scalars(select(t.SequenceEmail.meeting_token).where(
                t.SequenceEmail.enrollment_id == int(enrollment_id))).first()
    page = meetings.booking_page(world.ctx, rep["id"], meeting_token=token)
    slot = page["days"][0]["slots"][0]["value"]
    return meetings.book_meeting(world.ctx, rep["id"], slot=slot, form_token=page["form_token"], name="Pat",
                                 email=email, meeting_token=token)


def _as_rep(world: CalendarWorld, rep: dict[str, Any]) -> Principal:
    return Principal(account_id=world.admin.account_id, label="rep", user_id=int(rep["id"]), role="user")


def test_a_rep_with_a_connected_calendar_gets_the_booking_in_the_calendar(world: CalendarWorld) -> None:
    assert meetings.booking_page(world.ctx, world.rep["id"])["calendar_connected"] is True
    booked = _book(world, world.rep)
    assert booked["calendar"] == "added" and booked["meeting"]["calendar_event_id"]
    assert account_settings(world.ctx, _as_rep(world, world.rep))["bookings_waiting"] == []


def test_a_booking_page_of_a_rep_whose_calendar_is_not_connected_says_so_and_the_booking_waits(
        world: CalendarWorld) -> None:
    page = meetings.booking_page(world.ctx, world.other_rep["id"])
    assert page["calendar_connected"] is False, "Otto never connected his mailbox"
    booked = _book(world, world.other_rep)
    assert booked["calendar"] == "waiting_for_calendar" and booked["meeting"]["calendar_event_id"] is None
    assert world.count(t.Meeting) == 1, "the booking stands"
    assert world.count(t.InboundNotification, provider="calendar_create", status="pending") == 1
    waiting = account_settings(world.ctx, _as_rep(world, world.other_rep))["bookings_waiting"]
    assert [(w["booker_name"], w["booker_email"]) for w in waiting] == [("Pat", "pat@example.org")]


def test_a_booking_after_the_grant_was_revoked_waits_and_reaches_the_calendar_once_reconnected(
        google_world: CalendarWorld) -> None:
    world = google_world
    assert world.google.revoke(address=world.rep_address) >= 1
    jane = world.enroll()
    booked = _book(world, world.rep, email=str(world.contact["email"]), enrollment_id=jane["id"])
    assert booked["calendar"] == "waiting_for_calendar"
    assert world.enrollment(jane["id"])["end_reason"] == "meeting_booked", "the booking counted at once"
    assert meetings.booking_page(world.ctx, world.rep["id"])["calendar_connected"] is False
    assert account_settings(world.ctx, _as_rep(world, world.rep))["bookings_waiting"]
    world.run_worker()  # the write waits for the calendar, without using up its retries
    assert world.count(t.InboundNotification, provider="calendar_create", status="pending") == 1

    box = world.google.create_mailbox(world.rep_address)
    connect_gmail(world.ctx, world.admin, world.rep["id"], box["refresh_token"])
    world.run_worker()
    with world.ctx.sessions() as s:
        event_id = s.scalars(select(t.Meeting.calendar_event_id)).one()
    assert event_id and event_id in {e["id"] for e in world.calendar_events()}
    assert account_settings(world.ctx, _as_rep(world, world.rep))["bookings_waiting"] == []


def test_a_booking_page_that_finds_the_grant_revoked_says_so_from_then_on(google_world: CalendarWorld) -> None:
    world = google_world
    busy = ProviderBusyTimes(world.ctx)
    assert meetings.booking_page(world.ctx, world.rep["id"], busy_times=busy)["calendar_connected"] is True
    world.google.revoke(address=world.rep_address)
    meetings.booking_page(world.ctx, world.rep["id"], busy_times=busy)  # free/busy finds the grant revoked
    assert world.watch().status == "disconnected"
    assert meetings.booking_page(world.ctx, world.rep["id"], busy_times=busy)["calendar_connected"] is False
