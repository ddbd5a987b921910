"""The durable inbox: webhooks record notifications here; workers claim and process them.

A notification is only a hint that something changed in a mailbox or a calendar. Processing always
reads from the stored cursor, so duplicates, reordering and lost notifications change nothing: the
cursor moves forward only, and each message is applied once (ProcessedMessage).

This module is the queue only: what each kind of notification does is the table of handlers in
services/inbox_worker.py, each pointing into a provider package (services/gmail, graph,
google_calendar) or the calendar services.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, text, update
from sqlalchemy.dialects import sqlite

from addin_server.db import tables as t
from addin_server.providers.gmail import GrantRevoked
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.services.context import ServiceContext
from addin_server.services.grants import (
    MailboxNotConnected,
    find_mailbox_user,
    followed_mailbox_user,
    mark_disconnected,
)
from addin_server.services.leases import claim_leased

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
PARKED_RETRY = timedelta(hours=1)
# Failures that are not the notification's fault: it waits for the rep to reconnect.
RECONNECT_NEEDED = (MailboxNotConnected, GrantRevoked, GraphGrantRevoked)


@dataclass(frozen=True)
class Recorded:
    stored: bool
    duplicate: bool = False
    discarded: str = ""


@dataclass(frozen=True)
class Pending:
    """One claimed notification: its kind (the provider column), the mailbox it names, its payload."""

    id: int
    kind: str
    mailbox: str | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        """The message a per-message notification names (a parked message, a Graph message)."""
        return str(self.payload.get("messageId", ""))

    def mailbox_named(self) -> str:
        if not self.mailbox:
            raise ValueError("the notification names no mailbox")
        return self.mailbox


# What one kind of notification does; it raises to have the notification retried or parked.
Handler = Callable[[ServiceContext, Pending], object]


# PostgreSQL: all the rows travel as one JSON document, unpacked by json_to_recordset. The text of
# the statement (and so psycopg's prepared statement, planned once) is the same for one row or a
# thousand, and the client neither re-parses a long INSERT ... VALUES nor escapes arrays per call.
_PG_INBOX_INSERT = text(
    "INSERT INTO inbound_notifications (provider, dedupe_key, account_id, mailbox_address, payload, status, "
    "attempts, next_attempt_at, received_at) "
    "SELECT provider, dedupe_key, account_id, mailbox_address, payload, status, attempts, next_attempt_at, "
    "received_at FROM json_to_recordset(CAST(:rows AS json)) AS r(provider varchar, dedupe_key varchar, "
    "account_id bigint, mailbox_address varchar, payload json, status varchar, attempts integer, "
    "next_attempt_at timestamptz, received_at timestamptz) "
    "ON CONFLICT DO NOTHING RETURNING id")


def _json_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC times")
    return value.isoformat()


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: Any) -> Any:
    """The value with NUL characters and lone surrogates (neither fits a database's text) replaced."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _json_rows(rows: list[dict[str, Any]]) -> str:
    rows = [{**r, "next_attempt_at": _json_time(r["next_attempt_at"]), "received_at": _json_time(r["received_at"])}
            for r in rows]
    document = json.dumps(rows)
    # Escaped, a NUL is \u0000 and any surrogate starts with \ud: only then is there anything to clean.
    return json.dumps(_storable(rows)) if "\\u0000" in document or "\\ud" in document else document


# SQLite: with RETURNING, SQLAlchemy sends many rows as one multi-row INSERT ("insertmanyvalues")
# rather than one statement per row, and the ids returned are the rows that were new. Built once.
_SQLITE_INBOX_INSERT = sqlite.insert(t.InboundNotification).on_conflict_do_nothing().returning(
    t.InboundNotification.id)


def insert_rows(ctx: ServiceContext, rows: list[dict[str, Any]], conn: Any = None) -> int:
    """INSERT ... ON CONFLICT DO NOTHING of every row in one statement; returns how many were new.

    One statement is atomic on its own, so it runs without BEGIN and COMMIT round trips. `conn` may
    be an open autocommit connection to reuse.
    """
    if not rows:
        return 0
    if ctx.engine.dialect.name == "postgresql":
        statement: Any = _PG_INBOX_INSERT
        params: Any = {"rows": _json_rows(rows)}
    else:
        statement = _SQLITE_INBOX_INSERT
        params = [_storable(r) for r in rows] if any(_UNSTORABLE.search(r["dedupe_key"]) for r in rows) else rows
    if conn is not None:
        return len(conn.execute(statement, params).all())
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        return len(c.execute(statement, params).all())


def new_row(*, kind: str, dedupe_key: str, account_id: int | None, mailbox_address: str | None,
            payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A notification as insert_rows takes it: pending, due now."""
    return {"provider": kind, "dedupe_key": dedupe_key[:400], "account_id": account_id,
            "mailbox_address": mailbox_address, "payload": payload, "status": "pending", "attempts": 0,
            "next_attempt_at": now, "received_at": now}


def record_notification(ctx: ServiceContext, *, provider: str, dedupe_key: str, mailbox_address: str | None,
                        account_id: int | None, payload: dict[str, Any]) -> Recorded:
    """One write: keep the notification for the worker. A repeat of the same key is a no-op."""
    stored = insert_rows(ctx, [new_row(kind=provider, dedupe_key=dedupe_key, account_id=account_id,
                                       mailbox_address=mailbox_address, payload=payload, now=ctx.now())])
    return Recorded(stored=bool(stored), duplicate=not stored)


CACHE_MAX = 10_000


# Which account follows a mailbox changes rarely; pushes ask many times a second.
MAILBOX_CACHE_SECONDS = 60.0


def account_of_mailbox(ctx: ServiceContext, address: str) -> int | None:
    cache = ctx.mailbox_account_cache
    now = time.monotonic()
    cached = cache.get(address)
    if cached is not None and cached[1] > now:
        return cached[0]
    with ctx.sessions() as s:
        user = followed_mailbox_user(s, address)
        account_id = user.account_id if user else None
    if account_id is not None:  # unknown mailboxes are not remembered: a new rep works at once
        if len(cache) > CACHE_MAX:
            cache.clear()
        cache[address] = (account_id, now + MAILBOX_CACHE_SECONDS)
    return account_id


# --- the worker's side -----------------------------------------------------------------------


def claim_notifications(ctx: ServiceContext, worker: str, limit: int = 20, lease_seconds: int = 300) -> list[int]:
    return _claim_where(ctx, worker, limit, lease_seconds)


def claim_mailbox_notifications(ctx: ServiceContext, worker: str, kind: str, addresses: set[str], limit: int,
                                lease_seconds: int = 300) -> list[int]:
    """Claim more due notifications of these mailboxes, so that their messages are fetched and applied together."""
    return _claim_where(ctx, worker, limit, lease_seconds, t.InboundNotification.provider == kind,
                        t.InboundNotification.mailbox_address.in_(sorted(addresses)))


def _claim_where(ctx: ServiceContext, worker: str, limit: int, lease_seconds: int,
                 *conditions: ColumnElement[bool]) -> list[int]:
    with ctx.session() as s:
        return claim_leased(s, t.InboundNotification, worker, ctx.now(), limit=limit, lease_seconds=lease_seconds,
                            conditions=conditions)


def pending(ctx: ServiceContext, ids: list[int]) -> dict[int, Pending]:
    """The claimed notifications among `ids` that are still pending."""
    if not ids:
        return {}
    with ctx.sessions() as s:
        return {nid: Pending(nid, kind, address, dict(payload or {})) for nid, kind, address, payload in s.execute(
            select(t.InboundNotification.id, t.InboundNotification.provider, t.InboundNotification.mailbox_address,
                   t.InboundNotification.payload)
            .where(t.InboundNotification.id.in_(ids), t.InboundNotification.status == "pending"))}


def handle(ctx: ServiceContext, item: Pending, handlers: dict[str, Handler]) -> str:
    """Run one claimed notification's handler; returns its new status (done, pending, parked, dead)."""
    handler = handlers.get(item.kind)
    try:
        item.mailbox_named()  # every notification is about one mailbox (or its rep's calendar)
        if handler is None:
            raise ValueError(f"no handler for {item.kind} notifications")
        handler(ctx, item)
    except Exception as exc:  # noqa: BLE001 - recorded on the notification, retried with backoff
        return settle_failed(ctx, item, exc)
    return finish(ctx, item.id, None)


def handle_together(ctx: ServiceContext, items: list[Pending], work: Callable[[], object]) -> dict[int, str]:
    """Several notifications answered by one piece of work (a mailbox's history read)."""
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - recorded on each notification, retried with backoff
        return {item.id: settle_failed(ctx, item, exc) for item in items}
    finish_done(ctx, [item.id for item in items])
    return {item.id: "done" for item in items}


def finish(ctx: ServiceContext, notification_id: int, error: str | None) -> str:
    now = ctx.now()
    with ctx.session() as s:
        n = s.get_one(t.InboundNotification, notification_id)
        n.lease_owner, n.lease_until = None, None
        if error is None:
            n.status, n.processed_at, n.last_error = "done", now, None
        else:
            n.attempts += 1
            n.last_error = error[:2000]
            if n.attempts >= MAX_ATTEMPTS:
                n.status = "dead"
            else:
                n.next_attempt_at = now + timedelta(seconds=min(3600, 15 * 2 ** n.attempts))
        return n.status


def finish_done(ctx: ServiceContext, notification_ids: list[int]) -> None:
    """Several notifications handled at once: done, in one statement."""
    if not notification_ids:
        return
    with ctx.session() as s:
        s.execute(update(t.InboundNotification).where(t.InboundNotification.id.in_(notification_ids))
                  .values(status="done", processed_at=ctx.now(), last_error=None, lease_owner=None, lease_until=None)
                  .execution_options(synchronize_session=False))


def settle_failed(ctx: ServiceContext, item: Pending, exc: BaseException) -> str:
    """A notification whose work failed: parked when the rep must reconnect, else retried with backoff.

    A grant the provider refused also shows the mailbox as disconnected, with Reconnect offered.
    """
    if isinstance(exc, RECONNECT_NEEDED):
        if isinstance(exc, GrantRevoked | GraphGrantRevoked):
            _refused_grant(ctx, item.mailbox, str(exc))
        # Not the notification's fault: it waits for the rep to reconnect, without using up retries.
        return _park(ctx, item.id, f"{type(exc).__name__}: {exc}")
    log.warning("notification %s failed: %s: %s", item.id, type(exc).__name__, str(exc)[:300])
    return finish(ctx, item.id, f"{type(exc).__name__}: {exc}")


def _refused_grant(ctx: ServiceContext, address: str | None, reason: str) -> None:
    if not address:
        return
    with ctx.sessions() as s:
        user = find_mailbox_user(s, address)
        user_id = user.id if user is not None else None
    if user_id is not None:
        mark_disconnected(ctx, user_id, reason)


def _park(ctx: ServiceContext, notification_id: int, reason: str) -> str:
    with ctx.session() as s:
        n = s.get_one(t.InboundNotification, notification_id)
        n.lease_owner, n.lease_until, n.last_error = None, None, reason[:2000]
        n.next_attempt_at = ctx.now() + PARKED_RETRY
        return "parked"


def wake_mailbox(ctx: ServiceContext, mailbox_address: str) -> None:
    """A reconnected mailbox: its waiting notifications are due now."""
    with ctx.session() as s:
        s.execute(update(t.InboundNotification).where(
            t.InboundNotification.mailbox_address == mailbox_address, t.InboundNotification.status == "pending")
            .values(next_attempt_at=ctx.now()).execution_options(synchronize_session=False))


# A parked message is tried again after this, then with the inbox's usual backoff until it is dead.
PARKED_MESSAGE_RETRY = timedelta(minutes=1)
PARKED_MESSAGE_KINDS = {"gmail": "gmail_message", "outlook": "graph_message"}


def park_message(ctx: ServiceContext, *, provider: str, mailbox_address: str, message_id: str, error: str) -> None:
    """Keep one message that could not be fetched, read or applied, with its error, for a later try.

    It is a notification of its own (`addin-server inbox` lists it; after MAX_ATTEMPTS it is dead
    and can be requeued), so the mailbox's cursor and the messages after it move on meanwhile.
    Parking the same message again changes nothing.
    """
    kind = PARKED_MESSAGE_KINDS[provider]
    key = f"parked:{mailbox_address}:{message_id}"
    stored = record_notification(ctx, provider=kind, dedupe_key=key, mailbox_address=mailbox_address,
                                 account_id=account_of_mailbox(ctx, mailbox_address),
                                 payload={"messageId": message_id, "parked": True})
    log.warning("message %s of %s parked: %s", message_id, mailbox_address, error[:300])
    if not stored.stored:
        return
    with ctx.session() as s:
        s.execute(update(t.InboundNotification).where(
            t.InboundNotification.provider == kind, t.InboundNotification.dedupe_key == key[:400],
            t.InboundNotification.attempts == 0)
            .values(attempts=1, last_error=error[:2000], next_attempt_at=ctx.now() + PARKED_MESSAGE_RETRY)
            .execution_options(synchronize_session=False))


def inbox_listing(ctx: ServiceContext, statuses: tuple[str, ...] = ("dead", "pending")) -> list[dict[str, Any]]:
    """Stuck and dead notifications, for `addin-server inbox`."""
    now = ctx.now()
    with ctx.sessions() as s:
        rows = s.scalars(select(t.InboundNotification).where(t.InboundNotification.status.in_(statuses))
                         .order_by(t.InboundNotification.id).limit(500))
        return [{"id": n.id, "provider": n.provider, "mailbox": n.mailbox_address, "status": n.status,
                 "attempts": n.attempts, "last_error": n.last_error,
                 "stuck": n.status == "pending" and n.attempts > 0 and n.next_attempt_at <= now,
                 # A parked message names itself, so an operator can find it in the rep's mailbox.
                 "message_id": (n.payload or {}).get("messageId") if n.provider in _PARKED_KINDS else None,
                 "next_attempt_at": n.next_attempt_at.isoformat() if n.status == "pending" else None,
                 "received_at": n.received_at.isoformat()} for n in rows]


_PARKED_KINDS = frozenset(PARKED_MESSAGE_KINDS.values())


def requeue(ctx: ServiceContext, ids: list[int] | None = None, all_dead: bool = False) -> int:
    now = ctx.now()
    with ctx.session() as s:
        q = update(t.InboundNotification).values(status="pending", attempts=0, next_attempt_at=now,
                                                 lease_owner=None, lease_until=None)
        if all_dead:
            q = q.where(t.InboundNotification.status == "dead")
        elif ids:
            q = q.where(t.InboundNotification.id.in_(ids))
        else:
            return 0
        result = s.execute(q.execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]


