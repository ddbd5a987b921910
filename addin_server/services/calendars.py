"""Reps' calendars: following them, the meetings they show, booking into them, and free/busy.

The product sentences (each is a named test in tests/integration/calendar and tests/e2e/calendar):
- A new meeting in the rep's calendar with an enrolled contact as attendee (or as organiser: an
  invitation the contact sent) unenrolls the contact (meeting_booked) only when it is with the user
  who enrolled the contact: that rep organised it, or someone outside the account organised it and
  invited that rep (the rep is among its attendees; seeing it in the rep's calendar is not enough).
  Otherwise it is recorded and ends nothing. The sequence's settings apply as for
  every meeting (domain/meetings, rules.who_ends).
- Each calendar event counts once (provider + calendar + event id), whatever the notifications do.
- Events that were in the calendar before we followed it are not new meetings.
- A meeting booked on a rep's page is put in the rep's calendar with the address typed invited; when the
  provider fails, the booking stands and the worker tries again; when the rep has no working
  calendar, the write waits (parked) until the rep connects again, and nothing pretends otherwise.
- The booking page leaves out the times the rep's calendar shows as busy.

Following: Google Calendar by a watch channel whose notifications name the channel and carry its
token (kept hashed); Outlook by a Graph events subscription whose notifications arrive on the Graph
webhook with their clientState (kept hashed). Both are only hints: the worker reads the changes from
the stored cursor (Google's sync token; the newest lastModifiedDateTime read from Graph).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.auth.client_state import client_state_matches, issue_client_state
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.meetings import MeetingFacts, MeetingSource
from addin_server.domain.model import MailboxProvider
from addin_server.providers.google_calendar import (
    CalendarError,
    CalendarGrantRevoked,
    GoogleCalendar,
    SyncTokenExpired,
    booking_event_id,
    event_end,
    event_start,
)
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError, SubscriptionGone
from addin_server.providers.graph_calendar import GraphCalendar, graph_time, modified_at
from addin_server.services.context import ServiceContext
from addin_server.services.directory import parse_id
from addin_server.services.mailboxes import MailboxNotConnected, follow_row, google_grant, graph_for
from addin_server.services.meetings import (
    SLOT_MINUTES,
    BookingRep,
    _add_meeting,
    _apply_meeting,
    calendar_connected,
)

log = logging.getLogger(__name__)

GOOGLE_CALENDAR_WEBHOOK = "/webhooks/google-calendar"
GOOGLE, GRAPH = "google", "graph"
CALENDAR_SOURCE = MeetingSource.CALENDAR.value
CALENDAR_SWEEP = "calendar_sweep"
CALENDAR_ACTOR = "calendar"
# Renew a day before expiry: channels live a week, Graph subscriptions under three days.
RENEW_BEFORE = timedelta(days=1)
# A full resync after a 410 reads no further back than this.
RESYNC_WINDOW = timedelta(days=7)
RESYNC_MARGIN = timedelta(hours=1)
# A calendar that could not be followed or renewed is tried again after this long.
RETRY_AFTER = timedelta(minutes=15)
# Providers stamp events with their own clock (Graph's emulator to the second): "created after we
# started following" allows this much difference between the clocks.
CLOCK_SKEW = timedelta(minutes=2)


# --- rows and provider handles ------------------------------------------------------------------


def calendar_watch_row(s: Session, user: t.User) -> t.CalendarWatch:
    return follow_row(s, t.CalendarWatch, user)


def google_calendar_for(settings: Settings, user: t.User) -> GoogleCalendar:
    return GoogleCalendar(settings, google_grant(settings, user), user.mailbox_address)


def graph_calendar_for(settings: Settings, user: t.User) -> GraphCalendar:
    return GraphCalendar(graph_for(settings, user))


def _is_google(user: t.User) -> bool:
    return user.mailbox_provider == MailboxProvider.GMAIL.value


# --- following a calendar -----------------------------------------------------------------------


def follow_calendar(ctx: ServiceContext, user_id: int | str) -> dict[str, Any]:
    """Start (or restart) following the rep's calendar from now on.

    Never raises for a provider failure: the mailbox connection that calls this must stand. The
    failure is kept on the calendar watch row (status failed) and the renewal pass tries again.
    """
    key = parse_id(user_id)
    with ctx.session() as s:
        user = s.get(t.User, key) if key is not None else None
        if user is None:
            return {"status": "failed", "error": "no such rep"}
        watch = calendar_watch_row(s, user)
        try:
            if _is_google(user):
                _open_google_channel(ctx, user, watch)
                if watch.sync_token is None:
                    watch.sync_token = google_calendar_for(ctx.settings, user).full_sync(None).next_sync_token
            else:
                _subscribe_events(ctx, user, watch)
            if watch.following_since is None:
                watch.following_since = ctx.now() - CLOCK_SKEW
            watch.status, watch.last_error, watch.last_synced_at = "active", None, ctx.now()
            watch.retry_at = None
        except Exception as exc:  # noqa: BLE001 - kept on the row; the mailbox connection stands
            log.warning("could not follow the calendar of %s: %s", user.mailbox_address, exc)
            watch.status, watch.last_error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            watch.retry_at = ctx.now() + RETRY_AFTER
        return {"user_id": str(user.id), "provider": watch.provider, "status": watch.status,
                "expires_at": watch.expires_at.isoformat() if watch.expires_at else None,
                "error": watch.last_error}


def _open_google_channel(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> None:
    """A new channel replaces the stored one (then the old one is stopped): channels cannot be renewed."""
    calendar = google_calendar_for(ctx.settings, user)
    issued = issue_client_state(ctx.settings)
    channel = calendar.watch(uuid.uuid4().hex, issued.secret,
                             ctx.settings.public_endpoint(GOOGLE_CALENDAR_WEBHOOK), ctx.now())
    old = (watch.channel_id, watch.channel_resource_id)
    watch.channel_id, watch.channel_resource_id = channel.id, channel.resource_id
    watch.channel_token_hash, watch.expires_at = issued.stored_hash, channel.expires_at
    if old[0] and old[1]:
        try:
            calendar.stop(old[0], old[1])
        except CalendarError as exc:  # it expires by itself; its notifications no longer verify
            log.info("could not stop the old calendar channel %s: %s", old[0], exc)


def _subscribe_events(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> None:
    issued = issue_client_state(ctx.settings)
    calendar = graph_calendar_for(ctx.settings, user)
    try:
        sub = calendar.subscribe(ctx.settings.public_endpoint("/webhooks/graph"),
                                 ctx.settings.public_endpoint("/webhooks/graph/lifecycle"), issued.secret)
    finally:
        calendar.close()
    if watch.subscription_id and watch.subscription_id != sub.id:
        watch.replaced_subscription_id = watch.subscription_id
    watch.subscription_id, watch.client_state_hash, watch.expires_at = sub.id, issued.stored_hash, sub.expires_at


def renew_calendar_watches(ctx: ServiceContext) -> int:
    """Renew channels and subscriptions a day before they expire, and retry calendars that failed."""
    now = ctx.now()
    with ctx.sessions() as s:
        due = list(s.scalars(select(t.CalendarWatch.user_id).where(
            ((t.CalendarWatch.status == "active")
             & (t.CalendarWatch.expires_at.is_(None) | (t.CalendarWatch.expires_at < now + RENEW_BEFORE)))
            | (t.CalendarWatch.status == "failed"),
            t.CalendarWatch.retry_at.is_(None) | (t.CalendarWatch.retry_at <= now))))
    renewed = 0
    for user_id in due:
        with ctx.session() as s:
            user = s.get_one(t.User, user_id)
            watch = calendar_watch_row(s, user)
            retry_follow = watch.status == "failed"
            if not retry_follow:
                try:
                    if _is_google(user):
                        _open_google_channel(ctx, user, watch)
                    else:
                        _renew_events_subscription(ctx, user, watch)
                    watch.status, watch.last_error, watch.retry_at = "active", None, None
                    renewed += 1
                except (MailboxNotConnected, CalendarGrantRevoked, GraphGrantRevoked) as exc:
                    watch.status, watch.last_error = "disconnected", str(exc)[:500]
                except (CalendarError, GraphError) as exc:
                    # Tried again later, while the current channel or subscription lives.
                    watch.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    watch.retry_at = now + RETRY_AFTER
        if retry_follow and follow_calendar(ctx, user_id)["status"] == "active":
            renewed += 1
    return renewed


def keep_calendars_followed(ctx: ServiceContext) -> dict[str, int]:
    """The worker's periodic pass: renewals, then a sweep that reads calendars left quiet too long."""
    return {"renewed": renew_calendar_watches(ctx), "swept": sweep_calendars(ctx)}


def sweep_calendars(ctx: ServiceContext) -> int:
    """Catch what notifications missed: queue a read of every followed calendar not read lately."""
    from addin_server.services.notifications import record_notification

    minutes = max(1, ctx.settings.sweep_minutes)
    cutoff = ctx.now() - timedelta(minutes=minutes)
    with ctx.sessions() as s:
        due = list(s.execute(select(t.CalendarWatch.user_id, t.CalendarWatch.account_id,
                                    t.CalendarWatch.mailbox_address).where(
            t.CalendarWatch.status == "active",
            t.CalendarWatch.last_synced_at.is_(None) | (t.CalendarWatch.last_synced_at < cutoff))).all())
    bucket = int(ctx.now().timestamp() // (60 * minutes))
    for user_id, account_id, address in due:
        record_notification(ctx, provider=CALENDAR_SWEEP, dedupe_key=f"sweep:{user_id}:{bucket}",
                            mailbox_address=address, account_id=account_id, payload={"user_id": user_id})
    return len(due)


def sync_calendar(ctx: ServiceContext, user_id: int) -> CalendarSync:
    """Read the rep's calendar from its cursor, whichever provider it is on."""
    with ctx.sessions() as s:
        google = _is_google(s.get_one(t.User, user_id))
    return sync_google_calendar(ctx, user_id) if google else sync_graph_calendar(ctx, user_id)


def _renew_events_subscription(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> None:
    if not watch.subscription_id:
        _subscribe_events(ctx, user, watch)
        return
    calendar = graph_calendar_for(ctx.settings, user)
    try:
        watch.expires_at = calendar.renew(watch.subscription_id)
    except SubscriptionGone:
        _subscribe_events(ctx, user, watch)  # changes meanwhile are read from the cursor
    finally:
        calendar.close()


# --- Google's notifications ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelNotice:
    """What the Google Calendar webhook answers: `status` is the HTTP status, `stored` whether kept."""

    status: int
    stored: bool = False
    note: str = ""


def record_google_calendar_notification(ctx: ServiceContext, *, channel_id: str, channel_token: str | None,
                                        resource_state: str, message_number: str) -> ChannelNotice:
    """Verify a channel notification (our channel, its token) and keep an "exists" one for the worker."""
    from addin_server.services.notifications import record_notification

    with ctx.sessions() as s:
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.channel_id == channel_id)) \
            if channel_id else None
        if watch is None:
            return ChannelNotice(404, note="not one of our channels")
        if not watch.channel_token_hash or \
                not client_state_matches(channel_token, watch.channel_token_hash, ctx.settings):
            return ChannelNotice(403, note="the channel token does not match")
        user_id, account_id, address = watch.user_id, watch.account_id, watch.mailbox_address
    if resource_state == "sync":
        return ChannelNotice(200, note="channel opened")
    if resource_state != "exists":
        return ChannelNotice(200, note=f"resource state {resource_state!r} ignored")
    recorded = record_notification(ctx, provider="google_calendar", dedupe_key=f"{channel_id}:{message_number}",
                                   mailbox_address=address, account_id=account_id,
                                   payload={"user_id": user_id, "channel_id": channel_id,
                                            "message_number": message_number})
    return ChannelNotice(200, stored=recorded.stored, note="duplicate" if recorded.duplicate else "")


# --- reading changes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One provider's event in the shape the meeting rules need."""

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
        attendees = [a.get("email") for a in event.get("attendees") or () if isinstance(a, dict)]
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
                     if isinstance(a, dict)]
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


def _calendar_user(ctx: ServiceContext, user_id: int) -> tuple[t.User, t.CalendarWatch]:
    with ctx.sessions() as s:
        user = s.get(t.User, user_id)
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.user_id == user_id))
        if user is None or watch is None:
            raise MailboxNotConnected(f"no calendar is followed for rep {user_id}")
        s.expunge_all()
        return user, watch


def sync_google_calendar(ctx: ServiceContext, user_id: int) -> CalendarSync:
    """Read what changed since the stored sync token, apply each new meeting once, keep the next token."""
    user, watch = _calendar_user(ctx, user_id)
    calendar = google_calendar_for(ctx.settings, user)
    result = CalendarSync()
    try:
        if watch.sync_token is None:
            raise SyncTokenExpired("no sync token yet")
        changes = calendar.changes_since(watch.sync_token)
    except SyncTokenExpired:
        # A bounded full resync, never a skip: events since the last good read (or a week).
        floor = ctx.now() - RESYNC_WINDOW
        since = max(floor, watch.last_synced_at - RESYNC_MARGIN) if watch.last_synced_at else floor
        changes = calendar.full_sync(since)
        result.resynced = True
        log.info("calendar resync of %s: %d events since %s", user.mailbox_address, len(changes.events),
                 since.isoformat())
    except CalendarGrantRevoked as exc:
        _mark_calendar(ctx, user_id, "disconnected", str(exc))
        raise MailboxNotConnected(str(exc)) from exc
    for raw in changes.events:
        result.seen += 1
        if apply_calendar_event(ctx, user_id, CalendarEvent.from_google(user.mailbox_address, raw)) == "meeting":
            result.meetings += 1
    with ctx.session() as s:
        row = s.get_one(t.CalendarWatch, watch.id)
        row.sync_token, row.last_synced_at, row.status, row.last_error = \
            changes.next_sync_token or row.sync_token, ctx.now(), "active", None
    return result


def sync_graph_calendar(ctx: ServiceContext, user_id: int) -> CalendarSync:
    """Read the events changed since the newest change already read, apply each new meeting once."""
    user, watch = _calendar_user(ctx, user_id)
    calendar = graph_calendar_for(ctx.settings, user)
    result = CalendarSync()
    newest = watch.changes_read_until
    try:
        since = watch.changes_read_until or watch.following_since
        for raw in calendar.events_changed_since(since):
            result.seen += 1
            if apply_calendar_event(ctx, user_id, CalendarEvent.from_graph(user.mailbox_address, raw)) == "meeting":
                result.meetings += 1
            changed = modified_at(raw)
            if changed is not None and (newest is None or changed > newest):
                newest = changed
    finally:
        calendar.close()
    with ctx.session() as s:
        row = s.get_one(t.CalendarWatch, watch.id)
        row.changes_read_until, row.last_synced_at, row.status, row.last_error = newest, ctx.now(), "active", None
    return result


def _mark_calendar(ctx: ServiceContext, user_id: int, status: str, error: str) -> None:
    with ctx.session() as s:
        watch = s.scalar(select(t.CalendarWatch).where(t.CalendarWatch.user_id == user_id))
        if watch is not None:
            watch.status, watch.last_error = status, error[:500]


# --- the meeting rules for calendar events ------------------------------------------------------


def apply_calendar_event(ctx: ServiceContext, user_id: int, event: CalendarEvent) -> str:
    """Record a new meeting seen in the rep's calendar, once, and end what the meeting rules say.

    Returns what happened: meeting, already_counted, our_booking, not_a_meeting, before_following.
    """
    if event.cancelled or event.start is None:
        return "not_a_meeting"
    now = ctx.now()
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
            return "our_booking" if _claim(s, user.account_id, event, ours, now) is not None else "already_counted"
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
        claimed = _claim(s, user.account_id, event, None, now)
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
        _add_meeting(s, meeting, contacts)
        claimed.meeting_id = meeting.id
        facts = MeetingFacts(MeetingSource.CALENDAR, with_reps, tuple(c.id for c in contacts), now,
                             starts_at=event.start, organised_by_rep=organiser is not None,
                             how=f"{how}, seen in the calendar of {user.mailbox_address}")
        _apply_meeting(s, meeting, facts, contacts, CALENDAR_ACTOR, now)
        return "meeting"


def _already_counted(s: Session, event: CalendarEvent) -> bool:
    return s.scalar(select(t.ProcessedCalendarEvent.id).where(
        t.ProcessedCalendarEvent.provider == event.provider, t.ProcessedCalendarEvent.calendar_id == event.calendar_id,
        t.ProcessedCalendarEvent.event_id == event.event_id)) is not None


def _claim(s: Session, account_id: int, event: CalendarEvent, meeting_id: int | None,
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
    from addin_server.services.lookup import find_contact_id

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


# --- Graph's notifications (events) -------------------------------------------------------------


def is_event_notification(payload: dict[str, Any]) -> bool:
    """Graph names the changed item by its resource path: Users/{id}/Events/{id} for events."""
    resource = str(payload.get("resource", "")).lower()
    odata_type = str((payload.get("resourceData") or {}).get("@odata.type", "")).lower() \
        if isinstance(payload.get("resourceData"), dict) else ""
    return "/events/" in resource or odata_type == "#microsoft.graph.event"


def calendar_subscriptions(s: Session, subscription_ids: set[str]) -> dict[str, t.CalendarWatch]:
    """Our events subscriptions among these ids (the Graph webhook checks their clientState alike)."""
    if not subscription_ids:
        return {}
    rows = s.scalars(select(t.CalendarWatch).where(t.CalendarWatch.subscription_id.in_(subscription_ids)))
    return {str(w.subscription_id): w for w in rows}


def process_graph_event_notification(ctx: ServiceContext, payload: dict[str, Any]) -> CalendarSync:
    """An events notification: read the calendar's changes from its cursor (the event among them)."""
    user_id = _subscription_user(ctx, str(payload.get("subscriptionId", "")))
    return sync_graph_calendar(ctx, user_id)


def is_calendar_lifecycle(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    """A lifecycle event of an events subscription: the current one, or the one it replaced.

    Graph's events about a replaced subscription can arrive late (a removal and a reauthorization
    racing); sent to the inbox's handler they would recreate the inbox subscription for nothing.
    """
    subscription_id = str(payload.get("subscriptionId", ""))
    with ctx.sessions() as s:
        return s.scalar(select(t.CalendarWatch.id).where(
            (t.CalendarWatch.subscription_id == subscription_id)
            | (t.CalendarWatch.replaced_subscription_id == subscription_id)).limit(1)) is not None


def handle_calendar_lifecycle(ctx: ServiceContext, payload: dict[str, Any]) -> None:
    """Reauthorize, recreate, or catch up an events subscription, as for the inbox one."""
    subscription_id = str(payload.get("subscriptionId", ""))
    with ctx.sessions() as s:
        current = calendar_subscriptions(s, {subscription_id}).get(subscription_id)
    if current is None:
        log.info("lifecycle event for a replaced subscription %s: nothing to do", subscription_id)
        return
    user_id = current.user_id
    event = payload.get("lifecycleEvent")
    with ctx.session() as s:
        user = s.get_one(t.User, user_id)
        watch = calendar_watch_row(s, user)
        calendar = graph_calendar_for(ctx.settings, user)
        try:
            if event == "reauthorizationRequired":
                calendar.mailbox.reauthorize(str(watch.subscription_id))
                return
        except SubscriptionGone:
            event = "subscriptionRemoved"
        finally:
            calendar.close()
        if event == "subscriptionRemoved":
            _subscribe_events(ctx, user, watch)
    sync_graph_calendar(ctx, user_id)


def _subscription_user(ctx: ServiceContext, subscription_id: str) -> int:
    with ctx.sessions() as s:
        watch = calendar_subscriptions(s, {subscription_id}).get(subscription_id)
        if watch is None:
            raise MailboxNotConnected(f"events subscription {subscription_id} is no longer ours")
        return watch.user_id


# --- booking into the rep's calendar ------------------------------------------------------------

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
    from addin_server.services.notifications import record_notification

    with ctx.sessions() as s:
        meeting = s.get(t.Meeting, meeting_id)
        user = s.get(t.User, meeting.user_id) if meeting is not None else None
        if meeting is None or user is None:
            raise ValueError(f"no meeting {meeting_id}")
        account_id, address = user.account_id, user.mailbox_address
        connected = calendar_connected(s, user)
    state, error = "waiting_for_calendar", f"the calendar of {address} is not connected"
    if connected:
        try:
            return CalendarWrite("added", create_booked_event(ctx, meeting_id))
        except (MailboxNotConnected, GraphGrantRevoked) as exc:
            # The grant was revoked since: the booking page says so from now on.
            error = f"{type(exc).__name__}: {exc}"
            _mark_calendar(ctx, user.id, "disconnected", error)
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
    summary = meeting.title or f"Meeting with {meeting.booker_name or attendee}"
    description = f"Booked by {meeting.booker_name or attendee} <{attendee}> on your booking page."
    end = meeting.end_time or meeting.start_time + timedelta(minutes=SLOT_MINUTES)
    key = booking_event_id(ctx.settings.secret_key, meeting.id)
    try:
        if _is_google(user):
            event_id = google_calendar_for(ctx.settings, user).insert_booking(
                event_id=key, summary=summary, description=description, start=meeting.start_time, end=end,
                attendee_email=attendee, attendee_name=meeting.booker_name or attendee).id
            provider = GOOGLE
        else:
            calendar = graph_calendar_for(ctx.settings, user)
            try:
                event_id = calendar.create_booking(
                    transaction_id=hashlib.sha256(key.encode()).hexdigest()[:36], subject=summary, body=description,
                    start=meeting.start_time, end=end, attendee_email=attendee,
                    attendee_name=meeting.booker_name or attendee).id
            finally:
                calendar.close()
            provider = GRAPH
    except CalendarGrantRevoked as exc:
        raise MailboxNotConnected(str(exc)) from exc
    with ctx.session() as s:
        row = s.get_one(t.Meeting, meeting_id)
        row.calendar_event_id = event_id
        # When the calendar tells us about this event, it is already counted: it is this booking.
        _claim(s, row.account_id, CalendarEvent(provider, user.mailbox_address, event_id, "", None, (), None, None,
                                                None, False), row.id, ctx.now())
    return event_id


# --- busy times for booking pages ---------------------------------------------------------------


class ProviderBusyTimes:
    """The rep's busy times from their own calendar: Google free/busy or Graph getSchedule.

    A rep without a connected mailbox, or a provider that fails, shows no calendar busy times (the
    meetings already booked here still block their slots); the failure is logged, and a revoked
    grant marks the calendar disconnected, so booking pages say the times are not checked.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def busy(self, user: BookingRep, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        with self.ctx.sessions() as s:
            row = s.get(t.User, user.id)
            if row is None or not row.mailbox_connected:
                return []
            s.expunge(row)
        try:
            if _is_google(row):
                return google_calendar_for(self.ctx.settings, row).busy(start, end)
            calendar = graph_calendar_for(self.ctx.settings, row)
            try:
                return calendar.busy(start, end)
            finally:
                calendar.close()
        except MailboxNotConnected:
            return []
        except (CalendarGrantRevoked, GraphGrantRevoked) as exc:
            # The rep withdrew the grant: booking pages say so from now on.
            _mark_calendar(self.ctx, row.id, "disconnected", f"{type(exc).__name__}: {exc}")
            return []
        except (CalendarError, GraphError) as exc:
            log.warning("busy times of %s unavailable: %s", row.mailbox_address, exc)
            return []


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
