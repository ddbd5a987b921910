"""The blueprint every Google API route hangs on: injected faults, bearer tokens, the request log."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from addin_emulator.google.errors import GoogleApiError, unauthenticated
from addin_emulator.google.mailboxes import Mailbox
from addin_emulator.google.state import GoogleState, google_state

bp = Blueprint("emulator_google_api", __name__)

# Routes that need `Authorization: Bearer <access token>`; /token, the certificates and batch do not.
_AUTHORIZED_PREFIXES = ("/gmail/", "/upload/gmail/", "/calendar/", "/admin/directory/")
_OAUTH_PATHS = ("/token", "/revoke", "/o/oauth2/revoke")
_OAUTH_ERROR_CODES = {429: "rate_limit_exceeded", 500: "internal_failure", 503: "temporarily_unavailable"}


def _oauth_fault(fault: GoogleApiError) -> Response:
    """The token endpoint answers in OAuth's own error shape, not the API one."""
    resp = jsonify(
        {"error": _OAUTH_ERROR_CODES.get(fault.code, "invalid_request"), "error_description": fault.message}
    )
    resp.status_code = fault.code
    for name, value in fault.headers.items():
        resp.headers[name] = value
    return resp


def state() -> GoogleState:
    return google_state(current_app)


def current_mailbox() -> Mailbox:
    mailbox = g.get("google_mailbox")
    assert isinstance(mailbox, Mailbox)
    return mailbox


def owner(user_id: str) -> Mailbox:
    """The signed-in mailbox, if `user_id` ("me", its address or an alias) names it."""
    mailbox = current_mailbox()
    if not mailbox.owns(user_id):
        raise GoogleApiError(403, f"Delegation denied for {mailbox.address}", "forbidden")
    return mailbox


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def ok(body: dict[str, Any], status: int = 200) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Content-Type"] = "application/json; charset=UTF-8"
    return resp


def empty(status: int = 204) -> Response:
    return Response(b"", status=status)


@bp.before_request
def _inject_fault_and_authorize() -> Response | None:
    fault = state().take_fault(request.method, request.path)
    if fault is not None:
        g.google_fault = True
        if request.path in _OAUTH_PATHS:
            return _oauth_fault(fault)
        return fault.response()
    if request.path.startswith(_AUTHORIZED_PREFIXES):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        mailbox = state().mailbox_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if mailbox is None:
            return unauthenticated().response()
        g.google_mailbox = mailbox
    return None


@bp.after_request
def _record(response: Response) -> Response:
    body: Any = None
    if response.mimetype == "application/json" and not response.direct_passthrough:
        try:
            body = json.loads(response.get_data())
        except ValueError:
            body = None
    state().record(
        {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("utf-8", errors="replace"),
            "status": response.status_code,
            "fault": bool(g.get("google_fault")),
            "body": body,
            "empty": not response.direct_passthrough and not response.get_data(),
        }
    )
    return response


@bp.errorhandler(GoogleApiError)
def _google_error(error: GoogleApiError) -> Response:
    return error.response()
