"""Sequence Sidebar: the add-in server behind the Gmail add-on and the Outlook add-in."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response as BaseResponse

from addin_server.assets import STATIC
from addin_server.config import Settings

log = logging.getLogger("addin_server")

# A raw message to classify may hold any byte, NUL included; it is parsed, never stored as text.
RAW_MESSAGE_PATHS = frozenset({"/api/v1/inbound/simulate"})


def _error(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested deeper than Python can parse is invalid JSON (a 400), not
    a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send log lines at `level` and above to stderr, the same for the CLI and the WSGI entry point.

    Under gunicorn nothing else configures the root logger, which would stay at WARNING and drop
    every INFO line operators are told to look for. A level Python does not know falls back to INFO.
    """
    name = level.strip().upper()
    known = isinstance(logging.getLevelName(name), int)
    logging.basicConfig(level=name if known else "INFO", format=LOG_FORMAT)
    if not known:
        log.warning("LOG_LEVEL %r is not a logging level; using INFO", level)


def _calendar_busy_times(services: Any) -> Any:
    """Booking pages leave out the times the rep's own calendar shows as busy."""
    from addin_server.services.free_busy import ProviderBusyTimes

    return ProviderBusyTimes(services)


def create_app(settings: Settings | None = None, *, services: Any = None) -> Flask:
    """Build the web application. `services` (a ServiceContext) may be injected by tests."""
    from addin_server.auth.errors import AuthError
    from addin_server.auth.redaction import install_redaction
    from addin_server.services.errors import ServiceError
    from addin_server.services.startup import open_services

    settings = settings or Settings.from_env()
    # Request lines (werkzeug's server) and our own messages name URLs; their tokens stay out.
    install_redaction()
    if not settings.secret_key:
        if not settings.demo_mode:
            raise RuntimeError("SECRET_KEY must be set (it signs sessions, links and Graph client states)")
        settings = settings.with_overrides(secret_key=secrets.token_urlsafe(32))
    # templates live in the package; static/ beside it in a checkout, inside it in the wheel (assets.py).
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static",
                template_folder=str(Path(__file__).resolve().parent / "templates"))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json = BoundedJSONProvider(app)
    app.json.sort_keys = False
    app.extensions["settings"] = settings
    app.extensions["services"] = services or open_services(settings)
    app.extensions.setdefault("api_authenticators", [])
    app.extensions.setdefault("busy_times", _calendar_busy_times(app.extensions["services"]))

    from addin_server.web import app_pages, register_blueprints

    register_blueprints(app)
    from addin_server.webhooks import register_webhooks

    register_webhooks(app)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> tuple[Response, int]:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL cannot store or compare text holding NUL (SQLite can): refuse it at the door,
        # the same on both databases. Webhooks are left to their own verify-then-acknowledge path.
        if request.path.startswith("/webhooks/"):
            return
        if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            raise BadRequest("text must not contain NUL characters (in the query)")
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
                "\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            raise BadRequest("text must not contain NUL characters (in the form)")
        if request.is_json and request.path not in RAW_MESSAGE_PATHS and b"\\u0000" in request.get_data(cache=True):
            raise BadRequest("text must not contain NUL characters (\\u0000 in the JSON body)")

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
