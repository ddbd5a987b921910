"""`addin-server` commands (also `python -m addin_server`)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from gunicorn.glogging import Logger
from sqlalchemy.exc import DBAPIError

from addin_server import configure_logging
from addin_server.assets import STATIC
from addin_server.auth.redaction import install_redaction, redact_capabilities
from addin_server.config import SettingError, Settings, manifest_public_url

log = logging.getLogger("addin_server.cli")


# Contexts the running command opened: their connections close when it returns (see main).
_opened: list[Any] = []


def _services(settings: Settings) -> Any:
    from addin_server.services.startup import open_services

    ctx = open_services(settings)
    _opened.append(ctx)
    return ctx


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.db.migrate import upgrade

    ctx = _services(settings)
    upgrade(ctx.engine)
    print(f"database at {ctx.engine.url.render_as_string(hide_password=True)} is up to date")
    return 0


def _refused(code: str, message: str) -> int:
    """A command's refusal: the API's error shape on stderr, exit 2."""
    print(json.dumps({"error": {"code": code, "message": message}}), file=sys.stderr)
    return 2


def _database_not_ready(command: str, exc: DBAPIError) -> int:
    # A fresh database has no tables until `db upgrade`: say so instead of a traceback.
    log.debug("%s failed", command, exc_info=exc)
    return _refused("database_not_ready", "the database is not ready (no tables, or unreachable): run "
                    "`addin-server db upgrade` first, with the same DATABASE_URL")


# Written by `demo` beside its database: the address it serves and the key it signs links with (one it
# made up when SECRET_KEY was unset), so that a command run against the demo's database prints links
# that demo accepts.
DEMO_LINKS_FILE = "demo-links.json"


def _link_settings(settings: Settings) -> Settings | None:
    """The settings to sign an organisation link with, or None (said on stderr) when no server could
    accept it: a link signed without SECRET_KEY fails later as "not one Sequence Sidebar made"."""
    db = settings.database_url
    kept = Path(db.removeprefix("sqlite:///")).parent / DEMO_LINKS_FILE if db.startswith("sqlite:///") else None
    if kept is not None and kept.is_file():
        demo = json.loads(kept.read_text(encoding="utf-8"))
        settings = settings.with_overrides(public_url=str(demo.get("public_url") or settings.public_url),
                                           secret_key=str(demo.get("secret_key") or settings.secret_key))
    if not settings.secret_key:
        _refused("secret_key_missing", "SECRET_KEY is not set, so no running server would accept a link signed "
                 "here: run this with the server's SECRET_KEY (and PUBLIC_URL)")
        return None
    return settings


def cmd_accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.accounts import create_account
    from addin_server.services.errors import ServiceError
    from addin_server.services.tenant_links import ms_tenant_id, operator_start_link

    if args.ms_tenant:
        signing = _link_settings(settings)
        if signing is None:
            return 2
        settings = signing
    ctx = _services(settings)
    try:
        tenants = list(dict.fromkeys(ms_tenant_id(x) for x in args.ms_tenant))
        made = create_account(ctx, name=args.name, plan=args.plan, admin_email=args.admin_email)
        # A tenant is linked only on its Global Administrator's sign-in: each gets a link to open.
        links = [operator_start_link(ctx, made.account_id, ms_tenant=tid) for tid in tenants]
    except ServiceError as exc:
        return _refused(exc.code, exc.message)
    except DBAPIError as exc:
        return _database_not_ready("accounts create", exc)
    out: dict[str, object] = {"account_id": str(made.account_id), "api_key": made.api_key,
                              "admin_user_id": str(made.admin_user_id)}
    if links:
        out["ms_tenant_links"] = links
    print(json.dumps(out))
    return 0


def cmd_accounts_link_tenant(args: argparse.Namespace, settings: Settings) -> int:
    """Links nothing itself: prints the link a Global Administrator of the Microsoft 365 tenant (a super
    administrator of the Google Workspace) signs in through, which links it."""
    from addin_server.services.errors import ServiceError
    from addin_server.services.tenant_links import operator_start_link

    signing = _link_settings(settings)
    if signing is None:
        return 2
    ctx = _services(signing)
    try:
        made = operator_start_link(ctx, args.account_id, ms_tenant=args.ms_tenant, google_domain=args.google_domain,
                                   super_admin_email=args.super_admin)
        admin = ("a super administrator of the Workspace" if made["provider"] == "google" else
                 "a Global Administrator of the tenant")
        out = {"account_id": str(args.account_id), "provider": made["provider"], "tenant": made["tenant_id"],
               "linked": False, "link": made["url"], "expires_at": made["expires_at"],
               "next": f"{admin} opens the link and signs in; it is linked then, not before"}
    except ServiceError as exc:
        return _refused(exc.code, exc.message)
    except DBAPIError as exc:
        return _database_not_ready("accounts link-tenant", exc)
    finally:
        ctx.engine.dispose()
    print(json.dumps(out))
    return 0


def cmd_accounts_api_key(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.accounts import create_api_key
    from addin_server.services.errors import ServiceError

    name = args.name or args.role  # a read_only key is not named "integration"
    try:
        key = create_api_key(_services(settings), args.account_id, name=name, role=args.role)
    except ServiceError as exc:
        return _refused(exc.code, exc.message)
    print(json.dumps({"account_id": str(args.account_id), "api_key": key, "role": args.role, "name": name}))
    return 0


def cmd_accounts_api_keys(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.accounts import list_api_keys, revoke_api_key
    from addin_server.services.errors import ServiceError

    try:
        if args.accounts_command == "revoke-api-key":
            print(json.dumps(revoke_api_key(_services(settings), args.account_id, args.prefix)))
        else:
            print(json.dumps({"account_id": str(args.account_id),
                              "api_keys": list_api_keys(_services(settings), args.account_id)}))
    except ServiceError as exc:
        return _refused(exc.code, exc.message)
    return 0


class RedactingAccessLog(Logger):
    """gunicorn's logger, with capability tokens (unsubscribe, booking, OAuth) cut from every
    access-log field: request line, path, query, referrer, headers and environ alike."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return {name: redact_capabilities(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()}


def control_socket_path(host: str, port: int, pid: int | None = None) -> str:
    """This server's own gunicorn control socket: gunicorn's default is one path per user, so a
    second server on the machine would take over the first one's. Beside gunicorn's default place,
    named after the address served (two servers cannot bind the same one); with port 0 (any free
    port, unknown until bound) after the process instead."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = runtime if runtime and os.path.isdir(runtime) else os.path.join(os.path.expanduser("~"), ".gunicorn")
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host) or "all"
    where = f"{safe_host}-{port}" if port else f"pid{pid or os.getpid()}"
    return os.path.join(folder, f"addin-server-{where}.ctl")


# Python's level names -> gunicorn's `loglevel` names (FATAL and WARN are Python's aliases).
_GUNICORN_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning",
                    "ERROR": "error", "CRITICAL": "critical", "FATAL": "critical"}


def gunicorn_log_level(level: str) -> str:
    """gunicorn's own lines (starting, booting workers, the control socket) at LOG_LEVEL, as the app's
    are; a name Python does not know means info, as configure_logging does."""
    return _GUNICORN_LEVELS.get(level.strip().upper(), "info")


def _serve(settings: Settings, host: str, port: int, workers: int, threads: int,
           control_socket: str | None = None) -> int:
    from gunicorn.app.base import BaseApplication

    from addin_server import create_app

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("loglevel", gunicorn_log_level(settings.log_level))
            self.cfg.set("logger_class", RedactingAccessLog)
            self.cfg.set("control_socket", control_socket or control_socket_path(host, port))
            self.cfg.set("graceful_timeout", 5)
            if settings.worker_in_process:
                self.cfg.set("post_worker_init", _start_worker_in_process)

        def load(self) -> Any:
            import gc

            app = create_app(settings)
            # As in wsgi.py: what is loaded now lives as long as the process; keep it out of the
            # collector's full passes, which would walk it in the middle of a request.
            gc.collect()
            gc.freeze()
            return app

    Server().run()
    return 0


def _start_worker_in_process(worker: Any) -> None:
    from addin_server.worker.loop import start_in_thread

    start_in_thread(worker.wsgi.extensions["services"], poll_seconds=1.0)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    return _serve(settings, args.host, args.port, args.workers, args.threads, args.control_socket)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.worker.loop import run_due_steps, run_forever

    ctx = _services(settings)
    if args.once:
        stats = run_due_steps(ctx)
        print(json.dumps({"steps_run": stats.steps_run, "failures": stats.failures}))
        return 0
    run_forever(ctx, poll_seconds=args.poll)
    return 0


def _find_the_emulator() -> None:
    """Make the emulator importable when the product runs from a checkout installed in editable mode.

    The emulator is a package beside addin_server (never in the product's wheel); an editable
    install maps addin_server alone, so the checkout's root joins the path only for these commands.
    """
    if importlib.util.find_spec("addin_emulator") is None:
        root = Path(__file__).resolve().parents[1]
        if (root / "addin_emulator" / "__init__.py").is_file():
            sys.path.append(str(root))


_NO_EMULATOR = ("addin-server {command}: the local emulator (the addin_emulator package) is not installed; "
                "it ships in the source checkout, not in the product's wheel: run `make demo` from a clone")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.auth.secrets_box import generate_encryption_key
    from addin_server.db.migrate import upgrade
    from addin_server.services.demo import seed_demo

    _find_the_emulator()
    try:  # a package beside the product, in a checkout only: the product's wheel leaves it out
        from addin_emulator.google.client import GoogleEmulatorControl
        from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        from addin_emulator.runner import start_emulator
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "addin_emulator":
            raise
        print(_NO_EMULATOR.format(command="demo"), file=sys.stderr)
        return 2

    instance = Path(args.instance).resolve()
    db_path = instance / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    public_url = f"http://{args.host}:{args.port}"
    emulator = start_emulator(args.host, args.emulator_port, tls_port=args.emulator_tls_port,
                              tls_dir=instance / "emulator-tls")
    google = GoogleEmulatorControl(emulator.base_url)
    push_audience = public_url + "/webhooks/gmail"
    push_account = "gmail-push@sequence-sidebar-demo.iam.gserviceaccount.com"
    settings = settings.with_overrides(
        database_url=f"sqlite:///{db_path}", public_url=public_url, demo_mode=True, worker_in_process=True,
        mail_transport="providers_or_local", emulator_url=emulator.base_url,
        encryption_key=settings.encryption_key or generate_encryption_key(),
        secret_key=settings.secret_key or "demo-" + generate_encryption_key(),
        gmail_api_endpoint=google.gmail_api_endpoint, google_token_uri=google.token_uri,
        google_admin_api_endpoint=google.admin_api_endpoint,
        google_auth_uri=google.auth_uri, google_calendar_api_endpoint=google.calendar_api_endpoint,
        google_certs_url=google.certs_url, google_oauth_client_id=DEFAULT_CLIENT_ID,
        google_oauth_client_secret=DEFAULT_CLIENT_SECRET,
        google_addon_service_account="gmail-addon@sequence-sidebar-demo.iam.gserviceaccount.com",
        pubsub_audience=push_audience, pubsub_service_account=push_account,
        pubsub_topic="projects/sequence-sidebar-demo/topics/gmail",
        graph_api_endpoint=emulator.base_url + "/graph/v1.0",
        ms_authority=(emulator.tls_base_url or emulator.base_url) + "/ms/common",
        ms_jwks_url=emulator.base_url + "/ms/discovery/v2.0/keys", ms_client_id="00000000-0000-4000-8000-00000000d3e0",
        ms_client_secret="demo-client-secret", ca_bundle=emulator.ca_bundle or "",  # noqa: S106 - demo only
    )
    kept = instance / DEMO_LINKS_FILE
    kept.write_text(json.dumps({"public_url": public_url, "secret_key": settings.secret_key}), encoding="utf-8")
    kept.chmod(0o600)  # the demo's signing key: this user's only
    ctx = _services(settings)
    upgrade(ctx.engine)
    world = seed_demo(ctx, with_mailboxes=True)
    ctx.engine.dispose()
    # From now on Gmail pushes every new inbox message to the demo's webhook, as Pub/Sub would,
    # and Graph delivers its change notifications as they happen.
    google.set_push(push_audience, audience=push_audience, service_account=push_account)
    google.set_delivery("auto")
    requests.post(emulator.base_url + "/_control/microsoft/notifications/auto", json={"enabled": True}, timeout=10)
    print(_demo_banner(public_url, world.api_key, emulator.base_url, db_path), flush=True)
    if args.seed_only:
        emulator.stop()
        return 0
    try:
        return _serve(settings, args.host, args.port, workers=1, threads=8)
    finally:
        emulator.stop()


def _demo_banner(url: str, api_key: str, emulator_url: str, db_path: Path) -> str:
    return f"""
Sequence Sidebar demo (SQLite at {db_path}, worker in process, emulator at {emulator_url})
  App:          {url}/app/  (sign in as any seeded rep, e.g. ava.reed@northwind.example, password "demo")
  API document: {url}/api/v1/openapi.json
  Demo API key: {api_key}
  Dev tools:    {url}/dev/  (deliver a reply, an out-of-office or a bounce into a rep's mailbox)

  Try:  curl -s -H 'Authorization: Bearer {api_key}' \\
          '{url}/api/v1/recipients/status?email=jane.doe@globex.com&email=JDoe@googlemail.com'
"""


def cmd_emulator(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    _find_the_emulator()
    try:
        from addin_emulator.runner import start_emulator
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "addin_emulator":
            raise
        print(_NO_EMULATOR.format(command="emulator"), file=sys.stderr)
        return 2

    running = start_emulator(args.host, args.port, tls_port=args.tls_port)
    print(json.dumps({"base_url": running.base_url, "tls_base_url": running.tls_base_url,
                      "ca_bundle": running.ca_bundle}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()
    return 0


def cmd_manifests(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.gmail_manifest import render_gmail_deployment
    from addin_server.services.outlook_manifest import render_outlook_json, render_outlook_xml

    # Everything is rendered before anything is written: a bad setting leaves no half set of files.
    try:
        settings = settings.with_overrides(public_url=manifest_public_url(args.public_url))
        documents = {
            "gmail-deployment.json": json.dumps(render_gmail_deployment(settings), indent=2) + "\n",
            "outlook-manifest.xml": render_outlook_xml(settings),
            "outlook-manifest.json": json.dumps(render_outlook_json(settings), indent=2) + "\n",
        }
    except ValueError as exc:
        print(f"addin-server manifests: {exc}; nothing was written", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (out / name).write_text(text)
    # The unified manifest names its icons by path inside the app package: put them beside it.
    icons = STATIC / "outlook" / "icons"
    for icon in ("outline-32.png", "icon-192.png"):
        if (icons / icon).exists():
            shutil.copyfile(icons / icon, out / icon)
    for name in documents:
        print(out / name)
    return 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.errors import ServiceError
    from addin_server.services.inbound import simulate

    try:
        raw = Path(args.file).read_bytes()
        result = simulate(_services(settings), None, raw, args.mailbox, args.message_class)
        print(json.dumps(result, indent=2, default=str))
    except (OSError, ServiceError) as exc:
        print(json.dumps({"error": str(getattr(exc, "message", exc))}), file=sys.stderr)
        return 2
    return 0


def cmd_inbox(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.services.inbox import inbox_listing, requeue

    ctx = _services(settings)
    if args.requeue or args.requeue_dead:
        print(json.dumps({"requeued": requeue(ctx, ids=args.requeue, all_dead=args.requeue_dead)}))
        return 0
    for row in inbox_listing(ctx):
        print(json.dumps(row))
    return 0


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    from addin_server.mail.report import run_classify

    return run_classify(list(args.files), args.json, sys.stdout, sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="addin-server", description="Sequence Sidebar add-in server")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="seed a demo database and serve it (SQLite, worker in process)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8080)
    d.add_argument("--instance", default="instance")
    d.add_argument("--seed-only", action="store_true", help="seed and exit without serving")
    d.add_argument("--emulator-port", type=int, default=8090)
    d.add_argument("--emulator-tls-port", type=int, default=8443)
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="serve the web app with gunicorn")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--threads", type=int, default=4)
    s.add_argument("--control-socket", default=None,
                   help="gunicorn's control socket (default: one per host and port, beside gunicorn's default)")
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="run due steps and process inbound work")
    w.add_argument("--once", action="store_true", help="one pass, then exit")
    w.add_argument("--poll", type=float, default=2.0)
    w.set_defaults(func=cmd_worker)

    db = sub.add_parser("db", help="database commands")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="run migrations up to the latest")
    up.set_defaults(func=cmd_db_upgrade)

    a = sub.add_parser("accounts", help="account commands")
    asub = a.add_subparsers(dest="accounts_command", required=True)
    ac = asub.add_parser("create", help="create an account, its super admin and an admin API key")
    ac.add_argument("--name", required=True)
    ac.add_argument("--plan", required=True, choices=["professional", "enterprise"])
    ac.add_argument("--admin-email", required=True)
    ac.add_argument("--ms-tenant", action="append", default=[],
                    help="the customer's Microsoft 365 tenant id (repeatable): prints the link its Global "
                         "Administrator signs in through to link it")
    ac.set_defaults(func=cmd_accounts_create)
    lt = asub.add_parser("link-tenant", help="print the link through which a Microsoft 365 tenant's or a Google "
                                             "Workspace domain's admin links it to an account")
    lt.add_argument("--account-id", "--account", dest="account_id", required=True, type=int)
    which = lt.add_mutually_exclusive_group(required=True)
    which.add_argument("--ms-tenant", help="the Microsoft 365 tenant id (a GUID): prints the link its Global "
                                           "Administrator signs in through; nothing is linked before")
    which.add_argument("--google-domain", help="the Google Workspace domain (the hd claim of its users' tokens): "
                                               "prints the link its super administrator signs in through")
    lt.add_argument("--super-admin", default=None, help="the account's super admin the link is made for "
                                                         "(default: its first)")
    lt.set_defaults(func=cmd_accounts_link_tenant)
    ak = asub.add_parser("api-key", help="make another API key for an account (e.g. a narrower integration key)")
    ak.add_argument("--account-id", required=True, type=int)
    ak.add_argument("--role", required=True, choices=["admin", "integration", "read_only"])
    ak.add_argument("--name", default=None, help="defaults to the role")
    ak.set_defaults(func=cmd_accounts_api_key)
    al = asub.add_parser("api-keys",
                         help="list an account's API keys (prefix, name, role, who made it, revoked and why)")
    al.add_argument("--account-id", required=True, type=int)
    al.set_defaults(func=cmd_accounts_api_keys)
    ar = asub.add_parser("revoke-api-key", help="revoke an API key by its prefix (as `api-keys` lists it)")
    ar.add_argument("--account-id", required=True, type=int)
    ar.add_argument("--prefix", required=True)
    ar.set_defaults(func=cmd_accounts_api_keys)

    e = sub.add_parser("emulator", help="run the local Google/Microsoft emulator")
    e.add_argument("--host", default="127.0.0.1")
    e.add_argument("--port", type=int, default=8090)
    e.add_argument("--tls-port", type=int, default=None)
    e.set_defaults(func=cmd_emulator)

    m = sub.add_parser("manifests", help="write the Gmail deployment and the Outlook manifests for a public URL")
    m.add_argument("--public-url", required=True)
    m.add_argument("--out", required=True)
    m.set_defaults(func=cmd_manifests)

    sm = sub.add_parser("simulate", help="what a raw message would do in a rep's mailbox (changes nothing)")
    sm.add_argument("file")
    sm.add_argument("--mailbox", required=True)
    sm.add_argument("--message-class", help="Outlook: the Exchange message class the message carries "
                    "(e.g. IPM.Note.Rules.OofTemplate.Microsoft), which raw MIME lacks")
    sm.set_defaults(func=cmd_simulate)

    ib = sub.add_parser("inbox", help="list stuck and dead notifications, or requeue them")
    ib.add_argument("--requeue", type=int, nargs="*", help="notification ids to try again")
    ib.add_argument("--requeue-dead", action="store_true", help="try every dead notification again")
    ib.set_defaults(func=cmd_inbox)

    c = sub.add_parser("classify", help="classify raw RFC 822 messages")
    c.add_argument("--json", action="store_true")
    c.add_argument("files", nargs="+")
    c.set_defaults(func=cmd_classify)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    install_redaction()  # every command's log lines, not only the web app's
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingError as exc:  # one line naming the variable, as for a bad argument
        print(f"addin-server: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    finally:
        while _opened:
            _opened.pop().engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
