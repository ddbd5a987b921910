"""Web app sign-in sessions and CSRF tokens.

The session is Flask's signed cookie (SECRET_KEY) holding only a random session token; the session
itself lives in the database (services/web_sessions), so signing out, a role change or a removed
rep ends it on the server, wherever a copy of the cookie is. The rep is read again on every request.
The cookie is HttpOnly, SameSite=Lax, and Secure whenever PUBLIC_URL is https.

Every POST form carries a CSRF token from Flask-WTF (`generate_csrf` / `validate_csrf`: a random
value kept in the session, sent signed and time-limited in the form). The app-wide CSRFProtect is
not used, because the JSON API, the webhooks and the add-in endpoints authenticate with bearer
tokens and must not require a form token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from addin_server.config import Settings
from addin_server.services import web_sessions
from addin_server.services.app_pages import SignedInRep, signed_in_rep
from addin_server.services.context import Principal
from addin_server.services.web_sessions import SESSION_HOURS

SESSION_TOKEN = "session"  # noqa: S105 - the name of a cookie field, not a secret
CSRF_FIELD = "csrf_token"


class CsrfFailure(Exception):
    """A POST without a valid CSRF token (missing, forged, or from a page left open too long)."""


def configure_session_cookies(app: Flask, settings: Settings) -> None:
    """Cookie attributes for the web app's session."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.lower().startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        # A form left open for a working day still submits.
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )


def start_session(principal: Principal) -> None:
    """Sign a rep in. The old session is dropped first so a planted session id cannot be reused."""
    if principal.user_id is None:
        raise ValueError("only a rep can sign in to the web app")
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN] = web_sessions.start(current_app.extensions["services"], principal)


def end_session() -> None:
    """Sign out: the session ends on the server too, not only in this browser."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        web_sessions.end(current_app.extensions["services"], token)
    session.clear()


def current_rep() -> SignedInRep | None:
    """The signed-in rep of this request, or None (read once per request)."""
    if "signed_in_rep" in g:
        rep: SignedInRep | None = g.signed_in_rep
        return rep
    services = current_app.extensions["services"]
    token = session.get(SESSION_TOKEN)
    live = web_sessions.resolve(services, token) if isinstance(token, str) else None
    rep = signed_in_rep(services, *live) if live is not None else None
    if rep is None and token is not None:
        session.pop(SESSION_TOKEN, None)  # ended on the server, or the rep was removed: the cookie is worthless
    g.signed_in_rep = rep
    return rep


def csrf_token() -> str:
    """The token to put in every form (a hidden input named CSRF_FIELD)."""
    token: str = generate_csrf()
    return token


def check_csrf(form: Any = None) -> None:
    """Raise CsrfFailure unless the request's form carries this session's CSRF token."""
    data = (form if form is not None else request.form).get(CSRF_FIELD)
    try:
        validate_csrf(data)
    except ValidationError as exc:
        raise CsrfFailure(str(exc)) from None
