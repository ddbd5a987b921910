"""Outgoing webhooks for admins: endpoints, secrets and the delivery log."""

from __future__ import annotations

from typing import Any

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from addin_server.domain.outgoing_webhooks import EVENT_TYPES
from addin_server.services import (
    outgoing_webhooks,
)
from addin_server.services.errors import Conflict, Invalid
from addin_server.web.app_pages.frame import _page_id, _rep, bp
from addin_server.web.current import services as _services

# The one-time reveal of a new secret rides in the session of the admin who made it, never in a URL:
# a URL lands in access logs and can be opened by someone else before its maker does.
REVEAL_KEY = "webhook_secret_reveal"


def _webhooks_page(new_secret: dict[str, Any] | None = None) -> Response:
    endpoints = outgoing_webhooks.list_endpoints(_services(), _rep().principal)
    page = make_response(render_template("app/webhooks.html", endpoints=endpoints, new_secret=new_secret,
                                         event_types=EVENT_TYPES))
    if new_secret:
        page.headers["Cache-Control"] = "no-store"  # a secret on screen is kept in no cache or history copy
    return page


@bp.get("/settings/webhooks")
def webhooks_page() -> Response:
    """Right after a create or a rotate, this session's one-time reveal shows the new secret; a
    reload, another tab later, or anyone else's session sees the page without it."""
    principal = _rep().principal
    if request.args.get("new_secret") != "1":  # `new_secret=1` marks the redirect; it is no capability
        return _webhooks_page()
    token = session.pop(REVEAL_KEY, None)
    new_secret = outgoing_webhooks.reveal_secret(_services(), principal, token) if isinstance(token, str) else None
    if new_secret is None:  # a reload, or another session: nothing to show here
        flash("That secret was already shown once. If it was not copied, rotate it.", "warning")
        return redirect(url_for("app_pages.webhooks_page"))
    return _webhooks_page(new_secret)


def _reveal_here(token: str) -> Response:
    session[REVEAL_KEY] = token
    return redirect(url_for("app_pages.webhooks_page", new_secret=1), code=303)


@bp.post("/settings/webhooks")
def webhook_create() -> Response:
    form = request.form
    try:
        made = outgoing_webhooks.create_endpoint(_services(), _rep().principal, url=form.get("url", ""),
                                                 events=form.getlist("events"),
                                                 description=form.get("description", ""), reveal=True)
    except (Invalid, Conflict) as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.webhooks_page"))
    # Post/Redirect/Get: a reload cannot post again. The secret never travels in the (signed, not
    # encrypted) session: only a one-time token the server redeems once, for this session.
    return _reveal_here(made["reveal"])


@bp.post("/settings/webhooks/<endpoint_id>/rotate")
def webhook_rotate(endpoint_id: str) -> Response:
    _page_id(endpoint_id, "webhook endpoint")
    try:
        rotated = outgoing_webhooks.rotate_secret(_services(), _rep().principal, endpoint_id, reveal=True)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.webhooks_page"))
    return _reveal_here(rotated["reveal"])


@bp.post("/settings/webhooks/<endpoint_id>/enable")
def webhook_enable(endpoint_id: str) -> Response:
    _page_id(endpoint_id, "webhook endpoint")
    enabled = outgoing_webhooks.enable_endpoint(_services(), _rep().principal, endpoint_id)
    flash(f"{enabled['url']} is enabled again; what waited for it is being sent.", "success")
    return redirect(url_for("app_pages.webhooks_page"))


@bp.post("/settings/webhooks/<endpoint_id>/delete")
def webhook_delete(endpoint_id: str) -> Response:
    _page_id(endpoint_id, "webhook endpoint")
    outgoing_webhooks.delete_endpoint(_services(), _rep().principal, endpoint_id)
    flash("Endpoint deleted; nothing more is sent to it.", "success")
    return redirect(url_for("app_pages.webhooks_page"))


@bp.get("/settings/webhooks/<endpoint_id>/deliveries")
def webhook_deliveries(endpoint_id: str) -> str:
    _page_id(endpoint_id, "webhook endpoint")
    principal = _rep().principal
    endpoint = outgoing_webhooks.get_endpoint(_services(), principal, endpoint_id)
    log = outgoing_webhooks.list_deliveries(_services(), principal, endpoint_id,
                                            before=request.args.get("before") or None)
    return render_template("app/webhook_deliveries.html", endpoint=endpoint, **log)


@bp.post("/settings/webhooks/<endpoint_id>/deliveries/<delivery_id>/retry")
def webhook_retry(endpoint_id: str, delivery_id: str) -> Response:
    _page_id(endpoint_id, "webhook endpoint")
    _page_id(delivery_id, "delivery")
    try:
        outgoing_webhooks.retry_delivery(_services(), _rep().principal, endpoint_id, delivery_id)
    except Conflict as exc:  # being sent right now, or the endpoint was disabled meanwhile
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.webhook_deliveries", endpoint_id=endpoint_id))
    flash("The delivery will be sent again in a moment, with the same webhook-id.", "success")
    return redirect(url_for("app_pages.webhook_deliveries", endpoint_id=endpoint_id))
