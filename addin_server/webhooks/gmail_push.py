"""POST /webhooks/gmail: Gmail's Pub/Sub push. Verify, persist, answer 204 at once.

Pub/Sub redelivers anything that is not 2xx, so a verified push that can never be processed
(bad base64, a mailbox we do not follow) is acknowledged and logged, never answered with a 5xx.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, request

from addin_server.auth.google_tokens import verify_pubsub_push
from addin_server.services.gmail.following import record_gmail_push

bp = Blueprint("gmail_push", __name__)
log = logging.getLogger(__name__)


def _decode(body: Any) -> tuple[str, str, str] | None:
    """(pubsub message id, emailAddress, historyId) or None when the body is unusable."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        return None
    message = body["message"]
    message_id = message.get("messageId") or message.get("message_id")
    data = message.get("data")
    if not isinstance(message_id, str) or not message_id or not isinstance(data, str):
        return None
    try:
        decoded = json.loads(base64.b64decode(data, validate=False).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(decoded, dict):
        return None
    address, history = decoded.get("emailAddress"), decoded.get("historyId")
    if not isinstance(address, str) or isinstance(history, bool) or not isinstance(history, (str, int)):
        return None
    history_text = str(history)
    if not history_text.isdigit() or len(history_text) > 20:
        return None
    return message_id[:200], address, history_text


@bp.post("/webhooks/gmail")
def gmail_push() -> Response:
    services = current_app.extensions["services"]
    verify_pubsub_push(request.headers.get("Authorization"), services.settings)
    decoded = _decode(request.get_json(silent=True))
    if decoded is None:
        log.warning("gmail push discarded: unusable body")
        return Response(status=204)
    message_id, address, history = decoded
    recorded = record_gmail_push(services, pubsub_message_id=message_id, email_address=address, history_id=history)
    if recorded.discarded:
        log.info("gmail push discarded: %s", recorded.discarded)
    return Response(status=204)
