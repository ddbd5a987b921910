"""Meetings: logged by a rep, or booked on a rep's public booking page; recording them and applying
what the meeting rules (domain/meetings.py, one named case per product sentence) decide they end.

This module gathers the facts (the meeting, the contacts it is associated with, their open
enrollments and their companies') and applies the outcome: a `meeting_booked` event on every
enrollment the meeting counts for, then the endings `rules.who_ends` gives (the precedence replies
use too).

Booking pages: /meet/<key> where <key> is the rep's user id and a keyed digest of it, so pages
cannot be found by counting ids (a bare id, or another rep's digest, finds no page); the web layer
reads the key, and these functions take the rep's id. Free slots are
the next five working days, 9:00-17:00 UTC in 30-minute slots, minus the rep's busy times (the
`BusyTimes` port; the default knows of none) and minus meetings already booked with the rep here.
Bookings with one rep are serialised (a row lock), so two people cannot take the same slot; the same
person sending the same booking twice gets the first one back. The public form carries a signed form token bound to the
rep's page (and to the sequence email's link when there is one), valid for four hours. A meeting token
counts only on the page of the rep it was minted for. A rep without a working calendar: the page says
so, and the booking stands and waits for the calendar (services/calendar_bookings.add_booking_to_calendar).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from addin_server.auth.errors import AuthError
from addin_server.auth.signed_links import booking_page_key, make_meeting_token, read_meeting_token
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.addresses import InvalidAddress, normalize
from addin_server.domain.meetings import MeetingFacts, MeetingSource, meeting_time_problem
from addin_server.domain.permissions import Action
from addin_server.services.calendar_bookings import add_booking_to_calendar
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned, parse_id, present
from addin_server.services.enrollment_records import enrollment_views, iso_z
from addin_server.services.errors import Conflict, Invalid, NotFound, ServiceError
from addin_server.services.grants import calendar_connected
from addin_server.services.lookup import find_contact_id
from addin_server.services.meeting_effects import SLOT_MINUTES, add_meeting, apply_meeting
from addin_server.services.permissions import authorize

WORKING_DAYS_SHOWN = 5
DAY_STARTS, DAY_ENDS = time(9, 0), time(17, 0)
# A booking form is good for this long after the page was shown.
FORM_MAX_AGE_SECONDS = 4 * 3600
LOGGED_SOURCES = (MeetingSource.LOGGED.value, MeetingSource.CONTACT_RECORD.value)
CONTACT_ACTOR = "contact"


class BadBookingForm(ServiceError):
    """The booking form was not one we showed, or is too old: show the page again."""

    status = 400
    code = "bad_booking_form"


# --- busy times (the calendar port) ------------------------------------------------------------


@dataclass(frozen=True)
class BookingRep:
    """The rep whose calendar a booking page shows."""

    id: int
    account_id: int
    name: str
    email: str
    mailbox_provider: str
    mailbox_address: str


class BusyTimes(Protocol):
    def busy(self, user: BookingRep, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The rep's busy intervals overlapping [start, end) (Google free/busy, Graph getSchedule)."""
        ...


class NoBusyTimes:
    """The default until a calendar provider is wired: the rep is free all working hours."""

    def busy(self, user: BookingRep, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        return []


def working_slots(now: datetime, days: int = WORKING_DAYS_SHOWN) -> list[tuple[datetime, datetime]]:
    """Every 30-minute slot from 9:00 to 17:00 UTC on the next `days` working days, after `now`."""
    slots: list[tuple[datetime, datetime]] = []
    day: date = now.astimezone(UTC).date()
    counted = 0
    while counted < days:
        start = datetime.combine(day, DAY_STARTS, tzinfo=UTC)
        end_of_day = datetime.combine(day, DAY_ENDS, tzinfo=UTC)
        # A working day counts while some of its working hours are still ahead.
        if day.weekday() < 5 and end_of_day - timedelta(minutes=SLOT_MINUTES) > now:
            counted += 1
            while start + timedelta(minutes=SLOT_MINUTES) <= end_of_day:
                if start > now:
                    slots.append((start, start + timedelta(minutes=SLOT_MINUTES)))
                start += timedelta(minutes=SLOT_MINUTES)
        day += timedelta(days=1)
    return slots


def free_slots(slots: Iterable[tuple[datetime, datetime]],
               busy: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The slots that overlap no busy interval."""
    busy = list(busy)
    return [(s, e) for s, e in slots if not any(b0 < e and s < b1 for b0, b1 in busy)]


# --- links in sequence emails ------------------------------------------------------------------


def booking_page_url(settings: Settings, rep_id: int | str, meeting_token: str | None = None) -> str:
    """A rep's booking page, opened from a sequence email's link when `meeting_token` is given."""
    path = f"/meet/{booking_page_key(rep_id, settings)}"
    return settings.public_endpoint(path + (f"?t={meeting_token}" if meeting_token else ""))


def meeting_url_for(settings: Settings, sequence_email_id: int | str, rep_id: int | str) -> str:
    """The booking link placed in one sequence email: the rep's page with the email's token."""
    return booking_page_url(settings, rep_id, make_meeting_token(str(sequence_email_id), str(rep_id), settings))


def meeting_view(meeting: t.Meeting, contact_ids: list[int]) -> dict[str, Any]:
    return {
        "id": str(meeting.id), "source": meeting.source, "user_id": str(meeting.user_id),
        "start_time": iso_z(meeting.start_time), "end_time": iso_z(meeting.end_time), "title": meeting.title,
        "contact_ids": [str(c) for c in contact_ids],
        "associated": {"company_id": str(meeting.company_id) if meeting.company_id else None,
                       "deal_id": meeting.deal_id},
        "sequence_email_id": str(meeting.sequence_email_id) if meeting.sequence_email_id else None,
        "logged_at": iso_z(meeting.logged_at),
        # A booking-page request: who typed what, for the rep to confirm by logging it on a contact.
        "booker": ({"name": meeting.booker_name, "email": meeting.booker_email}
                   if meeting.source == MeetingSource.BOOKING_PAGE.value else None),
    }


def _result(s: Session, meeting: t.Meeting, contacts: list[t.Contact],
            applied: tuple[list[dict[str, Any]], list[int]]) -> dict[str, Any]:
    """The meeting, what it did per contact, and every enrollment it ended (with events)."""
    outcomes, ended_ids = applied
    ended = list(s.scalars(select(t.Enrollment).where(t.Enrollment.id.in_(ended_ids)).order_by(t.Enrollment.id)))
    return {"meeting": meeting_view(meeting, [c.id for c in contacts]), "outcomes": outcomes,
            "ended": enrollment_views(s, ended, with_events=True)}


# --- logged meetings (API, contact record) -----------------------------------------------------


def log_meeting(
    ctx: ServiceContext,
    principal: Principal,
    *,
    contact_ids: list[str],
    logged_by_user_id: str,
    start_time: datetime,
    end_time: datetime | None = None,
    title: str = "",
    company_id: str | None = None,
    deal_id: str | None = None,
    source: str = MeetingSource.LOGGED,
) -> dict[str, Any]:
    """Record a meeting a rep logged; it ends the enrollments of contacts that rep enrolled."""
    if source not in LOGGED_SOURCES:
        raise Invalid(f"source must be one of {', '.join(LOGGED_SOURCES)}")
    if start_time.tzinfo is None or (end_time is not None and end_time.tzinfo is None):
        raise Invalid("start_time and end_time need a time zone (ISO 8601 with Z or an offset)")
    if end_time is not None and end_time < start_time:
        raise Invalid("end_time is before start_time: a meeting ends after it starts")
    now = ctx.now()
    problem = meeting_time_problem(start_time, now)
    if problem:
        raise Invalid(problem, code="invalid_time")
    if not contact_ids and not company_id and not deal_id:
        raise Invalid("a meeting needs at least one contact or an associated company or deal")
    with ctx.session() as s:
        user = owned(s, t.User, logged_by_user_id, principal, "user")
        authorize(principal, Action.LOG_MEETING, [user.id], message="reps may only log their own meetings")
        present(user, "the rep who logged a meeting")
        company = owned(s, t.Company, company_id, principal, "company") if company_id else None
        contacts = [owned(s, t.Contact, cid, principal, "contact") for cid in dict.fromkeys(contact_ids)]
        meeting = t.Meeting(
            account_id=principal.account_id, source=source, user_id=user.id, start_time=start_time,
            end_time=end_time, title=title.strip()[:300], company_id=company.id if company else None,
            deal_id=deal_id, logged_at=now,
        )
        add_meeting(s, meeting, contacts)
        # A meeting associated with a company or a deal counts only for the contacts it names.
        facts = MeetingFacts(MeetingSource(source), frozenset({user.id}), tuple(c.id for c in contacts), now,
                             starts_at=start_time)
        return _result(s, meeting, contacts, apply_meeting(s, meeting, facts, contacts, principal.actor, now))


# --- booking pages ------------------------------------------------------------------------------


def _rep(s: Session, rep_ref: str) -> t.User:
    key = parse_id(rep_ref)
    user = s.get(t.User, key) if key is not None else None
    if user is None:
        raise NotFound("there is no booking page here")
    return user


def _booking_rep(user: t.User) -> BookingRep:
    return BookingRep(id=user.id, account_id=user.account_id, name=user.name or user.email, email=user.email,
                      mailbox_provider=user.mailbox_provider, mailbox_address=user.mailbox_address)


def _free_slots(s: Session, ctx: ServiceContext, user: t.User,
                busy_times: BusyTimes | None) -> list[tuple[datetime, datetime]]:
    slots = working_slots(ctx.now())
    if not slots:
        return []
    start, end = slots[0][0], slots[-1][1]
    busy = list((busy_times or NoBusyTimes()).busy(_booking_rep(user), start, end))
    # Meetings already booked with this rep here are busy too, whatever the calendar says yet.
    booked = s.execute(select(t.Meeting.start_time, t.Meeting.end_time).where(
        t.Meeting.user_id == user.id, t.Meeting.start_time < end, t.Meeting.start_time >= start - timedelta(days=1)))
    busy += [(b0, b1 or b0 + timedelta(minutes=SLOT_MINUTES)) for b0, b1 in booked]
    return free_slots(slots, busy)


@dataclass(frozen=True)
class LinkedEmail:
    """What a valid meeting token in the page address points at."""

    sequence_email: t.SequenceEmail
    contact: t.Contact


def _linked_email(s: Session, settings: Settings, user: t.User, meeting_token: str | None) -> LinkedEmail | None:
    """The sequence email a meeting token belongs to, or None.

    A token is bound to the link it was minted for: the email, and the rep whose page the link
    opens. The same token on another rep's page (or another account's) is no link from the email.
    """
    if not meeting_token:
        return None
    try:
        link = read_meeting_token(meeting_token, settings)
    except AuthError:
        return None
    if link.rep_id != str(user.id):
        return None  # minted for another rep's link: on this page it is no link from the email
    key = parse_id(link.sequence_email_id)
    email = s.get(t.SequenceEmail, key) if key is not None else None
    if email is None or email.account_id != user.account_id:
        return None
    enrollment = s.get_one(t.Enrollment, email.enrollment_id)
    return LinkedEmail(email, s.get_one(t.Contact, enrollment.contact_id))


def _form_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="sequence-sidebar/form/booking",
                                  signer_kwargs={"digest_method": hashlib.sha256})


def _form_binding(rep_id: int, meeting_token: str) -> dict[str, str]:
    # The form is bound to the page it was shown on: this rep, with or without this link.
    return {"r": str(rep_id), "t": hashlib.sha256(meeting_token.encode()).hexdigest()}


def _form_token(settings: Settings, rep_id: int, meeting_token: str) -> str:
    token = _form_serializer(settings).dumps(_form_binding(rep_id, meeting_token))
    return token if isinstance(token, str) else token.decode("ascii")


def _check_form_token(settings: Settings, form_token: str, rep_id: int, meeting_token: str) -> None:
    try:
        payload = _form_serializer(settings).loads(form_token or "", max_age=FORM_MAX_AGE_SECONDS)
    except BadData:
        raise BadBookingForm("this booking form has expired or was not ours; please choose a time again") from None
    if payload != _form_binding(rep_id, meeting_token):
        raise BadBookingForm("this booking form was made for another page; please choose a time again")


def _slot_id(start: datetime) -> str:
    return start.strftime("%Y-%m-%dT%H:%MZ")


def booking_page(ctx: ServiceContext, rep_ref: str, *, meeting_token: str | None = None,
                 busy_times: BusyTimes | None = None) -> dict[str, Any]:
    """What the public booking page shows: the rep, free slots by day, and who the link is for."""
    with ctx.session() as s:
        user = _rep(s, rep_ref)
        linked = _linked_email(s, ctx.settings, user, meeting_token)
        days: dict[date, list[dict[str, str]]] = {}
        for start, end in _free_slots(s, ctx, user, busy_times):
            days.setdefault(start.date(), []).append(
                {"value": _slot_id(start), "label": f"{start:%H:%M}–{end:%H:%M}"})
        return {
            "rep": {"id": str(user.id), "name": user.name or user.email},
            "days": [{"date": d.isoformat(), "label": f"{d:%A %-d %B}", "slots": slots} for d, slots in days.items()],
            # Never the contact's name or address: whoever opened a forwarded link would see them.
            "link": ({"from_sequence_email": True} if linked else None),
            "link_state": "valid" if linked else ("invalid" if meeting_token else "none"),
            "meeting_token": meeting_token if linked and meeting_token else "",
            # Without a working calendar the times are not checked against it and a booking waits
            # for the rep to connect: the page says so.
            "calendar_connected": calendar_connected(s, user),
            "form_token": _form_token(ctx.settings, user.id, meeting_token if linked and meeting_token else ""),
            "time_zone": "UTC",
        }


def _parse_slot(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise Invalid("choose one of the times shown") from None


def book_meeting(
    ctx: ServiceContext,
    rep_ref: str,
    *,
    slot: str,
    form_token: str,
    meeting_token: str | None = None,
    name: str = "",
    email: str = "",
    busy_times: BusyTimes | None = None,
) -> dict[str, Any]:
    """Book a free slot on a rep's page.

    Through a sequence email's link, booked with one of that contact's addresses, the meeting counts
    for the contact (the meeting rules decide what ends). Anything else (no link, a forged one, a
    forwarded link booked by someone else) is a meeting request naming the address typed: recorded,
    in the rep's calendar with the invitation to that address, ending nothing.
    """
    now = ctx.now()
    meeting_token = meeting_token or ""
    with ctx.session() as s:
        user = _rep(s, rep_ref)
        linked = _linked_email(s, ctx.settings, user, meeting_token)
        _check_form_token(ctx.settings, form_token, user.id, meeting_token if linked else "")
        start = _parse_slot(slot)
        chosen = (start, start + timedelta(minutes=SLOT_MINUTES))
        if chosen not in working_slots(now):
            raise Invalid("choose one of the times shown")
        # Whoever opened the page says who they are, even through an email's link: a link can be
        # forwarded, and the page never shows or assumes the contact it was sent to.
        booker_name = name.strip()[:200]
        if not booker_name:
            raise Invalid("please give your name")
        try:
            booker_email = normalize(email)
        except InvalidAddress:
            raise Invalid("please give a valid email address") from None
        # The booking is the contact's only through their own link and one of their own addresses;
        # anything else is a meeting request naming the address typed, which ends nothing.
        found = find_contact_id(s, user.account_id, booker_email)
        contact = linked.contact if linked is not None and found == linked.contact.id else None
        linked = linked if contact is not None else None
        _lock_rep_calendar(s, user.id)
        # The same person sending the same booking again (a double click, a reload) gets it back.
        again = s.scalar(select(t.Meeting).where(t.Meeting.user_id == user.id, t.Meeting.start_time == start,
                                                 t.Meeting.booker_email == booker_email))
        if again is not None:
            return _booking_view(s, user, again, [], {"name": booker_name, "email": booker_email})
        if chosen not in _free_slots(s, ctx, user, busy_times):
            raise Conflict("that time is no longer free; please choose another", code="slot_taken")
        meeting = t.Meeting(
            account_id=user.account_id,
            source=MeetingSource.SEQUENCE_LINK if linked else MeetingSource.BOOKING_PAGE,
            user_id=user.id, start_time=start, end_time=start + timedelta(minutes=SLOT_MINUTES),
            title=f"Meeting with {booker_name}", sequence_email_id=linked.sequence_email.id if linked else None,
            booker_name=booker_name, booker_email=booker_email, logged_at=now,
        )
        contacts = [contact] if contact is not None else []
        add_meeting(s, meeting, contacts)
        facts = MeetingFacts(MeetingSource(meeting.source), frozenset({user.id}), tuple(c.id for c in contacts), now,
                             starts_at=start,
                             linked_enrollment_id=linked.sequence_email.enrollment_id if linked else None)
        result = _result(s, meeting, contacts, apply_meeting(s, meeting, facts, contacts, CONTACT_ACTOR, now))
        result["rep"] = {"id": str(user.id), "name": user.name or user.email}
        result["booker"] = {"name": booker_name, "email": booker_email}
        result["request"] = meeting.source == MeetingSource.BOOKING_PAGE
    # Once the booking is committed: into the rep's calendar (a failure is retried by the worker).
    written = add_booking_to_calendar(ctx, int(result["meeting"]["id"]))
    result["meeting"]["calendar_event_id"] = written.event_id
    result["calendar"] = written.state
    return result


def _lock_rep_calendar(s: Session, user_id: int) -> None:
    """Serialise bookings with one rep, so two people cannot take the same slot at once.

    A no-op write takes the rep's row lock on PostgreSQL and the write lock on SQLite; either is
    held until this booking commits, and the free-slot check that follows sees earlier bookings.
    """
    s.execute(update(t.User).where(t.User.id == user_id).values(id=t.User.id)
              .execution_options(synchronize_session=False))


def _booking_view(s: Session, user: t.User, meeting: t.Meeting, outcomes: list[dict[str, Any]],
                  booker: dict[str, str]) -> dict[str, Any]:
    contact_ids = list(s.scalars(select(t.MeetingContact.contact_id).where(t.MeetingContact.meeting_id == meeting.id)))
    return {"meeting": meeting_view(meeting, contact_ids), "outcomes": outcomes, "ended": [],
            "rep": {"id": str(user.id), "name": user.name or user.email}, "booker": booker, "already_booked": True,
            "calendar": "added" if meeting.calendar_event_id else (
                "retrying" if calendar_connected(s, user) else "waiting_for_calendar")}


def list_meetings(ctx: ServiceContext, principal: Principal, *, contact_id: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """The account's meetings, newest first (optionally one contact's)."""
    with ctx.session() as s:
        q = select(t.Meeting).where(t.Meeting.account_id == principal.account_id)
        if contact_id:
            contact = owned(s, t.Contact, contact_id, principal, "contact")
            q = q.join(t.MeetingContact, t.MeetingContact.meeting_id == t.Meeting.id).where(
                t.MeetingContact.contact_id == contact.id)
        rows = list(s.scalars(q.order_by(t.Meeting.id.desc()).limit(max(1, min(limit, 500)))))
        links: dict[int, list[int]] = {}
        for mid, cid in s.execute(select(t.MeetingContact.meeting_id, t.MeetingContact.contact_id).where(
                t.MeetingContact.meeting_id.in_([m.id for m in rows])).order_by(t.MeetingContact.id)):
            links.setdefault(mid, []).append(cid)
        return [meeting_view(m, links.get(m.id, [])) for m in rows]


def slot_in_words(start_iso: str) -> str:
    """"Tuesday 3 March 2026, 10:30" for an ISO start time (UTC)."""
    start = datetime.fromisoformat(start_iso.replace("Z", "+00:00")).astimezone(UTC)
    return f"{start:%A %-d %B %Y, %H:%M}"
