"""Following reps' calendars whatever their provider: start from now on, renew before the provider
lets go, retry the ones that failed, and sweep the ones left quiet too long.

Each provider's follower (services/google_calendar, services/graph/calendar.py) does the provider's
part; the bookkeeping on the calendar watch row (status, error, retry time) lives here, once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.providers.google_calendar import CalendarGrantRevoked
from addin_server.services.calendar_events import (
    CLOCK_SKEW,
    RETRY_AFTER,
    CalendarSync,
    calendar_watch_row,
    is_google,
)
from addin_server.services.context import ServiceContext
from addin_server.services.directory import parse_id
from addin_server.services.following import GRANT_REFUSED, PROVIDER_FAILED, Follower
from addin_server.services.google_calendar.following import GOOGLE_CALENDAR_FOLLOWER, sync_google_calendar
from addin_server.services.graph.calendar import GRAPH_CALENDAR, sync_graph_calendar
from addin_server.services.inbox import record_notification

log = logging.getLogger(__name__)

# The inbox kind of a sweep's read of one calendar.
CALENDAR_SWEEP = "calendar_sweep"
# Renew a day before expiry: channels live a week, Graph subscriptions under three days.
RENEW_BEFORE = timedelta(days=1)


def calendar_follower(user: t.User) -> Follower:
    return GOOGLE_CALENDAR_FOLLOWER if is_google(user) else GRAPH_CALENDAR


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
            calendar_follower(user).follow(ctx, s, user)
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
                    calendar_follower(user).renew(ctx, s, user)
                    watch.status, watch.last_error, watch.retry_at = "active", None, None
                    renewed += 1
                except (*GRANT_REFUSED, CalendarGrantRevoked) as exc:
                    watch.status, watch.last_error = "disconnected", str(exc)[:500]
                except PROVIDER_FAILED as exc:
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
        google = is_google(s.get_one(t.User, user_id))
    return sync_google_calendar(ctx, user_id) if google else sync_graph_calendar(ctx, user_id)
