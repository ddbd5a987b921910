"""Reps' mailboxes: connecting them, holding their grants encrypted, following them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.auth.secrets_box import decrypt, encrypt
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.model import MailboxProvider
from addin_server.providers.gmail import GmailMailbox
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.errors import Conflict, Invalid


class MailboxNotConnected(Exception):
    """The rep has not connected this mailbox, or its grant was revoked."""


def watch_row(s: Session, user: t.User) -> t.MailboxWatch:
    row = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user.id))
    if row is None:
        row = t.MailboxWatch(account_id=user.account_id, user_id=user.id, provider=user.mailbox_provider,
                             mailbox_address=user.mailbox_address, status="active")
        s.add(row)
        s.flush()
    return row


def gmail_for(settings: Settings, user: t.User) -> GmailMailbox:
    if not user.refresh_token_encrypted or not user.mailbox_connected:
        raise MailboxNotConnected(f"{user.mailbox_address} is not connected")
    return GmailMailbox(settings, decrypt(user.refresh_token_encrypted, settings), user.mailbox_address)


def connect_gmail(ctx: ServiceContext, principal: Principal, user_id: str, refresh_token: str) -> dict[str, Any]:
    """Store the rep's Gmail grant (encrypted) and start following the mailbox from now on."""
    if not refresh_token.strip():
        raise Invalid("refresh_token is empty")
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        if user.mailbox_provider != MailboxProvider.GMAIL.value:
            raise Conflict("this rep's mailbox is not a Gmail mailbox")
        user.refresh_token_encrypted = encrypt(refresh_token, ctx.settings)
        user.mailbox_connected = True
        s.flush()
        gmail = gmail_for(ctx.settings, user)
        watch = watch_row(s, user)
        if ctx.settings.pubsub_topic:
            history_id, expires = gmail.watch(ctx.settings.pubsub_topic)
            watch.watch_expires_at = expires
        else:
            history_id = gmail.profile_history_id()
        # A reconnect keeps the older cursor: what arrived while disconnected is still read.
        watch.history_id = watch.history_id or history_id
        watch.status, watch.last_error, watch.last_synced_at = "active", None, ctx.now()
        return {"user_id": str(user.id), "mailbox": user.mailbox_address, "history_id": str(watch.history_id),
                "watch_expires_at": watch.watch_expires_at.isoformat() if watch.watch_expires_at else None}


def mark_disconnected(ctx: ServiceContext, user_id: int, reason: str) -> None:
    """A revoked or expired grant: show the mailbox as disconnected; queued work stays queued."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is None:
            return
        user.mailbox_connected = False
        watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id))
        if watch is not None:
            watch.status, watch.last_error = "disconnected", reason[:500]


def mailbox_status(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    with ctx.session() as s:
        users = s.scalars(select(t.User).where(t.User.account_id == principal.account_id).order_by(t.User.id))
        out = []
        for u in users:
            w = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == u.id))
            out.append({"user_id": str(u.id), "mailbox": u.mailbox_address, "provider": u.mailbox_provider,
                        "connected": bool(u.refresh_token_encrypted) and u.mailbox_connected,
                        "watch_status": w.status if w else None, "last_error": w.last_error if w else None,
                        "last_synced_at": w.last_synced_at.isoformat() if w and w.last_synced_at else None})
        return out
