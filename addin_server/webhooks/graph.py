"""POST /webhooks/graph and /webhooks/graph/lifecycle: Microsoft Graph change notifications.

Graph first validates the URL (POST with ?validationToken=...: answer 200 text/plain echoing the
token within 10 s), then delivers batches of items. Each item must name one of our subscriptions
and carry its clientState; the good ones are stored in one write and we answer 202 well inside
Graph's 3 seconds. The worker fetches the messages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, request

from addin_server.services.graph.notices import record_graph_items

bp = Blueprint("graph_webhooks", __name__)
log = logging.getLogger(__name__)
MAX_ITEMS = 1000


def _validation_response() -> Response | None:
    token = request.args.get("validationToken")
    if token is None:
        return None
    if len(token) > 4096:
        return Response("validation token too long", status=400, mimetype="text/plain")
    response = Response(token, status=200, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _items() -> list[dict[str, Any]] | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        return None
    return [i for i in body["value"][:MAX_ITEMS] if isinstance(i, dict)]


def _receive(lifecycle: bool) -> Response:
    validation = _validation_response()
    if validation is not None:
        return validation
    items = _items()
    if items is None:
        return Response('{"error": {"code": "bad_request", "message": "expected {\\"value\\": [...]}"}}',
                        status=400, mimetype="application/json")
    counts = record_graph_items(current_app.extensions["services"], items, lifecycle=lifecycle)
    if counts["dropped"]:
        log.warning("graph %s: dropped %d item(s) failing subscription or clientState checks",
                    "lifecycle" if lifecycle else "notification", counts["dropped"])
    return Response(status=202)


@bp.post("/webhooks/graph")
def graph_notifications() -> Response:
    return _receive(lifecycle=False)


@bp.post("/webhooks/graph/lifecycle")
def graph_lifecycle() -> Response:
    return _receive(lifecycle=True)
