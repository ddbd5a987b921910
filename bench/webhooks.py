"""Webhook acknowledge rate and latency under load, beside a bare Flask route, in one run.

    python bench/webhooks.py [--database-url URL] [--seconds 10] [--connections 16]

Serves the app with gunicorn (2 workers) and loads it with wrk from a second process: Pub/Sub
pushes (each with its own message id and a real OIDC token) and Graph batches of 10 items (each
with a valid clientState), every request stored in the durable inbox. Writes
bench/reports/webhooks.md|json. A report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin_emulator.google.client import GoogleEmulatorControl  # noqa: E402
from addin_emulator.runner import start_emulator  # noqa: E402
from addin_server.auth.client_state import issue_client_state  # noqa: E402
from addin_server.config import Settings  # noqa: E402
from addin_server.db import tables as t  # noqa: E402
from addin_server.db.migrate import upgrade  # noqa: E402
from addin_server.services import accounts, directory  # noqa: E402
from addin_server.services.context import Principal  # noqa: E402
from addin_server.services.startup import open_services  # noqa: E402

AUDIENCE = "https://bench.test/webhooks/gmail"
PUSH_ACCOUNT = "push@bench.iam.gserviceaccount.com"

PUBSUB_LUA = """
local n = 0
local token = os.getenv("PUSH_TOKEN")
local data = os.getenv("PUSH_DATA")
request = function()
  n = n + 1
  local body = '{"message":{"data":"' .. data .. '","messageId":"' .. tostring(math.random(1, 2^30)) .. '-' .. n ..
    '","publishTime":"2026-03-03T10:00:00Z"},"subscription":"projects/bench/subscriptions/gmail"}'
  return wrk.format("POST", "/webhooks/gmail", {["Content-Type"]="application/json",
    ["Authorization"]="Bearer " .. token}, body)
end
"""

GRAPH_LUA = """
local n = 0
local secret = os.getenv("CLIENT_STATE")
request = function()
  n = n + 1
  local items = {}
  local base = tostring(math.random(1, 2^30)) .. "-" .. n
  for i = 1, 10 do
    items[i] = '{"subscriptionId":"bench-sub","clientState":"' .. secret .. '","changeType":"created",' ..
      '"resource":"Users/u/Messages/' .. base .. '-' .. i .. '","tenantId":"t",' ..
      '"resourceData":{"@odata.type":"#Microsoft.Graph.Message","id":"' .. base .. '-' .. i .. '"}}'
  end
  return wrk.format("POST", "/webhooks/graph", {["Content-Type"]="application/json"},
    '{"value":[' .. table.concat(items, ",") .. ']}')
end
"""

BARE_LUA = 'request = function() return wrk.format("GET", "/bench/bare") end\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_wrk(text: str) -> dict[str, Any]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text)
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", text)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def ms(m: re.Match[str] | None) -> float | None:
        return round(float(m.group(1)) * unit[m.group(2)], 3) if m else None

    return {"requests_per_second": float(rate.group(1)) if rate else 0.0, "p50_ms": ms(p50), "p99_ms": ms(p99),
            "non_2xx": int(errors.group(1)) if errors else 0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (apt-get install wrk)")
        return 2
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='webhooks-')}/bench.db"
    emulator = start_emulator()
    google = GoogleEmulatorControl(emulator.base_url)
    settings = Settings.from_env({}, database_url=url, secret_key="bench", public_url="https://bench.test",
                                 google_certs_url=google.certs_url, pubsub_audience=AUDIENCE,
                                 pubsub_service_account=PUSH_ACCOUNT, mail_transport="local")
    ctx = open_services(settings)
    if ctx.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with ctx.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(ctx.engine)
    made = accounts.create_account(ctx, name="Bench", plan="enterprise", admin_email="admin@bench.test")
    admin = Principal.for_api_key(made.account_id, "bench", "admin")
    directory.create_user(ctx, admin, email="rep@bench.test", name="Rep", role="user", mailbox_provider="gmail",
                          mailbox_address="rep@bench.test")
    outlook = directory.create_user(ctx, admin, email="o@bench.test", name="O", role="user",
                                    mailbox_provider="outlook", mailbox_address="o@bench.test")
    issued = issue_client_state(settings)
    with ctx.session() as s:
        s.add(t.MailboxWatch(account_id=made.account_id, user_id=int(outlook["id"]), provider="outlook",
                             mailbox_address="o@bench.test", subscription_id="bench-sub",
                             client_state_hash=issued.stored_hash, status="active"))
    import base64

    data = base64.b64encode(json.dumps({"emailAddress": "rep@bench.test", "historyId": "12345"}).encode()).decode()
    token = google.mint_id_token("pubsub", audience=AUDIENCE, email=PUSH_ACCOUNT)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_URL": "https://bench.test",
           "GOOGLE_CERTS_URL": google.certs_url, "PUBSUB_AUDIENCE": AUDIENCE, "PUBSUB_SERVICE_ACCOUNT": PUSH_ACCOUNT,
           "MAIL_TRANSPORT": "local", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--worker-class", "gthread",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench.lookup_app:app"], cwd=ROOT, env=env)
    results: dict[str, Any] = {"database": ctx.engine.dialect.name, "connections": args.connections,
                               "seconds": args.seconds, "gunicorn": "2 workers x 4 threads (gthread)"}
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        scripts = Path(tempfile.mkdtemp(prefix="wrk-"))
        for name, lua in (("bare", BARE_LUA), ("pubsub", PUBSUB_LUA), ("graph", GRAPH_LUA)):
            (scripts / f"{name}.lua").write_text(lua)
            wrk_env = {**os.environ, "PUSH_TOKEN": token, "PUSH_DATA": data, "CLIENT_STATE": issued.secret}
            done = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s",
                 str(scripts / f"{name}.lua"), base], capture_output=True, text=True, env=wrk_env, check=False)
            results[name] = parse_wrk(done.stdout)
            print(name, results[name], flush=True)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()  # gunicorn waits for busy threads; the figures are already taken
        emulator.stop()
    from sqlalchemy import func, select

    with ctx.session() as s:
        results["stored_notifications"] = s.scalar(select(func.count()).select_from(t.InboundNotification))
    results["targets"] = {
        name: {"rate_ge_1000": results[name]["requests_per_second"] >= 1000,
               "p99_le_50ms": (results[name]["p99_ms"] or 1e9) <= 50, "no_errors": results[name]["non_2xx"] == 0}
        for name in ("pubsub", "graph")}
    out = ROOT / "bench" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "webhooks.json").write_text(json.dumps(results, indent=2))
    lines = [f"# Webhook acknowledgement ({results['database']}, {results['gunicorn']}, wrk -t2 "
             f"-c{args.connections} -d{args.seconds}s on the same 2-core machine)", "",
             "| route | requests/s | p50 | p99 | non-2xx |", "|---|---|---|---|---|"]
    for name, label in (("bare", "bare Flask route"), ("pubsub", "Pub/Sub push"), ("graph", "Graph batch of 10")):
        r = results[name]
        lines.append(f"| {label} | {r['requests_per_second']:.0f} | {r['p50_ms']} ms | {r['p99_ms']} ms | {r['non_2xx']} |")
    lines += ["", f"Stored notifications: {results['stored_notifications']}.", "",
              f"Targets (>= 1,000 requests/s, p99 <= 50 ms): {json.dumps(results['targets'])}"]
    (out / "webhooks.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
