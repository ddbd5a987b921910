"""Public pages that need no sign-in: the landing page, the favicon and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for
from sqlalchemy import text

from addin_server.assets import STATIC

# The add-in's own 32 px icon, read once (1 KB).
FAVICON = (STATIC / "outlook" / "icons" / "icon-32.png").read_bytes()

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    services = current_app.extensions["services"]
    with services.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.get("/favicon.ico")
def favicon() -> Any:
    """Browsers ask every site for /favicon.ico; the product's icon (PNG, which every browser takes)."""
    response = Response(FAVICON, mimetype="image/png")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/")
def index() -> Any:
    """A person's browser goes to the web app; an API client (curl, a script) gets where things are."""
    accepts = request.accept_mimetypes
    if accepts.best_match(["application/json", "text/html"]) == "text/html" and \
            accepts["text/html"] > accepts["application/json"]:
        response = redirect(url_for("app_pages.home"))
    else:
        settings = current_app.extensions["settings"]
        response = jsonify({
            "app": settings.public_endpoint("/app/"),
            "product": "Sequence Sidebar",
            "api": settings.public_endpoint("/api/v1/openapi.json"),
            "health": settings.public_endpoint("/healthz"),
        })
    response.vary.add("Accept")  # the answer depends on it: a cache must not give a browser the JSON
    return response
