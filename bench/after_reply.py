"""The promise, measured: nothing goes out after a reply, however the provider's pushes behave.

    python bench/after_reply.py [--n 1000] [--mailboxes 50] [--providers gmail outlook]
                                [--modes normal late dropped slowed filed filed_dropped] [--database-url URL]

For each provider and push mode: N contacts over M reps' mailboxes (on the emulator) are enrolled in
a two-step sequence; 80% of them reply, each reply landing in the rep's mailbox 0-60 s before that
enrollment's second email falls due; the worker (the same pass `addin-server worker` runs, sweep
included) runs until every step has fallen due. Pushes are delivered to our webhooks over loopback:

- normal: each push right after its reply lands (Pub/Sub, Graph working);
- late: pushes held and delivered together every 120 s (each 0-120 s late);
- dropped: no push ever comes (only the sweep and the pre-send guard remain);
- slowed: pushes as in normal, and every send of a step email slowed by the emulator
  (SLOWED_SEND_SECONDS each): a reply landing while a mailbox's batch goes out must stop its later
  steps (the guard reads the mailbox again between sends);
- filed: pushes as in normal, and every reply filed outside the inbox as it lands (Outlook: an inbox
  rule moving it into Clients/Acme; Gmail: a filter's label, skipping the inbox);
- filed_dropped: replies filed so, and no push ever comes (the guard and the sweep list every folder).

Time is a controllable clock, not real minutes: it runs with real time while anything works (so
every figure includes the real work of the webhook, the worker and the emulator) and jumps forward
while the worker would sleep (its idle poll is 2 s, as in the real loop). The report states:

- "steps sent after a reply": second emails that went out after the contact's reply had landed
  (target 0 in every mode);
- "reply to unenrolled": p50/p99 from the moment the reply is in the mailbox to the enrollment's
  ending (target p99 <= 5 s with pushes working);
- "webhook delivery": p50/p99 from an ending to a receiver's 2xx, measured by
  bench/webhook_delivery.py (`measure_webhook_delivery()`: 300 endings, the worker in the web process).

Writes bench/reports/after_reply.md and .json. A report, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin_emulator.google.client import GoogleEmulatorControl  # noqa: E402
from addin_emulator.microsoft import MicrosoftEmulatorControl  # noqa: E402
from addin_emulator.runner import start_emulator  # noqa: E402
from addin_server import create_app  # noqa: E402
from addin_server.auth.secrets_box import generate_encryption_key  # noqa: E402
from addin_server.db import tables as t  # noqa: E402
from addin_server.db.migrate import upgrade  # noqa: E402
from addin_server.services import accounts, sequences  # noqa: E402
from addin_server.services.context import Principal, ServiceContext  # noqa: E402
from addin_server.services.inbox_worker import sweep_mailboxes  # noqa: E402
from addin_server.services.sequences import StepInput  # noqa: E402
from addin_server.services.startup import open_services  # noqa: E402
from addin_server.worker.loop import run_due_steps  # noqa: E402
from bench.enrolled import enroll_over, gmail_reps, outlook_reps, reply_mail  # noqa: E402
from tests.browser import free_port, live_server  # noqa: E402
from tests.emulated import PUSH_ACCOUNT, PUSH_AUDIENCE, google_emulator_settings  # noqa: E402
from tests.integration.emulator_microsoft.support import make_setup  # noqa: E402
from tests.integration.providers_graph.support import settings_for  # noqa: E402

REPORTS = ROOT / "bench" / "reports"
MODES = ("normal", "late", "dropped", "slowed", "filed", "filed_dropped")
FILED_LABELS = ["Label_7", "UNREAD"]  # Gmail: a filter's label, the inbox skipped
SLOWED_SEND_SECONDS = 2.0  # each step email's send, in the slowed mode
GMAIL_SEND_ROUTE = "/gmail/v1/users/*/messages/send"
GRAPH_SEND_ROUTE = "/graph/v1.0/users/*/messages/*/send"
PROVIDERS = ("gmail", "outlook")
STEP_TWO_DELAY = 420.0  # seconds after step 1
ENROLL_WINDOW = 300.0  # enrollments spread over this much of the clock, so due times spread too
REPLY_SHARE = 0.8
LATE_FLUSH_EVERY = 120.0
WORKER_IDLE_POLL = 2.0  # worker.loop.run_forever's poll_seconds
SWEEP_EVERY = 60.0  # run_forever sweeps once a minute
TARGET_P99_SECONDS = 5.0


class BenchClock:
    """Runs with real time, and jumps forward when told (the worker asleep, nothing in flight)."""

    def __init__(self, start: datetime) -> None:
        self._origin = time.monotonic()
        self._start = start
        self._skipped = 0.0
        self.frozen: datetime | None = None

    def __call__(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        return self._start + timedelta(seconds=time.monotonic() - self._origin + self._skipped)

    def run_from(self, moment: datetime) -> None:
        """Unfreeze, with the clock saying `moment` now."""
        self.frozen = None
        self._skipped += (moment - self()).total_seconds()

    def jump_to(self, moment: datetime) -> None:
        ahead = (moment - self()).total_seconds()
        if ahead > 0:
            self._skipped += ahead


@dataclass
class Planned:
    enrollment_id: int
    contact: str
    mailbox: str
    first_message_id: str
    due: datetime
    reply_at: datetime | None  # None: this contact does not reply
    landed_at: datetime | None = None


@dataclass
class Stage:
    """One provider's emulated mailboxes, a live app for its webhooks, and how to deliver and push."""

    ctx: ServiceContext
    clock: BenchClock
    admin: Principal
    mailboxes: list[tuple[str, str]]  # (user id, address)
    deliver: Callable[[str, bytes], None]
    push_now: Callable[[], None]  # deliver every held push to our webhook
    drop_next_push: Callable[[], None]
    slow_sends: Callable[[float], None]  # every later send takes this many seconds more
    sent_step_two: Callable[[], int] = lambda: 0
    # Sets the mailboxes up to file replies outside the inbox; returns how to deliver such a reply.
    file_replies: Callable[[], Callable[[str, bytes], None]] = lambda: lambda box, raw: None
    # Moves the provider's clock up to ours after a jump: a provider stamps mail with its own time
    # (Graph's receivedDateTime), which the listing of every folder compares with ours.
    sync_clock: Callable[[datetime], None] = lambda moment: None
    extra: dict[str, Any] = field(default_factory=dict)


@contextmanager
def gmail_stage(mailboxes: int, database_url: str, clock: BenchClock) -> Iterator[Stage]:
    emulator = start_emulator()
    control = GoogleEmulatorControl(emulator.base_url)
    control.set_delivery("manual")
    port = free_port()
    settings = google_emulator_settings(control, database_url)
    ctx = open_services(settings, clock=clock)
    upgrade(ctx.engine)
    try:
        with live_server(create_app(settings, services=ctx), port=port) as url:
            control.set_push(url + "/webhooks/gmail", audience=PUSH_AUDIENCE, service_account=PUSH_ACCOUNT)
            made = accounts.create_account(ctx, name="After reply", plan="enterprise", admin_email="admin@after.test")
            admin = Principal.for_api_key(made.account_id, "bench", "admin")
            boxes = [(r["id"], r["mailbox_address"]) for r in gmail_reps(ctx, admin, control, mailboxes,
                                                                          "after-gmail.test")]
            yield Stage(ctx, clock, admin, boxes,
                        deliver=lambda box, raw: control.deliver(box, raw) and None,
                        push_now=lambda: control.flush() and None,
                        drop_next_push=lambda: control.notification_fault("drop", count=1),
                        slow_sends=lambda seconds: control.inject_fault(
                            GMAIL_SEND_ROUTE, None, count=100_000, method="POST", delay_seconds=seconds) and None,
                        file_replies=lambda: lambda box, raw: control.deliver(box, raw, labels=FILED_LABELS) and None)
    finally:
        emulator.stop()
        ctx.engine.dispose()


@contextmanager
def outlook_stage(mailboxes: int, database_url: str, clock: BenchClock) -> Iterator[Stage]:
    emulator = start_emulator(tls_port=0)
    control = MicrosoftEmulatorControl(emulator.base_url)
    control.set_auto_delivery(False)
    setup = make_setup(emulator, control)
    port = free_port()
    settings = settings_for(setup).with_overrides(
        database_url=database_url, public_url=f"http://127.0.0.1:{port}", secret_key="after-reply",
        encryption_key=generate_encryption_key(), mail_transport="providers")
    ctx = open_services(settings, clock=clock)
    upgrade(ctx.engine)
    try:
        with live_server(create_app(settings, services=ctx), port=port):
            made = accounts.create_account(ctx, name="After reply", plan="enterprise", admin_email="admin@after.test")
            admin = Principal.for_api_key(made.account_id, "bench", "admin")
            boxes = [(r["id"], r["mailbox_address"]) for r in outlook_reps(ctx, admin, control, setup, mailboxes)]
            yield Stage(ctx, clock, admin, boxes,
                        deliver=lambda box, raw: control.deliver(box, raw) and None,
                        push_now=lambda: control.flush_notifications() and None,
                        drop_next_push=lambda: control.notification_fault("drop", count=1) and None,
                        slow_sends=lambda seconds: control.inject_fault(
                            GRAPH_SEND_ROUTE, None, count=100_000, method="POST", delay_seconds=seconds) and None,
                        file_replies=lambda: outlook_rules(setup, [address for _, address in boxes], control),
                        sync_clock=lambda moment: catch_up_clock(control, moment))
    finally:
        emulator.stop()
        ctx.engine.dispose()


def catch_up_clock(control: MicrosoftEmulatorControl, moment: datetime) -> None:
    """The emulator's clock moved up to `moment` (it only moves forward)."""
    ahead = (moment - datetime.fromisoformat(control.advance_clock(0))).total_seconds()
    if ahead > 0:
        control.advance_clock(ahead)


def outlook_rules(setup: Any, addresses: list[str], control: MicrosoftEmulatorControl
                  ) -> Callable[[str, bytes], None]:
    """In every mailbox, the folders Clients/Acme and an inbox rule moving all mail in there."""
    saved = {name: os.environ.pop(name) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if name in os.environ}
    try:  # requests would let these override msal's CA bundle (the emulator's own CA)
        graph = setup.session()
    finally:
        os.environ.update(saved)
    for address in addresses:
        user_url = f"{setup.graph}/users/{address}"
        clients = graph.post(f"{user_url}/mailFolders", json={"displayName": "Clients"}, timeout=30).json()
        acme = graph.post(f"{user_url}/mailFolders/{clients['id']}/childFolders", json={"displayName": "Acme"},
                          timeout=30).json()
        graph.post(f"{user_url}/mailFolders/inbox/messageRules", timeout=30, json={
            "displayName": "All to Clients/Acme", "sequence": 1, "conditions": {"senderContains": ["@"]},
            "actions": {"moveToFolder": acme["id"], "stopProcessingRules": True}}).raise_for_status()
    return lambda box, raw: control.deliver(box, raw) and None


def enroll_all(stage: Stage, n: int, rng: random.Random, start: datetime) -> list[Planned]:
    """N contacts enrolled over ENROLL_WINDOW of the clock (frozen meanwhile, so setup costs nothing)."""
    ctx, admin = stage.ctx, stage.admin
    seq = sequences.create_sequence(ctx, admin, name="After reply", owner_user_id=stage.mailboxes[0][0], steps=[
        StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"),
        StepInput("automated_email", STEP_TWO_DELAY / 86400, "", "Just following up", True)])
    def enrolled_at(i: int) -> datetime:
        return start + timedelta(seconds=ENROLL_WINDOW * i / n)

    def freeze(i: int) -> None:
        stage.clock.frozen = enrolled_at(i)

    reps = [{"id": user_id, "mailbox_address": mailbox} for user_id, mailbox in stage.mailboxes]
    planned = []
    for i, e in enumerate(enroll_over(ctx, admin, seq["id"], reps, n, before_each=freeze)):
        due = enrolled_at(i) + timedelta(seconds=STEP_TWO_DELAY)
        reply_at = due - timedelta(seconds=rng.uniform(0, 60)) if rng.random() < REPLY_SHARE else None
        planned.append(Planned(e.enrollment_id, e.contact, e.mailbox, e.first_message_id, due, reply_at))
    return planned


def simulate(stage: Stage, planned: list[Planned], mode: str) -> dict[str, Any]:
    """Replies land on time; pushes per `mode`; the worker passes as the real loop would."""
    clock, ctx = stage.clock, stage.ctx
    if mode == "slowed":
        stage.slow_sends(SLOWED_SEND_SECONDS)  # the first emails went out at enrollment, unslowed
    deliver = stage.file_replies() if mode.startswith("filed") else stage.deliver
    landings = sorted((p for p in planned if p.reply_at), key=lambda p: p.reply_at or datetime.max)
    last_due = max(p.due for p in planned)
    clock.run_from(min([p.reply_at for p in landings if p.reply_at] + [last_due]) - timedelta(seconds=5))
    stage.sync_clock(clock())
    next_wake = clock()
    next_sweep = clock()
    next_flush = clock() + timedelta(seconds=LATE_FLUSH_EVERY)
    held_pushes = False
    passes = held = 0
    i = 0
    while True:
        now = clock()
        while i < len(landings) and (landings[i].reply_at or now) <= now:
            p = landings[i]
            if mode in ("dropped", "filed_dropped"):
                stage.drop_next_push()
            deliver(p.mailbox, reply_mail(p.contact, p.mailbox, p.first_message_id, i))
            p.landed_at = clock()  # in the mailbox from this moment
            if mode in ("normal", "slowed", "filed"):
                stage.push_now()
            else:
                held_pushes = True
            i += 1
        if mode == "late" and clock() >= next_flush:
            if held_pushes:
                stage.push_now()
                held_pushes = False
            next_flush = clock() + timedelta(seconds=LATE_FLUSH_EVERY)
        if clock() >= next_wake:
            stats = run_due_steps(ctx, "after-reply-bench")
            passes += 1
            held += stats.held
            if clock() >= next_sweep:
                sweep_mailboxes(ctx, "after-reply-bench")
                next_sweep = clock() + timedelta(seconds=SWEEP_EVERY)
            busy = stats.steps_run or stats.notifications or stats.failures
            next_wake = clock() if busy else clock() + timedelta(seconds=WORKER_IDLE_POLL)
        if i >= len(landings) and clock() > last_due + timedelta(seconds=30) and _all_settled(ctx):
            break
        upcoming = [next_wake, next_sweep]
        if i < len(landings) and landings[i].reply_at:
            upcoming.append(landings[i].reply_at)
        if mode == "late":
            upcoming.append(next_flush)
        clock.jump_to(min(upcoming))
        stage.sync_clock(clock())
    return _measure(ctx, planned, mode, passes, held)


def _all_settled(ctx: ServiceContext) -> bool:
    with ctx.sessions() as s:
        return s.scalar(select(t.Enrollment.id).where(t.Enrollment.status == "active").limit(1)) is None


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _measure(ctx: ServiceContext, planned: list[Planned], mode: str, passes: int, held: int) -> dict[str, Any]:
    with ctx.sessions() as s:
        ends = {eid: (status, reason, ended) for eid, status, reason, ended in s.execute(
            select(t.Enrollment.id, t.Enrollment.status, t.Enrollment.end_reason, t.Enrollment.ended_at))}
        step_two = dict(s.execute(select(t.SequenceEmail.enrollment_id, t.SequenceEmail.sent_at)
                                  .where(t.SequenceEmail.step_position == 2)).all())
    sent_after_reply = 0
    latencies: list[float] = []
    not_replied_end = 0
    came_after_step = 0
    late_landings: list[float] = []
    for p in planned:
        _, reason, ended = ends[p.enrollment_id]
        if p.landed_at is None:
            continue
        if p.reply_at is not None:
            late_landings.append(max(0.0, (p.landed_at - p.reply_at).total_seconds()))
        sent = step_two.get(p.enrollment_id)
        if sent is not None and _aware(sent) >= p.landed_at:
            sent_after_reply += 1
        elif sent is not None:
            # The worker was busy past the planned landing and the step went out first: this reply
            # answers a sequence that had already ended, which is no breach of the promise.
            came_after_step += 1
        elif reason == "replied" and ended is not None:
            latencies.append(max(0.0, (_aware(ended) - p.landed_at).total_seconds()))
        else:
            not_replied_end += 1
    repliers = sum(1 for p in planned if p.landed_at is not None)
    quiet = [p for p in planned if p.landed_at is None]
    return {
        "mode": mode, "enrollments": len(planned), "replies": repliers,
        "steps_sent_after_a_reply": sent_after_reply,
        "replies_not_ended_as_replied": not_replied_end,
        "replies_landing_after_step_two_went_out": came_after_step,
        "landing_later_than_planned_p99_s": round(_percentile(late_landings, 0.99), 2),
        "reply_to_unenrolled_p50_s": round(_percentile(latencies, 0.50), 2),
        "reply_to_unenrolled_p99_s": round(_percentile(latencies, 0.99), 2),
        "reply_to_unenrolled_max_s": round(max(latencies, default=0.0), 2),
        "quiet_contacts_sent_step_two": sum(1 for p in quiet if p.enrollment_id in step_two),
        "quiet_contacts": len(quiet), "worker_passes": passes, "steps_held": held,
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_one(provider: str, mode: str, n: int, mailboxes: int, database_url: str, seed: int) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0)
    clock = BenchClock(start)
    clock.frozen = start
    stage_of = gmail_stage if provider == "gmail" else outlook_stage
    began = time.perf_counter()
    with stage_of(mailboxes, database_url, clock) as stage:
        planned = enroll_all(stage, n, random.Random(seed), start)
        result = simulate(stage, planned, mode)
    result.update(provider=provider, mailboxes=mailboxes, wall_seconds=round(time.perf_counter() - began, 1))
    return result


def webhook_delivery() -> dict[str, Any]:
    """The third row, from bench/webhook_delivery.py when another part of the project provides it."""
    path = Path(__file__).with_name("webhook_delivery.py")
    if not path.exists():
        return {"status": "not measured", "why": "bench/webhook_delivery.py is not there yet"}
    spec = importlib.util.spec_from_file_location("bench_webhook_delivery", path)
    if spec is None or spec.loader is None:
        return {"status": "not measured", "why": "bench/webhook_delivery.py could not be loaded"}
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        measured = dict(module.measure_webhook_delivery())
    except Exception as exc:  # noqa: BLE001 - the report says why instead of losing the other rows
        return {"status": "not measured", "why": f"measure_webhook_delivery failed: {type(exc).__name__}: {exc}"}
    return {"status": "measured", **measured}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Nothing goes out after a reply ({report['database']})", "",
             f"{report['n']:,} enrollments over {report['mailboxes']} mailboxes per provider and push mode; "
             f"{int(REPLY_SHARE * 100)}% reply, each 0-60 s before the second email is due "
             f"({int(STEP_TWO_DELAY)} s after the first). Clock: real time while anything works, jumps while "
             f"the worker sleeps (poll {WORKER_IDLE_POLL:g} s). Measured {report['started']}.", "",
             f"Machine load while measured: {report.get('load', '-')} (load average over 1, 5, 15 minutes; "
             f"{report.get('cpus', '-')} CPUs shared with other work). Every figure includes real work done on it.",
             "", "| provider | pushes | steps sent after a reply (target 0) | reply to unenrolled p50 | p99 "
             "(target <= 5 s with pushes working) | max | replies not ended as replied | replies landing after "
             "step 2 went out | quiet contacts sent step 2 | steps held | wall |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["runs"]:
        if "error" in r:
            lines.append(f"| {r['provider']} | {r['mode']} | failed: {r['error']} | | | | | | | | |")
            continue
        lines.append(f"| {r['provider']} | {r['mode']} | **{r['steps_sent_after_a_reply']}** | "
                     f"{r['reply_to_unenrolled_p50_s']} s | **{r['reply_to_unenrolled_p99_s']} s** | "
                     f"{r['reply_to_unenrolled_max_s']} s | {r['replies_not_ended_as_replied']} of {r['replies']} | "
                     f"{r['replies_landing_after_step_two_went_out']} (landing p99 "
                     f"{r['landing_later_than_planned_p99_s']} s late) | "
                     f"{r['quiet_contacts_sent_step_two']} of {r['quiet_contacts']} | {r['steps_held']} | "
                     f"{r['wall_seconds']} s |")
    w = report["webhook_delivery"]
    lines += ["", "| figure | value | target | status |", "|---|---|---|---|"]
    for row in report["rows"]:
        lines.append(f"| {row['figure']} | {row['value']} | {row['target']} | **{row['status']}** |")
    lines += ["", "A reply is planned to land 0-60 s before its step is due, but lands only between two worker "
              "passes (one process does both); when a pass runs long on a loaded machine, a reply planned just "
              "before the due time can land after the step went out. Such a reply is counted apart (it answers "
              "a sequence already finished), never as a step sent after a reply.",
              "", "With pushes late or dropped, a reply is applied at the latest when the pre-send guard reads "
              "the mailbox just before the step falls due, so its time to unenrolled is up to the 60 s before "
              "the due time by construction; what matters there is the first row: nothing was sent.",
              "", f"Slowed sends: every step email's send takes {SLOWED_SEND_SECONDS:g} s more at the emulator "
              "(its fault control), pushes working; a mailbox's batch then spans several sends, and the guard "
              "reads the mailbox again between them.",
              "", "Filed: every reply is filed outside the inbox as it lands (Outlook: an inbox rule moves it "
              "into Clients/Acme; Gmail: a filter labels it and skips the inbox), pushes working: the "
              "subscription and the watch follow the whole mailbox, and the guard lists every folder; "
              "filed_dropped: the same with no push ever (the guard and the sweep alone).",
              "", f"Webhook delivery: {w.get('status')}" + (f" ({w['why']})" if w.get("why") else
                                                           " by bench/webhook_delivery.py (see webhook_delivery.md)")]
    return "\n".join(lines) + "\n"


def summary_rows(runs: list[dict[str, Any]], webhook: dict[str, Any]) -> list[dict[str, Any]]:
    ok_runs = [r for r in runs if "error" not in r]
    sent = sum(r["steps_sent_after_a_reply"] for r in ok_runs)
    rows = [{"figure": "steps sent after a reply (every provider and push mode)", "value": sent, "target": "0",
             "status": "met" if ok_runs and sent == 0 and len(ok_runs) == len(runs) else "not met"}]
    normal = [r for r in ok_runs if r["mode"] == "normal"]
    worst = max((r["reply_to_unenrolled_p99_s"] for r in normal), default=None)
    rows.append({"figure": "reply to unenrolled, pushes working", "value": ", ".join(
        f"{r['provider']} p50 {r['reply_to_unenrolled_p50_s']} s, p99 {r['reply_to_unenrolled_p99_s']} s"
        for r in normal) or "-", "target": f"p99 <= {TARGET_P99_SECONDS:g} s",
        "status": "not measured" if worst is None else ("met" if worst <= TARGET_P99_SECONDS else "not met")})
    if webhook.get("status") == "measured":
        once = webhook["delivered"] == webhook["endings"] and webhook["duplicates"] == 0
        rows.append({"figure": "webhook delivery p99 (ending to the receiver's 2xx)",
                     "value": f"p50 {webhook['p50_ms']} ms, p99 {webhook['p99_ms']} ms ({webhook['delivered']} of "
                              f"{webhook['endings']} endings delivered, {webhook['duplicates']} twice; worker "
                              f"{webhook['worker']})",
                     "target": "every ending delivered, once", "status": "met" if once else "not met"})
    else:
        rows.append({"figure": "webhook delivery p99 (ending to the receiver's 2xx)", "value": "-",
                     "target": "-", "status": "not measured"})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--mailboxes", type=int, default=50)
    ap.add_argument("--providers", nargs="*", default=list(PROVIDERS), choices=PROVIDERS)
    ap.add_argument("--modes", nargs="*", default=list(MODES), choices=MODES)
    ap.add_argument("--database-url", default="", help="an empty database for each run (default: SQLite files)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", default="after_reply", help="report name under bench/reports (without suffix)")
    ap.add_argument("--merge", nargs="*", default=None,
                    help="JSON reports of earlier runs (e.g. one per provider, run side by side) to combine "
                         "into one report, without running anything")
    args = ap.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out)
    logging.basicConfig(level=logging.ERROR)
    for noisy in ("werkzeug", "addin_server"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "n": args.n,
                              "mailboxes": args.mailboxes, "runs": []}
    for provider in args.providers:
        for mode in args.modes:
            url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='after-reply-')}/{provider}-{mode}.db"
            print(f"== {provider}, pushes {mode}: {args.n} enrollments over {args.mailboxes} mailboxes", flush=True)
            try:
                result = run_one(provider, mode, args.n, args.mailboxes, url, args.seed)
            except Exception as exc:  # one failed run is reported, the others still run
                logging.getLogger(__name__).exception("run failed")
                result = {"provider": provider, "mode": mode, "error": f"{type(exc).__name__}: {exc}"}
            print("   " + json.dumps(result), flush=True)
            report["runs"].append(result)
    report["database"] = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    report["load"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    report["cpus"] = os.cpu_count()
    return write(report, args.out)


def write(report: dict[str, Any], name: str) -> int:
    report["webhook_delivery"] = webhook_delivery()
    report["rows"] = summary_rows(report["runs"], report["webhook_delivery"])
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2, default=str))
    (REPORTS / f"{name}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


def merge(paths: list[str], name: str) -> int:
    parts = [json.loads(Path(p).read_text()) for p in paths]
    first = parts[0]
    report = {**first, "runs": [r for part in parts for r in part["runs"]],
              "load": " / ".join(str(part.get("load", "-")) for part in parts)}
    return write(report, name)


if __name__ == "__main__":
    raise SystemExit(main())
