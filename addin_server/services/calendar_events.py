"""Reps' calendars: the meetings they show, counted once, and what those meetings end.

The product sentences (each is a named test in tests/integration/calendar and tests/e2e/calendar):
- A new meeting in the rep's calendar with an enrolled contact as attendee (or as organiser: an
  invitation the contact sent) unenrolls the contact (meeting_booked) only when it is with the user
  who enrolled the contact: that rep organised it, or someone outside the account organised it and
  invited that rep (the rep is among its attendees; seeing it in the rep's calendar is not enough).
  Otherwise it is recorded and ends nothing. The sequence's settings apply as for
  every meeting (domain/meetings, rules.who_ends).
- An attendee who declined the event is not in the meeting: a contact who declined has booked
  nothing, and a rep who declined did not meet the contact.
- Each calendar event counts once (provider + calendar + event id), whatever the notifications do.
- Events that were in the calendar before we followed it are not new meetings.
- A meeting booked on a rep's page is put in the rep's calendar with the address typed invited; when the
  provider fails, the booking stands and the worker tries again; when the rep has no working
  calendar, the write waits (parked) until the rep connects again, and nothing pretends otherwise.
- The booking page leaves out the times the rep's calendar shows as busy.

Following is services/calendar_following.py with one follower per provider
(services/google_calendar, services/graph/calendar.py); booking into a calendar is
services/calendar_bookings.py, free/busy services/free_busy.py.

Google Calendar is followed by a watch channel whose notifications name the channel and carry its
token (kept hashed); Outlook by a Graph events subscription whose notifications arrive on the Graph
webhook with their clientState (kept hashed). Both are only hints: the worker reads the changes from
the stored cursor (Google's sync token; the newest lastModifiedDateTime read from Graph).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.meetings import MeetingFacts, MeetingSource, meeting_time_problem
from addin_server.domain.model import MailboxProvider
from addin_server.providers.google_calendar import event_end, event_start
from addin_server.providers.graph_calendar import graph_time
from addin_server.services.context import ServiceContext
from addin_server.services.grants import MailboxNotConnected, follow_row
from addin_server.services.lookup import find_contact_id
from addin_server.services.meeting_effects import SLOT_MINUTES, add_meeting, apply_meeting

log = logging.getLogger(__name__)

GOOGLE, GRAPH = "google", "graph"
CALENDAR_SOURCE = MeetingSource.CALENDAR.value
CALENDAR_ACTOR = "calendar"
# A full resync after a 410 reads no further back than this.
RESYNC_WINDOW = timedelta(days=7)
RESYNC_MARGIN = timedelta(hours=1)
# A calendar that could not be followed or renewed is tried again after this long.
RETRY_AFTER = timedelta(minutes=15)
# Providers stamp events with their own clock (Graph's emulator to the second): "created after we
# started following" allows this much difference between the clocks.
CLOCK_SKEW = timedelta(minutes=2)


def calendar_watch_row(s: Session, user: t.User) -> t.CalendarWatch:
    return follow_row(s, t.CalendarWatch, user)


def is_google(user: t.User) -> bool:
    return user.mailbox_provider == MailboxProvider.GMAIL.value


# An attendee who declined is not meeting anyone: the event is not a meeting with them (Google's
# attendee responseStatus and Graph's attendee status.response both say "declined").
DECLINED = "declined"


def _graph_response(attendee: dict[str, Any]) -> Any:
    status = attendee.get("status")
    return status.get("response") if isinstance(status, dict) else None


@dataclass(frozen=True)
class CalendarEvent:
    """One provider's event in the shape the meeting rules need (attendees: those who have not declined)."""

    provider: str
    calendar_id: str
    event_id: str
    title: str
    organizer: str | None
    attendees: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    created: datetime | None
    cancelled: bool

    @classmethod
    def from_google(cls, calendar_id: str, event: dict[str, Any]) -> CalendarEvent:
        found = event.get("organizer")
        organizer: dict[str, Any] = found if isinstance(found, dict) else {}
        attendees = [a.get("email") for a in event.get("attendees") or ()
                     if isinstance(a, dict) and a.get("responseStatus") != DECLINED]
        created = event.get("created")
        return cls(GOOGLE, calendar_id, str(event["id"]), str(event.get("summary") or ""),
                   try_normalize(str(organizer.get("email") or "")),
                   tuple(a for a in (try_normalize(str(x or "")) for x in attendees) if a),
                   event_start(event), event_end(event),
                   _instant(str(created)) if created else None, event.get("status") == "cancelled")

    @classmethod
    def from_graph(cls, calendar_id: str, event: dict[str, Any]) -> CalendarEvent:
        organizer = (event.get("organizer") or {}).get("emailAddress") or {}
        attendees = [((a.get("emailAddress") or {}).get("address")) for a in event.get("attendees") or ()
                     if isinstance(a, dict) and _graph_response(a) != DECLINED]
        created = event.get("createdDateTime")
        start, end = event.get("start"), event.get("end")
        return cls(GRAPH, calendar_id, str(event["id"]), str(event.get("subject") or ""),
                   try_normalize(str(organizer.get("address") or "")),
                   tuple(a for a in (try_normalize(str(x or "")) for x in attendees) if a),
                   graph_time(start) if isinstance(start, dict) else None,
                   graph_time(end) if isinstance(end, dict) else None,
                   _instant(str(created)) if created else None,
                   bool(event.get("isCancelled")) or bool(event.get("isDraft")))


@dataclass
class CalendarSync:
    seen: int = 0
    meetings: int = 0
    resynced: bool = False


def calendar_user(ctx: ServiceContext, user_id: int) -> tuple[t.User, t.CalendarWatch]:
    """The rep and their calendar watch, detached (read before a provider is asked)."""
    with ctx.sessions() as s:
        user = s.get(t.User, user_id)
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.user_id == user_id))
        if user is None or watch is None:
            raise MailboxNotConnected(f"no calendar is followed for rep {user_id}")
        s.expunge_all()
        return user, watch


def calendar_user_at(ctx: ServiceContext, address: str) -> int:
    """The rep whose calendar is followed at this address."""
    with ctx.sessions() as s:
        user_id = s.scalar(select(t.CalendarWatch.user_id).where(t.CalendarWatch.mailbox_address == address)
                           .order_by(t.CalendarWatch.id).limit(1))
    if user_id is None:
        raise MailboxNotConnected(f"no calendar is followed at {address}")
    return user_id


def apply_events(ctx: ServiceContext, user_id: int, events: Iterable[CalendarEvent], result: CalendarSync) -> None:
    """Each event read from a calendar, through the meeting rules, counted into `result`."""
    for event in events:
        result.seen += 1
        if apply_calendar_event(ctx, user_id, event) == "meeting":
            result.meetings += 1


def store_read(ctx: ServiceContext, watch_id: int, **cursor: Any) -> None:
    """A calendar read to its end: its new cursor (each provider's own columns), and active again."""
    with ctx.session() as s:
        row = s.get_one(t.CalendarWatch, watch_id)
        for name, value in cursor.items():
            setattr(row, name, value)
        row.last_synced_at, row.status, row.last_error = ctx.now(), "active", None


def mark_calendar(ctx: ServiceContext, user_id: int, status: str, error: str) -> None:
    with ctx.session() as s:
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.user_id == user_id))
        if watch is not None:
            watch.status, watch.last_error = status, error[:500]


# --- the meeting rules for calendar events ------------------------------------------------------


def apply_calendar_event(ctx: ServiceContext, user_id: int, event: CalendarEvent) -> str:
    """Record a new meeting seen in the rep's calendar, once, and end what the meeting rules say.

    Returns what happened: meeting, already_counted, our_booking, not_a_meeting, before_following,
    out_of_range (it starts outside the bound every surface holds meetings to).
    """
    if event.cancelled or event.start is None:
        return "not_a_meeting"
    now = ctx.now()
    if meeting_time_problem(event.start, now):
        # Not recorded: the same bound as a logged meeting; an event moved into range is read again.
        return "out_of_range"
    with ctx.session() as s:
        user = s.get_one(t.User, user_id)
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.user_id == user_id))
        if watch is not None and watch.following_since and event.created and event.created < watch.following_since:
            return "before_following"
        if _already_counted(s, event):
            return "already_counted"
        ours = s.scalar(select(t.Meeting.id).where(t.Meeting.user_id == user.id,
                                                   t.Meeting.calendar_event_id == event.event_id))
        if ours is not None:  # a meeting booked on our page and put in the calendar by us
            return "our_booking" if claim_event(s, user.account_id, event, ours, now) is not None else "already_counted"
        own = {user.mailbox_address} | set(s.scalars(select(t.UserAlias.address).where(
            t.UserAlias.user_id == user.id)))
        organiser = _organiser(s, user, event.organizer)
        # The contacts it is with: its attendees and, for an invitation a contact sent, its organiser.
        people = [a for a in event.attendees if a not in own]
        if organiser is None and event.organizer and event.organizer not in own:
            people.insert(0, event.organizer)
        contacts = _contacts_among(s, user.account_id, people)
        if not contacts:
            return "not_a_meeting"  # not recorded: an update that invites a contact is read again
        claimed = claim_event(s, user.account_id, event, None, now)
        if claimed is None:
            return "already_counted"
        if organiser is not None:
            with_reps, how = frozenset({organiser.id}), f"organised by {event.organizer}"
        else:
            # Someone outside the account (the contact) organised it: it is with the reps among its
            # attendees only. The owner of this calendar is not one of them by being its owner: a
            # delegate's copy or a forwarded event shows in a calendar whose owner is not invited.
            with_reps = frozenset(_reps_among(s, user.account_id, event.attendees))
            how = f"sent by {event.organizer or 'an unnamed organiser'}"
        meeting = t.Meeting(
            account_id=user.account_id, source=CALENDAR_SOURCE, user_id=organiser.id if organiser else user.id,
            start_time=event.start, end_time=event.end or event.start + timedelta(minutes=SLOT_MINUTES),
            title=(event.title or "Meeting")[:300], booker_email=event.organizer, calendar_event_id=event.event_id,
            logged_at=now)
        add_meeting(s, meeting, contacts)
        claimed.meeting_id = meeting.id
        facts = MeetingFacts(MeetingSource.CALENDAR, with_reps, tuple(c.id for c in contacts), now,
                             starts_at=event.start, organised_by_rep=organiser is not None,
                             how=f"{how}, seen in the calendar of {user.mailbox_address}")
        apply_meeting(s, meeting, facts, contacts, CALENDAR_ACTOR, now)
        return "meeting"


def _already_counted(s: Session, event: CalendarEvent) -> bool:
    return s.scalar(select(t.ProcessedCalendarEvent.id).where(
        t.ProcessedCalendarEvent.provider == event.provider, t.ProcessedCalendarEvent.calendar_id == event.calendar_id,
        t.ProcessedCalendarEvent.event_id == event.event_id)) is not None


def claim_event(s: Session, account_id: int, event: CalendarEvent, meeting_id: int | None,
           now: datetime) -> t.ProcessedCalendarEvent | None:
    """The idempotency key: None when another worker counted this event first."""
    row = t.ProcessedCalendarEvent(account_id=account_id, provider=event.provider,
                                   calendar_id=event.calendar_id[:320], event_id=event.event_id[:255],
                                   meeting_id=meeting_id, processed_at=now)
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        return None
    return row


def _contacts_among(s: Session, account_id: int, addresses: Iterable[str]) -> list[t.Contact]:
    found: dict[int, None] = {}
    for address in addresses:
        contact_id = find_contact_id(s, account_id, address)
        if contact_id is not None:
            found.setdefault(contact_id, None)
    return [s.get_one(t.Contact, cid) for cid in found]


def _reps_among(s: Session, account_id: int, addresses: Iterable[str]) -> set[int]:
    """The account's reps among these addresses (mailbox, sign-in address or alias)."""
    wanted = set(addresses)
    if not wanted:
        return set()
    found = set(s.scalars(select(t.User.id).where(
        t.User.account_id == account_id, t.User.mailbox_address.in_(wanted) | t.User.email.in_(wanted))))
    found |= set(s.scalars(select(t.UserAlias.user_id).where(
        t.UserAlias.account_id == account_id, t.UserAlias.address.in_(wanted))))
    return found


def _organiser(s: Session, calendar_owner: t.User, address: str | None) -> t.User | None:
    """The rep of this account who organised the meeting (by mailbox, alias or sign-in address)."""
    if not address:
        return None
    if address in (calendar_owner.mailbox_address, calendar_owner.email):
        return calendar_owner
    user = s.scalar(select(t.User).where(
        t.User.account_id == calendar_owner.account_id,
        (t.User.mailbox_address == address) | (t.User.email == address)).order_by(t.User.id).limit(1))
    if user is None:
        owner = s.scalar(select(t.UserAlias.user_id).where(t.UserAlias.address == address).limit(1))
        candidate = s.get(t.User, owner) if owner else None
        user = candidate if candidate is not None and candidate.account_id == calendar_owner.account_id else None
    return user


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
