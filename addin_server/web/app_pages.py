"""The web app for signed-in reps (/app/...): contact record, sequences and their tabs, settings.

Server-rendered pages (Jinja2) with a little vanilla JS (static/app/app.js). Routes stay thin:
check the session and the CSRF token, parse the form, call one service function, redirect with a
message. Permissions are decided by the services, so a forged form gets 403 like the API would.
"""

from __future__ import annotations

import hmac
import posixpath
import re
import secrets
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response

from addin_server.auth.errors import AuthError
from addin_server.auth.google_tokens import verify_user_id_token
from addin_server.auth.microsoft_tokens import verify_outlook_sso_token
from addin_server.config import GOOGLE_AUTH_URI_DEFAULT, Settings
from addin_server.domain.outgoing_webhooks import EVENT_TYPES
from addin_server.domain.wording import REASON_LABELS
from addin_server.services import (
    accounts,
    app_pages,
    directory,
    enrollments,
    identity,
    mailbox_consent,
    outgoing_webhooks,
    outlook_addin,
)
from addin_server.services.app_pages import SignedInRep
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound, ServiceError
from addin_server.web.csp import app_pages_policy
from addin_server.web.sessions import (
    CsrfFailure,
    check_csrf,
    configure_session_cookies,
    csrf_token,
    current_rep,
    end_session,
    start_session,
)

bp = Blueprint("app_pages", __name__, url_prefix="/app")

TABS = ("enrollments", "scheduled", "automation", "performance")
# Ids in the app's addresses are plain ASCII numbers; anything else names no page (int() would accept
# " 7", "7_0" and "٧").
PAGE_ID = re.compile(r"[1-9][0-9]{0,17}")
CONSENT_STATE = "gmail_consent_state"
MS_LOGIN_HOST = "https://login.microsoftonline.com/"
DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password; the route 404s outside demo mode
# Pages anyone may open; everything else needs a signed-in rep.
PUBLIC_ENDPOINTS = {"app_pages.sign_in", "app_pages.sign_in_google", "app_pages.sign_in_microsoft",
                    "app_pages.sign_in_demo"}


@bp.record_once
def _configure(state: Any) -> None:
    configure_session_cookies(state.app, state.app.extensions["settings"])


def _services() -> ServiceContext:
    ctx: ServiceContext = current_app.extensions["services"]
    return ctx


def _settings() -> Settings:
    settings: Settings = current_app.extensions["settings"]
    return settings


def _rep() -> SignedInRep:
    rep = current_rep()
    if rep is None:  # unreachable behind _require_sign_in; keeps the type checker honest
        abort(401)
    return rep


@bp.before_request
def _require_sign_in() -> Response | None:
    if request.method == "POST":
        check_csrf()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_rep() is None:
        if request.method == "GET":
            return redirect(url_for("app_pages.sign_in", next=request.full_path.rstrip("?")))
        abort(401)
    return None


@bp.after_request
def _page_headers(response: Response) -> Response:
    # Pages with unenroll buttons must not be framed by another site (clickjacking).
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", _policy())
    return response


def _policy() -> str:
    policy = current_app.extensions.get("app_pages_csp")
    if policy is None:
        policy = current_app.extensions["app_pages_csp"] = app_pages_policy(_settings())
    return str(policy)


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "rep": current_rep(), "settings": _settings(), "reason_words": REASON_LABELS}


@bp.app_template_filter("app_when")
def _when(value: datetime | str | None) -> str:
    """A time as reps read it: "26 Nov 2026, 09:30 UTC"."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.strftime("%-d %b %Y, %H:%M UTC")


@bp.app_template_filter("isolate")
def _isolate(value: object) -> str:
    """A name inside plain text (a dialog's sentence, a message), isolated with FSI…PDI like <bdi>
    does in HTML, so a right-to-left name, or a planted override, cannot reorder the words around it."""
    return f"\u2068{value}\u2069"


@bp.app_template_filter("app_date")
def _date(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def _printable(text: str) -> str:
    """Text safe to show: control and format characters (a NUL, a bidi override) become U+FFFD."""
    return "".join("\ufffd" if unicodedata.category(ch)[0] == "C" and ch not in "\n\t" else ch for ch in text)


def _page_error(status: int, title: str, message: str) -> tuple[str, int]:
    # The globals are passed as well: a routing error (405) reaches here outside the blueprint.
    return render_template("app/error.html", status=status, title=title, message=_printable(message),
                           back=_way_back(), **_template_globals()), status


def _way_back() -> tuple[str, str]:
    """The error page's link back: to the list the rep came from."""
    endpoint = request.endpoint or ""
    if endpoint.startswith("app_pages.contact"):
        return url_for("app_pages.contacts_list"), "Back to contacts"
    if endpoint.startswith(("app_pages.settings", "app_pages.webhook", "app_pages.mailbox", "app_pages.outlook")):
        return url_for("app_pages.settings_page"), "Back to settings"
    return url_for("app_pages.sequences_list"), "Back to sequences"


# What each page's address names, for a 404 in words ("There is no contact at this address").
PAGE_SUBJECTS = (("app_pages.contact", "contact"), ("app_pages.sequence", "sequence"),
                 ("app_pages.webhook", "webhook endpoint"))


def _page_subject() -> str:
    endpoint = request.endpoint or ""
    return next((what for prefix, what in PAGE_SUBJECTS if endpoint.startswith(prefix)), "page")


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> tuple[str, int]:
    titles = {401: "Please sign in", 403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Check the form"}
    message = exc.message
    if type(exc) is NotFound:
        # The services' own words name ids ("contact 999 not found"); a person reads a sentence.
        message = (f"There is no {_page_subject()} at this address. It may have been mistyped, or the link is "
                   "out of date.")
    return _page_error(exc.status, titles.get(exc.status, "Something is wrong"), _sentence(message))


def _sentence(message: str) -> str:
    """The services write messages for the API, in lower case; a page starts a sentence with a capital."""
    return message[:1].upper() + message[1:] if message else message


@bp.errorhandler(PageNotFound)
def _page_not_found(exc: PageNotFound) -> tuple[str, int]:
    return _page_error(404, "Page not found",
                       "There is no page at this address. It may have been mistyped, or the link is out of date.")


def http_error_page(exc: HTTPException) -> Response:
    """An HTTP error (405, 404) on an /app/ address, inside the app's frame. Called by the app's own
    handler: routing errors happen before any blueprint is chosen, so the blueprint's handlers never see them."""
    if isinstance(exc, MethodNotAllowed) and _names_no_page(request.path):
        exc = PageNotFound()
    if isinstance(exc, MethodNotAllowed):
        body, status = _page_error(405, "This page cannot do that",
                                   "This address is a page to open, not a form to send. Go back and use the page's "
                                   "own buttons.")
    elif isinstance(exc, PageNotFound):
        body, status = _page_not_found(exc)
    elif exc.code == 401:
        body, status = _page_error(401, "Please sign in", "You are signed out, so nothing was changed. Sign in and "
                                   "try again.")
    else:
        body, status = _page_error(exc.code or 400, exc.name, exc.description or exc.name)
    response = Response(body, status, mimetype="text/html")
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return _page_headers(response)


def _names_no_page(path: str) -> bool:
    """True when even a GET of this address would reach no real page (only the catch-all 404)."""
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return True
    return bool(endpoint == "app_pages.unknown_page")


def _page_id(raw: str, what: str) -> str:
    """An id from the page's address, or a 404 that does not echo what was typed."""
    if not PAGE_ID.fullmatch(raw):
        raise NotFound(f"There is no {what} at this address.")
    return raw


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> tuple[str, int]:
    # Refused at the door (a NUL in the address or the form): said inside the app's frame too.
    return _page_error(400, "This request cannot be read",
                       "The address or the form held characters no page accepts (a NUL). Go back and try again.")


class NotInThisSequence(NotFound):
    """A form names enrollments of another sequence (or none): said in its own words, not as a missing page."""


def _form_ids(raw: list[str], what: str) -> list[str]:
    """Ids a form sends: plain ASCII numbers only ("٣٧", "３８", " 38" or "3_8" would pass int()).
    The error does not echo what was sent."""
    if not all(PAGE_ID.fullmatch(i) for i in raw):
        raise Invalid(f"This form names {what} that cannot exist. Nothing was changed; reload the page and try again.")
    return raw


@bp.errorhandler(CsrfFailure)
def _csrf_error(exc: CsrfFailure) -> tuple[str, int]:
    return _page_error(400, "This form has expired",
                       "The page was open too long or did not come from this site. Reload it and try again.")


def _safe_next(target: str | None) -> str:
    """Only our own /app/ pages are valid places to return to after signing in (no open redirect).
    The path is resolved first, so "/app/../../etc/passwd" cannot lead out of the app."""
    unsafe = " " in (target or "") or "\\" in (target or "")
    if target and not unsafe and not any(unicodedata.category(ch)[0] == "C" for ch in target):
        parts = urlsplit(target)
        path = posixpath.normpath(parts.path) + ("/" if parts.path.endswith("/") else "")
        if not parts.scheme and not parts.netloc and path.startswith("/app/") and not path.startswith("//"):
            return path + (f"?{parts.query}" if parts.query else "")
    return url_for("app_pages.sequences_list")


# --- signing in and out ----------------------------------------------------------------------


def _ms_scope(settings: Settings) -> str:
    host = urlsplit(settings.public_url).netloc
    return f"api://{host}/{settings.ms_client_id}/access_as_user"


def _sign_in_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    settings = _settings()
    choices = app_pages.demo_sign_in_choices(_services()) if settings.demo_mode else []
    return render_template(
        "app/sign_in.html", error=error, demo_choices=choices, next=request.values.get("next", ""),
        # The buttons load Google's and Microsoft's own scripts, which only work against the real
        # services (the demo points both at the local emulator, where the demo sign-in stands in).
        google_client_id=settings.google_oauth_client_id if settings.google_auth_uri == GOOGLE_AUTH_URI_DEFAULT else "",
        ms_client_id=settings.ms_client_id if settings.ms_authority.startswith(MS_LOGIN_HOST) else "",
        ms_scope=_ms_scope(settings) if settings.ms_client_id else "",
        sign_in_missing=_sign_in_missing(settings),
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


def _signed_in(principal: Any) -> Response:
    if principal is None:
        raise SignInRefused("No rep of a Sequence Sidebar account uses this identity.")
    start_session(principal)
    return redirect(_safe_next(request.form.get("next")))


@bp.errorhandler(AuthError)
def _auth_error(exc: AuthError) -> tuple[str, int]:
    return _sign_in_page(exc.message, exc.status)


@bp.errorhandler(SignInRefused)
def _sign_in_refused(exc: SignInRefused) -> tuple[str, int]:
    return _sign_in_page(str(exc), 401)


@bp.post("/sign-in/google")
def sign_in_google() -> Response:
    """Google Identity Services posts the ID token (`credential`) it got for our OAuth client."""
    user = verify_user_id_token(request.form.get("credential"), _settings())
    return _signed_in(identity.principal_for_google_user(_services(), sub=user.sub, email=user.email,
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
    return _signed_in(identity.principal_for_microsoft_user(
        ctx, oid=user.oid, tid=user.tid, username=user.preferred_username or ""))


def _unverified_username(token: str) -> str | None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    name = claims.get("preferred_username")
    return name if isinstance(name, str) else None


@bp.route("/sign-in/demo", methods=["GET", "POST"])
def sign_in_demo() -> Response:
    """Demo mode only: pick a seeded rep, password "demo". Absent (404) everywhere else."""
    if not _settings().demo_mode:
        abort(404)
    if request.method == "GET":
        return redirect(url_for("app_pages.sign_in"))
    if request.form.get("password") != DEMO_PASSWORD:
        raise SignInRefused('Wrong password (in the demo it is "demo").')
    return _signed_in(app_pages.principal_for_demo_rep(_services(), request.form.get("email", "")))


@bp.post("/sign-out")
def sign_out() -> Response:
    end_session()
    return redirect(url_for("app_pages.sign_in"))


# --- contact record --------------------------------------------------------------------------


@bp.get("/")
def home() -> Response:
    return redirect(url_for("app_pages.sequences_list"))


def _page_number() -> int:
    """`?page=` of a list page, the same check on every page that takes one (the tabs show a single
    page, but still refuse what no page number could be)."""
    raw = request.args.get("page", "1")
    if not PAGE_ID.fullmatch(raw):
        raise Invalid("The page number must be a whole number from 1.")
    return int(raw)


@bp.get("/contacts")
def contacts_list() -> str:
    """Every contact of the account, searched by name, address or company, a page at a time."""
    view = app_pages.contact_list(_services(), _rep().principal, query=request.args.get("q", ""),
                                  page=_page_number())
    return render_template("app/contacts.html", view=view)


@bp.get("/contacts/<contact_id>")
def contact(contact_id: str) -> str:
    record = app_pages.contact_record(_services(), _rep().principal, _page_id(contact_id, "contact"))
    return render_template("app/contact.html", contact=record)


@bp.post("/contacts/<contact_id>/unenroll")
def contact_unenroll(contact_id: str) -> Response:
    rep = _rep()
    record = app_pages.contact_record(_services(), rep.principal, _page_id(contact_id, "contact"))
    current = record["current"]
    _form_ids([request.form.get("enrollment_id", "")], "an enrollment")
    if current is None or current["id"] != request.form.get("enrollment_id"):
        # The page was stale: the enrollment ended meanwhile, or the form names another contact's.
        flash(f"{_isolate(record['name'])} has no such current enrollment; nothing was changed.", "warning")
        return redirect(url_for("app_pages.contact", contact_id=contact_id))
    enrollments.unenroll(_services(), rep.principal, current["id"], surface="contact_record")
    flash(f"Unenrolled {_isolate(record['name'])} from {_isolate(current['sequence']['name'])}.", "success")
    return redirect(url_for("app_pages.contact", contact_id=contact_id))


@bp.post("/contacts/<contact_id>/resume")
def contact_resume(contact_id: str) -> Response:
    """Resume the contact's paused enrollment (after fixing what held its step)."""
    rep = _rep()
    record = app_pages.contact_record(_services(), rep.principal, contact_id)
    current = record["current"]
    if current is None or current["id"] != request.form.get("enrollment_id") or current["status"] != "paused":
        flash(f"{record['name']} has no such paused enrollment; nothing was changed.", "warning")
        return redirect(url_for("app_pages.contact", contact_id=contact_id))
    enrollments.resume(_services(), rep.principal, current["id"])
    flash(f"Resumed {record['name']} in {current['sequence']['name']}; a held step is tried again within a minute.",
          "success")
    return redirect(url_for("app_pages.contact", contact_id=contact_id))


# --- sequences -------------------------------------------------------------------------------


@bp.get("/sequences")
def sequences_list() -> str:
    return render_template("app/sequences.html", sequences=app_pages.sequences_overview(_services(), _rep().principal))


@bp.get("/sequences/<sequence_id>")
def sequence(sequence_id: str) -> Response:
    _page_id(sequence_id, "sequence")
    return redirect(url_for("app_pages.sequence_tab", sequence_id=sequence_id, tab="enrollments"))


@bp.get("/sequences/<sequence_id>/<tab>")
def sequence_tab(sequence_id: str, tab: str) -> str:
    if tab not in TABS:
        abort(404)
    _page_id(sequence_id, "sequence")
    _page_number()
    ctx, principal = _services(), _rep().principal
    summary = app_pages.sequence_summary(ctx, principal, sequence_id)
    if tab == "automation" and not summary["custom_triggers_beta"]:
        abort(404)  # the tab exists only for accounts in the custom-trigger beta
    extra: dict[str, Any] = {}
    if tab == "scheduled":
        extra["scheduled"] = app_pages.scheduled_steps(ctx, principal, sequence_id)
    if tab == "performance":
        extra["figures"] = enrollments.performance(ctx, principal, sequence_id)
    return render_template("app/sequence.html", seq=summary, tab=tab, tabs=TABS, **extra)


@bp.post("/sequences/<sequence_id>/unenroll")
def sequence_unenroll(sequence_id: str) -> Response:
    """The Enrollments tab (checked rows or one row's Actions menu) and the Scheduled tab's hover button."""
    ctx, principal = _services(), _rep().principal
    _page_id(sequence_id, "sequence")
    ids = _form_ids([i for i in request.form.getlist("enrollment_id") if i], "enrollments")
    surface = request.form.get("surface", "bulk")
    back = request.form.get("tab", "enrollments")
    back = back if back in TABS else "enrollments"
    if surface not in ("bulk", "sequence_summary", "scheduled_tab"):
        raise Invalid("The form came from an unknown place. Nothing was changed; reload the page and try again.")
    if not ids:
        flash("No enrollment was selected; nothing was changed.", "warning")
        return redirect(url_for("app_pages.sequence_tab", sequence_id=sequence_id, tab=back))
    if surface != "bulk" and len(ids) != 1:
        raise Invalid("A row's button unenrolls one contact. To unenroll several, tick their boxes on the "
                      "Enrollments tab.")
    # The bulk use case also checks that every id is an enrollment of this sequence.
    summary = app_pages.sequence_summary(ctx, principal, sequence_id)
    if set(ids) - {e["id"] for e in summary["enrollments"]}:
        raise NotInThisSequence("Some of the selected contacts are not enrolled in this sequence. Nothing was "
                                "changed; reload the page and try again.")
    result = enrollments.bulk_unenroll(ctx, principal, sequence_id, ids, surface=surface)
    ended, already = len(result["ended"]), len(result["already_ended"])
    if surface != "bulk":
        name = _isolate(directory.get_contact(ctx, principal, result["enrollments"][0]["contact_id"])["name"])
        if ended:
            flash(f"Unenrolled {name}.", "success")
        else:  # the page was stale: the enrollment ended meanwhile
            flash(f"{name} had already left this sequence; nothing was changed.", "warning")
    elif not ended:
        flash(f"{_contacts(already).capitalize()} had already left this sequence; nothing was changed.", "warning")
    else:
        note = f"; {_contacts(already)} had already left and {'was' if already == 1 else 'were'} not changed" \
            if already else ""
        flash(f"Unenrolled {_contacts(ended)}{note}.", "success")
    return redirect(url_for("app_pages.sequence_tab", sequence_id=sequence_id, tab=back))


def _contacts(n: int) -> str:
    if n == 1:
        return "1 contact"
    return f"{n} contacts"


def _scope(form: Any, trigger: str) -> str:
    """A switch plus a dropdown: off, or contact / company."""
    if form.get(f"{trigger}_enabled") != "on":
        return "off"
    return form.get(f"{trigger}_scope", "contact")


@bp.post("/sequences/<sequence_id>/automation")
def sequence_automation(sequence_id: str) -> Response:
    _page_id(sequence_id, "sequence")
    form = request.form
    save_as_new = form.get("action") == "save_as_new"
    saved = app_pages.save_automation(
        _services(), _rep().principal, sequence_id, on_reply=_scope(form, "on_reply"),
        on_meeting=_scope(form, "on_meeting"), save_as_new=save_as_new, new_name=form.get("new_name"))
    if save_as_new:
        flash(f"Saved as a new sequence, '{_isolate(saved['name'])}'. Current enrollments stay on the original.",
              "success")
    else:
        flash("Automation saved on this sequence.", "success")
    return redirect(url_for("app_pages.sequence_tab", sequence_id=saved["id"], tab="automation"))


@bp.post("/sequences/<sequence_id>/same-company")
def sequence_same_company(sequence_id: str) -> Response:
    _page_id(sequence_id, "sequence")
    on = request.form.get("unenroll_same_company") == "on"
    app_pages.save_same_company(_services(), _rep().principal, sequence_id, on=on)
    flash("Contacts from the same company now " + ("leave" if on else "stay in") + " this sequence when one of "
          "them replies or books a meeting.", "success")
    back = request.form.get("tab", "enrollments")
    return redirect(url_for("app_pages.sequence_tab", sequence_id=sequence_id,
                            tab=back if back in TABS else "enrollments"))


# --- settings --------------------------------------------------------------------------------


@bp.get("/settings")
def settings_page() -> str:
    principal = _rep().principal
    return render_template("app/settings.html", view=app_pages.account_settings(_services(), principal),
                           disabled_webhooks=outgoing_webhooks.disabled_endpoints(_services(), principal))


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
    from addin_server.services import outlook_addin

    rep = _rep()
    flow = outlook_addin.start_microsoft_sign_in(
        _services(), redirect_uri=_settings().public_endpoint(url_for("app_pages.outlook_connect_callback")),
        login_hint=rep.email)
    session[OUTLOOK_FLOW] = flow
    return redirect(flow["auth_uri"])


@bp.get("/settings/mailbox/outlook/callback")
def outlook_connect_callback() -> Response:
    from addin_server.services import outlook_addin
    from addin_server.services.errors import Forbidden

    flow = session.pop(OUTLOOK_FLOW, None)
    if not isinstance(flow, dict):
        raise CsrfFailure("no Outlook connection was started in this browser")
    try:
        linked = outlook_addin.finish_microsoft_sign_in(_services(), flow, request.args.to_dict())
        connected = mailbox_consent.connect_signed_in_outlook(_services(), _rep().principal, linked)
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


# --- outgoing webhooks (admins) --------------------------------------------------------------


def _webhooks_page(new_secret: dict[str, Any] | None = None) -> Response:
    endpoints = outgoing_webhooks.list_endpoints(_services(), _rep().principal)
    page = make_response(render_template("app/webhooks.html", endpoints=endpoints, new_secret=new_secret,
                                         event_types=EVENT_TYPES))
    if new_secret:
        page.headers["Cache-Control"] = "no-store"  # a secret on screen is kept in no cache or history copy
    return page


@bp.get("/settings/webhooks")
def webhooks_page() -> Response:
    """With `reveal`: the one-time, server-side link a create or a rotate redirected to shows the
    new secret; a reload (or anyone else later) finds it used and sees the page without it."""
    token = request.args.get("reveal")
    new_secret = outgoing_webhooks.reveal_secret(_services(), _rep().principal, token) if token else None
    if token and new_secret is None:
        flash("That secret was already shown once. If it was not copied, rotate it.", "warning")
        return redirect(url_for("app_pages.webhooks_page"))
    return _webhooks_page(new_secret)


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
    # encrypted) session: the redirect carries a one-time token the server redeems once.
    return redirect(url_for("app_pages.webhooks_page", reveal=made["reveal"]), code=303)


@bp.post("/settings/webhooks/<endpoint_id>/rotate")
def webhook_rotate(endpoint_id: str) -> Response:
    _page_id(endpoint_id, "webhook endpoint")
    try:
        rotated = outgoing_webhooks.rotate_secret(_services(), _rep().principal, endpoint_id, reveal=True)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.webhooks_page"))
    return redirect(url_for("app_pages.webhooks_page", reveal=rotated["reveal"]), code=303)


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
    outgoing_webhooks.retry_delivery(_services(), _rep().principal, endpoint_id, delivery_id)
    flash("The delivery will be sent again in a moment, with the same webhook-id.", "success")
    return redirect(url_for("app_pages.webhook_deliveries", endpoint_id=endpoint_id))


@bp.get("/<path:unknown>")
def unknown_page(unknown: str) -> Response:
    """Any other address under /app/ is a 404 inside the app's frame (after sign-in), not a bare one."""
    abort(404)
