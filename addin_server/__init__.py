"""Sequence Sidebar: the add-in server behind the Gmail add-on and the Outlook add-in."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from addin_server.config import Settings

log = logging.getLogger("addin_server")


def _error(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


def _calendar_busy_times(services: Any) -> Any:
    """Booking pages leave out the times the rep's own calendar shows as busy."""
    from addin_server.services.calendars import ProviderBusyTimes

    return ProviderBusyTimes(services)


def create_app(settings: Settings | None = None, *, services: Any = None) -> Flask:
    """Build the web application. `services` (a ServiceContext) may be injected by tests."""
    from addin_server.auth.errors import AuthError
    from addin_server.services.context import ServiceContext
    from addin_server.services.errors import ServiceError

    settings = settings or Settings.from_env()
    if not settings.secret_key:
        if not settings.demo_mode:
            raise RuntimeError("SECRET_KEY must be set (it signs sessions, links and Graph client states)")
        settings = settings.with_overrides(secret_key=secrets.token_urlsafe(32))
    # static/ and templates live beside the package (the layout of DESIGN.md).
    root = Path(__file__).resolve().parent
    app = Flask(__name__, static_folder=str(root.parent / "static"), static_url_path="/static",
                template_folder=str(root / "templates"))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["settings"] = settings
    app.extensions["services"] = services or ServiceContext.create(settings)
    app.extensions.setdefault("api_authenticators", [])
    app.extensions.setdefault("busy_times", _calendar_busy_times(app.extensions["services"]))

    from addin_server.web import app_pages, register_blueprints

    register_blueprints(app)
    from addin_server.web import dev
    from addin_server.webhooks import register_webhooks

    register_webhooks(app)
    app.register_blueprint(dev.bp)  # demo-only pages; 404 outside demo mode

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> tuple[Response, int]:
        return _error(exc.status, exc.code, exc.message, getattr(exc, "details", None))

    @app.errorhandler(AuthError)
    def _auth_error(exc: AuthError) -> tuple[Response, int]:
        response, status = _error(exc.status, exc.code, exc.message)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = exc.www_authenticate()
        return response, status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int] | HTTPException | BaseResponse:
        status = exc.code or 500
        if request.path == "/app" or request.path.startswith("/app/"):
            return app_pages.http_error_page(exc)  # people's pages keep the app's frame, even for a 405
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
                 415: "unsupported_media_type"}
        if request.path.startswith(("/api/", "/webhooks/", "/gmail/")) or status in (405, 413):
            return _error(status, codes.get(status, "http_error"), exc.description or exc.name)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        # Never leak a stack trace; the log keeps it for operators.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal", "something went wrong on our side; it has been logged")

    return app
