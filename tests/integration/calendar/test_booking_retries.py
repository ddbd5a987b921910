"""A provider that fails while a booking is put in the rep's calendar never loses the booking: the
meeting stands at once, and the worker creates the calendar event later (a calendar_create job)."""

from __future__ import annotations

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import meetings
from tests.integration.calendar.support import CalendarWorld


def _refuse_the_next_event_creation(world: CalendarWorld) -> None:
    if world.provider == "gmail":
        world.google.inject_fault("/calendar/v3/calendars/*/events", 400, method="POST", count=1)
    else:
        assert world.ms is not None
        world.ms.control.inject_fault("/graph/v1.0/users/*/events", 400, method="POST", count=1)


def test_a_booking_stands_when_the_calendar_fails_and_the_worker_puts_it_in_the_calendar_later(
        world: CalendarWorld) -> None:
    jane = world.enroll()
    with world.ctx.sessions() as s:  # Jane books through the link in her sequence email
        token = s.scalars(select(t.SequenceEmail.meeting_token).where(
            t.SequenceEmail.enrollment_id == int(jane["id"]))).first()
    page = meetings.booking_page(world.ctx, world.rep["id"], meeting_token=token)
    slot = page["days"][0]["slots"][0]["value"]
    _refuse_the_next_event_creation(world)

    booked = meetings.book_meeting(world.ctx, world.rep["id"], slot=slot, form_token=page["form_token"],
                                   meeting_token=token, name="Jane Doe", email=world.contact["email"])

    assert booked["meeting"]["calendar_event_id"] is None
    assert world.enrollment(jane["id"])["end_reason"] == "meeting_booked", "the booking counted at once"
    assert world.count(t.InboundNotification, provider="calendar_create", status="pending") == 1
    assert world.run_worker() == {"done": 1}
    with world.ctx.sessions() as s:
        event_id = s.scalars(select(t.Meeting.calendar_event_id)).one()
    assert event_id and event_id in {e["id"] for e in world.calendar_events()}
