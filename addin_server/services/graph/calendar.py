"""An Outlook calendar: followed by a Graph events subscription (its notifications arrive on the
Graph webhook with their clientState), read from the newest change already read, written to for
bookings, asked for free/busy."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.providers.graph import SubscriptionGone
from addin_server.providers.graph_calendar import GraphCalendar, modified_at
from addin_server.services.calendar_events import (
    CalendarEvent,
    CalendarSync,
    apply_events,
    calendar_user,
    calendar_user_at,
    calendar_watch_row,
    store_read,
)
from addin_server.services.context import ServiceContext
from addin_server.services.grants import MailboxNotConnected, graph_for
from addin_server.services.graph.subscriptions import open_subscription, reauthorize_or_gone

log = logging.getLogger(__name__)


def graph_calendar_for(settings: Settings, user: t.User) -> GraphCalendar:
    return GraphCalendar(graph_for(settings, user))


def subscribe_events(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> None:
    sub, issued = open_subscription(ctx, graph_calendar_for(ctx.settings, user))
    if watch.subscription_id and watch.subscription_id != sub.id:
        watch.replaced_subscription_id = watch.subscription_id
    watch.subscription_id, watch.client_state_hash, watch.expires_at = sub.id, issued.stored_hash, sub.expires_at


def renew_events_subscription(ctx: ServiceContext, user: t.User, watch: t.CalendarWatch) -> bool:
    """Renew the events subscription; True when Graph had forgotten it and a new one was made."""
    if not watch.subscription_id:
        subscribe_events(ctx, user, watch)
        return True
    calendar = graph_calendar_for(ctx.settings, user)
    try:
        watch.expires_at = calendar.renew(watch.subscription_id)
        return False
    except SubscriptionGone:
        subscribe_events(ctx, user, watch)  # changes meanwhile are read from the cursor
        return True
    finally:
        calendar.close()


def sync_graph_calendar(ctx: ServiceContext, user_id: int) -> CalendarSync:
    """Read the events changed since the newest change already read, apply each new meeting once."""
    user, watch = calendar_user(ctx, user_id)
    calendar = graph_calendar_for(ctx.settings, user)
    result = CalendarSync()
    newest = watch.changes_read_until

    def changed_events() -> Iterator[CalendarEvent]:
        nonlocal newest
        for raw in calendar.events_changed_since(watch.changes_read_until or watch.following_since):
            changed = modified_at(raw)
            if changed is not None and (newest is None or changed > newest):
                newest = changed  # stored only once every event read is applied
            yield CalendarEvent.from_graph(user.mailbox_address, raw)

    try:
        apply_events(ctx, user_id, changed_events(), result)
    finally:
        calendar.close()
    store_read(ctx, watch.id, changes_read_until=newest)
    return result


# --- Graph's notifications about events ---------------------------------------------------------


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


def is_calendar_item(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    """A Graph item about an event (events subscription), not about a message."""
    if "lifecycleEvent" in payload:
        return is_calendar_lifecycle(ctx, payload)
    return is_event_notification(payload)


def process_graph_event_notification(ctx: ServiceContext, payload: dict[str, Any]) -> CalendarSync:
    """An events notification: read the calendar's changes from its cursor (the event among them)."""
    return sync_graph_calendar(ctx, _subscription_user(ctx, str(payload.get("subscriptionId", ""))))


def handle_calendar_lifecycle(ctx: ServiceContext, payload: dict[str, Any]) -> None:
    """Reauthorize, recreate, or catch up an events subscription, as for the inbox one."""
    subscription_id = str(payload.get("subscriptionId", ""))
    with ctx.sessions() as s:
        current = calendar_subscriptions(s, {subscription_id}).get(subscription_id)
    if current is None:
        log.info("lifecycle event for a replaced subscription %s: nothing to do", subscription_id)
        return
    user_id = current.user_id
    with ctx.session() as s:
        user = s.get_one(t.User, user_id)
        watch = calendar_watch_row(s, user)
        calendar = graph_calendar_for(ctx.settings, user)
        try:
            event = reauthorize_or_gone(calendar.mailbox, str(payload.get("lifecycleEvent", "")),
                                        str(watch.subscription_id))
        finally:
            calendar.close()
        if event is None:
            return
        if event == "subscriptionRemoved":
            subscribe_events(ctx, user, watch)
    sync_graph_calendar(ctx, user_id)


def _subscription_user(ctx: ServiceContext, subscription_id: str) -> int:
    with ctx.sessions() as s:
        watch = calendar_subscriptions(s, {subscription_id}).get(subscription_id)
        if watch is None:
            raise MailboxNotConnected(f"events subscription {subscription_id} is no longer ours")
        return watch.user_id


class GraphCalendarFollower:
    """An Outlook calendar, followed by a Graph events subscription."""

    kind = "outlook"

    def follow(self, ctx: ServiceContext, s: Session, user: t.User) -> None:
        subscribe_events(ctx, user, calendar_watch_row(s, user))

    def renew(self, ctx: ServiceContext, s: Session, user: t.User) -> bool:
        return renew_events_subscription(ctx, user, calendar_watch_row(s, user))

    def catch_up(self, ctx: ServiceContext, address: str, *, brief: bool = False) -> bool:
        sync_graph_calendar(ctx, calendar_user_at(ctx, address))
        return True

    def lifecycle(self, ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
        handle_calendar_lifecycle(ctx, payload)


GRAPH_CALENDAR = GraphCalendarFollower()


def write_booking(ctx: ServiceContext, user: t.User, *, event_id: str, summary: str, description: str,
                  start: datetime, end: datetime, attendee_email: str, attendee_name: str) -> str:
    """The booked meeting's event, created once (Graph's transactionId is derived from `event_id`); its id."""
    calendar = graph_calendar_for(ctx.settings, user)
    try:
        return calendar.create_booking(
            transaction_id=hashlib.sha256(event_id.encode()).hexdigest()[:36], subject=summary, body=description,
            start=start, end=end, attendee_email=attendee_email, attendee_name=attendee_name).id
    finally:
        calendar.close()


def busy(ctx: ServiceContext, user: t.User, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    calendar = graph_calendar_for(ctx.settings, user)
    try:
        return calendar.busy(start, end)
    finally:
        calendar.close()
