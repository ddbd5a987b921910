"""Linking a Microsoft 365 organisation (or a Google Workspace domain) to an account: the super admin
makes a link in Settings; a Global Administrator of the organisation (a super administrator of the
Workspace) opens it (no Sequence Sidebar session needed), sees which account it is for, and signs
in with Microsoft (Google); the callback binds the tenant on that proof (services/tenant_links.py)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from addin_server.auth.microsoft_sign_in import AnswerMismatch, redeem_auth_code
from addin_server.services import outlook_addin, tenant_links
from addin_server.web.app_pages.frame import PUBLIC_ENDPOINTS, _rep, bp
from addin_server.web.current import services as _services
from addin_server.web.current import settings as _settings
from addin_server.web.sessions import CsrfFailure

TENANT_FLOW = "tenant_link_flow"
GOOGLE_FLOW = "workspace_link_flow"
PUBLIC_ENDPOINTS.update({"app_pages.organisation_link", "app_pages.organisation_link_go",
                         "app_pages.organisation_link_callback", "app_pages.workspace_link_callback"})


@bp.post("/settings/organisation/link")
def organisation_link_start() -> Response:
    """A super admin asks for the link to hand to their organisation's Global Administrator."""
    made = tenant_links.start_link(_services(), _rep().principal, ms_tenant=request.form.get("ms_tenant"),
                                   google_domain=request.form.get("google_domain"))
    who = ("a super administrator of your Google Workspace" if made["provider"] == "google" else
           "a Global Administrator of your Microsoft 365 organisation")
    flash(f"Send this link to {who}; it works once, for 24 hours: {made['url']}", "success")
    return redirect(url_for("app_pages.settings_page"))


def _page(title: str, message: str, status: int = 200, go: dict[str, str] | None = None,
          provider: str = "microsoft") -> tuple[str, int]:
    return render_template("app/organisation_link.html", title=title, message=message, go=go, provider=provider,
                           roles=tenant_links.ADMIN_ROLE_NAMES), status


@bp.get("/organisation/link")
def organisation_link() -> Any:
    """Say which account the link is for before anyone signs in: a link is only followed knowingly."""
    link = tenant_links.open_link(_services(), request.args.get("t", ""))
    go = {"t": link.token, "login_hint": (request.args.get("login_hint") or "")[:320]}
    if link.provider == "google":
        return _page("Link your Google Workspace domain",
                     f"This links the Google Workspace domain {link.tenant_id} to the Sequence Sidebar account "
                     f"\u2068{link.account_name}\u2069: its people then sign in to that account only.", go=go,
                     provider="google")
    meant = f" (organisation {link.tenant_id})" if link.tenant_id else ""
    return _page("Link your Microsoft 365 organisation",
                 f"This links your Microsoft 365 organisation{meant} to the Sequence Sidebar account "
                 f"\u2068{link.account_name}\u2069: its people then sign in to that account only.", go=go)


@bp.post("/organisation/link/go")
def organisation_link_go() -> Response:
    """The sign-in starts only from the page that named the account: a POST with that page's CSRF
    token (checked for every POST), never a GET another site could send a Global Administrator to."""
    token = request.form.get("t", "")
    login_hint = request.form.get("login_hint") or None
    link = tenant_links.open_link(_services(), token)
    if link.provider == "google":
        state = secrets.token_urlsafe(24)
        session[GOOGLE_FLOW] = {"state": state, "t": token}
        return redirect(tenant_links.google_consent_url(
            _services(), token, redirect_uri=_google_return(), state=state,
            login_hint=login_hint))
    flow = outlook_addin.start_microsoft_sign_in(
        _services(), redirect_uri=_settings().public_endpoint(url_for("app_pages.organisation_link_callback")),
        login_hint=login_hint)
    session[TENANT_FLOW] = {"flow": flow, "t": token}
    return redirect(flow["auth_uri"])


@bp.get("/organisation/callback")
def organisation_link_callback() -> Any:
    kept = session.pop(TENANT_FLOW, None)
    if not isinstance(kept, dict) or not isinstance(kept.get("flow"), dict) or not isinstance(kept.get("t"), str):
        raise CsrfFailure("no organisation link was started in this browser")
    try:
        result = redeem_auth_code(_settings(), kept["flow"], request.args.to_dict())
    except AnswerMismatch:
        raise CsrfFailure("the sign-in answer does not belong to this link") from None
    claims = result.get("id_token_claims") if "error" not in result else None
    linked = tenant_links.finish_microsoft_link(_services(), kept["t"], claims if isinstance(claims, dict) else {})
    return _page("Organisation linked",
                 f"Microsoft 365 organisation {linked['tenant_id']} is now linked to \u2068{linked['account']}\u2069, "
                 f"on the sign-in of {linked['proven_by']} ({linked['role']}).")


def _google_return() -> str:
    return _settings().public_endpoint(url_for("app_pages.workspace_link_callback"))


@bp.get("/organisation/google/callback")
def workspace_link_callback() -> Any:
    kept = session.pop(GOOGLE_FLOW, None)
    if not isinstance(kept, dict) or not isinstance(kept.get("state"), str) or not isinstance(kept.get("t"), str):
        raise CsrfFailure("no Workspace link was started in this browser")
    if not hmac.compare_digest(kept["state"], request.args.get("state", "")):
        raise CsrfFailure("the sign-in answer does not belong to this link")
    linked = tenant_links.finish_google_link(_services(), kept["t"], code=request.args.get("code", ""),
                                            redirect_uri=_google_return())
    return _page("Workspace domain linked",
                 f"Google Workspace domain {linked['tenant_id']} is now linked to \u2068{linked['account']}\u2069, "
                 f"on the sign-in of {linked['proven_by']} ({linked['role']}).", provider="google")
