"""The durable inbox: webhooks record notifications here; workers claim and process them.

A notification is only a hint that something changed in a mailbox. Processing always reads from
the mailbox's stored cursor (Gmail history id), so duplicates, reordering and lost notifications
change nothing: the cursor moves forward only, and each message is applied once
(ProcessedMessage).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, select, text, update
from sqlalchemy.dialects import sqlite

from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage
from addin_server.providers.gmail import GmailError, GrantRevoked, HistoryExpired
from addin_server.services.context import ServiceContext
from addin_server.services.inbound import Arrived, apply_inbound_messages, find_mailbox_user, followed_mailbox_user
from addin_server.services.leases import claim_leased
from addin_server.services.mailboxes import MailboxNotConnected, gmail_for, mark_disconnected, watch_row

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Messages of one mailbox applied together (one transaction, the facts read once for all).
APPLY_BATCH = 50
# A claimed Graph notification brings its mailbox's other due ones with it, up to this many.
MAILBOX_BATCH = 100
RESYNC_WINDOW = timedelta(days=7)
RESYNC_LIMIT = 500


@dataclass(frozen=True)
class Recorded:
    stored: bool
    duplicate: bool = False
    discarded: str = ""


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


def _insert_ignoring_duplicates(ctx: ServiceContext, rows: list[dict[str, Any]], conn: Any = None) -> int:
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


def record_notification(ctx: ServiceContext, *, provider: str, dedupe_key: str, mailbox_address: str | None,
                        account_id: int | None, payload: dict[str, Any]) -> Recorded:
    """One write: keep the notification for the worker. A repeat of the same key is a no-op."""
    now = ctx.now()
    stored = _insert_ignoring_duplicates(ctx, [{
        "provider": provider, "dedupe_key": dedupe_key[:400], "account_id": account_id,
        "mailbox_address": mailbox_address, "payload": payload, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "received_at": now}])
    return Recorded(stored=bool(stored), duplicate=not stored)


_CACHE_MAX = 10_000


# Which account follows a mailbox changes rarely; pushes ask many times a second.
MAILBOX_CACHE_SECONDS = 60.0


def _account_of_mailbox(ctx: ServiceContext, address: str) -> int | None:
    cache = ctx.mailbox_account_cache
    now = time.monotonic()
    cached = cache.get(address)
    if cached is not None and cached[1] > now:
        return cached[0]
    with ctx.sessions() as s:
        user = followed_mailbox_user(s, address)
        account_id = user.account_id if user else None
    if account_id is not None:  # unknown mailboxes are not remembered: a new rep works at once
        if len(cache) > _CACHE_MAX:
            cache.clear()
        cache[address] = (account_id, now + MAILBOX_CACHE_SECONDS)
    return account_id


def record_gmail_push(ctx: ServiceContext, *, pubsub_message_id: str, email_address: str,
                      history_id: str) -> Recorded:
    """A verified Pub/Sub push: stored when it names one of our reps' mailboxes."""
    address = try_normalize(email_address)
    if address is None:
        return Recorded(stored=False, discarded="emailAddress is not an address")
    account_id = _account_of_mailbox(ctx, address)
    if account_id is None:
        return Recorded(stored=False, discarded=f"no rep's mailbox is {address}")
    return record_notification(ctx, provider="gmail", dedupe_key=pubsub_message_id, mailbox_address=address,
                               account_id=account_id, payload={"historyId": history_id, "emailAddress": address})


# --- the worker's side -----------------------------------------------------------------------


def claim_notifications(ctx: ServiceContext, worker: str, limit: int = 20, lease_seconds: int = 300) -> list[int]:
    return _claim_where(ctx, worker, limit, lease_seconds)


def claim_mailbox_notifications(ctx: ServiceContext, worker: str, provider: str, addresses: set[str], limit: int,
                                lease_seconds: int = 300) -> list[int]:
    """Claim more due notifications of these mailboxes, so that their messages are fetched and applied together."""
    return _claim_where(ctx, worker, limit, lease_seconds, t.InboundNotification.provider == provider,
                        t.InboundNotification.mailbox_address.in_(sorted(addresses)))


def _claim_where(ctx: ServiceContext, worker: str, limit: int, lease_seconds: int,
                 *conditions: ColumnElement[bool]) -> list[int]:
    with ctx.session() as s:
        return claim_leased(s, t.InboundNotification, worker, ctx.now(), limit=limit, lease_seconds=lease_seconds,
                            conditions=conditions)


def _finish(ctx: ServiceContext, notification_id: int, error: str | None) -> str:
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


def _finish_done(ctx: ServiceContext, notification_ids: list[int]) -> None:
    """Several notifications handled at once: done, in one statement."""
    if not notification_ids:
        return
    with ctx.session() as s:
        s.execute(update(t.InboundNotification).where(t.InboundNotification.id.in_(notification_ids))
                  .values(status="done", processed_at=ctx.now(), last_error=None, lease_owner=None, lease_until=None)
                  .execution_options(synchronize_session=False))


def _finish_failed(ctx: ServiceContext, notification_id: int, exc: BaseException) -> str:
    """A notification whose work failed: parked when the rep must reconnect, else retried with backoff."""
    from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked

    if isinstance(exc, MailboxNotConnected | GrantRevoked | GraphGrantRevoked):
        # Not the notification's fault: it waits for the rep to reconnect, without using up retries.
        return _park(ctx, notification_id, f"{type(exc).__name__}: {exc}")
    log.warning("notification %s failed: %s: %s", notification_id, type(exc).__name__, str(exc)[:300])
    return _finish(ctx, notification_id, f"{type(exc).__name__}: {exc}")


PARKED_RETRY = timedelta(hours=1)


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


def process_notification(ctx: ServiceContext, notification_id: int) -> str:
    """Handle one claimed notification; returns its new status (done, pending for a retry, dead)."""
    with ctx.sessions() as s:
        n = s.get(t.InboundNotification, notification_id)
        if n is None or n.status != "pending":
            return "gone"
        provider, address, payload = n.provider, n.mailbox_address, dict(n.payload or {})
    from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked

    try:
        if not address:
            raise ValueError("the notification names no mailbox")
        if provider == "gmail":
            sync_gmail_mailbox(ctx, address)
        elif provider == "gmail_message":
            retry_gmail_message(ctx, address, str(payload.get("messageId", "")))
        elif provider == "graph_message":
            process_graph_message(ctx, address, str(payload.get("messageId", "")), isolate=False)
        elif provider in CALENDAR_PROVIDERS or (provider.startswith("graph") and _is_calendar(ctx, payload)):
            process_calendar_notification(ctx, provider, payload)
        elif provider == "graph":
            process_graph_message(ctx, address, _graph_message_id(payload))
        elif provider == "graph_lifecycle":
            handle_graph_lifecycle(ctx, address, payload)
        elif provider == "graph_delta":
            graph_catch_up(ctx, address)
        elif provider == "graph_subscribe":
            from addin_server.services.mailboxes import resubscribe

            with ctx.sessions() as s:
                user = followed_mailbox_user(s, address)
                if user is None:
                    raise MailboxNotConnected(f"no rep's mailbox is {address}")
                user_id = user.id
            resubscribe(ctx, user_id)
            graph_catch_up(ctx, address)  # what arrived before the subscription was made
        else:
            raise ValueError(f"no handler for {provider} notifications")
    except (MailboxNotConnected, GrantRevoked, GraphGrantRevoked) as exc:
        if isinstance(exc, GrantRevoked | GraphGrantRevoked):
            _refused_grant(ctx, address, str(exc))
        # Not the notification's fault: it waits for the rep to reconnect, without using up retries.
        return _park(ctx, notification_id, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - recorded on the notification, retried with backoff
        log.warning("notification %s failed: %s: %s", notification_id, type(exc).__name__, str(exc)[:300])
        return _finish(ctx, notification_id, f"{type(exc).__name__}: {exc}")
    return _finish(ctx, notification_id, None)


def _refused_grant(ctx: ServiceContext, address: str | None, reason: str) -> None:
    """The provider refused the rep's grant: the mailbox shows as disconnected, with Reconnect offered."""
    if not address:
        return
    with ctx.sessions() as s:
        user = find_mailbox_user(s, address)
        user_id = user.id if user is not None else None
    if user_id is not None:
        mark_disconnected(ctx, user_id, reason)


# --- calendars (services/calendars) ----------------------------------------------------------

CALENDAR_PROVIDERS = ("google_calendar", "calendar_create", "calendar_sweep")


def _is_calendar(ctx: ServiceContext, payload: dict[str, Any]) -> bool:
    """A Graph item about an event (events subscription), not about a message."""
    from addin_server.services import calendars

    if "lifecycleEvent" in payload:
        return calendars.is_calendar_lifecycle(ctx, payload)
    return calendars.is_event_notification(payload)


def process_calendar_notification(ctx: ServiceContext, provider: str, payload: dict[str, Any]) -> None:
    from addin_server.services import calendars

    if provider == "google_calendar":
        calendars.sync_google_calendar(ctx, int(payload["user_id"]))
    elif provider == "calendar_create":
        calendars.create_booked_event(ctx, int(payload["meeting_id"]))
    elif provider == "calendar_sweep":
        calendars.sync_calendar(ctx, int(payload["user_id"]))
    elif provider == "graph_lifecycle":
        calendars.handle_calendar_lifecycle(ctx, payload)
    else:
        calendars.process_graph_event_notification(ctx, payload)


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
    (see park_message) and the cursor moves past it: one bad message never holds back the ones
    after it. Only a failure of the whole mailbox (throttled, unreachable) leaves the cursor where
    it was. `brief` asks Gmail with few retries (the pre-send guard).
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
        since = (last_synced or ctx.now()) - timedelta(hours=1) if last_synced else ctx.now() - RESYNC_WINDOW
        new_cursor = gmail.profile_history_id()
        ids = gmail.inbox_since(since, limit=RESYNC_LIMIT)
        result.resynced = True
        log.info("resync of %s: %d messages since %s", mailbox, len(ids), since.isoformat())
    except GrantRevoked as exc:
        mark_disconnected(ctx, user_id, str(exc))
        raise
    pending: list[Arrived] = []
    poisoned: list[tuple[str, str]] = []

    def apply_pending() -> None:
        if pending:
            result.applied += len(pending) - len(_apply_isolating(ctx, "gmail", mailbox, pending, poisoned))
            pending.clear()

    for mid, fetched in zip(ids, gmail.fetch_many(ids) if ids else [], strict=False):
        if isinstance(fetched, GmailError):
            if fetched.status == 404:  # deleted since it arrived: nothing to read
                result.skipped += 1
                continue
            if fetched.mailbox_wide:
                apply_pending()
                raise fetched  # the notification is retried; nothing after this message is skipped
            poisoned.append((mid, str(fetched)))
            continue
        result.fetched += 1
        if not fetched.is_inbound:
            result.skipped += 1
            continue
        try:
            message = InboundMessage.from_bytes(fetched.raw, provider_thread_id=fetched.thread_id)
        except Exception as exc:  # noqa: BLE001 - this message waits alone; the others go on
            poisoned.append((mid, f"unreadable: {type(exc).__name__}: {exc}"))
            continue
        pending.append(Arrived(fetched.id, message))
        if len(pending) >= APPLY_BATCH:
            apply_pending()
    apply_pending()
    # Parked first, then the cursor: a crash between the two reads the messages again, never loses one.
    for mid, error in poisoned:
        park_message(ctx, provider="gmail", mailbox_address=mailbox, message_id=mid, error=error)
    result.parked = len(poisoned)
    _advance_cursor(ctx, user_id, new_cursor, ctx.now())
    return result


def _apply_isolating(ctx: ServiceContext, provider: str, mailbox: str, arrived: list[Arrived],
                     poisoned: list[tuple[str, str]]) -> list[str]:
    """Apply a batch; when it fails, apply its messages one by one so only the failing ones wait.

    The failing ones are added to `poisoned` (id, error); returns their ids.
    """
    try:
        apply_inbound_messages(ctx, provider=provider, mailbox_address=mailbox, messages=list(arrived))
        return []
    except Exception as exc:  # noqa: BLE001 - narrowed down below, message by message
        if len(arrived) == 1:
            poisoned.append((arrived[0].provider_message_id, f"not applied: {type(exc).__name__}: {exc}"))
            return [arrived[0].provider_message_id]
    failed: list[str] = []
    for one in arrived:
        failed += _apply_isolating(ctx, provider, mailbox, [one], poisoned)
    return failed


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
                                 account_id=_account_of_mailbox(ctx, mailbox_address),
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


def retry_gmail_message(ctx: ServiceContext, address: str, message_id: str) -> bool:
    """A parked Gmail message, tried again on its own; False when it is gone or not inbound mail."""
    with ctx.sessions() as s:
        user = find_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        mailbox = user.mailbox_address
        gmail = gmail_for(ctx.settings, user)
    try:
        fetched = gmail.fetch(message_id)
    except GmailError as exc:
        if exc.status == 404:
            return False
        raise
    if not fetched.is_inbound:
        return False
    message = InboundMessage.from_bytes(fetched.raw, provider_thread_id=fetched.thread_id)
    apply_inbound_messages(ctx, provider="gmail", mailbox_address=mailbox, messages=[Arrived(fetched.id, message)])
    return True


def _advance_cursor(ctx: ServiceContext, user_id: int, history_id: int, now: datetime) -> None:
    """The cursor only moves forward, whatever order workers finish in."""
    with ctx.session() as s:
        s.execute(update(t.MailboxWatch).where(
            t.MailboxWatch.user_id == user_id,
            (t.MailboxWatch.history_id.is_(None)) | (t.MailboxWatch.history_id < history_id))
            .values(history_id=history_id).execution_options(synchronize_session=False))
        s.execute(update(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id)
                  .values(last_synced_at=now, status="active", last_error=None)
                  .execution_options(synchronize_session=False))


def _pending(ctx: ServiceContext, ids: list[int]) -> dict[int, tuple[str, str | None, dict[str, Any]]]:
    if not ids:
        return {}
    with ctx.sessions() as s:
        return {nid: (provider, address, dict(payload or {})) for nid, provider, address, payload in s.execute(
            select(t.InboundNotification.id, t.InboundNotification.provider, t.InboundNotification.mailbox_address,
                   t.InboundNotification.payload)
            .where(t.InboundNotification.id.in_(ids), t.InboundNotification.status == "pending"))}


def process_due_notifications(ctx: ServiceContext, worker: str, limit: int = 20) -> dict[str, int]:
    """Claim due notifications and handle them; the ones of one mailbox together.

    A mailbox's Gmail pushes lead to one history read. A Graph notification brings the mailbox's
    other due message notifications along: their messages are fetched with $batch and applied in
    one transaction per batch.
    """
    ids = claim_notifications(ctx, worker, limit)
    rows = _pending(ctx, ids)
    messages_of = {nid: row for nid, row in rows.items()
                   if row[0] == "graph" and row[1] and not _is_calendar(ctx, row[2])}
    boxes = {str(address) for _, address, _ in messages_of.values()}
    if boxes:
        more = _pending(ctx, claim_mailbox_notifications(ctx, worker, "graph", boxes, MAILBOX_BATCH * len(boxes)))
        messages_of.update({nid: row for nid, row in more.items() if not _is_calendar(ctx, row[2])})
        rows.update(more)
        ids += [nid for nid in more if nid not in messages_of]  # an event among them: handled on its own
    statuses: dict[int, str] = {nid: "gone" for nid in ids if nid not in rows}
    gmail: dict[str, list[int]] = {}
    graph: dict[str, list[tuple[int, str]]] = {}
    singles: list[int] = []
    for nid in sorted(rows):
        provider, address, payload = rows[nid]
        if provider == "gmail" and address:
            gmail.setdefault(address, []).append(nid)
        elif nid in messages_of:
            graph.setdefault(str(address), []).append((nid, _graph_message_id(payload)))
        else:
            singles.append(nid)
    for address, nids in gmail.items():
        statuses.update(_together(ctx, nids, partial(sync_gmail_mailbox, ctx, address)))
    for address, items in graph.items():
        statuses.update(process_graph_messages(ctx, address, items))
    for nid in singles:
        statuses[nid] = process_notification(ctx, nid)
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


def _together(ctx: ServiceContext, notification_ids: list[int], work: Callable[[], object]) -> dict[int, str]:
    """Several notifications answered by one piece of work (a mailbox's history read)."""
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - recorded on each notification, retried with backoff
        return {nid: _finish_failed(ctx, nid, exc) for nid in notification_ids}
    _finish_done(ctx, notification_ids)
    return {nid: "done" for nid in notification_ids}


def sweep_mailboxes(ctx: ServiceContext, worker: str) -> int:
    """Catch what pushes missed: sync every connected Gmail mailbox not synced for a while."""
    cutoff = ctx.now() - timedelta(minutes=ctx.settings.sweep_minutes)
    with ctx.sessions() as s:
        due = list(s.execute(select(t.MailboxWatch.mailbox_address, t.MailboxWatch.provider).where(
            t.MailboxWatch.status == "active",
            (t.MailboxWatch.last_synced_at.is_(None)) | (t.MailboxWatch.last_synced_at < cutoff))).all())
    bucket = int(ctx.now().timestamp() // (60 * max(1, ctx.settings.sweep_minutes)))
    for address, provider in due:
        kind = "gmail" if provider == "gmail" else "graph_delta"
        record_notification(ctx, provider=kind, dedupe_key=f"sweep:{address}:{bucket}", mailbox_address=address,
                            account_id=None, payload={"sweep": True})
    return len(due)


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
    from sqlalchemy import bindparam, literal, union_all

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
    from addin_server.auth.client_state import client_state_matches

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
            if len(cache) + len(read) > _CACHE_MAX:
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
            rows.append({"provider": "graph_lifecycle" if lifecycle else "graph", "dedupe_key": key[:400],
                         "account_id": sub.account_id, "mailbox_address": sub.mailbox_address, "payload": payload,
                         "status": "pending", "attempts": 0, "next_attempt_at": now, "received_at": now})
        if rows:
            _insert_ignoring_duplicates(ctx, rows, conn)
    return {"kept": len(rows), "dropped": len(items) - len(rows)}


# --- Outlook (Graph) ---------------------------------------------------------------------------

# The delta catch-up reads this many pages of 50 changes, applies every message they name, and only
# then stores the link that follows them: a failure re-reads at most these pages (applied messages
# are skipped by ProcessedMessage), and nothing is ever passed over.
GRAPH_DELTA_PAGES = 4
# Messages one catch-up applies before it hands the rest to a new graph_delta notification (resumed
# from the stored link), so one call stays well within its lease.
GRAPH_CATCH_UP_LIMIT = 2000


def _graph_user(ctx: ServiceContext, address: str, *, brief: bool = False) -> tuple[int, str, Any]:
    from addin_server.services.mailboxes import graph_for

    with ctx.sessions() as s:
        user = followed_mailbox_user(s, address)
        if user is None:
            raise MailboxNotConnected(f"no rep's mailbox is {address}")
        return user.id, user.mailbox_address, graph_for(ctx.settings, user, brief=brief)


def _graph_inbound(graph: Any, message: dict[str, Any]) -> InboundMessage:
    inbound = InboundMessage.from_graph(message)
    if (inbound.message_class or "").upper().startswith("REPORT."):
        # A delivery report keeps its failed recipients and status codes in its MIME parts.
        return InboundMessage.from_bytes(graph.fetch_mime(message["id"]))
    if classify(inbound).kind is not InboundKind.HUMAN_REPLY:
        # Graph's body is the HTML alternative made text; Gmail and the dry run read the text/plain
        # part and the report parts of the MIME. Whatever would not end as a reply is read from the
        # MIME too, so the three agree ("Yes, let's talk" in text/plain beside an HTML absence notice
        # is a reply everywhere). Graph's own fields (ids, Exchange message class) are kept.
        mime = InboundMessage.from_bytes(graph.fetch_mime(message["id"]))
        if not mime.unparseable and mime.text.strip():
            return replace(inbound, text=mime.text, report=mime.report)
    return inbound


def process_graph_messages(ctx: ServiceContext, address: str, items: list[tuple[int, str]]) -> dict[int, str]:
    """Notifications of new messages in one Outlook mailbox: fetched with $batch, applied together.

    Each notification gets its own outcome: done (applied, or its message is gone), parked (the
    grant was withdrawn) or retried with backoff (its part of the batch failed).
    """
    from addin_server.providers.graph import GraphError

    try:
        _, mailbox, graph = _graph_user(ctx, address)
    except Exception as exc:  # noqa: BLE001 - parked or retried like any notification's failure
        return {nid: _finish_failed(ctx, nid, exc) for nid, _ in items}
    wanted = list(dict.fromkeys(mid for _, mid in items if mid))
    fetched: dict[str, dict[str, Any] | GraphError] = {}
    failed: dict[str, BaseException] = {}
    try:
        try:
            for mid, got in zip(wanted, graph.fetch_many(wanted), strict=False):
                fetched[mid] = got
        except Exception as exc:  # noqa: BLE001 - the batch request itself failed: what it did not fetch is retried
            failed.update({mid: exc for mid in wanted if mid not in fetched})
        arrived: list[tuple[str, Arrived]] = []  # (the id notified, the message under the id fetched)
        for mid in wanted:
            got = fetched.get(mid)
            if isinstance(got, GraphError):
                if got.status != 404:  # a 404: moved or deleted since; the delta catch-up sees what remains
                    failed[mid] = got
            elif got is not None and not got.get("isDraft"):
                try:
                    # Keyed by the id the fetch answered (immutable, as Prefer asks), as the delta
                    # catch-up keys it: the notification may name the message by another id.
                    arrived.append((mid, Arrived(str(got.get("id") or mid), _graph_inbound(graph, got))))
                except Exception as exc:  # noqa: BLE001 - this message's notification is retried
                    failed[mid] = exc
        for start in range(0, len(arrived), APPLY_BATCH):
            chunk = arrived[start : start + APPLY_BATCH]
            poisoned: list[tuple[str, str]] = []
            # Only the messages that fail are retried: the rest of the batch is applied.
            not_applied = set(_apply_isolating(ctx, "outlook", mailbox, [a for _, a in chunk], poisoned))
            errors = dict(poisoned)
            failed.update({mid: RuntimeError(errors[a.provider_message_id]) for mid, a in chunk
                           if a.provider_message_id in not_applied})
    finally:
        graph.close()
    statuses: dict[int, str] = {}
    done: list[int] = []
    for nid, mid in items:
        problem = failed.get(mid) if mid else ValueError("the notification names no message")
        if problem is None:
            done.append(nid)
            statuses[nid] = "done"
        else:
            statuses[nid] = _finish_failed(ctx, nid, problem)
    _finish_done(ctx, done)
    return statuses


def process_graph_message(ctx: ServiceContext, address: str, message_id: str, *, isolate: bool = False) -> bool:
    """One message Graph told us about, fetched and applied as a catch-up applies them; False when
    it was not applied (moved or deleted since, or a draft). Failures raise (the notification is
    retried) unless `isolate`, which parks the message instead."""
    _, mailbox, graph = _graph_user(ctx, address)
    try:
        return _apply_graph_ids(ctx, graph, mailbox, [message_id], isolate=isolate) > 0
    finally:
        graph.close()


def _mailbox_wide(exc: BaseException) -> bool:
    """A Graph failure about the whole mailbox or service (throttled, no answer), not one message."""
    from addin_server.providers.graph import GraphError

    return not isinstance(exc, GraphError) or exc.status in (0, 429, 503)


def _apply_graph_ids(ctx: ServiceContext, graph: Any, mailbox: str, message_ids: list[str], *,
                     isolate: bool = True) -> int:
    """Fetch these messages ($batch) and apply them in batches, in order; returns how many were applied.

    A message gone since (404) is passed over: it was moved or deleted, and the delta reports what
    remains. A message that cannot be fetched, read or applied is parked by itself (`isolate`) and
    the others go on; a failure of the whole mailbox (throttled, no answer) applies what came before
    it and raises, so the caller's link stays.
    """
    from addin_server.providers.graph import GraphError

    applied = 0
    pending: list[Arrived] = []
    poisoned: list[tuple[str, str]] = []

    def apply_pending() -> None:
        nonlocal applied
        if pending:
            if isolate:
                applied += len(pending) - len(_apply_isolating(ctx, "outlook", mailbox, pending, poisoned))
            else:
                apply_inbound_messages(ctx, provider="outlook", mailbox_address=mailbox, messages=list(pending))
                applied += len(pending)
            pending.clear()

    try:
        for mid, message in zip(message_ids, graph.fetch_many(message_ids) if message_ids else (), strict=False):
            if isinstance(message, GraphError):
                if message.status == 404:
                    continue
                if not isolate or _mailbox_wide(message):
                    apply_pending()
                    raise message
                poisoned.append((mid, str(message)))
                continue
            if message.get("isDraft"):
                continue
            try:
                pending.append(Arrived(str(message["id"]), _graph_inbound(graph, message)))
            except Exception as exc:
                if not isolate or (isinstance(exc, GraphError) and _mailbox_wide(exc)):
                    raise
                poisoned.append((mid, f"unreadable: {type(exc).__name__}: {exc}"))
            if len(pending) >= APPLY_BATCH:
                apply_pending()
        apply_pending()
    finally:
        for mid, error in poisoned:
            park_message(ctx, provider="outlook", mailbox_address=mailbox, message_id=mid, error=error)
    return applied


def _store_delta_link(ctx: ServiceContext, user_id: int, link: str, *, synced: bool) -> None:
    values: dict[str, Any] = {"delta_link": link}
    if synced:  # everything up to now was applied (a partial read keeps the time of the last full one)
        values["last_synced_at"] = ctx.now()
    with ctx.session() as s:
        s.execute(update(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id).values(**values)
                  .execution_options(synchronize_session=False))


def graph_catch_up(ctx: ServiceContext, address: str, *, limit: int = GRAPH_CATCH_UP_LIMIT) -> int:
    """Everything new in the inbox since the stored delta link, applied once; returns how many applied.

    Every message the delta names is applied before the link past it is stored. After `limit`
    messages the rest is left to a graph_delta notification that resumes from the stored link.
    """
    return _graph_catch_up(ctx, address, limit=limit, brief=False)[0]


def _graph_catch_up(ctx: ServiceContext, address: str, *, limit: int, brief: bool) -> tuple[int, bool]:
    """graph_catch_up's work; also says whether the inbox was read to its end."""
    from addin_server.providers.graph import DeltaExpired

    user_id, mailbox, graph = _graph_user(ctx, address, brief=brief)
    applied = 0
    try:
        with ctx.sessions() as s:
            watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == user_id))
            link = watch.delta_link if watch else None
            last_synced = watch.last_synced_at if watch else None
        if link is None:
            return _graph_resync(ctx, graph, user_id, mailbox, last_synced), True
        while True:
            try:
                page = graph.inbox_delta(link, max_pages=GRAPH_DELTA_PAGES)
            except DeltaExpired:
                return applied + _graph_resync(ctx, graph, user_id, mailbox, last_synced), True
            applied += _apply_graph_ids(ctx, graph, mailbox, list(page.message_ids))
            _store_delta_link(ctx, user_id, page.delta_link, synced=page.complete)
            link = page.delta_link
            if page.complete:
                return applied, True
            if applied >= limit:
                # Resumed from the stored link; the key names the link, so it is queued once.
                record_notification(ctx, provider="graph_delta", mailbox_address=address, account_id=None,
                                    dedupe_key=f"delta:{address}:{hashlib.sha256(link.encode()).hexdigest()}",
                                    payload={"resume": True})
                return applied, False
    finally:
        graph.close()


# Before a step email goes out the inbox is read to its end, unless that is more than this: then the
# rest is read by the worker and the step waits for its next try.
PRESEND_READ_LIMIT = 500


def read_mailbox_now(ctx: ServiceContext, address: str, provider: str) -> bool:
    """Bring one rep's mailbox up to date now, asking the provider briefly (the pre-send guard).

    Gmail: history from the stored cursor; Outlook: the inbox delta from the stored link. Whatever
    arrived is applied (poison messages parked, as always). True when the mailbox was read to its
    end; a provider that cannot answer raises (GmailError, GraphError, a network error).
    """
    if provider == "gmail":
        sync_gmail_mailbox(ctx, address, brief=True)
        return True
    return _graph_catch_up(ctx, address, limit=PRESEND_READ_LIMIT, brief=True)[1]


def _graph_resync(ctx: ServiceContext, graph: Any, user_id: int, mailbox: str, last_synced: datetime | None) -> int:
    """No usable delta link (Graph dropped its state): a fresh enumeration of the inbox, of which the
    messages received since the last complete catch-up (an hour of margin; a week when never) are
    applied, as Gmail's bounded resync does; what came before was read then. The new link is stored
    once they all are."""
    since = last_synced - timedelta(hours=1) if last_synced else ctx.now() - RESYNC_WINDOW
    link: str | None = None
    wanted: list[str] = []
    while True:
        page = graph.inbox_delta(link)
        wanted += [mid for mid in page.message_ids if _received_since(page.received.get(mid), since)]
        link = page.delta_link
        if page.complete:
            break
    log.info("delta resync of %s: %d messages since %s", mailbox, len(wanted), since.isoformat())
    applied = _apply_graph_ids(ctx, graph, mailbox, wanted)
    _store_delta_link(ctx, user_id, link, synced=True)
    return applied


def _received_since(received: str | None, since: datetime) -> bool:
    """Whether a message was received at or after `since` (one whose time is unknown counts)."""
    if not received:
        return True
    try:
        moment = datetime.fromisoformat(received.replace("Z", "+00:00"))
    except ValueError:
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=since.tzinfo)) >= since


def handle_graph_lifecycle(ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
    """A lifecycle event of the inbox subscription: reauthorize it, recreate it, or catch up by delta.

    Graph can send one late, about a subscription we have replaced since (a removal and a
    reauthorization racing): that one is done, with nothing to do, never retried until it is dead.
    A reauthorization Graph answers with 404 is a removal: a new subscription, then a catch-up.
    """
    from addin_server.providers.graph import SubscriptionGone
    from addin_server.services.mailboxes import resubscribe

    event = str(payload.get("lifecycleEvent", ""))
    subscription_id = str(payload.get("subscriptionId", ""))
    user_id, _, graph = _graph_user(ctx, address)
    try:
        with ctx.sessions() as s:
            current = s.scalar(select(t.MailboxWatch.subscription_id).where(t.MailboxWatch.user_id == user_id))
        if subscription_id != current:
            log.info("%s about subscription %s of %s, replaced since by %s: nothing to do",
                     event, subscription_id, address, current)
            if event != "missed":
                return
            # What the old subscription missed: a catch-up is cheap, and applied messages are skipped.
        elif event == "reauthorizationRequired":
            try:
                graph.reauthorize(subscription_id)
                return
            except SubscriptionGone:
                log.info("subscription %s of %s is gone: subscribing again", subscription_id, address)
                event = "subscriptionRemoved"
    finally:
        graph.close()
    if event == "subscriptionRemoved":
        resubscribe(ctx, user_id, replacing=subscription_id)
    # Removed or missed: whatever arrived meanwhile is read by delta.
    graph_catch_up(ctx, address)


def _graph_message_id(payload: dict[str, Any]) -> str:
    data = payload.get("resourceData")
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"]
    return str(payload.get("resource", "")).rstrip("/").rpartition("/")[2]
