"""Following an Outlook mailbox: its Graph subscription (every folder), renewed, recreated, and its lifecycle events."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.auth.client_state import IssuedClientState, issue_client_state
from addin_server.db import tables as t
from addin_server.providers.graph import MAX_SUBSCRIPTION_MINUTES, GraphMailbox, GraphSubscription, SubscriptionGone
from addin_server.services.context import ServiceContext
from addin_server.services.following import expiring, renew_mailbox_watches
from addin_server.services.grants import (
    MailboxNotConnected,
    followed_graph_mailbox,
    followed_mailbox_user,
    graph_for,
    watch_row,
)
from addin_server.services.graph.mailbox import GRAPH_DELTA, PRESEND_READ_LIMIT, graph_catch_up, read_inbox
from addin_server.services.inbox import record_notification

log = logging.getLogger(__name__)

GRAPH_WEBHOOK = "/webhooks/graph"
GRAPH_LIFECYCLE_WEBHOOK = "/webhooks/graph/lifecycle"
RENEW_AFTER = timedelta(days=1)
# The inbox kind of a subscription deferred when the mailbox was connected.
GRAPH_SUBSCRIBE = "graph_subscribe"


class Subscribable(Protocol):
    """A Graph mailbox or calendar: what can be subscribed to our webhooks."""

    def subscribe(self, notification_url: str, lifecycle_url: str, client_state: str) -> GraphSubscription: ...

    def close(self) -> None: ...


def open_subscription(ctx: ServiceContext, client: Subscribable) -> tuple[GraphSubscription, IssuedClientState]:
    """A new subscription of `client` to our webhooks under a fresh clientState (Graph validates the webhook
    while it is made); the client is closed after. The caller keeps the clientState's hash."""
    issued = issue_client_state(ctx.settings)
    try:
        sub = client.subscribe(ctx.settings.public_endpoint(GRAPH_WEBHOOK),
                               ctx.settings.public_endpoint(GRAPH_LIFECYCLE_WEBHOOK), issued.secret)
    finally:
        client.close()
    return sub, issued


def subscribe(ctx: ServiceContext, user: t.User, watch: t.MailboxWatch) -> None:
    """A new inbox subscription; its clientState kept hashed."""
    sub, issued = open_subscription(ctx, graph_for(ctx.settings, user))
    watch.subscription_id, watch.client_state_hash = sub.id, issued.stored_hash
    watch.subscription_expires_at, watch.status, watch.last_error = sub.expires_at, "active", None


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
        subscribe(ctx, user, watch)
        return True


def subscribe_mailbox(ctx: ServiceContext, address: str) -> None:
    """A subscription deferred when the mailbox was connected: made now, then what arrived before it read."""
    with ctx.sessions() as s:
        user = followed_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        user_id = user.id
    resubscribe(ctx, user_id)
    graph_catch_up(ctx, address)


def reauthorize_or_gone(graph: GraphMailbox, event: str, subscription_id: str) -> str | None:
    """Answer a reauthorizationRequired event; returns what is left to do: None once reauthorized,
    subscriptionRemoved when Graph answers that the subscription is gone (404), else the event."""
    if event != "reauthorizationRequired":
        return event
    try:
        graph.reauthorize(subscription_id)
        return None
    except SubscriptionGone:
        log.info("subscription %s is gone: subscribing again", subscription_id)
        return "subscriptionRemoved"


def handle_graph_lifecycle(ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
    """A lifecycle event of the inbox subscription: reauthorize it, recreate it, or catch up by delta.

    Graph can send one late, about a subscription we have replaced since (a removal and a
    reauthorization racing): that one is done, with nothing to do, never retried until it is dead.
    A reauthorization Graph answers with 404 is a removal: a new subscription, then a catch-up.
    """
    event = str(payload.get("lifecycleEvent", ""))
    subscription_id = str(payload.get("subscriptionId", ""))
    box = followed_graph_mailbox(ctx, address)
    try:
        with ctx.sessions() as s:
            current = s.scalar(select(t.MailboxWatch.subscription_id).where(t.MailboxWatch.user_id == box.user_id))
        if subscription_id != current:
            log.info("%s about subscription %s of %s, replaced since by %s: nothing to do",
                     event, subscription_id, address, current)
            if event != "missed":
                return
            # What the old subscription missed: a catch-up is cheap, and applied messages are skipped.
        else:
            left = reauthorize_or_gone(box.graph, event, subscription_id)
            if left is None:
                return
            event = left
    finally:
        box.graph.close()
    if event == "subscriptionRemoved":
        resubscribe(ctx, box.user_id, replacing=subscription_id)
    # Removed or missed: whatever arrived meanwhile is read by delta.
    graph_catch_up(ctx, address)


class GraphMailFollower:
    """An Outlook inbox, followed by a Graph subscription and read by delta."""

    kind = "outlook"

    def follow(self, ctx: ServiceContext, s: Session, user: t.User) -> None:
        subscribe(ctx, user, watch_row(s, user))

    def renew(self, ctx: ServiceContext, s: Session, user: t.User) -> bool:
        watch = watch_row(s, user)
        graph = graph_for(ctx.settings, user)
        try:
            old = str(watch.subscription_id)
            watch.subscription_expires_at, resource = graph.renew_resource(old)
            if resource.strip("/").lower() == graph.subscription_resource().lower():
                return False
            # Made when only the inbox was followed: replaced by one on every folder (a rule may file
            # a reply anywhere), and the old one deleted once the new one is in place.
            subscribe(ctx, user, watch)
            graph.delete(old)
            log.info("subscription %s of %s followed %s: replaced by %s on the whole mailbox", old,
                     user.mailbox_address, resource, watch.subscription_id)
            return True
        except SubscriptionGone:
            subscribe(ctx, user, watch)
            return True
        finally:
            graph.close()

    def catch_up(self, ctx: ServiceContext, address: str, *, brief: bool = False) -> bool:
        if brief:
            return read_inbox(ctx, address, limit=PRESEND_READ_LIMIT, brief=True)[1]
        graph_catch_up(ctx, address)
        return True

    def lifecycle(self, ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
        handle_graph_lifecycle(ctx, address, payload)


GRAPH_MAIL = GraphMailFollower()


def renew_graph_subscriptions(ctx: ServiceContext) -> int:
    """Renew subscriptions once a day (they live under 3 days); recreate the ones Graph forgot."""
    due_before = ctx.now() + timedelta(minutes=MAX_SUBSCRIPTION_MINUTES) - RENEW_AFTER
    done = renew_mailbox_watches(ctx, GRAPH_MAIL, t.MailboxWatch.subscription_id.is_not(None)
                                 & expiring(t.MailboxWatch.subscription_expires_at, due_before))
    for address, account_id, subscription_id in done.replaced:
        # Nothing was notified while Graph had forgotten the old one: a catch-up reads it by delta.
        record_notification(ctx, provider=GRAPH_DELTA, dedupe_key=f"resubscribed:{address}:{subscription_id}",
                            mailbox_address=address, account_id=account_id, payload={"resubscribed": True})
    return done.renewed
