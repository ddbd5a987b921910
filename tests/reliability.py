"""The mailbox-watching pipeline under faults, end to end: used by a small test and by bench/soak.py.

A rep's Gmail mailbox (the emulator) receives a reply, out-of-office, bounce, alias email or
stranger's email for each of N enrolled contacts, in shuffled order, while pushes are duplicated
and dropped, the history id expires, Gmail answers 429 now and then and a worker dies holding its
leases. Afterwards: no message lost, no enrollment ended twice, every ending explained.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from addin_server import create_app
from addin_server.db import tables as t
from addin_server.db.migrate import upgrade
from addin_server.emulator.google.client import GoogleEmulatorControl
from addin_server.emulator.runner import start_emulator
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.mailboxes import connect_gmail
from addin_server.services.notifications import claim_notifications, process_due_notifications, sweep_mailboxes
from addin_server.services.sequences import StepInput
from tests.browser import live_server
from tests.emulated import PUSH_ACCOUNT, PUSH_AUDIENCE, google_emulator_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "inbound"
# What each contact sends back, and what it must lead to.
PLAN = [("human_reply.eml", "replied", 50), ("gmail_vacation.eml", None, 10), ("exchange_automatic_reply.eml", None, 10),
        ("hard_bounce.eml", "bounced", 10), ("outside_sequence.eml", "emailed_outside_sequence", 5),
        ("other address on the thread", "replied_from_other_address", 5), ("stranger", None, 10)]
# Who writes, and which message, for the two kinds that are not a fixture of their own.
ALTERED = {"other address on the thread": ("human_reply.eml", "assistant{i}@elsewhere.test"),
           "stranger": ("outside_sequence.eml", "stranger{i}@elsewhere.test")}


@dataclass
class ShiftedClock:
    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class SoakResult:
    n: int
    delivered: int
    pushes: int
    expected_endings: int
    lost: int
    ended_twice: int
    unexplained: int
    out_of_office_unenrolled: int
    reasons: dict[str, int]
    seconds: float
    faults: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.ended_twice == 0 and self.unexplained == 0 and self.out_of_office_unenrolled == 0


def _render(name: str, sender: str, mailbox: str, in_reply_to: str, n: int) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in {"sender": sender, "mailbox": mailbox, "in_reply_to": in_reply_to, "n": str(n),
                       "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def run_soak(n: int, database_url: str, *, seed: int = 7, faults: bool = True) -> SoakResult:
    rng = random.Random(seed)
    started = time.perf_counter()
    emulator = start_emulator()
    control = GoogleEmulatorControl(emulator.base_url)
    control.set_delivery("manual")
    clock = ShiftedClock()
    settings = google_emulator_settings(control, database_url, secret_key="soak")
    ctx = ServiceContext.create(settings, clock=clock)
    upgrade(ctx.engine)
    fault_counts: Counter[str] = Counter()
    try:
        with live_server(create_app(settings, services=ctx)) as url:
            made = accounts.create_account(ctx, name="Soak", plan="enterprise", admin_email="admin@soak.test")
            admin = Principal(made.account_id, "api_key:soak")
            rep = directory.create_user(ctx, admin, email="rep@soak.test", name="Rep", role="user",
                                        mailbox_provider="gmail", mailbox_address="rep@soak.test")
            box = control.create_mailbox("rep@soak.test")
            connect_gmail(ctx, admin, rep["id"], box["refresh_token"])
            control.set_push(url + "/webhooks/gmail", address="rep@soak.test", audience=PUSH_AUDIENCE,
                             service_account=PUSH_ACCOUNT)
            seq = sequences.create_sequence(ctx, admin, name="Soak", owner_user_id=rep["id"], steps=[
                StepInput("automated_email", 0, "Intro", "Hello"), StepInput("task", 30, "t", "")])
            kinds = [k for k, _, weight in PLAN for _ in range(weight)]
            plan: list[tuple[str, str, str, str | None]] = []  # (enrollment id, contact email, fixture, reason)
            for i in range(n):
                c = directory.create_contact(ctx, admin, email=f"person{i}@company{i % 97}.test",
                                             secondary_emails=[f"person{i}.home@gmail.com"])
                e = enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=c["id"], sender_user_id=rep["id"])
                kind = kinds[rng.randrange(len(kinds))]
                plan.append((e["id"], c["email"], kind, next(r for k, r, _ in PLAN if k == kind)))
            with ctx.session() as s:
                sent = dict(s.execute(select(t.SequenceEmail.enrollment_id, t.SequenceEmail.rfc_message_id)).all())
            order = list(range(n))
            rng.shuffle(order)
            for step, idx in enumerate(order):
                eid, email, kind, _ = plan[idx]
                fixture, sender = kind, email
                if kind in ALTERED:
                    fixture, pattern = ALTERED[kind]
                    sender = pattern.format(i=idx)
                if faults:
                    roll = rng.random()
                    if roll < 0.30:
                        control.notification_fault("duplicate", count=1)
                        fault_counts["duplicated pushes"] += 1
                    elif roll < 0.40:
                        control.notification_fault("drop", count=1)
                        fault_counts["dropped pushes"] += 1
                    if rng.random() < 0.02:
                        control.inject_fault("*/messages/*", 429, count=1, retry_after=0)
                        fault_counts["injected 429"] += 1
                control.deliver("rep@soak.test", _render(fixture, sender, "rep@soak.test", sent[int(eid)], idx))
                if step % 50 == 49:
                    pushes = control.flush()
                    fault_counts["pushes"] += len(pushes)
                    if faults and step == (n // 2) // 50 * 50 + 49:
                        control.expire_history("rep@soak.test")
                        fault_counts["history expired"] += 1
                        # A worker claims a batch and dies holding the leases.
                        fault_counts["leases held by a dead worker"] += len(claim_notifications(ctx, "dead-worker", 5))
                    process_due_notifications(ctx, "worker-a", limit=50)
            fault_counts["pushes"] += len(control.flush())
            # Leases of the dead worker run out; the sweep catches what pushes never announced.
            clock.offset = timedelta(minutes=max(settings.sweep_minutes, 6) + 1)
            sweep_mailboxes(ctx, "worker-b")
            for _ in range(50):
                done = process_due_notifications(ctx, "worker-b", limit=100)
                if not done:
                    break
            with ctx.session() as s:
                ended = dict(s.execute(select(t.Enrollment.id, t.Enrollment.end_reason)).all())
                evidence = dict(s.execute(select(t.Enrollment.id, t.Enrollment.end_evidence)).all())
                unenrolled_events = Counter(s.scalars(select(t.EnrollmentEvent.enrollment_id).where(
                    t.EnrollmentEvent.type == "unenrolled")))
                processed = s.scalar(select(func.count()).select_from(t.ProcessedMessage)) or 0
        lost = sum(1 for eid, _, _, reason in plan if reason and ended.get(int(eid)) != reason)
        unexplained = sum(1 for eid, reason in ended.items() if reason and reason != "completed" and (
            not evidence.get(eid) or not evidence[eid].get("rule") or not evidence[eid].get("message_id")))
        unexplained += sum(1 for eid, _, _, reason in plan if reason is None and ended.get(int(eid)) not in (None,))
        ooo = sum(1 for eid, _, kind, _ in plan if "vacation" in kind or "automatic_reply" in kind
                  if ended.get(int(eid)) is not None)
        return SoakResult(
            n=n, delivered=n, pushes=fault_counts["pushes"], expected_endings=sum(1 for p in plan if p[3]),
            lost=lost, ended_twice=sum(1 for c in unenrolled_events.values() if c > 1), unexplained=unexplained,
            out_of_office_unenrolled=ooo, reasons=dict(Counter(r for r in ended.values() if r)),
            seconds=round(time.perf_counter() - started, 1), faults={**fault_counts, "processed messages": processed})
    finally:
        emulator.stop()
        ctx.engine.dispose()


def as_text(result: SoakResult) -> str:
    return (f"soak N={result.n}: lost {result.lost}, ended twice {result.ended_twice}, "
            f"unexplained {result.unexplained}, out-of-office unenrolled {result.out_of_office_unenrolled}; "
            f"reasons {result.reasons}; faults {result.faults}; {result.seconds} s")


def result_dict(result: SoakResult) -> dict[str, Any]:
    return {**result.__dict__, "ok": result.ok}
