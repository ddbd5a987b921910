"""Booking into the rep's calendar: a meeting booked on our page is put in the rep's calendar with
the address typed invited; when the provider fails, the booking stands and the worker tries again;
when the rep has no working calendar, the write waits (parked) until the rep connects again, and
nothing pretends otherwise."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from addin_server.db import tables as t
from addin_server.providers.google_calendar import booking_event_id
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.services.calendar_events import GOOGLE, GRAPH, CalendarEvent, claim_event, is_google, mark_calendar
from addin_server.services.context import ServiceContext
from addin_server.services.google_calendar import following as google_following
from addin_server.services.grants import MailboxNotConnected, calendar_connected
from addin_server.services.graph import calendar as graph_calendar
from addin_server.services.inbox import record_notification
from addin_server.services.meeting_effects import SLOT_MINUTES

log = logging.getLogger(__name__)

# The inbox kind of a booking waiting to be written.
CALENDAR_CREATE = "calendar_create"


@dataclass(frozen=True)
class CalendarWrite:
    """Where a booking stands with the rep's calendar: added (with the event id), retrying (the
    provider failed; the worker tries again) or waiting_for_calendar (no working calendar: the
    write waits for the rep to connect, and the rep sees the booking waiting in the app)."""

    state: str
    event_id: str | None = None


def add_booking_to_calendar(ctx: ServiceContext, meeting_id: int) -> CalendarWrite:
    """Put a meeting booked on our page in the rep's calendar, or queue the write. Never silent.

    A provider failure queues a `calendar_create` job the worker retries with backoff; a rep
    without a working calendar (never connected, or the grant revoked) gets the same job, parked
    until the mailbox is connected again, when it runs at once.
    """
    with ctx.sessions() as s:
        meeting = s.get(t.Meeting, meeting_id)
        user = s.get(t.User, meeting.user_id) if meeting is not None else None
        if meeting is None or user is None:
            raise ValueError(f"no meeting {meeting_id}")
        user_id, account_id, address = user.id, user.account_id, user.mailbox_address
        connected = calendar_connected(s, user)
    state, error = "waiting_for_calendar", f"the calendar of {address} is not connected"
    if connected:
        try:
            return CalendarWrite("added", create_booked_event(ctx, meeting_id))
        except (MailboxNotConnected, GraphGrantRevoked) as exc:
            # The grant was revoked since: the booking page says so from now on.
            error = f"{type(exc).__name__}: {exc}"
            mark_calendar(ctx, user_id, "disconnected", error)
        except Exception as exc:  # noqa: BLE001 - any provider failure is retried by the worker
            log.warning("could not put meeting %s in the calendar of %s: %s", meeting_id, address, exc)
            state, error = "retrying", f"{type(exc).__name__}: {exc}"
    record_notification(ctx, provider=CALENDAR_CREATE, dedupe_key=f"meeting:{meeting_id}",
                        mailbox_address=address, account_id=account_id,
                        payload={"meeting_id": meeting_id, "first_error": error[:500]})
    return CalendarWrite(state)


def create_booked_event(ctx: ServiceContext, meeting_id: int) -> str:
    """Create the booked meeting's event in the rep's calendar (once) and keep its id on the meeting."""
    with ctx.sessions() as s:
        meeting = s.get_one(t.Meeting, meeting_id)
        if meeting.calendar_event_id:
            return meeting.calendar_event_id
        user = s.get_one(t.User, meeting.user_id)
        s.expunge_all()
    attendee = meeting.booker_email or ""
    end = meeting.end_time or meeting.start_time + timedelta(minutes=SLOT_MINUTES)
    google = is_google(user)
    write = google_following.write_booking if google else graph_calendar.write_booking
    event_id = write(ctx, user, event_id=booking_event_id(ctx.settings.secret_key, meeting.id),
                     summary=meeting.title or f"Meeting with {meeting.booker_name or attendee}",
                     description=f"Booked by {meeting.booker_name or attendee} <{attendee}> on your booking page.",
                     start=meeting.start_time, end=end,
                     attendee_email=attendee, attendee_name=meeting.booker_name or attendee)
    with ctx.session() as s:
        row = s.get_one(t.Meeting, meeting_id)
        row.calendar_event_id = event_id
        # When the calendar tells us about this event, it is already counted: it is this booking.
        claim_event(s, row.account_id, CalendarEvent(GOOGLE if google else GRAPH, user.mailbox_address, event_id, "",
                                                     None, (), None, None, None, False), row.id, ctx.now())
    return event_id
