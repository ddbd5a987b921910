"""Reading a Gmail mailbox from its cursor (the history id) and applying what arrived, once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from addin_server.db import tables as t
from addin_server.mail.message import InboundMessage
from addin_server.providers.gmail import FetchedMessage, GmailError, GmailMailbox, GrantRevoked, HistoryExpired
from addin_server.services.context import ServiceContext
from addin_server.services.grants import (
    MailboxNotConnected,
    find_mailbox_user,
    followed_mailbox_user,
    gmail_for,
    mark_disconnected,
    watch_row,
)
from addin_server.services.inbound import Arrived
from addin_server.services.mailbox_sync import MessageRead, fetch_and_apply, resync_since

log = logging.getLogger(__name__)

PROVIDER = "gmail"
RESYNC_LIMIT = 500


class GmailSource:
    """Gmail's side of mailbox_sync: messages fetched as raw MIME with their thread ids."""

    def __init__(self, gmail: GmailMailbox) -> None:
        self.gmail = gmail

    def fetch_many(self, message_ids: list[str]) -> Iterator[FetchedMessage | GmailError]:
        return self.gmail.fetch_many(message_ids)  # lazily, 50 a request: applied as they come

    def failure(self, fetched: object) -> Exception | None:
        return fetched if isinstance(fetched, GmailError) else None

    def missing(self, error: Exception) -> bool:
        return isinstance(error, GmailError) and error.status == 404  # deleted since it arrived

    def mailbox_wide(self, error: BaseException) -> bool:
        return isinstance(error, GmailError) and error.mailbox_wide

    def read(self, fetched: object) -> Arrived | None:
        assert isinstance(fetched, FetchedMessage)
        if not fetched.is_inbound:
            return None
        return Arrived(fetched.id, InboundMessage.from_bytes(fetched.raw, provider_thread_id=fetched.thread_id),
                       received_at=fetched.received_at)


@dataclass
class SyncResult:
    fetched: int = 0
    applied: int = 0
    skipped: int = 0
    resynced: bool = False
    parked: int = 0


def sync_gmail_mailbox(ctx: ServiceContext, address: str, *, brief: bool = False) -> SyncResult:
    """Read what arrived since the stored cursor, apply each inbound message once, move the cursor.

    A message the mailbox cannot serve, or that cannot be read or applied, is parked by itself
    (see inbox.park_message) and the cursor moves past it: one bad message never holds back the
    ones after it. Only a failure of the whole mailbox (throttled, unreachable) leaves the cursor
    where it was. `brief` asks Gmail with few retries (the pre-send guard).
    """
    with ctx.session() as s:
        user = followed_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        watch = watch_row(s, user)
        user_id, mailbox, cursor = user.id, user.mailbox_address, watch.history_id
        last_synced = watch.last_synced_at
        gmail = gmail_for(ctx.settings, user, brief=brief)
    result = SyncResult()
    try:
        if cursor is None:
            raise HistoryExpired("no cursor yet")
        page = gmail.history_since(cursor)
        ids, new_cursor = list(page.message_ids), page.history_id
    except HistoryExpired:
        # Bounded resync: everything in the inbox since the last good sync (or a week), never a skip.
        since = resync_since(ctx, last_synced)
        new_cursor = gmail.profile_history_id()
        ids = gmail.inbox_since(since, limit=RESYNC_LIMIT)
        result.resynced = True
        log.info("resync of %s: %d messages since %s", mailbox, len(ids), since.isoformat())
    except GrantRevoked as exc:
        mark_disconnected(ctx, user_id, str(exc))
        raise
    read = MessageRead()
    fetch_and_apply(ctx, GmailSource(gmail), PROVIDER, mailbox, ids, read)
    result.fetched, result.applied, result.skipped = read.fetched, read.applied, read.skipped
    # Parked first, then the cursor: a crash between the two reads the messages again, never loses one.
    result.parked = read.park(ctx, PROVIDER, mailbox)
    advance_cursor(ctx, user_id, new_cursor, ctx.now())
    return result


def retry_gmail_message(ctx: ServiceContext, address: str, message_id: str) -> bool:
    """A parked Gmail message, tried again on its own; False when it is gone or not inbound mail."""
    with ctx.sessions() as s:
        user = find_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        mailbox = user.mailbox_address
        gmail = gmail_for(ctx.settings, user)
    read = MessageRead()
    fetch_and_apply(ctx, GmailSource(gmail), PROVIDER, mailbox, [message_id], read, isolate=False)
    return read.applied > 0


def advance_cursor(ctx: ServiceContext, user_id: int, history_id: int, now: datetime) -> None:
    """The cursor only moves forward, whatever order workers finish in."""
    with ctx.session() as s:
        s.execute(update(t.MailboxWatch).where(
            t.MailboxWatch.user_id == user_id,
            (t.MailboxWatch.history_id.is_(None)) | (t.MailboxWatch.history_id < history_id))
            .values(history_id=history_id).execution_options(synchronize_session=False))
        s.execute(update(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id)
                  .values(last_synced_at=now, status="active", last_error=None)
                  .execution_options(synchronize_session=False))
