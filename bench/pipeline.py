"""Inbound pipeline throughput: messages classified and applied per second, against the emulator.

    python bench/pipeline.py [--n 2000] [--mailboxes 12] [--graph-mailboxes 48] [--database-url URL]

N replies from enrolled contacts are delivered into M emulated Gmail mailboxes (untimed), one
push per mailbox is recorded, and the worker's sync is timed until every notification is done.
The emulator's request log gives the provider calls made, so the report shows how they were
batched and the quota units each mailbox spent per second against Gmail's documented per-user
limit (15,000 units a minute: 250 a second; messages.get 5 units, history.list 2, a batch counts
its parts). Then the same through Graph: replies delivered to emulated Outlook mailboxes,
notified to our webhook (served on loopback), and the worker's sync timed; Graph requests are
counted in process (a $batch counts its parts) against the per-mailbox service limit.

Graph needs more mailboxes than Gmail for the same rate: a message's headers come only from a
GET of that message (one request each, even inside $batch), and Outlook allows ~16.7 requests
a second per mailbox (10,000 per 10 minutes), so 300 messages a second needs at least 18 busy
mailboxes. Gmail's 250 units per user per second allow 50 messages.get a second per mailbox.

Both runs use one worker in one thread (the loop `addin-server worker` runs), with the emulator
serving from threads of the same process.

Writes bench/reports/pipeline.md and .json. A report, not a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin_emulator.google.client import GoogleEmulatorControl  # noqa: E402
from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET  # noqa: E402
from addin_emulator.microsoft import MicrosoftEmulatorControl  # noqa: E402
from addin_emulator.runner import RunningEmulator, start_emulator  # noqa: E402
from addin_server import create_app  # noqa: E402
from addin_server.auth.secrets_box import generate_encryption_key  # noqa: E402
from addin_server.config import Settings  # noqa: E402
from addin_server.db import tables as t  # noqa: E402
from addin_server.db.migrate import upgrade  # noqa: E402
from addin_server.services import accounts, sequences  # noqa: E402
from addin_server.services.context import Principal, ServiceContext  # noqa: E402
from addin_server.services.gmail.following import record_gmail_push  # noqa: E402
from addin_server.services.inbox_worker import process_due_notifications  # noqa: E402
from addin_server.services.sequences import StepInput  # noqa: E402
from addin_server.services.startup import open_services  # noqa: E402
from bench.enrolled import Enrolled, enroll_over, gmail_reps, outlook_reps, reply_mail  # noqa: E402

TARGET_PER_SECOND = 300
GMAIL_UNITS_PER_USER_PER_SECOND = 250
UNITS = {"messages.get": 5, "history.list": 2, "messages.list": 5, "getProfile": 1}


def _enroll(ctx: ServiceContext, admin: Principal, reps: list[dict[str, Any]], n: int) -> list[Enrolled]:
    """N contacts enrolled in a two-step sequence over the reps' mailboxes (the first email goes out at once)."""
    seq = sequences.create_sequence(ctx, admin, name="Pipeline", owner_user_id=reps[0]["id"], steps=[
        StepInput("automated_email", 0, "Intro", "Hello"), StepInput("task", 30, "t", "")])
    return enroll_over(ctx, admin, seq["id"], reps, n)


def _call_kind(request: dict[str, Any]) -> str:
    path = request.get("path", "")
    if "batch" in path:
        return "batch"
    if "/history" in path:
        return "history.list"
    if "/messages/" in path:
        return "messages.get"
    if path.endswith("/messages"):
        return "messages.list"
    if "/profile" in path:
        return "getProfile"
    if "token" in path:
        return "oauth token"
    return path


@dataclass
class Loaded:
    """A database whose reps' mailboxes hold N unread replies, one push recorded per mailbox."""

    ctx: ServiceContext
    control: GoogleEmulatorControl
    emulator: RunningEmulator
    environment: dict[str, str]  # the same settings as environment variables, for `addin-server worker`

    def close(self) -> None:
        self.emulator.stop()
        self.ctx.engine.dispose()

    def processed(self) -> int:
        with self.ctx.session() as s:
            return s.scalar(select(func.count()).select_from(t.ProcessedMessage)) or 0


def load(n: int, mailboxes: int, database_url: str) -> Loaded:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    emulator = start_emulator()
    control = GoogleEmulatorControl(emulator.base_url)
    control.set_delivery("manual")
    values = {"database_url": database_url, "public_url": "https://sidebar.test", "secret_key": "pipeline",
              "encryption_key": generate_encryption_key(), "mail_transport": "local",
              "gmail_api_endpoint": control.gmail_api_endpoint, "google_token_uri": control.token_uri,
              "google_calendar_api_endpoint": control.calendar_api_endpoint,
              "google_oauth_client_id": DEFAULT_CLIENT_ID, "google_oauth_client_secret": DEFAULT_CLIENT_SECRET,
              "google_certs_url": control.certs_url}
    ctx = open_services(Settings.from_env({}, **values))
    upgrade(ctx.engine)
    made = accounts.create_account(ctx, name="Pipeline", plan="enterprise", admin_email="admin@pipe.test")
    admin = Principal.for_api_key(made.account_id, "pipeline", "admin")
    reps = gmail_reps(ctx, admin, control, mailboxes, "pipe.test")
    print(f"  enrolling {n:,} contacts", flush=True)
    plan = _enroll(ctx, admin, reps, n)
    print(f"  delivering {n:,} replies into {mailboxes} mailboxes", flush=True)
    last_history: dict[str, str] = {}
    for i, p in enumerate(plan):
        last_history[p.mailbox] = control.deliver(
            p.mailbox, reply_mail(p.contact, p.mailbox, p.first_message_id, i))["historyId"]
    for m, (mailbox, history) in enumerate(last_history.items()):
        record_gmail_push(ctx, pubsub_message_id=f"push-{m}", email_address=mailbox, history_id=history)
    control.clear_requests()
    return Loaded(ctx, control, emulator, {k.upper(): v for k, v in values.items()})


def run(n: int, mailboxes: int, database_url: str) -> dict[str, Any]:
    loaded = load(n, mailboxes, database_url)
    ctx, control = loaded.ctx, loaded.control
    try:
        print("  timing the worker's sync", flush=True)
        started = time.perf_counter()
        while process_due_notifications(ctx, "bench-worker", limit=50):
            pass
        seconds = time.perf_counter() - started
        calls = Counter(_call_kind(r) for r in control.requests())
        processed = loaded.processed()
        with ctx.session() as s:
            ended = s.scalar(select(func.count()).select_from(t.Enrollment).where(
                t.Enrollment.status == "unenrolled")) or 0
        units = sum(UNITS.get(kind, 0) * count for kind, count in calls.items())
        per_second = processed / seconds if seconds else 0.0
        units_per_mailbox_second = units / mailboxes / seconds if seconds else 0.0
        return {
            "messages": n, "mailboxes": mailboxes, "processed": processed, "unenrolled": ended,
            "seconds": round(seconds, 2), "messages_per_second": round(per_second, 1),
            "provider_calls": dict(calls), "quota_units": units,
            "quota_units_per_mailbox_per_second": round(units_per_mailbox_second, 1),
            "quota_limit_per_mailbox_per_second": GMAIL_UNITS_PER_USER_PER_SECOND,
            "within_quota": units_per_mailbox_second <= GMAIL_UNITS_PER_USER_PER_SECOND,
            "target_messages_per_second": TARGET_PER_SECOND, "met": per_second >= TARGET_PER_SECOND,
            "database": ctx.engine.dialect.name,
        }
    finally:
        loaded.close()


# --- Graph ----------------------------------------------------------------------------------------

GRAPH_REQUESTS_PER_MAILBOX_PER_SECOND = 10_000 / 600  # Outlook service limit: 10,000 per 10 min per app and mailbox


class CallLog:
    """Counts the HTTP requests this process makes to one base URL (a batch counts its parts too)."""

    def __init__(self, base: str) -> None:
        self.base, self.parts = base, 0
        self.calls: Counter[str] = Counter()
        self._original = requests.Session.request

    def __enter__(self) -> CallLog:
        log, original = self, self._original

        def counted(session: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if str(url).startswith(log.base):
                path = str(url)[len(log.base):].split("?", 1)[0]
                kind = "$batch" if path.endswith("$batch") else re.sub(r"/[^/]{16,}", "/{id}", path)
                log.calls[f"{method} {kind}"] += 1
                body = kwargs.get("json")
                log.parts += len(body.get("requests", [])) if kind == "$batch" and isinstance(body, dict) else 1
            return original(session, method, url, *args, **kwargs)

        setattr(requests.Session, "request", counted)  # noqa: B010 - patched for the timed sync only
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(requests.Session, "request", self._original)  # noqa: B010


def run_graph(n: int, mailboxes: int, database_url: str) -> dict[str, Any]:
    """The same through Graph: replies delivered to Outlook mailboxes, notified to our webhook, synced."""
    from tests.browser import free_port, live_server
    from tests.integration.emulator_microsoft.support import make_setup
    from tests.integration.providers_graph.support import settings_for

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    emulator = start_emulator(tls_port=0)
    control = MicrosoftEmulatorControl(emulator.base_url)
    control.set_auto_delivery(False)
    setup = make_setup(emulator, control)
    port = free_port()
    settings = settings_for(setup).with_overrides(
        database_url=database_url, public_url=f"http://127.0.0.1:{port}", secret_key="pipeline",
        encryption_key=generate_encryption_key(), mail_transport="local")
    ctx = open_services(settings)
    upgrade(ctx.engine)
    try:
        with live_server(create_app(settings, services=ctx), port=port):
            made = accounts.create_account(ctx, name="Pipeline", plan="enterprise", admin_email="admin@pipe.test")
            admin = Principal.for_api_key(made.account_id, "pipeline", "admin")
            reps = outlook_reps(ctx, admin, control, setup, mailboxes)
            print(f"  enrolling {n:,} contacts (Graph)", flush=True)
            plan = _enroll(ctx, admin, reps, n)
            print(f"  delivering {n:,} replies into {mailboxes} Outlook mailboxes; Graph notifies our webhook",
                  flush=True)
            for i, p in enumerate(plan):
                control.deliver(p.mailbox, reply_mail(p.contact, p.mailbox, p.first_message_id, i))
            control.flush_notifications()
            print("  timing the worker's sync (Graph)", flush=True)
            with CallLog(settings.graph_api_endpoint) as calls:
                started = time.perf_counter()
                while process_due_notifications(ctx, "bench-worker", limit=50):
                    pass
                seconds = time.perf_counter() - started
            with ctx.session() as s:
                processed = s.scalar(select(func.count()).select_from(t.ProcessedMessage)) or 0
                ended = s.scalar(select(func.count()).select_from(t.Enrollment).where(
                    t.Enrollment.status == "unenrolled")) or 0
        per_second = processed / seconds if seconds else 0.0
        per_mailbox = calls.parts / mailboxes / seconds if seconds else 0.0
        return {
            "messages": n, "mailboxes": mailboxes, "processed": processed, "unenrolled": ended,
            "seconds": round(seconds, 2), "messages_per_second": round(per_second, 1),
            "provider_calls": dict(calls.calls), "graph_requests_counting_batch_parts": calls.parts,
            "requests_per_mailbox_per_second": round(per_mailbox, 1),
            "limit_per_mailbox_per_second": round(GRAPH_REQUESTS_PER_MAILBOX_PER_SECOND, 1),
            "within_limit": per_mailbox <= GRAPH_REQUESTS_PER_MAILBOX_PER_SECOND,
            "target_messages_per_second": TARGET_PER_SECOND, "met": per_second >= TARGET_PER_SECOND,
            "database": ctx.engine.dialect.name,
        }
    finally:
        emulator.stop()
        ctx.engine.dispose()



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--mailboxes", type=int, default=12, help="Gmail mailboxes (Gmail allows 50 messages.get a second each)")
    ap.add_argument("--graph-mailboxes", type=int, default=48,
                    help="Outlook mailboxes (Graph allows ~16.7 requests/s per mailbox, one per message)")
    ap.add_argument("--database-url", default="", help="an empty database for each provider's run (default: SQLite files)")
    args = ap.parse_args(argv)

    def url(name: str) -> str:
        return args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='pipeline-')}/{name}.db"

    result = {"gmail": run(args.n, args.mailboxes, url("gmail"))}
    try:
        result["graph"] = run_graph(args.n, args.graph_mailboxes, url("graph"))
    except Exception as exc:  # noqa: BLE001 - the report says what failed instead of losing the Gmail figures
        result["graph"] = {"error": f"{type(exc).__name__}: {exc}", "met": False}
    out = ROOT / "bench" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(result, indent=2))
    g, m = result["gmail"], result["graph"]
    lines = [f"# Inbound pipeline on the emulator ({g['database']})", "",
             f"- Gmail: {g['processed']:,} of {g['messages']:,} replies classified and applied in {g['seconds']} s "
             f"across {g['mailboxes']} mailboxes, one worker in one thread: **{g['messages_per_second']}/s** (target >= {TARGET_PER_SECOND}/s: "
             f"{'met' if g['met'] else 'not met'}); enrollments ended {g['unenrolled']:,}; provider calls "
             f"{g['provider_calls']}; quota units per mailbox per second {g['quota_units_per_mailbox_per_second']} "
             f"(limit {GMAIL_UNITS_PER_USER_PER_SECOND}: {'within' if g['within_quota'] else 'over'})"]
    if "error" in m:
        lines.append(f"- Graph: failed: {m['error']}")
    else:
        lines.append(
            f"- Graph: {m['processed']:,} of {m['messages']:,} replies classified and applied in {m['seconds']} s "
            f"across {m['mailboxes']} mailboxes, one worker in one thread: **{m['messages_per_second']}/s** (target >= {TARGET_PER_SECOND}/s: "
            f"{'met' if m['met'] else 'not met'}); enrollments ended {m['unenrolled']:,}; Graph calls "
            f"{m['provider_calls']} ({m['graph_requests_counting_batch_parts']} counting batch parts, "
            f"{m['requests_per_mailbox_per_second']}/mailbox/s against the {m['limit_per_mailbox_per_second']}/s "
            f"service limit: {'within' if m['within_limit'] else 'over'})")
    (out / "pipeline.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
