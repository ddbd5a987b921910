"""A Google calendar: followed by a watch channel (reopened, never renewed), read from its sync token,
written to for bookings, asked for free/busy."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.auth.client_state import client_state_matches, issue_client_state
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.providers.google_calendar import (
    CalendarError,
    CalendarGrantRevoked,
    GoogleCalendar,
    SyncTokenExpired,
)
from addin_server.services.calendar_events import (
    RESYNC_MARGIN,
    RESYNC_WINDOW,
    CalendarEvent,
    CalendarSync,
    apply_events,
    calendar_user,
    calendar_user_at,
    calendar_watch_row,
    mark_calendar,
    store_read,
)
from addin_server.services.context import ServiceContext
from addin_server.services.grants import MailboxNotConnected, google_grant
from addin_server.services.inbox import Recorded, record_notification

log = logging.getLogger(__name__)

GOOGLE_CALENDAR_WEBHOOK = "/webhooks/google-calendar"
# The inbox kind of a channel notification.
GOOGLE_CALENDAR = "google_calendar"


def google_calendar_for(settings: Settings, user: t.User) -> GoogleCalendar:
    return GoogleCalendar(settings, google_grant(settings, user), user.mailbox_address)


def open_channel(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> None:
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


def sync_google_calendar(ctx: ServiceContext, user_id: int) -> CalendarSync:
    """Read what changed since the stored sync token, apply each new meeting once, keep the next token."""
    user, watch = calendar_user(ctx, user_id)
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
        mark_calendar(ctx, user_id, "disconnected", str(exc))
        raise MailboxNotConnected(str(exc)) from exc
    apply_events(ctx, user_id, (CalendarEvent.from_google(user.mailbox_address, raw) for raw in changes.events),
                 result)
    # A read that gave no new token keeps the one it started from.
    store_read(ctx, watch.id, **({"sync_token": changes.next_sync_token} if changes.next_sync_token else {}))
    return result


@dataclass(frozen=True)
class ChannelNotice:
    """What the Google Calendar webhook answers: `status` is the HTTP status, `stored` whether kept."""

    status: int
    stored: bool = False
    note: str = ""


def record_google_calendar_notification(ctx: ServiceContext, *, channel_id: str, channel_token: str | None,
                                        resource_state: str, message_number: str) -> ChannelNotice:
    """Verify a channel notification (our channel, its token) and keep an "exists" one for the worker."""
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
    recorded: Recorded = record_notification(
        ctx, provider=GOOGLE_CALENDAR, dedupe_key=f"{channel_id}:{message_number}", mailbox_address=address,
        account_id=account_id, payload={"user_id": user_id, "channel_id": channel_id,
                                        "message_number": message_number})
    return ChannelNotice(200, stored=recorded.stored, note="duplicate" if recorded.duplicate else "")


class GoogleCalendarFollower:
    """A Google calendar, followed by a watch channel and read from its sync token."""

    kind = "gmail"

    def follow(self, ctx: ServiceContext, s: Session, user: t.User) -> None:
        watch = calendar_watch_row(s, user)
        open_channel(ctx, user, watch)
        if watch.sync_token is None:
            watch.sync_token = google_calendar_for(ctx.settings, user).full_sync(None).next_sync_token

    def renew(self, ctx: ServiceContext, s: Session, user: t.User) -> bool:
        open_channel(ctx, user, calendar_watch_row(s, user))
        return False  # the sync token carries what changed meanwhile

    def catch_up(self, ctx: ServiceContext, address: str, *, brief: bool = False) -> bool:
        sync_google_calendar(ctx, calendar_user_at(ctx, address))
        return True

    def lifecycle(self, ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
        """Channels have no lifecycle events: a lapsed one is reopened by the renewal pass."""


GOOGLE_CALENDAR_FOLLOWER = GoogleCalendarFollower()


def write_booking(ctx: ServiceContext, user: t.User, *, event_id: str, summary: str, description: str,
                  start: datetime, end: datetime, attendee_email: str, attendee_name: str) -> str:
    """The booked meeting's event, under an id derived from the booking (so written once); its id."""
    try:
        return google_calendar_for(ctx.settings, user).insert_booking(
            event_id=event_id, summary=summary, description=description, start=start, end=end,
            attendee_email=attendee_email, attendee_name=attendee_name).id
    except CalendarGrantRevoked as exc:
        raise MailboxNotConnected(str(exc)) from exc


def busy(ctx: ServiceContext, user: t.User, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    return google_calendar_for(ctx.settings, user).busy(start, end)
