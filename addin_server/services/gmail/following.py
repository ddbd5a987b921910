"""Following a Gmail mailbox: its watch (Pub/Sub pushes), renewed daily, and the pushes it sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.services.context import ServiceContext
from addin_server.services.following import expiring, renew_mailbox_watches
from addin_server.services.gmail.sync import sync_gmail_mailbox
from addin_server.services.grants import gmail_for, watch_row
from addin_server.services.inbox import Recorded, account_of_mailbox, record_notification

# The inbox kind of a push (and of a sweep's read of one mailbox).
GMAIL_PUSH = "gmail"
RENEW_AFTER = timedelta(days=1)
WATCH_LIFETIME = timedelta(days=7)


class GmailFollower:
    """A Gmail mailbox, followed by a watch that pushes to our Pub/Sub topic and read by history."""

    kind = "gmail"

    def follow(self, ctx: ServiceContext, s: Session, user: t.User) -> None:
        gmail = gmail_for(ctx.settings, user)
        watch = watch_row(s, user)
        if ctx.settings.pubsub_topic:
            history_id, expires = gmail.watch(ctx.settings.pubsub_topic)
            watch.watch_expires_at = expires
        else:
            history_id = gmail.profile_history_id()
        # A reconnect keeps the older cursor: what arrived while disconnected is still read.
        watch.history_id = watch.history_id or history_id

    def renew(self, ctx: ServiceContext, s: Session, user: t.User) -> bool:
        _, expires = gmail_for(ctx.settings, user).watch(ctx.settings.pubsub_topic)
        watch_row(s, user).watch_expires_at = expires
        return False  # history from the cursor carries what arrived meanwhile

    def catch_up(self, ctx: ServiceContext, address: str, *, brief: bool = False) -> bool:
        sync_gmail_mailbox(ctx, address, brief=brief)
        return True

    def lifecycle(self, ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
        """Gmail watches have no lifecycle events: a lapsed one is renewed by the daily pass."""


GMAIL = GmailFollower()


def renew_gmail_watches(ctx: ServiceContext) -> int:
    """Renew each Gmail watch once a day, well before Gmail's 7-day expiry. Returns how many."""
    if not ctx.settings.pubsub_topic:
        return 0
    due_before = ctx.now() + WATCH_LIFETIME - RENEW_AFTER
    return renew_mailbox_watches(ctx, GMAIL, expiring(t.MailboxWatch.watch_expires_at, due_before)).renewed


def record_gmail_push(ctx: ServiceContext, *, pubsub_message_id: str, email_address: str,
                      history_id: str) -> Recorded:
    """A verified Pub/Sub push: stored when it names one of our reps' mailboxes."""
    address = try_normalize(email_address)
    if address is None:
        return Recorded(stored=False, discarded="emailAddress is not an address")
    account_id = account_of_mailbox(ctx, address)
    if account_id is None:
        return Recorded(stored=False, discarded=f"no rep's mailbox is {address}")
    return record_notification(ctx, provider=GMAIL_PUSH, dedupe_key=pubsub_message_id, mailbox_address=address,
                               account_id=account_id, payload={"historyId": history_id, "emailAddress": address})
