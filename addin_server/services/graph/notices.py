"""What the Graph webhook keeps: change notifications and lifecycle events of our subscriptions
(inbox and events), checked against the clientState each was made with, in one write."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, literal, select, union_all

from addin_server.auth.client_state import client_state_matches
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from addin_server.services.inbox import CACHE_MAX, insert_rows, new_row

# The inbox kinds of what Graph sends (a message's or an event's change; a subscription's lifecycle).
GRAPH_CHANGE = "graph"
GRAPH_LIFECYCLE = "graph_lifecycle"

# Graph subscriptions change every few days (created, renewed, replaced); their notifications come
# many times a second. What a subscription id names is therefore remembered for a short while:
# - a clientState that does not match the remembered hash is never refused (or accepted) on the
#   cache's word: the subscription is read again first, so a subscription recreated under the same
#   id works at once, and a forged clientState is checked against the database's hash;
# - ids we do not know are never remembered, so a new subscription works at once;
# - a subscription we replaced or deleted is still accepted, with the clientState Graph had for
#   it (never stored in plain), for at most GRAPH_SUBSCRIPTION_CACHE_SECONDS in each web process.
GRAPH_SUBSCRIPTION_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class _GraphSubscription:
    account_id: int
    mailbox_address: str
    client_state_hash: str
    read_at: datetime


def _graph_subscriptions_query() -> Any:
    wanted: Any = bindparam("ids", expanding=True)
    return union_all(*(
        select(literal(rank).label("rank"), w.subscription_id, w.account_id, w.mailbox_address, w.client_state_hash)
        .where(w.subscription_id.in_(wanted))
        for rank, w in ((0, t.MailboxWatch), (1, t.CalendarWatch))))


_GRAPH_SUBSCRIPTIONS = _graph_subscriptions_query()  # built once: SQLAlchemy reuses its compiled form


def _read_graph_subscriptions(conn: Any, ids: set[str], now: datetime) -> dict[str, _GraphSubscription]:
    """Our inbox and events subscriptions among these ids, in one query (an events one wins a tie)."""
    found: dict[str, _GraphSubscription] = {}
    rows = conn.execute(_GRAPH_SUBSCRIPTIONS, {"ids": sorted(ids)}).all()
    for _, sub_id, account_id, mailbox, state_hash in sorted(rows, key=lambda r: int(r[0])):
        if sub_id and state_hash:
            found[sub_id] = _GraphSubscription(account_id, mailbox, state_hash, now)
    return found


def record_graph_items(ctx: ServiceContext, items: list[dict[str, Any]], *, lifecycle: bool) -> dict[str, int]:
    """Keep every Graph item whose subscription is ours and whose clientState matches; one write.

    Items failing the checks are dropped (and counted); valid items of the same batch are kept.
    Known subscriptions cost no query (see GRAPH_SUBSCRIPTION_CACHE_SECONDS).
    """
    now = ctx.now()
    cache: dict[str, _GraphSubscription] = ctx.graph_subscription_cache
    fresh = timedelta(seconds=GRAPH_SUBSCRIPTION_CACHE_SECONDS)
    verdicts: dict[tuple[str, str, str], bool] = {}  # one HMAC per distinct clientState and hash

    def verified(sub_id: str, state: str, subs: dict[str, _GraphSubscription]) -> _GraphSubscription | None:
        sub = subs.get(sub_id)
        if sub is None:
            return None
        key = (sub_id, state, sub.client_state_hash)
        if key not in verdicts:
            verdicts[key] = client_state_matches(state, sub.client_state_hash, ctx.settings)
        return sub if verdicts[key] else None

    remembered: dict[str, _GraphSubscription] = {}
    for sub_id in {i["subscriptionId"] for i in items if isinstance(i.get("subscriptionId"), str)}:
        sub = cache.get(sub_id)  # get() only, never a walk over it: other threads change the cache
        if sub is not None and sub.read_at <= now < sub.read_at + fresh:
            remembered[sub_id] = sub
    checked: list[tuple[dict[str, Any], str, _GraphSubscription | None]] = []
    recheck: set[str] = set()
    for item in items:
        sub_id, state = item.get("subscriptionId"), item.get("clientState")
        if not isinstance(sub_id, str) or not isinstance(state, str):
            continue  # dropped: not one of Graph's items
        sub = verified(sub_id, state, remembered)
        if sub is None:
            recheck.add(sub_id)
        checked.append((item, sub_id, sub))
    rows: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        conn = None
        if recheck:
            conn = stack.enter_context(ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
            read = _read_graph_subscriptions(conn, recheck, now)
            for sub_id in recheck:
                cache.pop(sub_id, None)
            if len(cache) + len(read) > CACHE_MAX:
                cache.clear()
            cache.update(read)
            checked = [(item, sub_id, sub or verified(sub_id, str(item["clientState"]), read))
                       for item, sub_id, sub in checked]
        for item, sub_id, sub in checked:
            if sub is None:
                continue
            if lifecycle:
                event = str(item.get("lifecycleEvent", ""))
                key = f"{sub_id}:{event}:{item.get('subscriptionExpirationDateTime', '')}"
            else:
                data = item.get("resourceData")
                target = data.get("id") if isinstance(data, dict) else item.get("resource", "")
                key = f"{sub_id}:{item.get('changeType', '')}:{target}"
            payload = {k: v for k, v in item.items() if k != "clientState"}  # never keep the secret
            rows.append(new_row(kind=GRAPH_LIFECYCLE if lifecycle else GRAPH_CHANGE, dedupe_key=key,
                                account_id=sub.account_id, mailbox_address=sub.mailbox_address, payload=payload,
                                now=now))
        if rows:
            insert_rows(ctx, rows, conn)
    return {"kept": len(rows), "dropped": len(items) - len(rows)}
