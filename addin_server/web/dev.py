"""Demo-only tools under /dev/: deliver a message into a rep's emulated mailbox and watch it act.

Every route answers 404 unless the app runs in demo mode.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from addin_server.services import accounts, enrollments
from addin_server.services.demo import DEMO_API_KEY, DEMO_KINDS, deliver_demo_message
from addin_server.services.errors import ServiceError

bp = Blueprint("dev_tools", __name__, url_prefix="/dev")


@bp.before_request
def _demo_only() -> None:
    if not current_app.extensions["settings"].demo_mode:
        abort(404)


def _demo_principal() -> Any:
    return accounts.authenticate_api_key(current_app.extensions["services"], DEMO_API_KEY)


@bp.get("/")
def index() -> Any:
    ctx = current_app.extensions["services"]
    principal = _demo_principal()
    rows = enrollments.list_enrollments(ctx, principal, limit=100)
    return render_template("dev/index.html", enrollments=rows, kinds=DEMO_KINDS,
                           message=request.args.get("message", ""))


@bp.post("/deliver")
def deliver() -> Any:
    ctx = current_app.extensions["services"]
    try:
        result = deliver_demo_message(ctx, _demo_principal(), request.form.get("enrollment_id", ""),
                                      request.form.get("kind", ""))
    except ServiceError as exc:
        return redirect(url_for("dev_tools.index", message=f"Not delivered: {exc.message}"))
    text = (f"Delivered a {result['kind'].replace('_', ' ')} from {result['from']} into {result['delivered_to']}. "
            "Gmail pushes it to /webhooks/gmail; the worker applies it within a few seconds.")
    return redirect(url_for("dev_tools.index", message=text))
