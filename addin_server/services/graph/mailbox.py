"""Reading an Outlook mailbox: the messages notifications name (any folder), the inbox delta from
its link, and what inbox rules filed elsewhere (one bounded listing of every folder by receivedDateTime)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from addin_server.db import tables as t
from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.decoding import garbled
from addin_server.mail.message import InboundMessage
from addin_server.providers.graph import DeltaExpired, GraphError, GraphMailbox
from addin_server.providers.graph_folders import (
    DELETED_FOLDER,
    OUTBOUND_FOLDERS,
    is_mail_in,
    received_since,
    well_known_folder_ids,
)
from addin_server.services.context import ServiceContext
from addin_server.services.grants import followed_graph_mailbox
from addin_server.services.inbound import Arrived
from addin_server.services.inbox import Pending, finish_done, record_notification, settle_failed
from addin_server.services.mailbox_sync import (
    APPLY_BATCH,
    RESYNC_WINDOW,
    MessageRead,
    apply_isolating,
    fetch_and_apply,
    resync_since,
)

log = logging.getLogger(__name__)

PROVIDER = "outlook"
# The delta catch-up reads this many pages of 50 changes, applies every message they name, and only
# then stores the link that follows them: a failure re-reads at most these pages (applied messages
# are skipped by ProcessedMessage), and nothing is ever passed over.
GRAPH_DELTA_PAGES = 4
# Messages one catch-up applies before it hands the rest to a new graph_delta notification (resumed
# from the stored link), so one call stays well within its lease.
GRAPH_CATCH_UP_LIMIT = 2000
# Before a step email goes out the inbox is read to its end, unless that is more than this: then the
# rest is read by the worker and the step waits for its next try.
PRESEND_READ_LIMIT = 500
# The inbox kind of a catch-up by delta (resumed, after a sweep, after a subscription was recreated).
GRAPH_DELTA = "graph_delta"
# The listing of every folder starts this long before the last complete read: Exchange stamps
# receivedDateTime on arrival, and a rule may file the message a little later.
FILED_MARGIN = timedelta(minutes=10)
# The listing of every folder: this many messages a page, this many pages for the guard (ten times
# as many for the worker's catch-up), whatever their folder (most are the inbox's or ours).
FILED_PAGE = 500
FILED_PAGES = 20


def graph_mailbox_wide(exc: BaseException) -> bool:
    """A Graph failure about the whole mailbox or service (throttled, no answer), not one message."""
    return not isinstance(exc, GraphError) or exc.status in (0, 429, 503)


def graph_inbound(graph: GraphMailbox, message: dict[str, Any]) -> InboundMessage:
    inbound = InboundMessage.from_graph(message)
    if (inbound.message_class or "").upper().startswith("REPORT."):
        # A delivery report keeps its failed recipients and status codes in its MIME parts.
        return InboundMessage.from_bytes(graph.fetch_mime(message["id"]))
    if garbled(inbound.text) or classify(inbound).kind is not InboundKind.HUMAN_REPLY:
        # Graph's body is the HTML alternative made text; Gmail and the dry run read the text/plain
        # part and the report parts of the MIME. Whatever would not end as a reply is read from the
        # MIME too, so the three agree ("Yes, let's talk" in text/plain beside an HTML absence notice
        # is a reply everywhere). So is a body Graph decoded in a wrong declared charset (U+FFFD
        # mojibake): the MIME reading repairs the charset. Graph's own fields (ids, message class) are kept.
        mime = InboundMessage.from_bytes(graph.fetch_mime(message["id"]))
        if not mime.unparseable and mime.text.strip():
            return replace(inbound, text=mime.text, report=mime.report)
    return inbound


def _graph_time(value: object) -> datetime | None:
    """A Graph time ("2026-12-06T21:57:34Z") as written, or None when it is missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _received_at(value: object) -> datetime | None:
    """Graph's receivedDateTime: when the mailbox received the message (never the sender's Date)."""
    moment = _graph_time(value)
    return moment if moment is not None and moment.tzinfo is not None else None


class GraphSource:
    """Graph's side of mailbox_sync: messages fetched with $batch, drafts passed over."""

    def __init__(self, graph: GraphMailbox, rep_address: str) -> None:
        self.graph = graph
        self.rep_address = rep_address.lower()

    def fetch_many(self, message_ids: list[str]) -> Iterator[dict[str, Any] | GraphError]:
        return self.graph.fetch_many(message_ids)

    def failure(self, fetched: object) -> Exception | None:
        return fetched if isinstance(fetched, GraphError) else None

    def missing(self, error: Exception) -> bool:
        return isinstance(error, GraphError) and error.status == 404  # moved or deleted since

    def mailbox_wide(self, error: BaseException) -> bool:
        return isinstance(error, GraphError) and graph_mailbox_wide(error)

    def read(self, fetched: object) -> Arrived | None:
        assert isinstance(fetched, dict)
        # Notified from every folder: what the rep wrote or sent is not mail in; a reply the rep
        # deleted before we read it is (Deleted Items also holds deleted drafts and sent copies).
        names = {folder_id: name for name, folder_id in
                 well_known_folder_ids(self.graph, (*OUTBOUND_FOLDERS, DELETED_FOLDER)).items()}
        folder = str(fetched.get("parentFolderId") or "")
        sender = ((fetched.get("from") or {}).get("emailAddress") or {}).get("address") or ""
        if not is_mail_in(names.get(folder, folder), is_draft=bool(fetched.get("isDraft")),
                          from_rep=str(sender).lower() == self.rep_address):
            return None
        # Keyed by the id the fetch answered (immutable, as Prefer asks), as the delta catch-up
        # keys it: a notification may name the message by another id.
        return Arrived(str(fetched["id"]), graph_inbound(self.graph, fetched),
                       received_at=_received_at(fetched.get("receivedDateTime")))


def _apply_graph_ids(ctx: ServiceContext, graph: GraphMailbox, mailbox: str, message_ids: list[str], *,
                     isolate: bool = True) -> int:
    """Fetch these messages and apply them, in order (mailbox_sync); returns how many were applied.

    The messages set aside are parked even when a failure of the whole mailbox stops the read.
    """
    read = MessageRead()
    try:
        fetch_and_apply(ctx, GraphSource(graph, mailbox), PROVIDER, mailbox, message_ids, read, isolate=isolate)
    finally:
        read.park(ctx, PROVIDER, mailbox)
    return read.applied


def process_graph_messages(ctx: ServiceContext, address: str, items: list[Pending]) -> dict[int, str]:
    """Notifications of new messages in one Outlook mailbox: fetched with $batch, applied together.

    Each notification gets its own outcome: done (applied, or its message is gone), parked (the
    grant was withdrawn) or retried with backoff (its part of the batch failed).
    """
    try:
        box = followed_graph_mailbox(ctx, address)
    except Exception as exc:  # noqa: BLE001 - parked or retried like any notification's failure
        return {item.id: settle_failed(ctx, item, exc) for item in items}
    source = GraphSource(box.graph, box.address)
    named = {item.id: graph_message_id(item.payload) for item in items}
    wanted = list(dict.fromkeys(mid for mid in named.values() if mid))
    fetched: dict[str, object] = {}
    failed: dict[str, BaseException] = {}
    try:
        try:
            for mid, answer in zip(wanted, source.fetch_many(wanted), strict=False):
                fetched[mid] = answer
        except Exception as exc:  # noqa: BLE001 - the batch request itself failed: what it did not fetch is retried
            failed.update({mid: exc for mid in wanted if mid not in fetched})
        arrived: list[tuple[str, Arrived]] = []  # (the id notified, the message under the id fetched)
        for mid in wanted:
            got = fetched.get(mid)
            error = source.failure(got)
            if error is not None:
                if not source.missing(error):  # a 404: moved or deleted since; the delta sees what remains
                    failed[mid] = error
            elif got is not None:
                try:
                    one = source.read(got)
                except Exception as exc:  # noqa: BLE001 - this message's notification is retried
                    failed[mid] = exc
                    continue
                if one is not None:
                    arrived.append((mid, one))
        for start in range(0, len(arrived), APPLY_BATCH):
            chunk = arrived[start : start + APPLY_BATCH]
            poisoned: list[tuple[str, str]] = []
            # Only the messages that fail are retried: the rest of the batch is applied.
            not_applied = set(apply_isolating(ctx, PROVIDER, box.address, [a for _, a in chunk], poisoned))
            errors = dict(poisoned)
            failed.update({mid: RuntimeError(errors[a.provider_message_id]) for mid, a in chunk
                           if a.provider_message_id in not_applied})
    finally:
        box.graph.close()
    statuses: dict[int, str] = {}
    done: list[int] = []
    for item in items:
        mid = named[item.id]
        problem = failed.get(mid) if mid else ValueError("the notification names no message")
        if problem is None:
            done.append(item.id)
            statuses[item.id] = "done"
        else:
            statuses[item.id] = settle_failed(ctx, item, problem)
    finish_done(ctx, done)
    return statuses


def process_graph_message(ctx: ServiceContext, address: str, message_id: str, *, isolate: bool = False) -> bool:
    """One message Graph told us about, fetched and applied as a catch-up applies them; False when
    it was not applied (moved or deleted since, or a draft). Failures raise (the notification is
    retried) unless `isolate`, which parks the message instead."""
    box = followed_graph_mailbox(ctx, address)
    try:
        return _apply_graph_ids(ctx, box.graph, box.address, [message_id], isolate=isolate) > 0
    finally:
        box.graph.close()


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
    return read_inbox(ctx, address, limit=limit, brief=False)[0]


def read_inbox(ctx: ServiceContext, address: str, *, limit: int, brief: bool) -> tuple[int, bool]:
    """graph_catch_up's work; also says whether the inbox was read to its end."""
    box = followed_graph_mailbox(ctx, address, brief=brief)
    graph, applied = box.graph, 0
    try:
        with ctx.sessions() as s:
            watch = s.scalar(select(t.MailboxWatch).where(t.MailboxWatch.user_id == box.user_id))
            link = watch.delta_link if watch else None
            last_synced = watch.last_synced_at if watch else None
        # The other folders first: the delta below stores the time of this complete read.
        applied, filed = read_filed(ctx, graph, box.address, last_synced, limit=limit, brief=brief)
        if not filed:
            return applied, False
        if link is None:
            return applied + _graph_resync(ctx, graph, box.user_id, box.address, last_synced), True
        while True:
            try:
                page = graph.inbox_delta(link, max_pages=GRAPH_DELTA_PAGES)
            except DeltaExpired:
                return applied + _graph_resync(ctx, graph, box.user_id, box.address, last_synced), True
            applied += _apply_graph_ids(ctx, graph, box.address, list(page.message_ids))
            _store_delta_link(ctx, box.user_id, page.delta_link, synced=page.complete)
            link = page.delta_link
            if page.complete:
                return applied, True
            if applied >= limit:
                # Resumed from the stored link; the key names the link, so it is queued once.
                record_notification(ctx, provider=GRAPH_DELTA, mailbox_address=address, account_id=None,
                                    dedupe_key=f"delta:{address}:{hashlib.sha256(link.encode()).hexdigest()}",
                                    payload={"resume": True})
                return applied, False
    finally:
        graph.close()


def read_filed(ctx: ServiceContext, graph: GraphMailbox, mailbox: str, last_synced: datetime | None, *,
               limit: int, brief: bool = False) -> tuple[int, bool]:
    """What arrived outside the inbox (filed by a rule, junked) since the last complete read: listed
    across the mailbox, our own folders and the inbox (read by delta) left out, applied unless it
    already was. Returns (applied, whether the listing was read to its end within `limit` new ones).

    A read that did not reach the end queues a catch-up (graph_delta): the time of the last complete
    read stays, so the next read lists the same window again, past what is applied by then."""
    since = (last_synced or ctx.now() - RESYNC_WINDOW) - FILED_MARGIN
    skip = set(well_known_folder_ids(graph, ("inbox", *OUTBOUND_FOLDERS)).values())
    wanted: list[str] = []
    complete = True
    pages = received_since(graph, since, page_size=FILED_PAGE, max_pages=FILED_PAGES if brief else 10 * FILED_PAGES)
    for page in pages:
        if page is None or len(wanted) > limit:
            complete = False
            break
        wanted += _not_applied(ctx, mailbox, [mid for mid, folder in page if folder not in skip])
    complete = complete and len(wanted) <= limit
    if not complete:
        log.warning("%s: more mail outside the inbox since %s than one read takes", mailbox, since.isoformat())
        record_notification(ctx, provider=GRAPH_DELTA, mailbox_address=mailbox, account_id=None,
                            dedupe_key=f"filed:{mailbox}:{since.isoformat()}:{len(wanted)}", payload={"resume": True})
    return _apply_graph_ids(ctx, graph, mailbox, wanted[:limit]), complete


def _not_applied(ctx: ServiceContext, mailbox: str, message_ids: list[str]) -> list[str]:
    if not message_ids:
        return []
    with ctx.sessions() as s:
        done = set(s.scalars(select(t.ProcessedMessage.message_id).where(
            t.ProcessedMessage.provider == PROVIDER, t.ProcessedMessage.mailbox_address == mailbox,
            t.ProcessedMessage.message_id.in_(message_ids))))
    return [mid for mid in message_ids if mid not in done]


def _graph_resync(ctx: ServiceContext, graph: GraphMailbox, user_id: int, mailbox: str,
                  last_synced: datetime | None) -> int:
    """No usable delta link (Graph dropped its state): a fresh enumeration of the inbox, of which the
    messages received since the last complete catch-up (an hour of margin; a week when never) are
    applied, as Gmail's bounded resync does; what came before was read then. The new link is stored
    once they all are."""
    since = resync_since(ctx, last_synced)
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
    moment = _graph_time(received)
    if moment is None:
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=since.tzinfo)) >= since


def graph_message_id(payload: dict[str, Any]) -> str:
    """The message a Graph change notification names: its resource data's id, else its resource path's end."""
    data = payload.get("resourceData")
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"]
    return str(payload.get("resource", "")).rstrip("/").rpartition("/")[2]
