"""Reps' mailboxes: connecting them, holding their grants encrypted, following them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.auth.client_state import issue_client_state
from addin_server.auth.secrets_box import decrypt, encrypt
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.model import MailboxProvider
from addin_server.domain.permissions import Action
from addin_server.providers.gmail import GmailError, GmailMailbox, GrantRevoked
from addin_server.providers.graph import (
    MAX_SUBSCRIPTION_MINUTES,
    GraphError,
    GraphMailbox,
    GraphTokens,
    SubscriptionGone,
)
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.errors import Conflict, Invalid
from addin_server.services.identity import bind_addresses, link_consenting_tenant
from addin_server.services.permissions import authorize


def follow_calendar(ctx: ServiceContext, user_id: str) -> dict[str, Any]:
    """Follow the rep's calendar too (services/calendars; never fails the mailbox connection)."""
    from addin_server.services.calendars import follow_calendar as follow

    return follow(ctx, user_id)


class MailboxNotConnected(Exception):
    """The rep has not connected this mailbox, or its grant was revoked."""


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


def _aliases(s: Session, user: t.User) -> list[str]:
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
        bind_addresses(s, user, [user.mailbox_address, *_aliases(s, user)], "gmail_consent", ctx.now())
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
        address = user.mailbox_address
        result = {"user_id": str(user.id), "mailbox": user.mailbox_address, "history_id": str(watch.history_id),
                "watch_expires_at": watch.watch_expires_at.isoformat() if watch.watch_expires_at else None}
    from addin_server.services.notifications import wake_mailbox

    wake_mailbox(ctx, address)
    result["calendar"] = follow_calendar(ctx, user_id)
    return result


def mark_disconnected(ctx: ServiceContext, user_id: int, reason: str) -> None:
    """A revoked or expired grant: show the mailbox as disconnected; queued work stays queued."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is None:
            return
        user.mailbox_connected = False
        watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id))
        if watch is None and user.mailbox_address:
            # The row keeps why: Settings says Disconnected and offers Reconnect, not "never connected".
            watch = watch_row(s, user)
        if watch is not None:
            watch.status, watch.last_error = "disconnected", reason[:500]


def mailbox_status(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    with ctx.session() as s:
        users = s.scalars(select(t.User).where(t.User.account_id == principal.account_id).order_by(t.User.id))
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


RENEW_AFTER = timedelta(days=1)
WATCH_LIFETIME = timedelta(days=7)


def renew_gmail_watches(ctx: ServiceContext) -> int:
    """Renew each Gmail watch once a day, well before Gmail's 7-day expiry. Returns how many."""
    if not ctx.settings.pubsub_topic:
        return 0
    due_before = ctx.now() + WATCH_LIFETIME - RENEW_AFTER
    with ctx.sessions() as s:
        due = list(s.execute(select(t.MailboxWatch.user_id).where(
            t.MailboxWatch.provider == MailboxProvider.GMAIL.value, t.MailboxWatch.status == "active",
            (t.MailboxWatch.watch_expires_at.is_(None)) | (t.MailboxWatch.watch_expires_at < due_before))).scalars())
    renewed = 0
    for user_id in due:
        with ctx.session() as s:
            user = s.get_one(t.User, user_id)
            try:
                _, expires = gmail_for(ctx.settings, user).watch(ctx.settings.pubsub_topic)
            except (MailboxNotConnected, GrantRevoked) as exc:
                mark_disconnected(ctx, user_id, str(exc))
                continue
            except GmailError:
                continue  # tried again on the next pass
            watch_row(s, user).watch_expires_at = expires
            renewed += 1
    return renewed


# --- Outlook (Microsoft Graph) ---------------------------------------------------------------

_graph_tokens: dict[tuple[str, str, str], GraphTokens] = {}


def graph_tokens(settings: Settings, tenant_id: str) -> GraphTokens:
    """One msal client per tenant and app registration (msal caches the tokens inside it)."""
    key = (settings.ms_authority, settings.ms_client_id, tenant_id)
    if key not in _graph_tokens:
        _graph_tokens[key] = GraphTokens(settings, tenant_id)
    return _graph_tokens[key]


def outlook_connected(s: Session, user: t.User) -> bool:
    """Connected through connect_outlook (the tenant's consent), not merely signed in with SSO."""
    if user.mailbox_provider != MailboxProvider.OUTLOOK.value or not user.mailbox_connected or not user.ms_tid:
        return False
    watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user.id))
    return watch is not None and watch.status != "disconnected"


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


def _subscribe(ctx: ServiceContext, s: Session, user: t.User, watch: t.MailboxWatch) -> None:
    issued = issue_client_state(ctx.settings)
    graph = graph_for(ctx.settings, user)
    try:
        sub = graph.subscribe(ctx.settings.public_endpoint("/webhooks/graph"),
                              ctx.settings.public_endpoint("/webhooks/graph/lifecycle"), issued.secret)
    finally:
        graph.close()
    watch.subscription_id, watch.client_state_hash = sub.id, issued.stored_hash
    watch.subscription_expires_at, watch.status, watch.last_error = sub.expires_at, "active", None


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
        # Consent proves the mailbox: its address and aliases are this rep's from now on (409 if another's).
        bind_addresses(s, user, [user.mailbox_address, *_aliases(s, user)], "microsoft_consent", ctx.now())
        # The admin consent links its tenant when the account has none; another tenant is a 409.
        link_consenting_tenant(s, user.account_id, tenant_id.strip(), ctx.now())
        user.ms_tid, user.mailbox_connected = tenant_id.strip(), True
        if graph_user_id:
            user.ms_oid = graph_user_id
        s.flush()
        watch = watch_row(s, user)
        subscribe_later = not subscribe_now
        if subscribe_now:
            try:
                _subscribe(ctx, s, user, watch)
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
    from addin_server.services.notifications import record_notification, wake_mailbox

    if subscribe_later:
        record_notification(ctx, provider="graph_subscribe", dedupe_key=f"subscribe:{address}:{ctx.now().isoformat()}",
                            mailbox_address=address, account_id=principal.account_id, payload={})
    wake_mailbox(ctx, address)
    result["calendar"] = follow_calendar(ctx, user_id)
    return result


def resubscribe(ctx: ServiceContext, user_id: int, *, replacing: str | None = None) -> bool:
    """Graph removed the subscription (or it lapsed): make a new one.

    With `replacing`, only while that is still the mailbox's subscription: another worker that
    handled the same removal has already made the new one. Returns whether one was made.
    """
    with ctx.session() as s:
        user = s.get_one(t.User, user_id)
        watch = watch_row(s, user)
        if replacing is not None and watch.subscription_id != replacing:
            return False
        _subscribe(ctx, s, user, watch)
        return True


def renew_graph_subscriptions(ctx: ServiceContext) -> int:
    """Renew subscriptions once a day (they live under 3 days); recreate the ones Graph forgot."""
    due_before = ctx.now() + timedelta(minutes=MAX_SUBSCRIPTION_MINUTES) - RENEW_AFTER
    with ctx.sessions() as s:
        due = list(s.scalars(select(t.MailboxWatch.user_id).where(
            t.MailboxWatch.provider == MailboxProvider.OUTLOOK.value, t.MailboxWatch.status == "active",
            t.MailboxWatch.subscription_id.is_not(None),
            (t.MailboxWatch.subscription_expires_at.is_(None))
            | (t.MailboxWatch.subscription_expires_at < due_before))))
    renewed = 0
    recreated: list[tuple[str, int, str]] = []
    for user_id in due:
        with ctx.session() as s:
            user = s.get_one(t.User, user_id)
            watch = watch_row(s, user)
            graph = graph_for(ctx.settings, user)
            try:
                watch.subscription_expires_at = graph.renew(str(watch.subscription_id))
            except SubscriptionGone:
                _subscribe(ctx, s, user, watch)
                recreated.append((user.mailbox_address, user.account_id, str(watch.subscription_id)))
            except GraphGrantRevoked as exc:
                watch.status, watch.last_error, user.mailbox_connected = "disconnected", str(exc)[:500], False
                continue
            except GraphError:
                continue
            finally:
                graph.close()
            renewed += 1
    from addin_server.services.notifications import record_notification

    for address, account_id, subscription_id in recreated:
        # Nothing was notified while Graph had forgotten the old one: a catch-up reads it by delta.
        record_notification(ctx, provider="graph_delta", dedupe_key=f"resubscribed:{address}:{subscription_id}",
                            mailbox_address=address, account_id=account_id, payload={"resubscribed": True})
    return renewed
