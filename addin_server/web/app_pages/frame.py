"""The web app's frame: its blueprint, the sign-in gate and CSRF check, headers, filters, error pages,
and the page-id checks every page shares."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response

from addin_server.domain.wording import REASON_LABELS
from addin_server.services.app_pages import SignedInRep
from addin_server.services.errors import Invalid, NotFound, ServiceError
from addin_server.web.csp import app_pages_policy
from addin_server.web.current import settings as _settings
from addin_server.web.sessions import (
    CsrfFailure,
    check_csrf,
    configure_session_cookies,
    csrf_token,
    current_rep,
)

bp = Blueprint("app_pages", __name__, url_prefix="/app")


TABS = ("enrollments", "scheduled", "automation", "performance")


# Ids in the app's addresses are plain ASCII numbers; anything else names no page (int() would accept
# " 7", "7_0" and "٧").
PAGE_ID = re.compile(r"[1-9][0-9]{0,17}")


CONSENT_STATE = "gmail_consent_state"


MS_LOGIN_HOST = "https://login.microsoftonline.com/"


# Where the demo installs the reps its sign-in offers (a function of the services).
SIGN_IN_CHOICES = "app_sign_in_choices"


# Pages anyone may open; everything else needs a signed-in rep.
PUBLIC_ENDPOINTS = {"app_pages.sign_in", "app_pages.sign_in_google", "app_pages.sign_in_microsoft"}


@bp.record_once
def _configure(state: Any) -> None:
    configure_session_cookies(state.app, state.app.extensions["settings"])


def _rep() -> SignedInRep:
    rep = current_rep()
    if rep is None:  # unreachable behind _require_sign_in; keeps the type checker honest
        abort(401)
    return rep


@bp.before_request
def _require_sign_in() -> Response | None:
    if request.method == "POST":
        check_csrf()
    # An address under /app/sign-in/ that names no page (the demo's sign-in outside demo mode) is a
    # 404 for anyone: sending a visitor there to sign in first would make no sense.
    if request.endpoint in PUBLIC_ENDPOINTS or request.path.startswith("/app/sign-in/"):
        return None
    if current_rep() is None:
        if request.method == "GET":
            return redirect(url_for("app_pages.sign_in", next=request.full_path.rstrip("?")))
        abort(401)
    return None


@bp.after_request
def page_headers(response: Response) -> Response:
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
    return page_headers(response)


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
def csrf_error_page(exc: CsrfFailure) -> tuple[str, int]:
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


def _page_number() -> int:
    """`?page=` of a list page, the same check on every page that takes one (the tabs show a single
    page, but still refuse what no page number could be)."""
    raw = request.args.get("page", "1")
    if not PAGE_ID.fullmatch(raw):
        raise Invalid("The page number must be a whole number from 1.")
    return int(raw)


@bp.get("/<path:unknown>")
def unknown_page(unknown: str) -> Response:
    """Any other address under /app/ is a 404 inside the app's frame (after sign-in), not a bare one."""
    abort(404)
