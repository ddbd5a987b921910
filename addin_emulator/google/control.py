"""The control API under /_control/google: set up mailboxes, deliver mail, break things, move time."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from addin_emulator.google.calendar_api import event_fields
from addin_emulator.google.errors import GoogleApiError, invalid_argument
from addin_emulator.google.issuer import ADDON_SERVICE_ACCOUNT, OAUTH_CLIENT_ID, PUSH_SERVICE_ACCOUNT
from addin_emulator.google.state import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    GoogleState,
    google_state,
)

bp = Blueprint("emulator_google_control", __name__, url_prefix="/_control/google")


def _state() -> GoogleState:
    return google_state(current_app)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.errorhandler(GoogleApiError)
def _google_error(error: GoogleApiError) -> Response:
    return error.response()


@bp.errorhandler(ValueError)
def _bad_value(error: ValueError) -> Response:
    return invalid_argument(str(error)).response()


def _created(body: Any) -> Response:
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def _raw_message() -> bytes:
    """The message to deliver: a message/rfc822 body, or JSON with `raw` (base64) or `text`."""
    if request.mimetype in ("message/rfc822", "text/plain"):
        return request.get_data()
    body = _body()
    if body.get("text"):
        return str(body["text"]).encode("utf-8")
    if body.get("raw"):
        cleaned = "".join(str(body["raw"]).split())
        try:
            return base64.urlsafe_b64decode(
                cleaned.replace("+", "-").replace("/", "_") + "=" * (-len(cleaned) % 4)
            )
        except (binascii.Error, ValueError) as exc:
            raise invalid_argument("raw must be base64 (standard or url-safe)") from exc
    raise invalid_argument("Send the message as message/rfc822, or JSON with 'raw' or 'text'.")


@bp.post("/reset")
def reset() -> Response:
    _state().reset()
    return jsonify({"reset": True})


@bp.post("/mailboxes")
def create_mailbox() -> Response:
    body = _body()
    mailbox = _state().create_mailbox(str(body.get("address") or ""), list(body.get("aliases") or []),
                                      workspace_admin=bool(body.get("workspace_admin")))
    grant = _state().issue_grant(
        mailbox.address,
        client_id=str(body.get("client_id") or DEFAULT_CLIENT_ID),
        client_secret=str(body.get("client_secret") or DEFAULT_CLIENT_SECRET),
        scopes=list(body.get("scopes") or []),
    )
    return _created(
        {
            "address": mailbox.address,
            "aliases": mailbox.aliases,
            "historyId": str(mailbox.history_id),
            "refresh_token": grant.refresh_token,
            "client_id": grant.client_id,
            "client_secret": grant.client_secret,
        }
    )


@bp.get("/mailboxes")
def list_mailboxes() -> Response:
    with _state().lock:
        return jsonify(
            {"mailboxes": [{"address": m.address, "aliases": m.aliases} for m in _state().mailboxes.values()]}
        )


@bp.get("/mailboxes/<address>/messages")
def list_mailbox_messages(address: str) -> Response:
    """Everything in a mailbox, oldest first, with headers and the raw text (to see what was sent)."""
    mailbox = _state().mailbox(address)
    label = request.args.get("label")
    with _state().lock:
        messages = sorted(mailbox.messages.values(), key=lambda m: (m.internal_date_ms, m.id))
        return jsonify(
            {
                "messages": [
                    {
                        "id": m.id,
                        "threadId": m.thread_id,
                        "labelIds": m.label_ids,
                        "historyId": str(m.history_id),
                        "internalDate": str(m.internal_date_ms),
                        "messageIdHeader": m.message_id_header,
                        "from": m.header("From"),
                        "to": m.header("To"),
                        "subject": m.header("Subject"),
                        "raw": m.raw.decode("utf-8", errors="replace"),
                    }
                    for m in messages
                    if label is None or label in m.label_ids
                ]
            }
        )


@bp.post("/mailboxes/<address>/deliver")
def deliver(address: str) -> Response:
    mailbox = _state().mailbox(address)
    labels = request.args.getlist("label") or None
    message = _state().deliver_message(mailbox, _raw_message(), labels)
    return _created(
        {
            "id": message.id,
            "threadId": message.thread_id,
            "labelIds": message.label_ids,
            "historyId": str(message.history_id),
            "messageIdHeader": message.message_id_header,
        }
    )


@bp.post("/mailboxes/<address>/history/expire")
def expire_history(address: str) -> Response:
    mailbox = _state().mailbox(address)
    before = _body().get("before")
    retained_from = _state().expire_history(mailbox, int(before) if before is not None else None)
    return jsonify({"address": mailbox.address, "retainedFrom": str(retained_from)})


@bp.get("/mailboxes/<address>/watch")
def get_watch(address: str) -> Response:
    mailbox = _state().mailbox(address)
    with _state().lock:
        watch = mailbox.watch
        if watch is None:
            return jsonify({"watch": None})
        return jsonify(
            {
                "watch": {
                    "topicName": watch.topic_name,
                    "labelIds": watch.label_ids,
                    "expiration": str(watch.expiration_ms),
                    "active": watch.expiration_ms > _state().clock.millis(),
                }
            }
        )


@bp.put("/push")
def set_default_push() -> Response:
    push = _state().set_push(_body())
    return jsonify(push.__dict__)


@bp.put("/mailboxes/<address>/push")
def set_mailbox_push(address: str) -> Response:
    push = _state().set_push(_body(), _state().mailbox(address))
    return jsonify(push.__dict__)


@bp.post("/grants")
def issue_grant() -> Response:
    body = _body()
    grant = _state().issue_grant(
        str(body.get("address") or ""),
        client_id=str(body.get("client_id") or DEFAULT_CLIENT_ID),
        client_secret=str(body.get("client_secret") or DEFAULT_CLIENT_SECRET),
        scopes=list(body.get("scopes") or []),
    )
    code = _state().issue_code(grant) if body.get("authorization_code") else None
    return _created(
        {
            "address": grant.address,
            "refresh_token": grant.refresh_token,
            "client_id": grant.client_id,
            "client_secret": grant.client_secret,
            "code": code,
        }
    )


@bp.post("/grants/revoke")
def revoke_grant() -> Response:
    body = _body()
    count = _state().revoke(refresh_token=body.get("refresh_token"), address=body.get("address"))
    return jsonify({"revoked": count})


@bp.post("/faults")
def add_fault() -> Response:
    fault = _state().add_fault(_body())
    return _created(fault.summary())


@bp.get("/faults")
def list_faults() -> Response:
    with _state().lock:
        return jsonify({"faults": [f.summary() for f in _state().faults]})


@bp.delete("/faults")
def clear_faults() -> Response:
    with _state().lock:
        _state().faults.clear()
    return jsonify({"faults": []})


@bp.post("/notifications/faults")
def add_notification_fault() -> Response:
    body = _body()
    _state().outbox.add_fault(
        str(body.get("action") or ""),
        int(body.get("count", 1)),
        float(body.get("seconds", 0)),
        body.get("kind"),
    )
    return _created({"queued_faults": len(_state().outbox.faults)})


@bp.get("/notifications")
def list_notifications() -> Response:
    kind = request.args.get("kind")
    with _state().lock:
        items = [n.summary() for n in _state().outbox.items if kind in (None, n.kind)]
    return jsonify({"notifications": items, "mode": _state().outbox.mode})


@bp.delete("/notifications")
def discard_notifications() -> Response:
    """Forget queued notifications and pending notification faults (between tests)."""
    _state().outbox.reset()
    return jsonify({"notifications": []})


@bp.post("/flush")
def flush() -> Response:
    return jsonify({"deliveries": _state().outbox.flush()})


@bp.put("/delivery")
def set_delivery_mode() -> Response:
    body = _body()
    _state().outbox.set_mode(str(body.get("mode") or ""), float(body.get("interval", 0.2)))
    return jsonify({"mode": _state().outbox.mode})


@bp.post("/clock/advance")
def advance_clock() -> Response:
    now = _state().clock.advance(float(_body().get("seconds", 0)))
    return jsonify({"now": now.isoformat(), "millis": _state().clock.millis()})


@bp.post("/calendars/<address>/events")
def add_calendar_event(address: str) -> Response:
    """An event appears in a mailbox's calendar from outside (e.g. a contact books a meeting)."""
    mailbox = _state().mailbox(address)
    calendar = _state().calendars[mailbox.address]
    event = _state().save_event(calendar, None, event_fields(_body()))
    return _created(event.resource())


@bp.post("/calendars/<address>/sync-tokens/invalidate")
def invalidate_sync_tokens(address: str) -> Response:
    mailbox = _state().mailbox(address)
    with _state().lock:
        calendar = _state().calendars[mailbox.address]
        calendar.epoch += 1
    return jsonify({"address": mailbox.address, "invalidated": True})


@bp.post("/id-tokens")
def mint_id_token() -> Response:
    """Mint an ID token: kind addon_system, user or pubsub; `flaw` makes a broken one on purpose."""
    body = _body()
    issuer = _state().issuer
    kind = body.get("kind")
    flaw = body.get("flaw")
    if kind == "addon_system":
        token = issuer.addon_system_token(
            str(body.get("audience") or ""), str(body.get("email") or ADDON_SERVICE_ACCOUNT), flaw
        )
    elif kind == "user":
        token = issuer.user_id_token(
            str(body.get("email") or ""),
            str(body.get("audience") or OAUTH_CLIENT_ID),
            body.get("sub"),
            flaw,
        )
    elif kind == "pubsub":
        token = issuer.pubsub_token(
            str(body.get("audience") or ""), str(body.get("email") or PUSH_SERVICE_ACCOUNT), flaw
        )
    else:
        raise invalid_argument("kind must be addon_system, user or pubsub")
    return _created({"token": token})


@bp.get("/requests")
def list_requests() -> Response:
    with _state().lock:
        return jsonify({"requests": list(_state().request_log)})


@bp.delete("/requests")
def clear_requests() -> Response:
    with _state().lock:
        _state().request_log.clear()
    return jsonify({"requests": []})
