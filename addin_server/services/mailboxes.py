"""Reps' mailboxes: connecting them (the grant kept encrypted), following them from then on, and
what Settings shows of them. Reading them is services/gmail and services/graph; the grants and
provider handles are services/grants."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from addin_server.auth.secrets_box import encrypt
from addin_server.db import tables as t
from addin_server.domain.model import MailboxProvider
from addin_server.domain.permissions import Action
from addin_server.providers.gmail import GmailError, GmailMailbox
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError, GraphMailbox
from addin_server.services.calendar_following import follow_calendar
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.errors import Conflict, Invalid
from addin_server.services.gmail.following import GMAIL
from addin_server.services.grants import MailboxNotConnected, aliases, graph_for, outlook_connected, watch_row
from addin_server.services.graph.subscriptions import GRAPH_MAIL, GRAPH_SUBSCRIBE
from addin_server.services.identity import bind_addresses, provider_proven, require_linked_tenant
from addin_server.services.inbox import record_notification, wake_mailbox
from addin_server.services.permissions import authorize

log = logging.getLogger(__name__)


def _listed(read: Callable[[], list[str]]) -> list[str]:
    """The provider's list of the mailbox's own addresses; none when it cannot be read now (the
    typed aliases then stay unproven: the primary address is bound all the same)."""
    try:
        return read()
    except (GmailError, GraphError, MailboxNotConnected) as exc:
        log.warning("mailbox aliases could not be read: %s", exc)
        return []


def _proxy_addresses(graph: GraphMailbox) -> list[str]:
    try:
        return graph.proxy_addresses()
    finally:
        graph.close()


def connect_gmail(ctx: ServiceContext, principal: Principal, user_id: str, refresh_token: str) -> dict[str, Any]:
    """Store the rep's Gmail grant (encrypted) and start following the mailbox from now on."""
    if not refresh_token.strip():
        raise Invalid("refresh_token is empty")
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        # A rep connects only their own mailbox; another rep never.
        authorize(principal, Action.MAILBOX_CONNECTION, [user.id])
        if user.mailbox_provider != MailboxProvider.GMAIL.value:
            raise Conflict("this rep's mailbox is not a Gmail mailbox")
        # Consent proves the mailbox; an alias typed for it binds only when Gmail lists it as the mailbox's.
        listed = _listed(lambda: GmailMailbox(ctx.settings, refresh_token, user.mailbox_address).send_as_addresses())
        bind_addresses(s, user, [user.mailbox_address, *provider_proven(aliases(s, user), listed)], "gmail_consent",
                       ctx.now())
        user.refresh_token_encrypted = encrypt(refresh_token, ctx.settings)
        user.mailbox_connected = True
        s.flush()
        GMAIL.follow(ctx, s, user)
        watch = watch_row(s, user)
        watch.status, watch.last_error, watch.last_synced_at = "active", None, ctx.now()
        address = user.mailbox_address
        result = {"user_id": str(user.id), "mailbox": user.mailbox_address, "history_id": str(watch.history_id),
                "watch_expires_at": watch.watch_expires_at.isoformat() if watch.watch_expires_at else None}
    wake_mailbox(ctx, address)
    result["calendar"] = follow_calendar(ctx, user_id)
    return result


def mailbox_status(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    with ctx.session() as s:
        users = s.scalars(select(t.User).where(t.User.account_id == principal.account_id,
                                               t.User.removed_at.is_(None)).order_by(t.User.id))
        out = []
        for u in users:
            w = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == u.id))
            connected = (outlook_connected(s, u) if u.mailbox_provider == MailboxProvider.OUTLOOK.value
                         else bool(u.refresh_token_encrypted) and u.mailbox_connected)
            out.append({"user_id": str(u.id), "mailbox": u.mailbox_address, "provider": u.mailbox_provider,
                        "connected": connected,
                        "watch_status": w.status if w else None, "last_error": w.last_error if w else None,
                        "last_synced_at": w.last_synced_at.isoformat() if w and w.last_synced_at else None})
        return out


def connect_outlook(ctx: ServiceContext, principal: Principal, user_id: str, *, tenant_id: str,
                    graph_user_id: str | None = None, subscribe_now: bool = True) -> dict[str, Any]:
    """Follow a rep's Outlook mailbox with the tenant's admin consent (app-only access).

    Graph validates our webhook while the subscription is created; when that cannot happen now
    (the server is not reachable yet, Graph is down), the worker creates it shortly after.
    """
    if not tenant_id.strip():
        raise Invalid("tenant_id is empty")
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        # A rep connects only their own mailbox; another rep never.
        authorize(principal, Action.MAILBOX_CONNECTION, [user.id])
        if user.mailbox_provider != MailboxProvider.OUTLOOK.value:
            raise Conflict("this rep's mailbox is not an Outlook mailbox")
        # Only the account's own, proven tenant: naming a tenant links none (409 tenant_not_linked).
        require_linked_tenant(s, user.account_id, tenant_id.strip())
        user.ms_tid, user.mailbox_connected = tenant_id.strip(), True
        if graph_user_id:
            user.ms_oid = graph_user_id
        # Consent proves the mailbox (409 if another rep's); an alias typed for it binds only when
        # Exchange lists it among the mailbox's proxyAddresses.
        listed = _listed(lambda: _proxy_addresses(graph_for(ctx.settings, user)))
        bind_addresses(s, user, [user.mailbox_address, *provider_proven(aliases(s, user), listed)],
                       "microsoft_consent", ctx.now())
        s.flush()
        watch = watch_row(s, user)
        subscribe_later = not subscribe_now
        if subscribe_now:
            try:
                GRAPH_MAIL.follow(ctx, s, user)
            except GraphGrantRevoked:
                raise
            except GraphError as exc:
                watch.last_error, subscribe_later = f"subscription deferred: {exc}"[:500], True
        if subscribe_later:
            watch.status = "subscribing"
        if watch.delta_link is None:  # from now on; what came before the connection is not ours to judge
            graph = graph_for(ctx.settings, user)
            try:
                watch.delta_link = graph.inbox_delta(None, from_now=True).delta_link
            finally:
                graph.close()
        watch.last_synced_at = ctx.now()
        address = user.mailbox_address
        result = {"user_id": str(user.id), "mailbox": address, "subscription_id": watch.subscription_id,
                  "subscription_expires_at": watch.subscription_expires_at.isoformat()
                  if watch.subscription_expires_at else None}
    if subscribe_later:
        record_notification(ctx, provider=GRAPH_SUBSCRIBE, dedupe_key=f"subscribe:{address}:{ctx.now().isoformat()}",
                            mailbox_address=address, account_id=principal.account_id, payload={})
    wake_mailbox(ctx, address)
    result["calendar"] = follow_calendar(ctx, user_id)
    return result
