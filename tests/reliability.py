"""The mailbox-watching pipeline under faults, end to end, on both providers: used by a small test
and by bench/soak.py.

N enrolled contacts, half written to from a Gmail rep's mailbox and half from an Outlook rep's (both
emulated). Each contact sends back a reply, an out-of-office, a bounce, an email from another
address on the thread, an email outside the sequence, or a stranger writes; in shuffled order,
while on both sides notifications are duplicated and dropped, the APIs answer 429 (with and without
Retry-After) and 5xx now and then, a message now and then cannot be served for a while (a poison
message: parked by itself, applied later), a delivery report arrives again later (the same report
under a new provider id, as a server that retries or a mailbox that copies it delivers it), a delay
notice arrives (the server keeps trying: nothing ends, nothing counts), and a worker dies holding leases. Gmail's history expires once;
Graph sends a "missed" lifecycle event, removes the subscription once (new mail goes unannounced
until the worker has subscribed again) and asks for reauthorization. The worker sweeps quiet
mailboxes every minute of (emulated) time, as `run_forever` does. Afterwards, per provider and
together: no message lost, no enrollment ended twice, every ending explained by its evidence, no
out-of-office reply unenrolled.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import start_emulator
from addin_server import create_app
from addin_server.db import tables as t
from addin_server.db.migrate import upgrade
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.inbox import claim_notifications
from addin_server.services.inbox_worker import process_due_notifications, sweep_mailboxes
from addin_server.services.mailboxes import connect_gmail, connect_outlook
from addin_server.services.sequences import StepInput
from addin_server.services.startup import open_services
from tests.browser import free_port, live_server
from tests.builders import link_proven_tenant
from tests.emulated import PUSH_ACCOUNT, PUSH_AUDIENCE, google_emulator_settings
from tests.integration.emulator_microsoft.support import make_setup

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "inbound"
PROVIDERS = ("gmail", "outlook")
GMAIL_REP = "rep@soak.test"
# What each contact sends back, and what it must lead to.
PLAN = [("human_reply.eml", "replied", 50), ("gmail_vacation.eml", None, 10), ("exchange_automatic_reply.eml", None, 10),
        ("hard_bounce.eml", "bounced", 10), ("outside_sequence.eml", "emailed_outside_sequence", 5),
        ("other address on the thread", "replied_from_other_address", 5), ("stranger", None, 10),
        ("delay_notice.eml", None, 5), ("soft bounce, the report three times", None, 5),
        ("hard bounce, the report twice", "bounced", 5)]
OUT_OF_OFFICE = ("gmail_vacation.eml", "exchange_automatic_reply.eml")
# Who writes, and which message, for the two kinds that are not a fixture of their own.
ALTERED = {"other address on the thread": ("human_reply.eml", "assistant{i}@elsewhere.test"),
           "stranger": ("outside_sequence.eml", "stranger{i}@elsewhere.test")}
# Reports delivered more than once: the fixture and how many copies. A soft bounce counted three
# times would reach the threshold (3) and end the enrollment; counted once it ends nothing.
REPEATED_REPORTS = {"soft bounce, the report three times": ("soft_bounce_unquoted.eml", 3),
                    "hard bounce, the report twice": ("hard_bounce.eml", 2)}
SOFT_REPEATED = "soft bounce, the report three times"
DELAY_NOTICE = "delay_notice.eml"
# Steps between a report and its next copy (the copy arrives later, among other contacts' messages).
COPY_LAG = 137
# How Exchange classes what arrives: its own automatic replies carry the OOF message class.
OUTLOOK_KIND = {"exchange_automatic_reply.eml": "oof"}
ROUND = 50  # deliveries between two flushes of the notification queues
# Deliveries per minute of emulated time: the worker's sweep runs once a minute. Between two sweeps
# an Outlook mailbox gets about 250 messages; the delta catch-up applies every one of them (past
# 2,000 in one call it resumes in a queued catch-up), so the cadence only bounds how much one reads.
SWEEP_EVERY = 500
SWEEP_MINUTES = 1
# Every POISON_EVERY-th message a mailbox receives (the 3rd, then every 50th: 2%) it refuses to serve
# for a while (a poison message: 400 on its reads). Gmail refuses the batch part and the single fetch after it, so the sync parks the message;
# Graph refuses one read under each of its two ids (notification id, immutable id from the delta).
POISON_EVERY = 50


@dataclass
class ShiftedClock:
    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Tally:
    """The invariants for one provider (or both together)."""

    delivered: int = 0
    expected_endings: int = 0
    lost: int = 0
    ended_twice: int = 0
    unexplained: int = 0
    out_of_office_unenrolled: int = 0
    # Messages applied more than once (each delivered message has its own Message-ID): a message
    # must count once, or one soft bounce counts as two and an out-of-office is recorded twice.
    applied_twice: int = 0
    # A report that arrived again counted again (the address's soft count above 1), or a delay notice
    # counted as a bounce (a soft count above 0).
    reports_counted_twice: int = 0
    delays_counted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (self.lost == 0 and self.ended_twice == 0 and self.unexplained == 0
                and self.out_of_office_unenrolled == 0 and self.applied_twice == 0
                and self.reports_counted_twice == 0 and self.delays_counted == 0)

    def add(self, other: Tally) -> Tally:
        return Tally(
            self.delivered + other.delivered, self.expected_endings + other.expected_endings,
            self.lost + other.lost, self.ended_twice + other.ended_twice, self.unexplained + other.unexplained,
            self.out_of_office_unenrolled + other.out_of_office_unenrolled, self.applied_twice + other.applied_twice,
            self.reports_counted_twice + other.reports_counted_twice, self.delays_counted + other.delays_counted,
            dict(Counter(self.reasons) + Counter(other.reasons)), dict(Counter(self.faults) + Counter(other.faults)))


@dataclass
class SoakResult:
    n: int
    providers: dict[str, Tally]
    seconds: float
    # Wall-clock seconds per block of SWEEP_EVERY deliveries: flat when the cost per delivery does not grow.
    block_seconds: list[float]
    setup_seconds: float
    processed_messages: int
    # Notifications the worker never finished (at most 20), with their last error.
    not_done: list[str] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.providers.values():
            total = total.add(tally)
        return total

    @property
    def lost(self) -> int:
        return self.total.lost

    @property
    def ended_twice(self) -> int:
        return self.total.ended_twice

    @property
    def unexplained(self) -> int:
        return self.total.unexplained

    @property
    def out_of_office_unenrolled(self) -> int:
        return self.total.out_of_office_unenrolled

    @property
    def applied_twice(self) -> int:
        return self.total.applied_twice

    @property
    def ok(self) -> bool:
        return all(tally.ok for tally in self.providers.values())


@dataclass
class Contact:
    enrollment_id: int
    email: str
    provider: str
    kind: str
    reason: str | None


def _render(name: str, sender: str, mailbox: str, in_reply_to: str, n: int) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in {"sender": sender, "mailbox": mailbox, "in_reply_to": in_reply_to, "n": str(n),
                       "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def _drain(ctx: ServiceContext, worker: str) -> int:
    """Process due notifications until none is left to claim now."""
    done = 0
    while True:
        counts = process_due_notifications(ctx, worker, limit=100)
        if not counts:
            return done
        done += sum(counts.values())


def _providers_of(ctx: ServiceContext, ids: list[int]) -> Counter[str]:
    with ctx.sessions() as s:
        return Counter(s.scalars(select(t.InboundNotification.provider).where(t.InboundNotification.id.in_(ids))))


def run_soak(n: int, database_url: str, *, seed: int = 7, faults: bool = True) -> SoakResult:
    rng = random.Random(seed)
    started = time.perf_counter()
    # One line per HTTP request on three servers would cost more than the requests themselves.
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    emulator = start_emulator(tls_port=0)
    google = GoogleEmulatorControl(emulator.base_url)
    google.set_delivery("manual")
    microsoft = MicrosoftEmulatorControl(emulator.base_url)
    microsoft.set_auto_delivery(False)
    ms = make_setup(emulator, microsoft)
    clock = ShiftedClock()
    port = free_port()
    assert emulator.tls_base_url and emulator.ca_bundle
    settings = google_emulator_settings(
        google, database_url, secret_key="soak", public_url=f"http://127.0.0.1:{port}", sweep_minutes=SWEEP_MINUTES,
        graph_api_endpoint=ms.graph, ms_client_id=ms.client_id, ms_client_secret=ms.client_secret,
        ms_authority=f"{emulator.tls_base_url}/ms/common", ca_bundle=emulator.ca_bundle)
    ctx = open_services(settings, clock=clock)
    upgrade(ctx.engine)
    counts: dict[str, Counter[str]] = {p: Counter() for p in PROVIDERS}

    def advance(seconds: float) -> None:
        """Time passes for the worker. The emulators keep real time: their tokens and subscriptions stay
        valid, and the service's clock runs ahead of them by less than Gmail's resync margin (an hour)."""
        clock.offset += timedelta(seconds=seconds)

    def outlook_subscription() -> str:
        with ctx.sessions() as s:
            return str(s.scalar(select(t.MailboxWatch.subscription_id).where(
                t.MailboxWatch.mailbox_address == ms.address.lower())))

    try:
        with live_server(create_app(settings, services=ctx), port=port) as url:
            made = accounts.create_account(ctx, name="Soak", plan="enterprise", admin_email="admin@soak.test")
            admin = Principal.for_api_key(made.account_id, "soak", "admin")
            gmail_rep = directory.create_user(ctx, admin, email=GMAIL_REP, name="Gmail Rep", role="user",
                                              mailbox_provider="gmail", mailbox_address=GMAIL_REP)
            box = google.create_mailbox(GMAIL_REP)
            connect_gmail(ctx, admin, gmail_rep["id"], box["refresh_token"])
            google.set_push(url + "/webhooks/gmail", address=GMAIL_REP, audience=PUSH_AUDIENCE,
                            service_account=PUSH_ACCOUNT)
            outlook_rep = directory.create_user(ctx, admin, email=ms.address, name="Outlook Rep", role="user",
                                                mailbox_provider="outlook", mailbox_address=ms.address)
            # The subscription's validation handshake reaches our webhook over loopback.
            link_proven_tenant(ctx, made.account_id, ms.tenant_id)  # as its Global Administrator's sign-in would
            connect_outlook(ctx, admin, outlook_rep["id"], tenant_id=ms.tenant_id, graph_user_id=ms.user_id)
            reps = {"gmail": (gmail_rep["id"], GMAIL_REP), "outlook": (outlook_rep["id"], ms.address)}
            seqs = {p: sequences.create_sequence(ctx, admin, name=f"Soak {p}", owner_user_id=rep_id, steps=[
                StepInput("automated_email", 0, "Intro", "Hello"), StepInput("task", 30, "t", "")])["id"]
                for p, (rep_id, _) in reps.items()}
            kinds = [k for k, _, weight in PLAN for _ in range(weight)]
            plan: list[Contact] = []
            for i in range(n):
                provider = PROVIDERS[i % 2]
                c = directory.create_contact(ctx, admin, email=f"person{i}@company{i % 97}.test",
                                             secondary_emails=[f"person{i}.home@gmail.com"])
                e = enrollments.enroll(ctx, admin, sequence_id=seqs[provider], contact_id=c["id"],
                                       sender_user_id=reps[provider][0])
                kind = kinds[rng.randrange(len(kinds))]
                plan.append(Contact(int(e["id"]), c["email"], provider, kind,
                                    next(r for k, r, _ in PLAN if k == kind)))
            with ctx.session() as s:
                sent = dict(s.execute(select(t.SequenceEmail.enrollment_id, t.SequenceEmail.rfc_message_id)).all())
            assert len(sent) == n, "every enrollment sent its first email through its rep's mailbox"
            setup_seconds = time.perf_counter() - started

            order = list(range(n))
            rng.shuffle(order)
            # Moments of trouble, as fractions of the run.
            at = {"reauthorize": n // 6, "missed": n // 3, "dead worker": n // 2, "removed": (2 * n) // 3}
            removed_subscription: str | None = None
            poison_routes: set[str] = set()
            # Copies of reports still to arrive, by the step they arrive at; Message-IDs delivered, with copies.
            later: dict[int, list[tuple[str, bytes, str]]] = {}
            rfc_delivered: dict[str, Counter[str]] = {p: Counter() for p in PROVIDERS}

            def deliver_copy(p: str, raw: bytes, fixture: str) -> None:
                if p == "gmail":
                    google.deliver(GMAIL_REP, raw)
                else:
                    microsoft.deliver(ms.address, raw, kind=OUTLOOK_KIND.get(fixture, "auto"))
                counts[p]["report copies delivered again"] += 1

            block_started, block_seconds = time.perf_counter(), []
            for step, idx in enumerate(order):
                contact = plan[idx]
                p, mailbox = contact.provider, reps[contact.provider][1]
                fixture, sender = contact.kind, contact.email
                if contact.kind in ALTERED:
                    fixture, pattern = ALTERED[contact.kind]
                    sender = pattern.format(i=idx)
                copies = 1
                if contact.kind in REPEATED_REPORTS:
                    fixture, copies = REPEATED_REPORTS[contact.kind]
                raw = _render(fixture, sender, mailbox, sent[contact.enrollment_id], idx)
                rfc_delivered[p][_rfc_id(raw)] += copies
                for copy in range(1, copies):
                    later.setdefault(step + COPY_LAG * copy, []).append((p, raw, fixture))
                if contact.kind == DELAY_NOTICE:
                    counts[p]["delay notices"] += 1
                if faults:
                    _inject(rng, p, google, microsoft, counts[p], announced=removed_subscription is None)
                if p == "gmail":
                    delivered = google.deliver(GMAIL_REP, raw)
                else:
                    delivered = microsoft.deliver(ms.address, raw, kind=OUTLOOK_KIND.get(fixture, "auto"))
                counts[p]["delivered"] += 1
                if faults and counts[p]["delivered"] % POISON_EVERY == 3:
                    counts[p]["poison messages"] += 1
                    if p == "gmail":
                        google.inject_fault(f"*/messages/{delivered['id']}", 400, count=2, reason="failedPrecondition")
                    else:
                        for key in ("id", "immutable_id"):
                            route = f"*/messages/{delivered[key]}*"
                            poison_routes.add(route.lower())
                            microsoft.inject_fault(route, 400, count=1, method="GET", code="ErrorInvalidRequest")
                for copy_of in later.pop(step, []):
                    deliver_copy(*copy_of)
                if faults and step == at["missed"]:
                    microsoft.send_lifecycle(outlook_subscription(), "missed")
                    counts["outlook"]["lifecycle: missed"] += 1
                if faults and step == at["removed"]:
                    removed_subscription = outlook_subscription()
                    microsoft.send_lifecycle(removed_subscription, "subscriptionRemoved")
                    counts["outlook"]["lifecycle: subscription removed"] += 1
                if faults and step == at["reauthorize"]:
                    microsoft.send_lifecycle(outlook_subscription(), "reauthorizationRequired")
                    counts["outlook"]["lifecycle: reauthorization required"] += 1
                if step % ROUND == ROUND - 1 or step == n - 1:
                    dead_round = faults and step // ROUND == at["dead worker"] // ROUND
                    counts["gmail"]["pushes delivered"] += len(google.flush())
                    if dead_round:
                        google.expire_history(GMAIL_REP)
                        counts["gmail"]["history expired"] += 1
                        # A worker claims a batch and dies holding the leases (Gmail pushes here).
                        counts["gmail"]["leases held by a dead worker"] += len(claim_notifications(ctx, "dead-1", 5))
                    _drain(ctx, "worker-a")
                    flushed = microsoft.flush_notifications()
                    counts["outlook"]["notifications delivered"] += sum(1 for d in flushed["delivered"]
                                                                        if d["delivered"])
                    if dead_round:
                        held = _providers_of(ctx, claim_notifications(ctx, "dead-2", 5))
                        counts["outlook"]["leases held by a dead worker"] += sum(
                            v for k, v in held.items() if k.startswith("graph"))
                    _drain(ctx, "worker-a")
                    if removed_subscription is not None and outlook_subscription() != removed_subscription:
                        removed_subscription = None  # the worker subscribed again
                if step % SWEEP_EVERY == SWEEP_EVERY - 1:
                    # A minute of emulated time: leases of a dead worker run out after five of them, and
                    # the sweep re-reads mailboxes that have been quiet (Outlook's delta catches drops).
                    advance(SWEEP_MINUTES * 60 + 5)
                    sweep_mailboxes(ctx, "worker-b")
                    _drain(ctx, "worker-b")
                    block_seconds.append(round(time.perf_counter() - block_started, 1))
                    block_started = time.perf_counter()
            # Copies due after the last contact's message arrive now.
            for due in sorted(later):
                for copy_of in later.pop(due):
                    deliver_copy(*copy_of)
            # The end: leases expire, the sweep catches what no notification announced, retries run out.
            for _ in range(12):
                counts["gmail"]["pushes delivered"] += len(google.flush())
                microsoft.flush_notifications()
                advance(5 * 60 + 5)
                sweep_mailboxes(ctx, "worker-b")
                if not _drain(ctx, "worker-b") and not _pending(ctx):
                    break
            with ctx.session() as s:
                ended: dict[int, str | None] = dict(s.execute(select(t.Enrollment.id, t.Enrollment.end_reason)).all())
                evidence: dict[int, Any] = dict(s.execute(select(t.Enrollment.id, t.Enrollment.end_evidence)).all())
                unenrolled_events = Counter(s.scalars(select(t.EnrollmentEvent.enrollment_id).where(
                    t.EnrollmentEvent.type == "unenrolled")))
                processed = s.scalar(select(func.count()).select_from(t.ProcessedMessage)) or 0
                repeats = s.execute(select(t.ProcessedMessage.provider, t.ProcessedMessage.rfc_message_id, func.count())
                                    .group_by(t.ProcessedMessage.provider, t.ProcessedMessage.rfc_message_id)
                                    .having(func.count() > 1)).all()
                for kind, rfc, count in repeats:
                    # A report delivered k times is k mailbox messages: each is processed once.
                    p = "gmail" if kind == "gmail" else "outlook"
                    extra = count - max(1, rfc_delivered[p][_rfc_id(str(rfc or "").encode())])
                    counts[p]["applied more than once"] += max(0, extra)
                soft_counts: dict[str, int] = {str(a).lower(): int(n or 0) for a, n in s.execute(
                    select(t.ContactAddress.address, t.ContactAddress.soft_bounces))}
                for kind, status, count in s.execute(select(
                        t.InboundNotification.provider, t.InboundNotification.status, func.count())
                        .group_by(t.InboundNotification.provider, t.InboundNotification.status)):
                    # What the durable inbox holds at the end: every notification done, none dead or waiting.
                    counts["gmail" if kind.startswith("gmail") else "outlook"][f"notifications {status}"] += count
                left = [f"{kind} #{nid} {status} after {attempts} attempts: {error}" for nid, kind, status, attempts, error
                        in s.execute(select(t.InboundNotification.id, t.InboundNotification.provider,
                                            t.InboundNotification.status, t.InboundNotification.attempts,
                                            t.InboundNotification.last_error)
                                     .where(t.InboundNotification.status != "done").limit(20))]
            _fault_outcomes(google, microsoft, counts, poison_routes)
        providers = {p: _tally(p, [c for c in plan if c.provider == p], ended, evidence, unenrolled_events,
                               reps[p][1], counts[p], soft_counts) for p in PROVIDERS}
        return SoakResult(n=n, providers=providers, seconds=round(time.perf_counter() - started, 1),
                          block_seconds=block_seconds, setup_seconds=round(setup_seconds, 1),
                          processed_messages=processed, not_done=left)
    finally:
        werkzeug_log.setLevel(werkzeug_level)
        ms.close()
        emulator.stop()
        ctx.engine.dispose()


def _inject(rng: random.Random, provider: str, google: GoogleEmulatorControl, microsoft: MicrosoftEmulatorControl,
            counts: Counter[str], *, announced: bool) -> None:
    """Faults for the next delivery: its notification duplicated or dropped, the API throttling or failing."""
    roll, api = rng.random(), rng.random()
    if provider == "gmail":
        if roll < 0.30:
            google.notification_fault("duplicate", count=1)
            counts["duplicated notifications"] += 1
        elif roll < 0.40:
            google.notification_fault("drop", count=1)
            counts["dropped notifications"] += 1
        if api < 0.02:
            google.inject_fault("*/messages/*", 429, count=1, retry_after=0)
            counts["injected 429 (Retry-After: 0)"] += 1
        elif api < 0.025:
            google.inject_fault("*/history", 503, count=1)
            counts["injected 503"] += 1
        return
    # Graph: while the subscription is gone nothing is announced, so nothing can be duplicated or dropped.
    if announced and roll < 0.30:
        microsoft.notification_fault("duplicate", count=1)
        counts["duplicated notifications"] += 1
    elif announced and roll < 0.40:
        microsoft.notification_fault("drop", count=1)
        counts["dropped notifications"] += 1
    route = "/graph/v1.0/users/*/messages/*"
    if api < 0.015:
        microsoft.inject_fault(route, 429, count=1, retry_after=0, method="GET")
        counts["injected 429 (Retry-After: 0)"] += 1
    elif api < 0.02:
        microsoft.inject_fault(route, 429, count=1, method="GET")  # no Retry-After: the client backs off
        counts["injected 429 (no Retry-After)"] += 1
    elif api < 0.025:
        microsoft.inject_fault(route, 503, count=1, retry_after=0, method="GET")
        counts["injected 503"] += 1
    elif api < 0.03:
        microsoft.inject_fault(route, 500, count=1, method="GET")
        counts["injected 500"] += 1


def _pending(ctx: ServiceContext) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(t.InboundNotification).where(
            t.InboundNotification.status == "pending")) or 0)


def _fault_outcomes(google: GoogleEmulatorControl, microsoft: MicrosoftEmulatorControl,
                    counts: dict[str, Counter[str]], poison_routes: set[str]) -> None:
    """What the emulators say happened: drops carried out, and API faults never reached (should be none;
    a poison message on Outlook is read under one of its two ids, so the other id's fault stays)."""
    notes = Counter(n["note"] for n in google.notifications(kind="pubsub"))
    counts["gmail"]["notifications dropped (emulator)"] += notes["dropped by control API"]
    counts["gmail"]["injected API faults not reached"] += sum(f["remaining"] for f in google_faults(google))
    log = microsoft.notifications()["log"]
    counts["outlook"]["notifications dropped (emulator)"] += sum(1 for entry in log if entry.get("dropped"))
    faults = microsoft.faults()
    counts["outlook"]["injected API faults answered"] += sum(f["hits"] for f in faults)
    counts["outlook"]["injected API faults not reached"] += sum(
        f["remaining"] for f in faults if str(f.get("route", "")).lower() not in poison_routes)
    counts["outlook"]["poison messages refused"] += sum(
        f["hits"] for f in faults if str(f.get("route", "")).lower() in poison_routes)


def google_faults(google: GoogleEmulatorControl) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = google._call("GET", "/faults")["faults"]
    return result


def _rfc_id(raw: bytes) -> str:
    """The Message-ID of a rendered message (or a stored one), without brackets, lower-cased."""
    found = re.search(rb"^Message-ID:\s*<?([^>\r\n]+)>?", raw, re.IGNORECASE | re.MULTILINE)
    if found:
        return found.group(1).decode("ascii", "replace").strip().lower()
    return raw.decode("ascii", "replace").strip().strip("<>").lower()


def _tally(provider: str, plan: list[Contact], ended: dict[int, str | None], evidence: dict[int, Any],
           unenrolled_events: Counter[int], mailbox: str, counts: Counter[str], soft_counts: dict[str, int]) -> Tally:
    lost = sum(1 for c in plan if c.reason and ended.get(c.enrollment_id) != c.reason)
    mine = {c.enrollment_id for c in plan}

    def explained(eid: int) -> bool:
        proof = evidence.get(eid) or {}
        return bool(proof.get("rule") and proof.get("message_id")
                    and proof.get("provider") == provider
                    and str(proof.get("mailbox", "")).lower() == mailbox.lower())

    unexplained = sum(1 for eid in mine if ended.get(eid) and ended[eid] != "completed" and not explained(eid))
    unexplained += sum(1 for c in plan if c.reason is None and ended.get(c.enrollment_id) is not None)
    ooo = sum(1 for c in plan if c.kind in OUT_OF_OFFICE and ended.get(c.enrollment_id) is not None)
    return Tally(
        delivered=counts["delivered"], expected_endings=sum(1 for c in plan if c.reason), lost=lost,
        ended_twice=sum(1 for eid in mine if unenrolled_events[eid] > 1), unexplained=unexplained,
        out_of_office_unenrolled=ooo, applied_twice=counts["applied more than once"],
        reports_counted_twice=sum(1 for c in plan if c.kind == SOFT_REPEATED and soft_counts.get(c.email.lower(), 0) > 1),
        delays_counted=sum(1 for c in plan if c.kind == DELAY_NOTICE and soft_counts.get(c.email.lower(), 0) > 0),
        reasons=dict(Counter(str(ended[eid]) for eid in mine if ended.get(eid))),
        faults={k: v for k, v in counts.items() if k not in ("delivered", "applied more than once")})


def _line(name: str, tally: Tally) -> str:
    return (f"{name}: delivered {tally.delivered}, lost {tally.lost}, ended twice {tally.ended_twice}, "
            f"unexplained {tally.unexplained}, out-of-office unenrolled {tally.out_of_office_unenrolled}, "
            f"applied more than once {tally.applied_twice}, reports counted twice {tally.reports_counted_twice}, "
            f"delays counted {tally.delays_counted}; "
            f"endings {tally.reasons}")


def as_text(result: SoakResult) -> str:
    lines = [f"soak N={result.n} ({result.seconds} s; setup {result.setup_seconds} s; "
             f"seconds per {SWEEP_EVERY} deliveries {result.block_seconds})"]
    lines += [_line(p, tally) + f"; faults {tally.faults}" for p, tally in result.providers.items()]
    lines.append(_line("both", result.total))
    lines += [f"not done: {line}" for line in result.not_done]
    return "\n".join(lines)


def result_dict(result: SoakResult) -> dict[str, Any]:
    def tally(t: Tally) -> dict[str, Any]:
        return {**t.__dict__, "ok": t.ok}

    total = result.total
    # The four invariants at the top level too, where bench/run_all.py reads them.
    return {"n": result.n, "ok": result.ok, "lost": total.lost, "ended_twice": total.ended_twice,
            "unexplained": total.unexplained, "out_of_office_unenrolled": total.out_of_office_unenrolled,
            "applied_twice": total.applied_twice, "reports_counted_twice": total.reports_counted_twice,
            "delays_counted": total.delays_counted,
            "seconds": result.seconds, "setup_seconds": result.setup_seconds,
            "block_seconds": result.block_seconds, "processed_messages": result.processed_messages, "not_done": result.not_done,
            "providers": {p: tally(v) for p, v in result.providers.items()}, "total": tally(result.total)}
