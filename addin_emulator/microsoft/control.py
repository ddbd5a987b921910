"""The Microsoft side's control API under /_control/microsoft (JSON in and out), for tests and the demo."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from addin_emulator.microsoft import mail, notifications
from addin_emulator.microsoft.graph import FAULT_CODES, take_fault
from addin_emulator.microsoft.identity import SSO_VARIANTS, Identity
from addin_emulator.microsoft.store import (
    Fault,
    Mailbox,
    MicrosoftWorld,
    NotificationFault,
    RegisteredApp,
    iso,
)

PREFIX = "/_control/microsoft"
blueprint = Blueprint("emulator_microsoft_control", __name__)


def _world() -> MicrosoftWorld:
    world: MicrosoftWorld = current_app.extensions["emulator_microsoft"]
    return world


def _identity() -> Identity:
    identity: Identity = current_app.extensions["emulator_microsoft_identity"]
    return identity


def _deliverer() -> notifications.AutoDeliverer:
    deliverer: notifications.AutoDeliverer = current_app.extensions["emulator_microsoft_deliverer"]
    return deliverer


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _problem(status: int, message: str) -> Response:
    resp = jsonify({"error": {"code": "bad_control_request", "message": message}})
    resp.status_code = status
    return resp


def _mailbox_json(mailbox: Mailbox) -> dict[str, Any]:
    return {
        "address": mailbox.address,
        "user_id": mailbox.user_id,
        "tenant_id": mailbox.tenant_id,
        "display_name": mailbox.display_name,
        "aliases": mailbox.aliases,
        "folder_ids": mailbox.folder_ids,
        "directory_roles": mailbox.directory_roles,
    }


def fault_on_identity_routes() -> Response | None:
    """Injected faults for the token endpoint and discovery (Graph checks its own in dispatch)."""
    if not request.path.startswith("/ms/"):
        return None
    fault = take_fault(_world(), request.method, request.path)
    if fault is None or not fault.status:
        return None
    code = fault.code or {429: "temporarily_unavailable", 503: "temporarily_unavailable"}.get(
        fault.status, "server_error"
    )
    resp = jsonify({"error": code, "error_description": FAULT_CODES.get(fault.status, ("", "Injected"))[1],
                    "error_codes": [fault.status]})
    resp.status_code = fault.status
    if fault.retry_after is not None:
        resp.headers["Retry-After"] = str(fault.retry_after)
    return resp


@blueprint.post(f"{PREFIX}/apps")
def create_app() -> Response | tuple[Response, int]:
    body = _json()
    for name in ("client_id", "client_secret", "tenant_id"):
        if not body.get(name):
            return _problem(400, f"{name} is required")
    world = _world()
    app = RegisteredApp(
        client_id=str(body["client_id"]),
        client_secret=str(body["client_secret"]),
        home_tenant_id=str(body["tenant_id"]),
        display_name=str(body.get("display_name") or "Sequence Sidebar"),
    )
    with world.lock:
        world.apps[app.client_id] = app
    return jsonify(asdict(app)), 201


@blueprint.post(f"{PREFIX}/apps/<client_id>/consent")
def set_consent(client_id: str) -> Response:
    body = _json()
    world = _world()
    app = world.apps.get(client_id)
    if app is None or not body.get("tenant_id"):
        return _problem(404 if app is None else 400, "unknown app or missing tenant_id")
    with world.lock:
        app.consent[str(body["tenant_id"])] = bool(body.get("granted", False))
    return jsonify(asdict(app))


@blueprint.post(f"{PREFIX}/tenants")
def add_tenant() -> Response:
    body = _json()
    world = _world()
    with world.lock:
        world.extra_tenants.add(str(body.get("tenant_id")))
    return jsonify({"tenants": sorted(world.tenants())})


@blueprint.post(f"{PREFIX}/mailboxes")
def create_mailbox() -> Response | tuple[Response, int]:
    body = _json()
    if not body.get("address") or not body.get("tenant_id"):
        return _problem(400, "address and tenant_id are required")
    mailbox = _world().create_mailbox(
        str(body["address"]),
        str(body["tenant_id"]),
        user_id=body.get("user_id"),
        display_name=body.get("display_name"),
        aliases=list(body.get("aliases") or []),
        directory_roles=[str(r) for r in body.get("directory_roles") or []],
    )
    return jsonify(_mailbox_json(mailbox)), 201


@blueprint.get(f"{PREFIX}/mailboxes")
def list_mailboxes() -> Response:
    with _world().lock:
        return jsonify({"mailboxes": [_mailbox_json(m) for m in _world().mailboxes.values()]})


@blueprint.get(f"{PREFIX}/mailboxes/<address>/messages")
def mailbox_messages(address: str) -> Response:
    world = _world()
    mailbox = world.mailbox_for(address)
    if mailbox is None:
        return _problem(404, f"no mailbox {address}")
    folder = request.args.get("folder")
    with world.lock:
        items = [
            {
                "id": m.id,
                "immutable_id": m.key,
                "folder": m.folder,
                "subject": m.subject,
                "from": m.from_,
                "to": m.to,
                "cc": m.cc,
                "bcc": m.bcc,
                "internet_message_id": m.internet_message_id,
                "conversation_id": m.conversation_id,
                "is_draft": m.is_draft,
                "message_class": m.message_class,
                "in_reply_to": m.in_reply_to,
                "body": m.body,
                "received": iso(m.received),
                "sent": iso(m.sent) if m.sent else None,
            }
            for m in mailbox.messages.values()
            if folder is None or m.folder == folder
        ]
    return jsonify({"messages": items})


@blueprint.post(f"{PREFIX}/mailboxes/<address>/deliver")
def deliver(address: str) -> Response | tuple[Response, int]:
    """Deliver raw RFC 822: JSON {"raw", "kind"} or the raw bytes with ?kind=auto|note|oof|ndr."""
    world = _world()
    mailbox = world.mailbox_for(address)
    if mailbox is None:
        return _problem(404, f"no mailbox {address}")
    if request.is_json:
        body = _json()
        raw = str(body.get("raw") or "").encode()
        kind = str(body.get("kind") or "auto")
    else:
        raw = request.get_data()
        kind = request.args.get("kind", "auto")
    if not raw.strip():
        return _problem(400, "an RFC 822 message is required")
    try:
        message = mail.deliver(world, mailbox, raw, kind=kind)
    except ValueError as exc:
        return _problem(400, str(exc))
    with world.lock:
        queued = len(world.outbox)
    return jsonify({"id": message.id, "immutable_id": message.key, "internet_message_id": message.internet_message_id,
                    "conversation_id": message.conversation_id, "message_class": message.message_class,
                    "notifications_pending": queued}), 201


@blueprint.post(f"{PREFIX}/sso-tokens")
def mint_sso_token() -> Response | tuple[Response, int]:
    body = _json()
    mailbox = _world().mailbox_for(str(body.get("address") or ""))
    if mailbox is None or not body.get("client_id"):
        return _problem(400, "client_id and the address of an emulated mailbox are required")
    variant = str(body.get("variant") or "valid")
    if variant not in SSO_VARIANTS:
        return _problem(400, f"variant must be one of {SSO_VARIANTS}")
    token = _identity().mint_sso_token(
        str(body["client_id"]), mailbox, variant=variant, scopes=str(body.get("scopes") or "access_as_user")
    )
    return jsonify({"token": token, "variant": variant}), 201


@blueprint.post(f"{PREFIX}/refresh-tokens/revoke")
def revoke_refresh_tokens() -> Response:
    """Revoke one refresh token ({"refresh_token"}) or every one of a user ({"address"})."""
    body = _json()
    world = _world()
    mailbox = world.mailbox_for(str(body.get("address") or "")) if body.get("address") else None
    revoked = 0
    with world.lock:
        for grant in world.refresh_grants.values():
            if grant.token == body.get("refresh_token") or (mailbox and grant.user_id == mailbox.user_id):
                grant.revoked = True
                revoked += 1
    return jsonify({"revoked": revoked})


@blueprint.post(f"{PREFIX}/faults")
def inject_fault() -> Response | tuple[Response, int]:
    """{"route": "/graph/v1.0/users/*/messages*", "status": 429, "count": 1, "retry_after": 2,
    "method": "GET", "delay_seconds": 0, "code": null}; status null with delay_seconds only slows."""
    body = _json()
    if not body.get("route") or (body.get("status") is None and not body.get("delay_seconds")):
        return _problem(400, "route and status (or delay_seconds) are required")
    world = _world()
    fault = Fault(
        id=world.next("fault"),
        route=str(body["route"]),
        method=body.get("method"),
        status=int(body["status"]) if body.get("status") is not None else None,
        remaining=int(body.get("count", 1)),
        retry_after=int(body["retry_after"]) if body.get("retry_after") is not None else None,
        delay_seconds=float(body.get("delay_seconds") or 0),
        code=body.get("code"),
    )
    with world.lock:
        world.faults.append(fault)
    return jsonify(asdict(fault)), 201


@blueprint.get(f"{PREFIX}/faults")
def list_faults() -> Response:
    with _world().lock:
        return jsonify({"faults": [asdict(f) for f in _world().faults]})


@blueprint.delete(f"{PREFIX}/faults")
def clear_faults() -> Response:
    with _world().lock:
        _world().faults.clear()
        _world().notification_faults.clear()
    return jsonify({"faults": []})


@blueprint.post(f"{PREFIX}/notifications/faults")
def notification_fault() -> Response | tuple[Response, int]:
    """{"action": "drop"|"delay"|"duplicate", "count": 1, "delay_seconds": 30} for the next notifications."""
    body = _json()
    action = str(body.get("action") or "")
    if action not in ("drop", "delay", "duplicate"):
        return _problem(400, "action must be drop, delay or duplicate")
    fault = NotificationFault(action, int(body.get("count", 1)), float(body.get("delay_seconds") or 0))
    with _world().lock:
        _world().notification_faults.append(fault)
    return jsonify(asdict(fault)), 201


@blueprint.post(f"{PREFIX}/notifications/flush")
def flush_notifications() -> Response:
    return jsonify(notifications.flush(_world()))


@blueprint.post(f"{PREFIX}/notifications/auto")
def auto_delivery() -> Response:
    enabled = bool(_json().get("enabled", True))
    deliverer = _deliverer()
    if enabled:
        deliverer.start()
    else:
        deliverer.stop()
    return jsonify({"enabled": deliverer.running})


@blueprint.get(f"{PREFIX}/notifications")
def notification_state() -> Response:
    world = _world()
    with world.lock:
        pending = [
            {"notification_id": o.id, "kind": o.kind, "subscription_id": o.subscription_id, "url": o.url,
             "due_at": iso(o.due_at), "attempts": o.attempts, "body": o.body}
            for o in world.outbox
        ]
        return jsonify({"pending": pending, "log": list(world.delivery_log)})


@blueprint.get(f"{PREFIX}/subscriptions")
def all_subscriptions() -> Response:
    world = _world()
    notifications.purge_expired(world)
    with world.lock:
        items = [
            {"id": s.id, "resource": s.resource, "app_id": s.app_id, "change_types": s.change_types,
             "notification_url": s.notification_url, "lifecycle_url": s.lifecycle_url,
             "expiration": iso(s.expiration), "client_state": s.client_state, "mailbox": s.mailbox_address}
            for s in world.subscriptions.values()
        ]
    return jsonify({"subscriptions": items})


@blueprint.post(f"{PREFIX}/subscriptions/<sub_id>/lifecycle")
def send_lifecycle(sub_id: str) -> Response | tuple[Response, int]:
    world = _world()
    notifications.purge_expired(world)
    subscription = world.subscriptions.get(sub_id)
    if subscription is None:
        return _problem(404, f"no active subscription {sub_id}")
    try:
        notifications.lifecycle(world, subscription, str(_json().get("event") or ""))
    except ValueError as exc:
        return _problem(400, str(exc))
    return jsonify({"queued": True}), 202


@blueprint.post(f"{PREFIX}/clock/advance")
def advance_clock() -> Response:
    seconds = float(_json().get("seconds", 0))
    now = _world().clock.advance(seconds)
    return jsonify({"now": now.isoformat()})


@blueprint.get(f"{PREFIX}/state")
def dump_state() -> Response:
    """A summary for debugging the demo."""
    world = _world()
    with world.lock:
        summary = {
            "apps": sorted(world.apps),
            "tenants": sorted(world.tenants()),
            "mailboxes": sorted(world.mailboxes),
            "subscriptions": len(world.subscriptions),
            "pending_notifications": len(world.outbox),
            "now": world.clock.now().isoformat(),
        }
    return Response(json.dumps(summary), content_type="application/json")
