"""The worker's side of the inbox: what each kind of notification does (one table), the pass over
due notifications, the sweep that catches what pushes missed, and the read before a step is sent.

A mailbox's Gmail pushes lead to one history read. A Graph message notification brings the
mailbox's other due ones along: their messages are fetched with $batch and applied in one
transaction per batch. Everything else is handled one by one through HANDLERS.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import inbox
from addin_server.services.calendar_bookings import CALENDAR_CREATE, create_booked_event
from addin_server.services.calendar_following import CALENDAR_SWEEP, sync_calendar
from addin_server.services.context import ServiceContext
from addin_server.services.following import Follower
from addin_server.services.gmail.following import GMAIL, GMAIL_PUSH
from addin_server.services.gmail.sync import retry_gmail_message
from addin_server.services.google_calendar.following import GOOGLE_CALENDAR, sync_google_calendar
from addin_server.services.graph.calendar import GRAPH_CALENDAR, is_calendar_item, process_graph_event_notification
from addin_server.services.graph.mailbox import (
    GRAPH_DELTA,
    graph_message_id,
    process_graph_message,
    process_graph_messages,
)
from addin_server.services.graph.notices import GRAPH_CHANGE, GRAPH_LIFECYCLE
from addin_server.services.graph.subscriptions import GRAPH_MAIL, GRAPH_SUBSCRIBE, subscribe_mailbox
from addin_server.services.inbox import PARKED_MESSAGE_KINDS, Handler, Pending, record_notification

# A claimed Graph notification brings its mailbox's other due ones with it, up to this many.
MAILBOX_BATCH = 100

# The mailbox followers by the provider their watch rows name.
MAILBOX_FOLLOWERS: dict[str, Follower] = {GMAIL.kind: GMAIL, GRAPH_MAIL.kind: GRAPH_MAIL}


def _graph_change(ctx: ServiceContext, item: Pending) -> object:
    if is_calendar_item(ctx, item.payload):
        return process_graph_event_notification(ctx, item.payload)
    return process_graph_message(ctx, item.mailbox_named(), graph_message_id(item.payload))


def _graph_lifecycle(ctx: ServiceContext, item: Pending) -> None:
    follower = GRAPH_CALENDAR if is_calendar_item(ctx, item.payload) else GRAPH_MAIL
    follower.lifecycle(ctx, item.mailbox_named(), item.payload)


HANDLERS: dict[str, Handler] = {
    GMAIL_PUSH: lambda ctx, item: GMAIL.catch_up(ctx, item.mailbox_named()),
    PARKED_MESSAGE_KINDS["gmail"]: lambda ctx, item: retry_gmail_message(ctx, item.mailbox_named(), item.message_id),
    PARKED_MESSAGE_KINDS["outlook"]: lambda ctx, item: process_graph_message(ctx, item.mailbox_named(),
                                                                              item.message_id, isolate=False),
    GRAPH_CHANGE: _graph_change,
    GRAPH_LIFECYCLE: _graph_lifecycle,
    GRAPH_DELTA: lambda ctx, item: GRAPH_MAIL.catch_up(ctx, item.mailbox_named()),
    GRAPH_SUBSCRIBE: lambda ctx, item: subscribe_mailbox(ctx, item.mailbox_named()),
    GOOGLE_CALENDAR: lambda ctx, item: sync_google_calendar(ctx, int(item.payload["user_id"])),
    CALENDAR_SWEEP: lambda ctx, item: sync_calendar(ctx, int(item.payload["user_id"])),
    CALENDAR_CREATE: lambda ctx, item: create_booked_event(ctx, int(item.payload["meeting_id"])),
}


def process_notification(ctx: ServiceContext, notification_id: int) -> str:
    """Handle one claimed notification; returns its new status (done, pending for a retry, parked, dead)."""
    item = inbox.pending(ctx, [notification_id]).get(notification_id)
    if item is None:
        return "gone"
    return inbox.handle(ctx, item, HANDLERS)


def _graph_message(ctx: ServiceContext, item: Pending) -> bool:
    return item.kind == GRAPH_CHANGE and bool(item.mailbox) and not is_calendar_item(ctx, item.payload)


def process_due_notifications(ctx: ServiceContext, worker: str, limit: int = 20) -> dict[str, int]:
    """Claim due notifications and handle them; the ones of one mailbox together."""
    ids = inbox.claim_notifications(ctx, worker, limit)
    rows = inbox.pending(ctx, ids)
    messages = {nid for nid, item in rows.items() if _graph_message(ctx, item)}
    boxes = {str(rows[nid].mailbox) for nid in messages}
    if boxes:
        more = inbox.pending(ctx, inbox.claim_mailbox_notifications(ctx, worker, GRAPH_CHANGE, boxes,
                                                                    MAILBOX_BATCH * len(boxes)))
        messages |= {nid for nid, item in more.items() if not is_calendar_item(ctx, item.payload)}
        rows.update(more)
        ids += [nid for nid in more if nid not in messages]  # an event among them: handled on its own
    statuses: dict[int, str] = {nid: "gone" for nid in ids if nid not in rows}
    gmail: dict[str, list[Pending]] = {}
    graph: dict[str, list[Pending]] = {}
    singles: list[Pending] = []
    for nid in sorted(rows):
        item = rows[nid]
        if item.kind == GMAIL_PUSH and item.mailbox:
            gmail.setdefault(item.mailbox, []).append(item)
        elif nid in messages:
            graph.setdefault(str(item.mailbox), []).append(item)
        else:
            singles.append(item)
    for address, items in gmail.items():
        statuses.update(inbox.handle_together(ctx, items, partial(GMAIL.catch_up, ctx, address)))
    for address, items in graph.items():
        statuses.update(process_graph_messages(ctx, address, items))
    for item in singles:
        statuses[item.id] = inbox.handle(ctx, item, HANDLERS)
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


def sweep_mailboxes(ctx: ServiceContext, worker: str) -> int:
    """Catch what pushes missed: queue a read of every followed mailbox not read for a while."""
    cutoff = ctx.now() - timedelta(minutes=ctx.settings.sweep_minutes)
    with ctx.sessions() as s:
        due = list(s.execute(select(t.MailboxWatch.mailbox_address, t.MailboxWatch.provider).where(
            t.MailboxWatch.status == "active",
            (t.MailboxWatch.last_synced_at.is_(None)) | (t.MailboxWatch.last_synced_at < cutoff))).all())
    bucket = int(ctx.now().timestamp() // (60 * max(1, ctx.settings.sweep_minutes)))
    for address, provider in due:
        kind = GMAIL_PUSH if provider == GMAIL.kind else GRAPH_DELTA
        record_notification(ctx, provider=kind, dedupe_key=f"sweep:{address}:{bucket}", mailbox_address=address,
                            account_id=None, payload={"sweep": True})
    return len(due)


def read_mailbox_now(ctx: ServiceContext, address: str, provider: str) -> bool:
    """Bring one rep's mailbox up to date now, asking the provider briefly (the pre-send guard).

    Gmail: history from the stored cursor (every label); Outlook: the listing of every folder since
    the last complete read, then the inbox delta from the stored link. Whatever
    arrived is applied (poison messages parked, as always). True when the mailbox was read to its
    end; a provider that cannot answer raises (GmailError, GraphError, a network error).
    """
    follower = MAILBOX_FOLLOWERS.get(provider, GRAPH_MAIL)
    return follower.catch_up(ctx, address, brief=True)
