"""The Outlook add-in's pages: the task pane, the function file, the event-based runtime, the sign-in dialog.

The pages are static HTML + vanilla JS that call /api/v1 with the rep's token (see outlook_auth). The
pane gets that token by nested app authentication first (MSAL.js, whose bundle from npm is served from
static/outlook/vendor), then Office.auth.getAccessToken, then the sign-in dialog. Office.js comes from
Microsoft's CDN (AppSource requires it); in demo mode `?host=preview` swaps it for a stand-in Office
object, which also offers the NAA bridge, so the demo's /dev/outlook-preview (web/demo.py) can run the
real pane in any browser.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from addin_server.config import Settings
from addin_server.services import outlook_addin
from addin_server.services.outlook_manifest import sso_scope
from addin_server.web.csp import OUTLOOK_PAGES
from addin_server.web.current import services as _services
from addin_server.web.current import settings as _settings
from addin_server.web.outlook_auth import issue_pane_token, register_outlook_authenticator

log = logging.getLogger(__name__)

bp = Blueprint("outlook", __name__)

OFFICE_JS_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
STAND_IN_SCRIPT = "outlook/office-standin.js"
SIGN_IN_FLOW_KEY = "outlook_sign_in_flow"
# The preview's stand-in NAA bridge ignores the client id; MSAL.js only needs one to start.
PREVIEW_CLIENT_ID = "00000000-0000-4000-8000-000000000000"
# Set by the demo: `?host=preview` may swap Office.js for the stand-in.
STAND_IN_OFFICE = "outlook_stand_in_office"
# Where the demo installs the dialog's local sign-in (a view answering GET and POST).
LOCAL_SIGN_IN = "outlook_local_sign_in"
# How long a browser may reuse an answered preflight.
PREFLIGHT_MAX_AGE_SECONDS = 600


@bp.record_once
def _register(state: Any) -> None:
    register_outlook_authenticator(state.app)


def _in_preview() -> bool:
    """Whether this page runs inside /dev/outlook-preview with the stand-in Office (the demo installs it)."""
    return bool(current_app.extensions.get(STAND_IN_OFFICE)) and request.args.get("host") == "preview"


def office_script() -> dict[str, Any]:
    if _in_preview():
        return {"office_js": None, "stand_in": True}
    return {"office_js": OFFICE_JS_CDN, "stand_in": False}


def _pane_config() -> dict[str, Any]:
    settings = _settings()
    preview = _in_preview()
    try:
        scope = sso_scope(settings) if settings.ms_client_id else None
    except ValueError:
        log.error("MS_CLIENT_ID is not a GUID: the pane signs in through the dialog only")
        scope = None
    naa: dict[str, str] | None = None
    if scope or preview:
        naa = {"clientId": settings.ms_client_id or PREVIEW_CLIENT_ID, "authority": settings.ms_authority,
               "scope": scope or f"api://preview/{PREVIEW_CLIENT_ID}/access_as_user"}
    # The preview runs on whatever address the demo is served at, so its links stay relative.
    return {
        # Nested app authentication (MSAL.js): our API's access_as_user scope, for our own client id.
        "naa": naa,
        "apiBase": "/api/v1" if preview else settings.public_endpoint("/api/v1"),
        "signInUrl": "/outlook/sign-in?host=preview" if preview else settings.public_endpoint("/outlook/sign-in"),
        # The web app's contact record; {id} is the contact id.
        "contactUrl": settings.public_endpoint("/app/contacts/{id}"),
        "preview": preview,
    }


@bp.get("/outlook/taskpane")
def taskpane() -> ResponseReturnValue:
    return render_template("outlook/taskpane.html", config=_pane_config(), **office_script())


@bp.get("/outlook/commands")
def commands() -> ResponseReturnValue:
    """The function file the XML manifest names; the add-in has no UI-less commands yet."""
    return render_template("outlook/commands.html", **office_script())


@bp.get("/outlook/events")
def event_runtime() -> ResponseReturnValue:
    """The HTML runtime of event-based activation (Outlook on the web, new Outlook, Mac)."""
    return render_template("outlook/events.html", config=_pane_config(), **office_script())


@functools.cache
def _static_text(path: Path) -> str:
    # Read once per process: the files ship with the release.
    return path.read_text(encoding="utf-8")


@bp.get("/outlook/events.js")
def event_runtime_script() -> ResponseReturnValue:
    """The same handler as a script for classic Outlook on Windows, which runs it without a page.

    Served from a template because there is no page to carry the API's address, the information bar's
    code and MSAL.js: the one file must hold all three.
    """
    static = Path(current_app.static_folder or "", "outlook")
    body = render_template("outlook/events.js.j2", config=_pane_config(),
                           infobar_js=_static_text(static / "infobar.js"),
                           msal_js=_static_text(static / "vendor" / "msal-browser.min.js"))
    return Response(body, mimetype="text/javascript")


@bp.route("/outlook/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """The Office dialog opened when SSO is unavailable (error 13xxx from getAccessToken).

    The demo installs its local sign-in (a form that posts back here); otherwise the dialog goes to
    Microsoft (authorization code flow) and comes back to /outlook/sign-in/callback, and a POST names
    no page.
    """
    local_sign_in = current_app.extensions.get(LOCAL_SIGN_IN)
    if local_sign_in is not None:
        return local_sign_in()
    if request.method == "POST":
        abort(404)
    settings = _settings()
    if not outlook_addin.microsoft_sign_in_configured(settings):
        return render_template("outlook/sign_in.html", demo=False, reps=[], **office_script())
    hint = request.args.get("login_hint", "")[:320]
    flow = outlook_addin.start_microsoft_sign_in(
        _services(), redirect_uri=settings.public_endpoint("/outlook/sign-in/callback"), login_hint=hint)
    session[SIGN_IN_FLOW_KEY] = flow
    return redirect(flow["auth_uri"])


@bp.get("/outlook/sign-in/callback")
def sign_in_callback() -> ResponseReturnValue:
    """Microsoft sends the dialog back here; the dialog hands the pane a pane token (or the reason why not)."""
    flow = session.pop(SIGN_IN_FLOW_KEY, None)
    if not isinstance(flow, dict):
        message: dict[str, Any] = {"error": "This sign-in has expired or was already used. Start again."}
    else:
        try:
            principal = outlook_addin.finish_microsoft_sign_in(_services(), flow, request.args.to_dict())
        except outlook_addin.SignInRefused as refused:
            message = {"error": str(refused)}
        else:
            assert principal.user_id is not None  # finish_microsoft_sign_in only answers reps
            rep = outlook_addin.rep_by_id(_services(), principal.user_id)
            message = {"token": issue_pane_token(_services(), principal.user_id), "rep": rep}
    return render_template("outlook/signed_in.html", message=message, **office_script())


# --- CORS: the add-in's own origins only ------------------------------------------------------


def addin_origins(settings: Settings) -> frozenset[str]:
    """Origins allowed to call /api/v1 from a browser: where the pane and its runtime are served."""
    parts = urlsplit(settings.public_url)
    return frozenset({f"{parts.scheme}://{parts.netloc}".lower()})


@bp.after_request
def _pane_policy(response: Response) -> Response:
    # Office.js documents no complete list of what it loads, frames and is framed by (its own
    # issue #1005 is still open), so the pane gets only what cannot break it: no plugins, no <base>.
    response.headers.setdefault("Content-Security-Policy", OUTLOOK_PAGES)
    return response


@bp.after_app_request
def _cors(response: Response) -> Response:
    if not request.path.startswith("/api/v1/"):
        return response
    origin = request.headers.get("Origin")
    if not origin:
        return response
    response.vary.add("Origin")
    if origin.lower() not in addin_origins(_settings()):
        return response  # no CORS headers: the browser refuses the call
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response
