"""Signing in (Google, Microsoft) and out of the web app."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import (
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from addin_server.auth.errors import AuthError
from addin_server.auth.google_tokens import verify_user_id_token
from addin_server.auth.microsoft_tokens import verify_outlook_sso_token
from addin_server.config import GOOGLE_AUTH_URI_DEFAULT, Settings
from addin_server.services import (
    identity,
    outlook_addin,
)
from addin_server.web.app_pages.frame import MS_LOGIN_HOST, SIGN_IN_CHOICES, _safe_next, _template_globals, bp
from addin_server.web.current import services as _services
from addin_server.web.current import settings as _settings
from addin_server.web.sessions import (
    current_rep,
    end_session,
    start_session,
)


def _ms_scope(settings: Settings) -> str:
    host = urlsplit(settings.public_url).netloc
    return f"api://{host}/{settings.ms_client_id}/access_as_user"


def _sign_in_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    settings = _settings()
    offered = current_app.extensions.get(SIGN_IN_CHOICES)
    choices = offered(_services()) if offered is not None else []
    return render_template(
        "app/sign_in.html", error=error, demo_choices=choices, next=request.values.get("next", ""),
        demo_off=offered is not None and not choices,  # a demo whose published key was revoked
        # The buttons load Google's and Microsoft's own scripts, which only work against the real
        # services (the demo points both at the local emulator, where the demo sign-in stands in).
        google_client_id=settings.google_oauth_client_id if settings.google_auth_uri == GOOGLE_AUTH_URI_DEFAULT else "",
        ms_client_id=settings.ms_client_id if settings.ms_authority.startswith(MS_LOGIN_HOST) else "",
        ms_scope=_ms_scope(settings) if settings.ms_client_id else "",
        sign_in_missing=_sign_in_missing(settings),
        # Passed too for the demo's sign-in, which is served outside this blueprint.
        **_template_globals(),
    ), status


def _sign_in_missing(settings: Any) -> str:
    """What keeps each sign-in button off, in the settings' own names (for the page without any)."""
    google = ("GOOGLE_OAUTH_CLIENT_ID is not set" if not settings.google_oauth_client_id else
              "" if settings.google_auth_uri == GOOGLE_AUTH_URI_DEFAULT else
              "GOOGLE_AUTH_URI points elsewhere than Google, whose sign-in button works only against Google itself")
    microsoft = ("MS_CLIENT_ID is not set" if not settings.ms_client_id else
                 "" if settings.ms_authority.startswith(MS_LOGIN_HOST) else
                 f"MS_AUTHORITY does not point at {MS_LOGIN_HOST}, where Microsoft's sign-in works")
    return "; ".join(x for x in (google and f"Google: {google}", microsoft and f"Microsoft: {microsoft}") if x)


@bp.get("/sign-in")
def sign_in() -> Any:
    if current_rep() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return _sign_in_page()


class SignInRefused(Exception):
    """A verified identity that is no rep of ours, or a wrong demo password."""


def signed_in(principal: Any) -> Response:
    if principal is None:
        raise SignInRefused("No rep of a Sequence Sidebar account uses this identity.")
    start_session(principal)
    return redirect(_safe_next(request.form.get("next")))


@bp.errorhandler(AuthError)
def _auth_error(exc: AuthError) -> tuple[str, int]:
    return _sign_in_page(exc.message, exc.status)


@bp.errorhandler(SignInRefused)
def sign_in_refused_page(exc: SignInRefused) -> tuple[str, int]:
    return _sign_in_page(str(exc), 401)


@bp.post("/sign-in/google")
def sign_in_google() -> Response:
    """Google Identity Services posts the ID token (`credential`) it got for our OAuth client."""
    user = verify_user_id_token(request.form.get("credential"), _settings())
    return signed_in(identity.principal_for_google_user(_services(), sub=user.sub, email=user.email,
                                                         hd=user.hd))


@bp.post("/sign-in/microsoft")
def sign_in_microsoft() -> Response:
    """A Microsoft token for our app (the same one the Outlook add-in's SSO yields), from MSAL.js."""
    ctx = _services()
    token = request.form.get("token", "")
    # The tenant check runs only after the signature, audience and issuer checks have passed, so the
    # username it reads from the (then verified) token is safe to use; it lets a tenant's first rep in.
    username = _unverified_username(token)
    user = verify_outlook_sso_token(f"Bearer {token}", _settings(),
                                    is_known_tenant=lambda tid: outlook_addin.tenant_is_served(ctx, tid, username))
    return signed_in(identity.principal_for_microsoft_user(
        ctx, oid=user.oid, tid=user.tid, username=user.preferred_username or "", wids=user.wids))


def _unverified_username(token: str) -> str | None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    name = claims.get("preferred_username")
    return name if isinstance(name, str) else None


@bp.post("/sign-out")
def sign_out() -> Response:
    end_session()
    return redirect(url_for("app_pages.sign_in"))
