"""Outgoing webhook delivery: from an enrollment's ending to the integrator's receiver answering 2xx.

    python bench/webhook_delivery.py [--n 300] [--poll 2.0] [--database-url URL]

The worker is the product's own loop (`addin-server worker`, polling every --poll seconds when idle)
in a thread; the receiver verifies every delivery with the `standardwebhooks` library. Each ending is
timed when its transaction has committed; its delivery when the receiver answers. Writes
bench/reports/webhook_delivery.md and .json. A report, not a test. bench/after_reply.py imports
measure_webhook_delivery() for its "webhook delivery" row.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin_server.auth.secrets_box import generate_encryption_key  # noqa: E402
from addin_server.config import Settings  # noqa: E402
from addin_server.db.migrate import upgrade  # noqa: E402
from addin_server.services import accounts, directory, enrollments, outgoing_webhooks, sequences  # noqa: E402
from addin_server.services.context import Principal  # noqa: E402
from addin_server.services.sequences import StepInput  # noqa: E402
from addin_server.services.startup import open_services  # noqa: E402
from addin_server.worker.loop import run_forever  # noqa: E402
from tests.webhook_receiver import WebhookReceiver  # noqa: E402

REPORTS = ROOT / "bench" / "reports"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan"), "samples": 0}
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1), "samples": len(ordered)}


def measure_webhook_delivery(n: int = 300, *, poll_seconds: float = 2.0, database_url: str | None = None,
                             same_process: bool = True, timeout_seconds: float = 120.0) -> dict[str, Any]:
    """End `n` enrollments (by hand, 0-50 ms apart) with one endpoint subscribed and the worker
    running; return p50/p99 from each ending's commit to the receiver's 2xx, and what arrived.

    same_process: the worker shares the web process (WORKER_IN_PROCESS, the demo), so an ending
    wakes it at once; False: a separate worker process, which notices at its next poll.
    """
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/webhook-bench.db"
        # Demo mode: the receiver listens on loopback, which production refuses.
        settings = Settings.from_env({}, database_url=url, secret_key="bench", demo_mode=True,
                                     mail_transport="local", encryption_key=generate_encryption_key())
        ctx = open_services(settings)
        upgrade(ctx.engine)
        made = accounts.create_account(ctx, name="Webhook bench", plan="enterprise", admin_email="admin@bench.test")
        admin = Principal.for_api_key(made.account_id, "bench", "admin")
        rep = directory.create_user(ctx, admin, email="rep@bench.test", name="Rep", role="user",
                                    mailbox_provider="gmail", mailbox_address="rep@bench.test")
        seq = sequences.create_sequence(ctx, admin, name="Bench", owner_user_id=rep["id"],
                                        steps=[StepInput("task", 0, "Call", ""), StepInput("task", 3, "Call", "")])
        open_ids = []
        for i in range(n):
            contact = directory.create_contact(ctx, admin, email=f"c{i}@bench-co.test")
            open_ids.append(enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=contact["id"],
                                               sender_user_id=rep["id"])["id"])
        stop = threading.Event()
        with WebhookReceiver() as receiver:
            endpoint = outgoing_webhooks.create_endpoint(ctx, admin, url=receiver.url,
                                                         events=["enrollment.unenrolled"])
            receiver.secrets = [endpoint["secret"]]
            worker_ctx = ctx if same_process else open_services(settings)
            worker = threading.Thread(target=run_forever, args=(worker_ctx, stop, poll_seconds), daemon=True)
            worker.start()
            ended_at: dict[str, float] = {}
            rng = random.Random(17)
            for enrollment_id in open_ids:
                enrollments.unenroll(ctx, admin, enrollment_id)
                ended_at[enrollment_id] = time.perf_counter()
                time.sleep(rng.uniform(0, 0.05))
            deadline = time.monotonic() + timeout_seconds
            while len(receiver.received) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            worker.join(timeout=30)
            received = list(receiver.received)
            rejected = len(receiver.rejected)
        worker_ctx.engine.dispose()
        ctx.engine.dispose()
    latencies = [r.at - ended_at[r.payload["data"]["enrollment_id"]] for r in received]
    repeats = sum(count - 1 for count in Counter(r.webhook_id for r in received).values())
    figures = _percentiles(latencies)
    return {"endings": n, "delivered": len(received), "duplicates": repeats, "rejected_by_receiver": rejected,
            "worker": "in the web process" if same_process else "a separate process",
            "worker_poll_seconds": poll_seconds, "database": "postgresql" if database_url else "sqlite",
            "p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"], "ending_to_receiver_2xx": figures}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--poll", type=float, default=2.0, help="the worker's idle poll (addin-server worker --poll)")
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    runs = [measure_webhook_delivery(args.n, poll_seconds=args.poll, database_url=args.database_url,
                                     same_process=same) for same in (True, False)]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "webhook_delivery.json").write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    rows = "".join(
        f"| {r['worker']} | {r['delivered']} of {r['endings']} | {r['duplicates']} | {r['rejected_by_receiver']} "
        f"| {r['p50_ms']} ms | {r['p99_ms']} ms | {r['ending_to_receiver_2xx']['max_ms']} ms |\n" for r in runs)
    (REPORTS / "webhook_delivery.md").write_text(
        "# Outgoing webhook delivery\n\n"
        f"{args.n} enrollments ended by hand (0-50 ms apart) on {runs[0]['database']}, one endpoint subscribed, "
        f"the product's worker loop (idle poll {args.poll} s), a receiver on loopback verifying every delivery "
        "with the standardwebhooks library. Times run from the ending's commit to the receiver's 2xx. A worker "
        "in the web process is woken by the commit; a separate worker process notices at its next poll.\n\n"
        "| worker | delivered | duplicates | refused by the receiver | p50 | p99 | max |\n"
        "|---|---|---|---|---|---|---|\n" + rows)
    print(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
