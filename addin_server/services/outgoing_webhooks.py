"""Outgoing webhooks: endpoints, the outbox of enrollment events, and signed deliveries.

An announced event is written with `webhook_pending` in the transaction that changes the
enrollment (enrollments.add_event), so a rolled-back change announces nothing and a committed one
cannot be lost. The worker turns pending events into one delivery per subscribed endpoint (the
same `webhook-id` for every attempt), claims due deliveries with leases like the inbound queue,
and posts them signed per Standard Webhooks. Failures back off exponentially for a day; an
endpoint that has failed for a whole day is disabled and shown as such to its account's admins.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from addin_server.auth.secrets_box import CannotDecrypt, SecretsBoxError, secrets_box
from addin_server.db import tables as t
from addin_server.domain.names import name_problem
from addin_server.domain.outgoing_webhooks import (
    EVENT_TYPES,
    MESSAGE_ID_PREFIX,
    RETRY_FOR,
    ROTATION_GRACE,
    TargetRefused,
    checked_url,
    lane_rank,
    retry_delay,
    secret_bytes,
    secret_text,
    signature_header,
    target_key,
    webhook_event_type,
)
from addin_server.domain.permissions import Action
from addin_server.domain.wording import evidence_in_words
from addin_server.providers.webhook_http import PostResult, WebhookPoster
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned, parse_id
from addin_server.services.enrollment_records import iso_z
from addin_server.services.errors import Conflict, Invalid, NotFound
from addin_server.services.leases import claim_leased
from addin_server.services.permissions import authorize, may, own

log = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_ACCOUNT = 20
PUBLISH_BATCH = 500
DELIVERY_BATCH = 50
# One lane takes at most this many deliveries of its endpoint, so a backlog at one receiver leaves
# room in the batch for every other endpoint's events.
PER_ENDPOINT_BATCH = 10
# Endpoints posted to side by side; an endpoint's own deliveries go one after another, so no
# receiver ever has two of ours in flight.
PARALLEL_ENDPOINTS = 8
# A lane starts no new post after this; what is left is due again at once for the next pass, so a
# slow receiver's backlog never turns into minutes of one thread (each post is itself capped by
# the poster's total deadline).
LANE_BUDGET_SECONDS = 10.0
# Longer than a lane's budget plus one exchange: a live worker never loses its lease mid-post.
DELIVERY_LEASE_SECONDS = 120
DELIVERY_STATUSES = ("pending", "delivered", "failed")
# How long the web app's one-time link to a new secret works (it is used at once by the redirect).
REVEAL_FOR = timedelta(minutes=10)
# An identical endpoint (URL and events) added within this is the same form sent twice.
DUPLICATE_WINDOW = timedelta(minutes=1)


def failing_lanes_allowed(lanes: int) -> int:
    """Of `lanes` running side by side, how many may serve endpoints that are failing: at most half,
    so however many receivers hang until the cut, healthy endpoints always find a free lane."""
    return max(1, lanes // 2)


def _require_admin(principal: Principal) -> None:
    authorize(principal, Action.MANAGE_WEBHOOKS, own(principal))


def _encrypt(ctx: ServiceContext, plaintext: str) -> str:
    try:
        return secrets_box(ctx.settings).encrypt(plaintext)
    except SecretsBoxError as exc:
        raise Conflict(f"webhook secrets cannot be stored: {exc}", code="encryption_key_missing") from None


def endpoint_view(ep: t.WebhookEndpoint, now: datetime) -> dict[str, Any]:
    """An endpoint as the API and Settings show it; never its secret."""
    grace = ep.previous_secret_until if ep.previous_secret_until and ep.previous_secret_until > now else None
    return {"id": str(ep.id), "url": ep.url, "description": ep.description, "events": list(ep.events),
            "status": ep.status, "disabled_at": iso_z(ep.disabled_at), "disabled_reason": ep.disabled_reason,
            "failing_since": iso_z(ep.failing_since), "last_success_at": iso_z(ep.last_success_at),
            "previous_secret_expires_at": iso_z(grace), "created_at": iso_z(ep.created_at),
            "created_by": ep.created_by}


def sending_now(d: t.WebhookDelivery, now: datetime) -> bool:
    """Whether a worker holds the delivery's lease: its attempt is under way or next in its lane."""
    return d.status == "pending" and d.lease_until is not None and d.lease_until >= now


def lane_heads(s: Session, endpoint_id: int, now: datetime) -> dict[str, int]:
    """The delivery each lane of this endpoint (by lease owner) is sending: a lane posts oldest first
    and each ending lets its lease go, so the oldest one still leased is under way."""
    d = t.WebhookDelivery
    return {str(owner): int(head) for owner, head in s.execute(select(d.lease_owner, func.min(d.id)).where(
        d.endpoint_id == endpoint_id, d.status == "pending", d.lease_until >= now).group_by(d.lease_owner))}


def delivery_view(d: t.WebhookDelivery, now: datetime, heads: Mapping[str, int] | None = None) -> dict[str, Any]:
    leased = sending_now(d, now)
    head = (heads or {}).get(str(d.lease_owner), d.id) if leased else None
    return {"id": str(d.id), "endpoint_id": str(d.endpoint_id), "webhook_id": d.message_id,
            "event_type": d.event_type, "status": d.status, "attempts": d.attempts,
            "sending": leased and head == d.id, "queued_behind": str(head) if leased and head != d.id else None,
            "next_attempt_at": iso_z(d.next_attempt_at) if d.status == "pending" else None,
            "last_attempt_at": iso_z(d.last_attempt_at), "last_status_code": d.last_status_code,
            "last_error": d.last_error, "created_at": iso_z(d.created_at), "delivered_at": iso_z(d.delivered_at),
            "payload": json.loads(d.body)}


# --- managing endpoints ----------------------------------------------------------------------


def create_endpoint(ctx: ServiceContext, principal: Principal, *, url: str, events: list[str],
                    description: str = "", reveal: bool = False) -> dict[str, Any]:
    """A new endpoint; the answer carries its `whsec_` secret, shown this once only.

    The same URL with the same events added moments ago is refused (409): a form sent twice, a
    double click or a retried request makes one endpoint. So is a URL that already receives one of
    the events from another endpoint (however the URL was spelt: it is normalised first).
    `reveal`: also arm a one-time reveal for the web app (its `reveal` token), so the page can
    redirect and still show the secret once."""
    _require_admin(principal)
    try:
        url = checked_url(url, allow_private=ctx.settings.demo_mode)
    except TargetRefused as exc:
        raise Invalid(f"url: {exc}", code="url_refused") from None
    # A name is resolved now too, so one that leads inside (127.0.0.1.nip.io) is refused at once,
    # not only at its first delivery.
    refusal = default_poster(ctx).refusal_when_resolved(url)
    if refusal:
        raise Invalid(f"url: {refusal}", code="url_refused")
    chosen = sorted(set(events), key=EVENT_TYPES.index) if all(e in EVENT_TYPES for e in events) else None
    if not chosen:
        raise Invalid(f"events: choose one or more of {', '.join(EVENT_TYPES)}")
    description = description.strip()
    if len(description) > 200:
        raise Invalid("description: at most 200 characters", code="invalid_description")
    # Shown to every admin in Settings, so held to the rule for names: PostgreSQL cannot store a NUL,
    # and a bidi override or other invisible character would make it read as something else.
    problem = name_problem(description)
    if problem:
        raise Invalid(f"description: {problem.split(':')[0]}; a description is one line of visible text",
                      code="invalid_description")
    secret = secret_text(secrets.token_bytes(32))
    now = ctx.now()
    with ctx.session() as s:
        # Adds to one account take turns, so parallel adds cannot all count 19 and all insert: a
        # no-op write to the account's row first locks it until commit on PostgreSQL and, on SQLite
        # (where a plain read does not even open the transaction), takes the write lock.
        s.execute(update(t.Account).where(t.Account.id == principal.account_id)
                  .values(id=t.Account.id).execution_options(synchronize_session=False))
        count = len(list(s.scalars(select(t.WebhookEndpoint.id).where(
            t.WebhookEndpoint.account_id == principal.account_id))))
        if count >= MAX_ENDPOINTS_PER_ACCOUNT:
            raise Conflict(f"an account may have at most {MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints",
                           code="too_many_endpoints")
        target = target_key(url)
        for twin in s.scalars(select(t.WebhookEndpoint).where(
                t.WebhookEndpoint.account_id == principal.account_id, t.WebhookEndpoint.target_key == target)):
            if list(twin.events) == chosen and twin.created_at > now - DUPLICATE_WINDOW:
                raise Conflict("this URL with these events was added moments ago; its secret was shown then "
                               "(rotate it if it was not copied)", code="duplicate_endpoint")
            both = [event for event in chosen if event in twin.events]
            if both:
                # The receiver would hear each of these events twice, under two webhook-ids it cannot match.
                raise Conflict(f"endpoint {twin.id} already sends {', '.join(both)} to this URL; delete it "
                               "or choose other events", code="duplicate_endpoint")
        token = secrets.token_urlsafe(24) if reveal else None
        ep = t.WebhookEndpoint(account_id=principal.account_id, url=url, target_key=target, description=description,
                               events=chosen, secret_encrypted=_encrypt(ctx, secret), status="active",
                               created_at=now, created_by=principal.actor[:320],
                               secret_reveal_hash=_reveal_hash(token) if token else None,
                               secret_reveal_until=now + REVEAL_FOR if token else None)
        s.add(ep)
        s.flush()
        answer = {**endpoint_view(ep, now), "secret": secret}
        return {**answer, "reveal": token} if token else answer


def list_endpoints(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    _require_admin(principal)
    now = ctx.now()
    with ctx.sessions() as s:
        return [endpoint_view(ep, now) for ep in s.scalars(select(t.WebhookEndpoint).where(
            t.WebhookEndpoint.account_id == principal.account_id).order_by(t.WebhookEndpoint.id))]


def get_endpoint(ctx: ServiceContext, principal: Principal, endpoint_id: str) -> dict[str, Any]:
    _require_admin(principal)
    with ctx.sessions() as s:
        return endpoint_view(owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint"), ctx.now())


def delete_endpoint(ctx: ServiceContext, principal: Principal, endpoint_id: str) -> None:
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    _require_admin(principal)
    with ctx.session() as s:
        ep = owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint")
        s.execute(delete(t.WebhookDelivery).where(t.WebhookDelivery.endpoint_id == ep.id))
        s.delete(ep)


def rotate_secret(ctx: ServiceContext, principal: Principal, endpoint_id: str, *,
                  reveal: bool = False) -> dict[str, Any]:
    """A new secret (shown once); the current one keeps signing beside it for ROTATION_GRACE.

    While a previous secret is still in its grace, another rotation is refused (409): it would cut
    that grace short for receivers still on it. Rotations are serialised by a conditional update on
    the secret they replace, so of two at the same moment one wins and the other is refused: every
    secret ever handed out signs. `reveal`: also arm a one-time reveal for the web app."""
    _require_admin(principal)
    secret = secret_text(secrets.token_bytes(32))
    now = ctx.now()
    with ctx.session() as s:
        ep = owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint")
        if ep.previous_secret_until is not None and ep.previous_secret_until > now:
            raise _rotation_refused(ep.previous_secret_until)
        replaced, grace_until = ep.secret_encrypted, now + ROTATION_GRACE
        token = secrets.token_urlsafe(24) if reveal else None
        changed = s.execute(
            update(t.WebhookEndpoint)
            .where(t.WebhookEndpoint.id == ep.id, t.WebhookEndpoint.secret_encrypted == replaced,
                   (t.WebhookEndpoint.previous_secret_until.is_(None))
                   | (t.WebhookEndpoint.previous_secret_until <= now))
            .values(previous_secret_encrypted=replaced, previous_secret_until=grace_until,
                    secret_encrypted=_encrypt(ctx, secret),
                    secret_reveal_hash=_reveal_hash(token) if token else None,
                    secret_reveal_until=now + REVEAL_FOR if token else None)
            .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if changed != 1:
            raise _rotation_refused(grace_until)  # another rotation got there first
        s.refresh(ep)
        answer = {**endpoint_view(ep, now), "secret": secret}
        return {**answer, "reveal": token} if token else answer


def _rotation_refused(grace_until: datetime) -> Conflict:
    return Conflict(f"the secret was rotated recently: the previous one signs until {iso_z(grace_until)}, and "
                    "rotating again now would cut that short for receivers still using it; rotate after that "
                    "time (or delete and re-add the endpoint if a secret leaked)", code="rotation_in_grace")


def _reveal_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reveal_secret(ctx: ServiceContext, principal: Principal, token: str) -> dict[str, Any] | None:
    """The endpoint and its current secret, for the one-time reveal `token` of this account, or
    None when it is unknown, used or expired. Using it disarms it: a reload shows nothing."""
    _require_admin(principal)
    if not token or len(token) > 100:
        return None
    now = ctx.now()
    digest = _reveal_hash(token)
    with ctx.session() as s:
        endpoint_id = s.scalars(select(t.WebhookEndpoint.id).where(
            t.WebhookEndpoint.account_id == principal.account_id, t.WebhookEndpoint.secret_reveal_hash == digest,
            t.WebhookEndpoint.secret_reveal_until > now)).first()
        if endpoint_id is None:
            return None
        taken = s.execute(update(t.WebhookEndpoint)
                          .where(t.WebhookEndpoint.id == endpoint_id, t.WebhookEndpoint.secret_reveal_hash == digest)
                          .values(secret_reveal_hash=None, secret_reveal_until=None)
                          .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if taken != 1:
            return None  # a second tab used it at the same moment
        ep = s.get_one(t.WebhookEndpoint, endpoint_id)
        try:
            secret = secrets_box(ctx.settings).decrypt(ep.secret_encrypted)
        except (SecretsBoxError, CannotDecrypt):
            return None
        return {**endpoint_view(ep, now), "secret": secret}


def enable_endpoint(ctx: ServiceContext, principal: Principal, endpoint_id: str) -> dict[str, Any]:
    """Turn a disabled endpoint back on: what waited for it is sent now, with a fresh day of retries,
    including the deliveries that used up their day of retries since its last success (the ones
    that disabled it): none of them was ever received, and receivers deduplicate on webhook-id."""
    _require_admin(principal)
    now = ctx.now()
    with ctx.session() as s:
        ep = owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint")
        if ep.status != "active":
            never_received = (t.WebhookDelivery.status == "pending") | (
                (t.WebhookDelivery.status == "failed")
                & (t.WebhookDelivery.created_at > (ep.last_success_at or ep.created_at - RETRY_FOR)))
            s.execute(update(t.WebhookDelivery).where(t.WebhookDelivery.endpoint_id == ep.id, never_received)
                      .values(status="pending", next_attempt_at=now, give_up_at=now + RETRY_FOR)
                      .execution_options(synchronize_session=False))
            ep.status, ep.disabled_at, ep.disabled_reason, ep.failing_since = "active", None, None, None
        return endpoint_view(ep, now)


def list_deliveries(ctx: ServiceContext, principal: Principal, endpoint_id: str, *, status: str | None = None,
                    limit: int = 50, before: str | None = None) -> dict[str, Any]:
    """The endpoint's delivery log, newest first (`before`: a delivery id, for the next page)."""
    _require_admin(principal)
    with ctx.sessions() as s:
        ep = owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint")
        q = select(t.WebhookDelivery).where(t.WebhookDelivery.endpoint_id == ep.id)
        if status:
            q = q.where(t.WebhookDelivery.status == status)
        if before:
            # An id past any real one (or not one at all) pages from the newest.
            bound = parse_id(before)
            if bound is not None:
                q = q.where(t.WebhookDelivery.id < bound)
        rows = list(s.scalars(q.order_by(t.WebhookDelivery.id.desc()).limit(limit)))
        now = ctx.now()
        heads = lane_heads(s, ep.id, now)
        return {"deliveries": [delivery_view(d, now, heads) for d in rows],
                "next_before": str(rows[-1].id) if len(rows) == limit else None}


def retry_delivery(ctx: ServiceContext, principal: Principal, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
    """Send a delivery again soon, with the same webhook-id (receivers deduplicate on it)."""
    _require_admin(principal)
    now = ctx.now()
    with ctx.session() as s:
        ep = owned(s, t.WebhookEndpoint, endpoint_id, principal, "webhook endpoint")
        d = owned(s, t.WebhookDelivery, delivery_id, principal, "delivery")
        if d.endpoint_id != ep.id:
            raise NotFound(f"delivery {delivery_id} not found")
        if ep.status != "active":
            raise Conflict("the endpoint is disabled; enable it first", code="endpoint_disabled")
        if sending_now(d, now):
            # Its lane's attempt sets its next time on ending and would undo a "now" set here.
            head = lane_heads(s, ep.id, now).get(str(d.lease_owner), d.id)
            raise Conflict(f"delivery {d.id} is being sent now; retry it once this attempt has ended" if head == d.id
                           else f"delivery {d.id} is queued behind delivery {head}, being sent to the same receiver "
                           "now; retry it once that attempt has ended", code="delivery_in_flight")
        d.status, d.next_attempt_at = "pending", now
        # At least one more attempt; a pending delivery keeps the retries it had left.
        d.give_up_at = max(d.give_up_at, now)
        return delivery_view(d, now)


def disabled_endpoints(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    """What Settings warns admins about: endpoints disabled after failing for a day."""
    if not may(principal, Action.MANAGE_WEBHOOKS, own(principal)):
        return []
    now = ctx.now()
    with ctx.sessions() as s:
        return [endpoint_view(ep, now) for ep in s.scalars(select(t.WebhookEndpoint).where(
            t.WebhookEndpoint.account_id == principal.account_id, t.WebhookEndpoint.status == "disabled"))]


# --- the outbox: events become deliveries ----------------------------------------------------


def _event_payload(ev: t.EnrollmentEvent, webhook_type: str, contact_email: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"enrollment_id": str(ev.enrollment_id), "sequence_id": str(ev.sequence_id),
                            "contact_id": str(ev.contact_id), "contact_email": contact_email,
                            "actor": ev.actor, "at": iso_z(ev.at)}
    extra = evidence_in_words(ev.data) or {}
    if webhook_type == "enrollment.finished":
        extra.setdefault("surface", "automatic")
    if webhook_type == "enrollment.undone":
        extra.pop("undone_by", None)  # the actor already says who
    return {"type": webhook_type, "timestamp": iso_z(ev.at), "data": {**extra, **data}}


def _insert_new_deliveries(s: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two workers publishing the same event make one delivery (unique endpoint + event).
    s.execute(insert(t.WebhookDelivery).on_conflict_do_nothing(), rows)


def publish_pending_events(ctx: ServiceContext, limit: int = PUBLISH_BATCH) -> int:
    """Turn committed, announced events into deliveries for the endpoints subscribed to them."""
    now = ctx.now()
    with ctx.session() as s:
        # The bare column is the partial index's own predicate, on both databases.
        q = (select(t.EnrollmentEvent).where(text("enrollment_events.webhook_pending"))
             .order_by(t.EnrollmentEvent.id).limit(limit))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        events = list(s.scalars(q))
        if not events:
            return 0
        endpoints: dict[int, list[t.WebhookEndpoint]] = {}
        for ep in s.scalars(select(t.WebhookEndpoint).where(
                t.WebhookEndpoint.account_id.in_({ev.account_id for ev in events}))):
            endpoints.setdefault(ep.account_id, []).append(ep)
        emails: dict[int, str] = {}
        if endpoints:
            emails = dict(s.execute(select(t.Contact.id, t.Contact.primary_email).where(
                t.Contact.id.in_({ev.contact_id for ev in events if ev.account_id in endpoints}))).all())
        rows = []
        for ev in events:
            kind = webhook_event_type(ev.type, ev.data or {})
            subscribed = [ep for ep in endpoints.get(ev.account_id, [])
                          if kind in ep.events and ep.created_at <= ev.at]
            if kind is None or not subscribed:
                continue
            body = json.dumps(_event_payload(ev, kind, emails.get(ev.contact_id)), separators=(",", ":"),
                              ensure_ascii=False)
            message_id = MESSAGE_ID_PREFIX + secrets.token_urlsafe(18)
            rows += [{"account_id": ev.account_id, "endpoint_id": ep.id, "event_id": ev.id, "message_id": message_id,
                      "event_type": kind, "body": body, "status": "pending", "attempts": 0,
                      "next_attempt_at": now, "give_up_at": now + RETRY_FOR, "created_at": now}
                     for ep in subscribed]
        _insert_new_deliveries(s, rows)
        s.execute(update(t.EnrollmentEvent).where(t.EnrollmentEvent.id.in_([ev.id for ev in events]))
                  .values(webhook_pending=False).execution_options(synchronize_session=False))
        return len(rows)


# --- the worker's side: signed deliveries ----------------------------------------------------


def default_poster(ctx: ServiceContext) -> WebhookPoster:
    # Private and loopback targets are only reachable in demo mode (receivers on this machine).
    return WebhookPoster(allow_private=ctx.settings.demo_mode, ca_bundle=ctx.settings.ca_bundle)


def deliver_due_webhooks(ctx: ServiceContext, worker: str, *, poster: WebhookPoster | None = None,
                         limit: int = DELIVERY_BATCH, wall_clock: Callable[[], float] = time.time,
                         budget_seconds: float = LANE_BUDGET_SECONDS) -> dict[str, int]:
    """One pass, waited for: publish pending events, then attempt the due deliveries, endpoints side
    by side. Returns counts by outcome. (A running worker uses DeliveryLanes, which never waits.)

    `wall_clock` dates the signatures: receivers compare webhook-timestamp with their own clock,
    whatever time the scheduler's clock (ctx.now) says.
    """
    publish_pending_events(ctx)
    lanes = _claim_lanes(ctx, worker, limit, max_lanes=limit,
                         max_failing=failing_lanes_allowed(PARALLEL_ENDPOINTS))
    if not lanes:
        return {}
    poster = poster or default_poster(ctx)
    budget_end = time.monotonic() + budget_seconds
    counts: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=min(PARALLEL_ENDPOINTS, len(lanes)),
                            thread_name_prefix="webhook-lane") as pool:
        for lane_counts in pool.map(lambda ids: _run_lane(ctx, ids, worker, poster, wall_clock, budget_end),
                                    [lane.ids for lane in lanes]):
            counts.update(lane_counts)
    return dict(counts)


class DeliveryLanes:
    """A running worker's outgoing webhooks: each endpoint's deliveries run in a lane (a thread) of
    their own, and a pass only starts lanes, never waits for one. A receiver that answers slowly,
    or trickles its answer, holds up its own lane and nothing else: not the mail pipeline, not
    other accounts' endpoints, not the events that come in meanwhile."""

    def __init__(self, ctx: ServiceContext, worker: str, *, poster: WebhookPoster | None = None,
                 size: int = PARALLEL_ENDPOINTS, limit: int = DELIVERY_BATCH,
                 budget_seconds: float = LANE_BUDGET_SECONDS, wall_clock: Callable[[], float] = time.time) -> None:
        self.ctx, self.worker, self.size, self.limit = ctx, worker, size, limit
        self.poster = poster or default_poster(ctx)
        self.budget_seconds, self.wall_clock = budget_seconds, wall_clock
        self.busy: set[int] = set()  # endpoints with a lane running in this process
        self.busy_failing: set[int] = set()  # those of them that were failing when their lane started
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook-lane")

    def start_due(self) -> int:
        """Publish pending events and start a lane for each endpoint with due deliveries and none
        running; returns how many deliveries the new lanes hold."""
        publish_pending_events(self.ctx)
        with self._lock:
            running, running_failing = set(self.busy), len(self.busy_failing)
        free = self.size - len(running)
        if free <= 0:
            return 0
        lanes = _claim_lanes(self.ctx, self.worker, self.limit, max_lanes=free, skip=running,
                             max_failing=failing_lanes_allowed(self.size) - running_failing)
        for lane in lanes:
            with self._lock:
                self.busy.add(lane.endpoint_id)
                if lane.failing:
                    self.busy_failing.add(lane.endpoint_id)
            self._pool.submit(self._lane, lane.endpoint_id, lane.ids)
        return sum(len(lane.ids) for lane in lanes)

    def _lane(self, endpoint_id: int, ids: list[int]) -> None:
        try:
            _run_lane(self.ctx, ids, self.worker, self.poster, self.wall_clock,
                      time.monotonic() + self.budget_seconds)
        finally:
            with self._lock:
                self.busy.discard(endpoint_id)
                self.busy_failing.discard(endpoint_id)
            self.ctx.announced.set()  # a lane is free: what waited for one may start now

    def close(self) -> None:
        """Start nothing more; running lanes end by themselves (each post has a deadline)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class _Lane:
    endpoint_id: int
    ids: list[int]
    failing: bool  # unproven: the endpoint's last attempt failed, or it never answered yet


def _claim_lanes(ctx: ServiceContext, worker: str, limit: int, *, max_lanes: int, max_failing: int,
                 skip: set[int] | None = None) -> list[_Lane]:
    """Lease due deliveries, at most PER_ENDPOINT_BATCH per endpoint and `max_lanes` endpoints, of
    which at most `max_failing` are unproven endpoints; grouped by endpoint, healthy ones first, each
    endpoint's oldest first.

    An endpoint whose URL has a delivery in flight (any worker's live lease, any endpoint of that
    URL) or that is in `skip` (or shares its URL) is passed over, and one endpoint per URL gets a
    lane: one receiver never has two of ours in flight, whatever the number of workers or of
    endpoints pointing at it. Unproven endpoints (failing, or never answered yet: a receiver that
    hangs until the cut) are capped so they never hold every lane, and among them the ones never
    tried go before the failing ones."""
    now = ctx.now()
    with ctx.session() as s:
        leased, busy = aliased(t.WebhookDelivery), aliased(t.WebhookEndpoint)
        # The receiver, however spelt (a row made before target_key existed has its URL).
        busy_target, ep_target = (func.coalesce(e.target_key, e.url) for e in (busy, t.WebhookEndpoint))
        in_flight = (select(busy_target).join(leased, leased.endpoint_id == busy.id)
                     .where(leased.status == "pending", leased.lease_until >= now))
        free = (t.WebhookDelivery.lease_until.is_(None)) | (t.WebhookDelivery.lease_until < now)
        ep = t.WebhookEndpoint
        # Proven endpoints' deliveries come first, so however many unproven ones wait, they never
        # fill the candidates a proven endpoint's newest delivery needs a place among.
        q = (select(t.WebhookDelivery.id, t.WebhookDelivery.endpoint_id, ep_target, ep.failing_since,
                    ep.last_success_at)
             .join(ep, ep.id == t.WebhookDelivery.endpoint_id)
             .where(t.WebhookDelivery.status == "pending", t.WebhookDelivery.next_attempt_at <= now, free,
                    ep.status == "active", ep_target.not_in(in_flight))
             .order_by(ep.failing_since.is_not(None), ep.last_success_at.is_(None), t.WebhookDelivery.id)
             .limit(limit * PER_ENDPOINT_BATCH))
        if skip:  # lanes of this process: their receivers too
            q = q.where(ep_target.not_in(select(busy_target).where(busy.id.in_(skip))))
        rows = s.execute(q).all()
        candidates = [(delivery_id, endpoint_id) for delivery_id, endpoint_id, _, _, _ in rows]
        url_of = {endpoint_id: target for _, endpoint_id, target, _, _ in rows}
        rank = {endpoint_id: lane_rank(failing_since, last_success_at)
                for _, endpoint_id, _, failing_since, last_success_at in rows}
        failing = {endpoint_id for endpoint_id, r in rank.items() if r > 0}
        per_endpoint: Counter[int] = Counter()
        lane_urls: set[str] = set()
        picked: list[int] = []
        failing_lanes = 0
        for delivery_id, endpoint_id in candidates:
            if len(picked) >= limit:
                break
            if endpoint_id not in per_endpoint:
                if len(per_endpoint) >= max_lanes or url_of[endpoint_id] in lane_urls:
                    continue
                if endpoint_id in failing:
                    if failing_lanes >= max_failing:
                        continue
                    failing_lanes += 1
            if per_endpoint[endpoint_id] < PER_ENDPOINT_BATCH:
                per_endpoint[endpoint_id] += 1
                lane_urls.add(url_of[endpoint_id])
                picked.append(delivery_id)
        if not picked:
            return []
        ids = claim_leased(s, t.WebhookDelivery, worker, now, limit=limit, lease_seconds=DELIVERY_LEASE_SECONDS,
                           conditions=(t.WebhookDelivery.id.in_(picked),))
        endpoint_of = dict(candidates)
    lanes: dict[int, list[int]] = {}
    for delivery_id in ids:
        lanes.setdefault(endpoint_of[delivery_id], []).append(delivery_id)
    # Healthy endpoints first: where lanes are fewer than endpoints, theirs start before the rest.
    return sorted((_Lane(endpoint_id, lane_ids, endpoint_id in failing) for endpoint_id, lane_ids in lanes.items()),
                  key=lambda lane: rank[lane.endpoint_id])


def _run_lane(ctx: ServiceContext, ids: list[int], worker: str, poster: WebhookPoster,
              wall_clock: Callable[[], float], budget_end: float) -> Counter[str]:
    """One endpoint's claimed deliveries, one after another; after a failure the rest wait."""
    counts: Counter[str] = Counter()
    failing: set[int] = set()
    for delivery_id in ids:
        try:
            if time.monotonic() >= budget_end:
                counts[_unlease(ctx, delivery_id, worker)] += 1
            else:
                counts[_attempt(ctx, delivery_id, worker, poster, failing, wall_clock)] += 1
        except Exception:  # its lease runs out and another pass tries again
            log.exception("webhook delivery %s could not be attempted", delivery_id)
            counts["error"] += 1
    return counts


def _unlease(ctx: ServiceContext, delivery_id: int, worker: str) -> str:
    """Hand a delivery back untried, due at once: the pass ran out of time before its turn."""
    with ctx.session() as s:
        s.execute(update(t.WebhookDelivery).where(t.WebhookDelivery.id == delivery_id,
                                                  t.WebhookDelivery.lease_owner == worker)
                  .values(lease_owner=None, lease_until=None).execution_options(synchronize_session=False))
    return "deferred"


def _live_secrets(ctx: ServiceContext, ep: t.WebhookEndpoint, now: datetime) -> list[bytes]:
    box = secrets_box(ctx.settings)
    keys = [secret_bytes(box.decrypt(ep.secret_encrypted))]
    if ep.previous_secret_encrypted and ep.previous_secret_until and ep.previous_secret_until > now:
        keys.append(secret_bytes(box.decrypt(ep.previous_secret_encrypted)))
    return keys


def _attempt(ctx: ServiceContext, delivery_id: int, worker: str, poster: WebhookPoster, failing: set[int],
             wall_clock: Callable[[], float]) -> str:
    now = ctx.now()
    with ctx.sessions() as s:
        d = s.get(t.WebhookDelivery, delivery_id)
        if d is None or d.status != "pending" or d.lease_owner != worker:
            return "gone"
        ep = s.get(t.WebhookEndpoint, d.endpoint_id)
        if ep is None:
            return "gone"  # deleted meanwhile
        endpoint_id, url, message_id, body = ep.id, ep.url, d.message_id, d.body.encode("utf-8")
        try:
            keys = _live_secrets(ctx, ep, now)
        except (SecretsBoxError, CannotDecrypt, ValueError) as exc:
            keys, key_error = [], f"the endpoint's secret cannot be read: {exc}"
        else:
            key_error = ""
    if endpoint_id in failing:
        # The endpoint just failed in this pass: its other deliveries wait too, without a wasted attempt.
        return _release(ctx, delivery_id, now)
    if key_error:
        result = PostResult(None, key_error)
    else:
        stamp = int(wall_clock())
        result = poster.post(url, body, {"webhook-id": message_id, "webhook-timestamp": str(stamp),
                                         "webhook-signature": signature_header(keys, message_id, stamp, body)})
    if not result.ok:
        failing.add(endpoint_id)
    return _record(ctx, delivery_id, result)


def _release(ctx: ServiceContext, delivery_id: int, now: datetime) -> str:
    with ctx.session() as s:
        d = s.get_one(t.WebhookDelivery, delivery_id)
        d.lease_owner, d.lease_until = None, None
        d.next_attempt_at = now + retry_delay(max(1, d.attempts))
        return "postponed"


def _record(ctx: ServiceContext, delivery_id: int, result: PostResult) -> str:
    now = ctx.now()
    with ctx.session() as s:
        d = s.get(t.WebhookDelivery, delivery_id)
        ep = s.get(t.WebhookEndpoint, d.endpoint_id) if d is not None else None
        if d is None or ep is None:
            return "gone"  # the endpoint was deleted meanwhile
        d.attempts += 1
        d.lease_owner, d.lease_until = None, None
        d.last_attempt_at, d.last_status_code = now, result.status
        d.last_error = None if result.ok else (result.error or "failed")[:2000]
        if result.ok:
            d.status, d.delivered_at = "delivered", now
            ep.failing_since, ep.last_success_at = None, now
            return "delivered"
        ep.failing_since = ep.failing_since or now
        following = now + retry_delay(d.attempts)
        if following > d.give_up_at:
            d.status = "failed"
        else:
            d.next_attempt_at = following
        # Persistent failure: a delivery ran out of its day of retries with no success in that time
        # (one payload a receiver rejects while taking others does not disable it), or a day of failures.
        gave_up_unanswered = d.status == "failed" and (ep.last_success_at is None
                                                       or ep.last_success_at < d.created_at)
        if ep.status == "active" and (gave_up_unanswered or now - ep.failing_since >= RETRY_FOR):
            ep.status, ep.disabled_at = "disabled", now
            ep.disabled_reason = (f"every delivery failed for a day (last: {d.last_error}); "
                                  "fix the receiver, then enable the endpoint")[:2000]
            log.warning("webhook endpoint %s of account %s disabled after a day of failures", ep.id, ep.account_id)
        return d.status if d.status == "failed" else "retrying"
