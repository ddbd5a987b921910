"""Public pages that need no sign-in: the landing page and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    services = current_app.extensions["services"]
    with services.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.get("/")
def index() -> Any:
    settings = current_app.extensions["settings"]
    return jsonify({
        "product": "Sequence Sidebar",
        "api": settings.public_endpoint("/api/v1/openapi.json"),
        "health": settings.public_endpoint("/healthz"),
    })
