"""Issue #3: a meeting booked through a sequence email's link (/meet/<rep>?t=...) is put in the rep's
own calendar (Google Calendar or Outlook) with the contact invited, the calendar then shows the slot
as busy, and the booking page leaves out whatever the rep's calendar shows as busy.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services.free_busy import ProviderBusyTimes
from addin_server.services.meetings import BookingRep, booking_page_url, meeting_url_for
from tests.e2e.calendar.conftest import BookingPage
from tests.integration.calendar.support import CalendarWorld


def _link_of_first_email(world: CalendarWorld, enrollment_id: str) -> str:
    with world.ctx.sessions() as s:
        email_id = s.scalars(select(t.SequenceEmail.id).where(
            t.SequenceEmail.enrollment_id == int(enrollment_id))).one()
    return meeting_url_for(world.ctx.settings, email_id, world.rep["id"])


def _booking_rep(world: CalendarWorld) -> BookingRep:
    rep = world.rep
    return BookingRep(int(rep["id"]), world.admin.account_id, rep["name"], rep["email"], world.provider,
                      world.rep_address)


def _attendees(event: dict) -> set[str]:
    return {str(a.get("email") or (a.get("emailAddress") or {}).get("address")).lower()
            for a in event.get("attendees") or []}


def test_booking_through_the_sequence_link_creates_the_event_in_the_reps_calendar(world: CalendarWorld) -> None:
    jane = world.enroll()
    page = BookingPage(_link_of_first_email(world, jane["id"]))
    slot = page.slots[3]
    booked = page.book(slot, name="Jane Doe", email=str(world.contact["email"]))
    assert booked.status_code == 200, booked.text[:300]

    events = [e for e in world.calendar_events() if world.contact["email"] in _attendees(e)]
    assert len(events) == 1, "the meeting is in the rep's calendar with the contact invited"
    with world.ctx.sessions() as s:
        meeting = s.scalars(select(t.Meeting)).one()
    assert meeting.calendar_event_id == events[0]["id"] and meeting.source == "sequence_link"
    got = world.enrollment(jane["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "meeting_booked")

    busy = ProviderBusyTimes(world.ctx).busy(_booking_rep(world), slot - timedelta(hours=1), slot + timedelta(hours=1))
    assert (slot, slot + timedelta(minutes=30)) in busy, "the rep's calendar now shows the booked slot as busy"

    # The calendar then tells us about the event we made: it is this booking, not a second meeting.
    world.deliver_notifications()
    world.run_worker()
    assert world.count(t.Meeting) == 1
    assert [e["type"] for e in world.enrollment(jane["id"])["events"]].count("meeting_booked") == 1


def test_free_busy_from_the_reps_calendar_removes_busy_slots_from_the_booking_page(world: CalendarWorld) -> None:
    before = BookingPage(booking_page_url(world.ctx.settings, world.rep["id"]))
    busy, neighbour = before.slots[4], before.slots[5]
    world.add_busy_time(busy)
    after = BookingPage(booking_page_url(world.ctx.settings, world.rep["id"]))
    assert busy not in after.slots and neighbour in after.slots
    assert set(before.slots) - set(after.slots) == {busy}
