"""Reps' grants: the provider handles made from them, and what a revoked one changes.

Everything that reads or follows a rep's mailbox or calendar starts here; this module imports no
other service module, so every follower can use it without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from addin_server.auth.secrets_box import decrypt
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.model import MailboxProvider
from addin_server.providers.gmail import GmailMailbox
from addin_server.providers.graph import GraphMailbox, GraphTokens
from addin_server.services.context import ServiceContext


class MailboxNotConnected(Exception):
    """The rep has not connected this mailbox, or its grant was revoked."""


def followed_mailbox_user(s: Session, address: str) -> t.User | None:
    """The rep whose mailbox we follow at `address`: found by the watch or subscription their consent
    created, never by matching addresses across accounts (an address another account typed in for one
    of its users must not capture this mailbox's mail)."""
    norm = try_normalize(address)
    if norm is None:
        return None
    users = list(s.scalars(select(t.User).join(t.MailboxWatch, t.MailboxWatch.user_id == t.User.id)
                           .where(t.MailboxWatch.mailbox_address == norm).order_by(t.User.id).limit(2)))
    # Two accounts following one address cannot happen once addresses are bound (identity.py); never guess.
    return users[0] if len(users) == 1 else None


def find_mailbox_user(s: Session, address: str, account_id: int | None = None) -> t.User | None:
    """The rep whose mailbox (or one of its aliases) is `address`: the followed mailbox first; else,
    within `account_id`, the rep with that address; else the one rep anywhere that has it (none when
    several accounts do: ambiguity is refused, not guessed)."""
    norm = try_normalize(address)
    if norm is None:
        return None
    followed = followed_mailbox_user(s, norm)
    if followed is not None and account_id in (None, followed.account_id):
        return followed
    alias_owner = select(t.UserAlias.user_id).where(t.UserAlias.address == norm)
    q = select(t.User).where(or_(t.User.mailbox_address == norm, t.User.id.in_(alias_owner)),
                             t.User.removed_at.is_(None))
    if account_id is not None:
        q = q.where(t.User.account_id == account_id)
    users = list(s.scalars(q.order_by(t.User.mailbox_address != norm, t.User.id).limit(3)))
    if account_id is not None:
        return users[0] if users else None
    return users[0] if len({u.account_id for u in users}) == 1 else None


FollowRow = TypeVar("FollowRow", t.MailboxWatch, t.CalendarWatch)


def follow_row(s: Session, model: type[FollowRow], user: t.User) -> FollowRow:
    """The row that says how we follow this rep's mailbox or calendar, made on first use."""
    row = s.scalar(select(model).where(model.user_id == user.id))
    if row is None:
        row = model(account_id=user.account_id, user_id=user.id, provider=user.mailbox_provider,
                    mailbox_address=user.mailbox_address, status="active")
        s.add(row)
        s.flush()
    return row


def watch_row(s: Session, user: t.User) -> t.MailboxWatch:
    return follow_row(s, t.MailboxWatch, user)


def aliases(s: Session, user: t.User) -> list[str]:
    return list(s.scalars(select(t.UserAlias.address).where(t.UserAlias.user_id == user.id)))


def google_grant(settings: Settings, user: t.User) -> str:
    """The rep's Google refresh token, decrypted; MailboxNotConnected when there is none."""
    if not user.refresh_token_encrypted or not user.mailbox_connected:
        raise MailboxNotConnected(f"{user.mailbox_address} is not connected")
    return decrypt(user.refresh_token_encrypted, settings)


# The pre-send guard asks once and briefly: a step that cannot be checked waits for the worker's
# next try rather than holding the worker in the client libraries' long retry loops.
BRIEF_GMAIL_RETRIES = 1
BRIEF_GRAPH_ATTEMPTS = 2
BRIEF_GRAPH_WAIT_SECONDS = 2.0


def gmail_for(settings: Settings, user: t.User, *, brief: bool = False) -> GmailMailbox:
    if brief:
        return GmailMailbox(settings, google_grant(settings, user), user.mailbox_address,
                            retries=BRIEF_GMAIL_RETRIES, timeout=settings.presend_read_timeout_seconds)
    return GmailMailbox(settings, google_grant(settings, user), user.mailbox_address)


_graph_tokens: dict[tuple[str, str, str], GraphTokens] = {}


def graph_tokens(settings: Settings, tenant_id: str) -> GraphTokens:
    """One msal client per tenant and app registration (msal caches the tokens inside it)."""
    key = (settings.ms_authority, settings.ms_client_id, tenant_id)
    if key not in _graph_tokens:
        _graph_tokens[key] = GraphTokens(settings, tenant_id)
    return _graph_tokens[key]


def graph_for(settings: Settings, user: t.User, *, brief: bool = False) -> GraphMailbox:
    if not user.ms_tid or not user.mailbox_connected:
        raise MailboxNotConnected(f"{user.mailbox_address} is not connected")
    # The Graph user id when known: the per-mailbox concurrency gate is keyed by it.
    token = graph_tokens(settings, user.ms_tid).app_token
    if brief:
        return GraphMailbox(settings, user.ms_oid or user.mailbox_address, token, max_attempts=BRIEF_GRAPH_ATTEMPTS,
                            max_retry_after=BRIEF_GRAPH_WAIT_SECONDS, retry_base_seconds=0.5,
                            timeout=settings.presend_read_timeout_seconds)
    return GraphMailbox(settings, user.ms_oid or user.mailbox_address, token)


@dataclass(frozen=True)
class FollowedGraphMailbox:
    """A followed Outlook mailbox: its rep, its address as stored, and a Graph handle to close after use."""

    user_id: int
    address: str
    graph: GraphMailbox


def followed_graph_mailbox(ctx: ServiceContext, address: str, *, brief: bool = False) -> FollowedGraphMailbox:
    with ctx.sessions() as s:
        user = followed_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        return FollowedGraphMailbox(user.id, user.mailbox_address, graph_for(ctx.settings, user, brief=brief))


def outlook_connected(s: Session, user: t.User) -> bool:
    """Connected through connect_outlook (the tenant's consent), not merely signed in with SSO."""
    if user.mailbox_provider != MailboxProvider.OUTLOOK.value or not user.mailbox_connected or not user.ms_tid:
        return False
    watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user.id))
    return watch is not None and watch.status != "disconnected"


def calendar_connected(s: Session, user: t.User) -> bool:
    """Whether the rep has a working calendar: a grant given by real consent and not revoked."""
    if not user.mailbox_connected:
        return False
    granted = user.ms_tid if user.mailbox_provider == MailboxProvider.OUTLOOK.value else user.refresh_token_encrypted
    if not granted:
        return False
    watch = s.scalar(select(t.CalendarWatch.status).where(t.CalendarWatch.user_id == user.id))
    return watch != "disconnected"


def disconnect(s: Session, user: t.User, reason: str) -> None:
    """In an open session: the mailbox shows as disconnected (Settings offers Reconnect), with why."""
    user.mailbox_connected = False
    watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user.id))
    if watch is None and user.mailbox_address:
        # The row keeps why: Settings says Disconnected and offers Reconnect, not "never connected".
        watch = watch_row(s, user)
    if watch is not None:
        watch.status, watch.last_error = "disconnected", reason[:500]


def mark_disconnected(ctx: ServiceContext, user_id: int, reason: str) -> None:
    """A revoked or expired grant: show the mailbox as disconnected; queued work stays queued."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is not None:
            disconnect(s, user, reason)
