"""Recipient lookup latency over a large database, in process and over HTTP, beside a bare route.

    python bench/lookup.py                       # 1,000,000 contacts and enrollments on SQLite
    python bench/lookup.py --n 100000            # smaller
    python bench/lookup.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Writes bench/reports/lookup-<db>.md and .json. A report, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import event, func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin_server.config import Settings  # noqa: E402
from addin_server.db import tables as t  # noqa: E402
from addin_server.db.migrate import upgrade  # noqa: E402
from addin_server.services import accounts, directory, sequences  # noqa: E402
from addin_server.services.context import Principal, ServiceContext  # noqa: E402
from addin_server.services.lookup import lookup_recipients  # noqa: E402
from addin_server.services.sequences import StepInput  # noqa: E402
from addin_server.services.startup import open_services  # noqa: E402

SIZES = (1, 10, 50)
CHUNK = 20_000


def seed(ctx: ServiceContext, n: int) -> tuple[Principal, str]:
    """A realistic shape: n contacts, each with one enrollment (60% open, the rest ended)."""
    made = accounts.create_account(ctx, name="Bench", plan="enterprise", admin_email="admin@bench.test")
    admin = Principal.for_api_key(made.account_id, "bench", "admin")
    rep = directory.create_user(ctx, admin, email="rep@bench.test", name="Rep", role="user",
                                mailbox_provider="gmail", mailbox_address="rep@bench.test")
    seqs = [sequences.create_sequence(ctx, admin, name=f"Sequence {i}", owner_user_id=rep["id"], steps=[
        StepInput("automated_email", 0, "Hi", "x"), StepInput("call", 2, "c", ""),
        StepInput("automated_email", 3, "", "y", True)])["id"] for i in range(20)]
    companies = [directory.create_company(ctx, admin, name=f"Company {i}", domains=[f"co{i}.test"])["id"]
                 for i in range(200)]
    now = datetime.now(UTC)
    acc, rep_id = made.account_id, int(rep["id"])
    with ctx.engine.begin() as conn:
        for start in range(0, n, CHUNK):
            ids = range(start + 1, min(n, start + CHUNK) + 1)
            conn.execute(insert(t.Contact), [
                {"id": i, "account_id": acc, "company_id": int(companies[i % 200]), "primary_email": f"p{i}@co{i % 200}.test",
                 "first_name": f"First{i}", "last_name": "Last", "unsubscribed": False, "bounced": False,
                 "created_at": now} for i in ids])
            conn.execute(insert(t.ContactAddress), [
                {"account_id": acc, "contact_id": i, "address": f"p{i}@co{i % 200}.test",
                 "canonical": f"p{i}@co{i % 200}.test", "is_primary": True, "bounced": False, "soft_bounces": 0}
                for i in ids])
            conn.execute(insert(t.Enrollment), [
                {"account_id": acc, "sequence_id": int(seqs[i % 20]), "contact_id": i, "enrolled_by_user_id": rep_id,
                 "sender_user_id": rep_id, "status": "active" if i % 5 < 3 else ("finished" if i % 5 == 3 else "unenrolled"),
                 "current_step": 1 + i % 3, "next_step_at": now + timedelta(days=1) if i % 5 < 3 else None,
                 "enrolled_at": now - timedelta(days=10), "attempts": 0,
                 "end_reason": None if i % 5 < 3 else ("completed" if i % 5 == 3 else "manual")} for i in ids])
            print(f"  seeded {min(n, start + CHUNK):,}/{n:,}", end="\r", flush=True)
    print()
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return admin, made.api_key


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 3), "samples": len(ordered)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--http-iterations", type=int, default=1000)
    args = ap.parse_args()

    kind = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    if kind == "sqlite":
        path = ROOT / "bench" / ".cache" / f"lookup-{args.n}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
        fresh = not path.exists()
    else:
        url, fresh = args.database_url, True
    settings = Settings.from_env({}, database_url=url, secret_key="bench", public_url="http://127.0.0.1")
    ctx = open_services(settings)
    if kind == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    cache = ROOT / "bench" / ".cache" / f"lookup-{args.n}.json"
    if fresh:
        upgrade(ctx.engine)
        t0 = time.perf_counter()
        admin, key = seed(ctx, args.n)
        seed_s = time.perf_counter() - t0
        if kind == "sqlite":
            cache.write_text(json.dumps({"account_id": admin.account_id, "api_key": key}))
    else:
        saved = json.loads(cache.read_text())
        admin, key, seed_s = Principal.for_api_key(saved["account_id"], "bench", "admin"), saved["api_key"], 0.0
    with ctx.session() as s:
        enrollments_count = s.scalar(select(func.count()).select_from(t.Enrollment))
    print(f"{kind}: {enrollments_count:,} enrollments (seeded in {seed_s:.0f} s)" if seed_s else
          f"{kind}: {enrollments_count:,} enrollments (cached database)")

    rng = random.Random(7)

    def sample(k: int) -> list[str]:
        out = []
        for _ in range(k):
            i = rng.randint(1, args.n)
            out.append(f"p{i}@co{i % 200}.test" if rng.random() < 0.8 else f"stranger{i}@nowhere.test")
        return out

    statements = 0

    def count(*_a: Any) -> None:
        nonlocal statements
        statements += 1

    results: dict[str, Any] = {"database": kind, "enrollments": enrollments_count, "in_process": {}, "http": {}}
    event.listen(ctx.engine, "before_cursor_execute", count)
    for k in SIZES:
        for _ in range(50):
            lookup_recipients(ctx, admin, sample(k))  # warm the cache and the pool
        statements = 0
        timings = []
        for _ in range(args.iterations):
            batch = sample(k)
            t0 = time.perf_counter()
            lookup_recipients(ctx, admin, batch)
            timings.append(time.perf_counter() - t0)
        results["in_process"][str(k)] = {**percentiles(timings),
                                         "sql_statements_per_lookup": statements / args.iterations}
        print(f"  in process, {k:>2} addresses: {results['in_process'][str(k)]}")
    event.remove(ctx.engine, "before_cursor_execute", count)

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.lookup_app:app"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        http = requests.Session()
        for _ in range(100):
            try:
                if http.get(base + "/healthz", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)  # still starting (a busy machine can take seconds)
        headers = {"Authorization": f"Bearer {key}"}

        def measure(make_url: Any) -> dict[str, float]:
            for _ in range(50):
                http.get(make_url(), headers=headers).raise_for_status()
            timings = []
            for _ in range(args.http_iterations):
                u = make_url()
                t0 = time.perf_counter()
                http.get(u, headers=headers).raise_for_status()
                timings.append(time.perf_counter() - t0)
            return percentiles(timings)

        results["http"]["bare_route"] = measure(lambda: base + "/bench/bare")
        print(f"  http, bare route: {results['http']['bare_route']}")
        for k in SIZES:
            r = measure(lambda k=k: base + "/api/v1/recipients/status?" + "&".join(f"email={e}" for e in sample(k)))
            r["ratio_to_bare_p99"] = round(r["p99_ms"] / results["http"]["bare_route"]["p99_ms"], 2)
            results["http"][str(k)] = r
            print(f"  http, {k:>2} addresses: {r}")
    finally:
        server.terminate()
        server.wait(10)

    fifty = results["in_process"]["50"]
    results["targets"] = {
        "one_sql_round_trip": all(v["sql_statements_per_lookup"] == 1 for v in results["in_process"].values()),
        "p99_50_in_process_le_10ms": fifty["p99_ms"] <= 10,
        "http_le_3x_bare": all(results["http"][str(k)]["ratio_to_bare_p99"] <= 3 for k in SIZES),
    }
    out = ROOT / "bench" / "reports" / f"lookup-{kind}"
    out.with_suffix(".json").write_text(json.dumps(results, indent=2))
    lines = [f"# Recipient lookup, {kind}, {enrollments_count:,} enrollments", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by `python bench/lookup.py`.", "",
             "| addresses | in process p50 | in process p99 | SQL statements | HTTP p50 | HTTP p99 | HTTP p99 / bare p99 |",
             "|---|---|---|---|---|---|---|"]
    for k in SIZES:
        ip, hp = results["in_process"][str(k)], results["http"][str(k)]
        lines.append(f"| {k} | {ip['p50_ms']} ms | {ip['p99_ms']} ms | {ip['sql_statements_per_lookup']:g} | "
                     f"{hp['p50_ms']} ms | {hp['p99_ms']} ms | {hp['ratio_to_bare_p99']} |")
    bare = results["http"]["bare_route"]
    lines += ["", f"Bare Flask route over HTTP: p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms.", "",
              "Targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in results["targets"].items())]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
