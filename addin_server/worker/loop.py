"""The worker loop: claim due work, run it, back off on failure. Any number may run at once."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from addin_server.services import enrollments, inbox_worker, outgoing_webhooks, presend
from addin_server.services.calendar_following import keep_calendars_followed
from addin_server.services.context import ServiceContext
from addin_server.services.gmail.following import renew_gmail_watches
from addin_server.services.graph.subscriptions import renew_graph_subscriptions

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600


@dataclass
class WorkerStats:
    steps_run: int = 0
    failures: int = 0
    resumed: int = 0
    notifications: int = 0
    webhooks: int = 0
    held: int = 0  # steps not run because their sender's mailbox could not be read first

    def add(self, other: WorkerStats) -> None:
        self.steps_run += other.steps_run
        self.failures += other.failures
        self.held += other.held


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def run_due_steps(ctx: ServiceContext, worker: str | None = None, limit: int = 50, *,
                  deliver_webhooks: bool = True) -> WorkerStats:
    """One pass: run every step that is due now. Safe to call from several workers at once.

    `deliver_webhooks=False` leaves outgoing webhooks to their own lane (run_forever does), so
    a slow receiver never delays the mail pipeline."""
    worker = worker or worker_id()
    stats = WorkerStats()
    stats.notifications = sum(inbox_worker.process_due_notifications(ctx, worker).values())
    stats.resumed = enrollments.resume_due_pauses(ctx)
    plan = presend.plan_sends(ctx, enrollments.claim_due_enrollments(ctx, worker, limit=limit))
    # Each mailbox is read just before its steps run, so a reply that arrived meanwhile ends the
    # enrollment first, whether or not its push has come.
    _run_mailboxes(ctx, plan.guarded, stats)
    for (_provider, address), ids in plan.disconnected.items():
        presend.hold_disconnected(ctx, address, ids)
        stats.held += len(ids)
    _run_steps(ctx, plan.unguarded, stats)
    if deliver_webhooks:
        stats.webhooks = deliver_webhooks_once(ctx, worker)
    return stats


def deliver_webhooks_once(ctx: ServiceContext, worker: str) -> int:
    """One pass of outgoing webhooks, waited for; how many deliveries it attempted or handed on."""
    try:
        return sum(outgoing_webhooks.deliver_due_webhooks(ctx, worker).values())
    except Exception:  # deliveries are retried by the next pass; steps must go on
        log.exception("webhook deliveries failed")
        return 0


def _run_mailboxes(ctx: ServiceContext, guarded: dict[tuple[str, str], list[int]], stats: WorkerStats) -> None:
    """Read the mailboxes side by side, each then running its own steps: a slow provider holds only
    its own mailbox's steps (each read has its own deadline), not every other rep's."""
    if not guarded:
        return
    width = max(1, min(len(guarded), ctx.settings.presend_parallel_reads))

    def one(item: tuple[tuple[str, str], list[int]]) -> WorkerStats:
        (provider, address), ids = item
        own = WorkerStats()
        try:
            _run_guarded(ctx, provider, address, ids, own)
        except Exception:  # one mailbox's surprise must not stop the others; its claims expire
            log.exception("steps of %s failed before running", address)
        return own

    if width == 1:
        results = [one(item) for item in guarded.items()]
    else:
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="presend") as pool:
            results = list(pool.map(one, guarded.items()))
    for own in results:
        stats.add(own)


def _run_guarded(ctx: ServiceContext, provider: str, address: str, enrollment_ids: list[int],
                 stats: WorkerStats) -> None:
    """Run one mailbox's steps, each within REREAD_AFTER_SECONDS of a read of that mailbox.

    Sends can be slow (seconds each): a reply that lands while earlier steps of the batch go out
    must still stop the later ones, so the mailbox is read again (one cheap cursor read) whenever
    the last read is older than the bound.
    """
    remaining = list(enrollment_ids)
    while remaining:
        if not presend.read_before_sending(ctx, provider, address, remaining):
            stats.held += len(remaining)
            return
        read_at = time.monotonic()
        while remaining and time.monotonic() - read_at <= presend.REREAD_AFTER_SECONDS:
            _run_steps(ctx, [remaining.pop(0)], stats)


def _run_steps(ctx: ServiceContext, enrollment_ids: list[int], stats: WorkerStats) -> None:
    for enrollment_id in enrollment_ids:
        try:
            if enrollments.run_step(ctx, enrollment_id):
                stats.steps_run += 1
        except Exception as exc:  # noqa: BLE001 - a failing provider must not stop the loop
            stats.failures += 1
            log.warning("step for enrollment %s failed: %s", enrollment_id, type(exc).__name__)
            attempts = enrollments.attempts_of(ctx, enrollment_id)
            enrollments.record_step_failure(
                ctx, enrollment_id, f"{type(exc).__name__}: {exc}", min(MAX_BACKOFF_SECONDS, 30 * 2**attempts)
            )


def run_forever(ctx: ServiceContext, stop: threading.Event | None = None, poll_seconds: float = 2.0, *,
                poster: outgoing_webhooks.WebhookPoster | None = None) -> None:
    """Run passes until `stop` is set; sleep only when a pass found nothing to do."""
    stop = stop or threading.Event()
    me = worker_id()
    log.info("worker %s started", me)
    # Outgoing webhooks have a thread of their own: a receiver that answers slowly (or trickles
    # its answer) can hold up no reply, no step and no mailbox sweep.
    webhooks = threading.Thread(target=deliver_forever, args=(ctx, stop, poll_seconds, poster), name="webhooks",
                                daemon=True)
    webhooks.start()
    next_sweep = time.monotonic()
    while not stop.is_set():
        try:
            stats = run_due_steps(ctx, me, deliver_webhooks=False)
        except Exception:
            log.exception("worker pass failed")
            stats = WorkerStats()
        if time.monotonic() >= next_sweep:
            try:
                inbox_worker.sweep_mailboxes(ctx, me)
                renew_gmail_watches(ctx)
                renew_graph_subscriptions(ctx)
                keep_calendars_followed(ctx)
            except Exception:  # a sweep is a safety net; the next one will run
                log.exception("mailbox sweep failed")
            next_sweep = time.monotonic() + 60
        if stats.steps_run == 0 and stats.notifications == 0:
            _idle(stop, poll_seconds)
    webhooks.join(timeout=15)
    log.info("worker %s stopped", me)


def deliver_forever(ctx: ServiceContext, stop: threading.Event, poll_seconds: float = 2.0,
                    poster: outgoing_webhooks.WebhookPoster | None = None) -> None:
    """Outgoing webhooks until `stop`: start lanes for due deliveries; between passes wait for the
    poll, for a lane to free up, or for an ending committed in this process (so integrators hear
    of it in milliseconds, not at the next poll)."""
    lanes = outgoing_webhooks.DeliveryLanes(ctx, worker_id(), poster=poster)
    try:
        while not stop.is_set():
            ctx.announced.clear()  # before the pass: an ending committed during it wakes the next one
            try:
                started = lanes.start_due()
            except Exception:  # the next pass tries again; the lane must not die
                log.exception("webhook deliveries failed")
                started = 0
            if started == 0:
                _idle(stop, poll_seconds, wake=ctx.announced)
    finally:
        lanes.close()


def _idle(stop: threading.Event, poll_seconds: float, wake: threading.Event | None = None) -> None:
    """Wait for the next pass: the poll, a stop, or `wake`."""
    deadline = time.monotonic() + poll_seconds
    while not stop.is_set() and not (wake is not None and wake.is_set()) and time.monotonic() < deadline:
        (wake or stop).wait(min(0.1, poll_seconds))


def start_in_thread(ctx: ServiceContext, poll_seconds: float = 2.0, *,
                    poster: outgoing_webhooks.WebhookPoster | None = None) -> threading.Event:
    """The embedded default: the worker shares the web process. Returns the event that stops it."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(ctx, stop, poll_seconds), kwargs={"poster": poster}, name="worker",
                     daemon=True).start()
    time.sleep(0)
    return stop
