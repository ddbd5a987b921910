"""Account and rep settings: the rep's mailbox (Gmail consent, Outlook connect), the beta switch."""

from __future__ import annotations

import hmac
import secrets

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from addin_server.services import (
    accounts,
    app_pages,
    mailbox_consent,
    outgoing_webhooks,
    outlook_addin,
    tenant_links,
)
from addin_server.services.errors import Invalid
from addin_server.web.app_pages.frame import CONSENT_STATE, _form_ids, _rep, bp
from addin_server.web.current import services as _services
from addin_server.web.current import settings as _settings
from addin_server.web.sessions import (
    CsrfFailure,
)


@bp.get("/settings")
def settings_page() -> str:
    principal = _rep().principal
    return render_template("app/settings.html", view=app_pages.account_settings(_services(), principal),
                           disabled_webhooks=outgoing_webhooks.disabled_endpoints(_services(), principal),
                           organisations=tenant_links.tenant_links(_services(), principal))


@bp.post("/settings")
def settings_save() -> Response:
    form = request.form
    try:
        threshold = int(form.get("soft_bounce_threshold", ""))
    except ValueError:
        raise Invalid("the soft-bounce threshold must be a whole number") from None
    listed = _form_ids(form.getlist("sequence_listed"), "sequences")
    _form_ids([*form.getlist("pause_on_out_of_office"), *form.getlist("same_company")], "sequences")
    chosen = set(form.getlist("pause_on_out_of_office"))
    same_company = set(form.getlist("same_company"))
    app_pages.save_settings(
        _services(), _rep().principal, unenroll_same_company=form.get("unenroll_same_company") == "on",
        soft_bounce_threshold=threshold, pause_on_out_of_office={s: s in chosen for s in listed},
        same_company={s: s in same_company for s in listed})
    flash("Settings saved.", "success")
    return redirect(url_for("app_pages.settings_page"))


@bp.post("/settings/mailbox/reconnect")
def mailbox_reconnect() -> Response:
    """Send the rep to Google's consent screen for their own Gmail mailbox."""
    state = secrets.token_urlsafe(24)
    session[CONSENT_STATE] = state
    return redirect(mailbox_consent.gmail_consent_url(_services(), _rep().principal, redirect_uri=_consent_return(),
                                                      state=state))


@bp.get("/settings/mailbox/callback")
def mailbox_callback() -> Response:
    """Google sends the rep back here; the state proves this browser started the consent."""
    expected = session.pop(CONSENT_STATE, None)
    given = request.args.get("state", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        raise CsrfFailure("consent state mismatch")
    if request.args.get("error"):
        flash("Gmail access was not granted; the mailbox stays disconnected.", "warning")
        return redirect(url_for("app_pages.settings_page"))
    connected = mailbox_consent.finish_gmail_consent(_services(), _rep().principal, code=request.args.get("code", ""),
                                                     redirect_uri=_consent_return())
    flash(f"Reconnected {connected['mailbox']}.", "success")
    return redirect(url_for("app_pages.settings_page"))


OUTLOOK_FLOW = "outlook_connect_flow"


@bp.post("/settings/mailbox/outlook/connect")
def outlook_connect() -> Response:
    """Sign in with Microsoft to connect the rep's own Outlook mailbox (the tenant admin's consent
    gives the app-only access that reads it)."""

    rep = _rep()
    flow = outlook_addin.start_microsoft_sign_in(
        _services(), redirect_uri=_settings().public_endpoint(url_for("app_pages.outlook_connect_callback")),
        login_hint=rep.email)
    session[OUTLOOK_FLOW] = flow
    return redirect(flow["auth_uri"])


@bp.get("/settings/mailbox/outlook/callback")
def outlook_connect_callback() -> Response:
    from addin_server.services.errors import Forbidden

    flow = session.pop(OUTLOOK_FLOW, None)
    if not isinstance(flow, dict):
        raise CsrfFailure("no Outlook connection was started in this browser")
    mailbox = mailbox_consent.own_mailbox_address(_services(), _rep().principal)
    try:
        linked = outlook_addin.finish_microsoft_sign_in(_services(), flow, request.args.to_dict(), mailbox=mailbox)
        connected = mailbox_consent.connect_signed_in_outlook(_services(), _rep().principal, linked)
    except mailbox_consent.ConsentByAnotherPerson:
        raise  # a 403 page that says who signed in and whose mailbox it is
    except outlook_addin.SignInRefused as exc:
        flash(str(exc), "warning")
        return redirect(url_for("app_pages.settings_page"))
    except Forbidden as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.settings_page"))
    flash(f"Connected {connected['mailbox']}.", "success")
    return redirect(url_for("app_pages.settings_page"))


def _consent_return() -> str:
    return _settings().public_endpoint(url_for("app_pages.mailbox_callback"))


@bp.post("/settings/beta")
def settings_beta() -> Response:
    """Only a super admin may opt in or out; the service refuses anyone else (403)."""
    joined = request.form.get("custom_triggers_beta") == "on"
    accounts.update_account_settings(_services(), _rep().principal, custom_triggers_beta=joined)
    flash("Joined the custom-trigger beta." if joined else "Left the custom-trigger beta.", "success")
    return redirect(url_for("app_pages.settings_page"))
