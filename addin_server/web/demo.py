"""Demo mode's pages, in one blueprint registered only when the app runs in demo mode.

- /dev/ and /dev/deliver: deliver a message into a rep's emulated mailbox and watch it act;
- /dev/gmail-preview: the Gmail add-on's cards drawn as Gmail's side panel, with working buttons;
- /dev/outlook-preview: the real Outlook task pane beside a stand-in Outlook;
- /app/sign-in/demo: the web app's sign-in as a seeded rep (password "demo");
- the Outlook dialog's local sign-in (choose a rep), installed into /outlook/sign-in.

Outside demo mode none of these exists: their addresses are the app's ordinary 404s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from addin_server.services import accounts, enrollments, outlook_addin
from addin_server.services import app_pages as app_service
from addin_server.services.context import Principal
from addin_server.services.demo import DEMO_API_KEY, DEMO_KINDS, deliver_demo_message
from addin_server.services.errors import ServiceError
from addin_server.web import app_pages, gmail_preview, outlook
from addin_server.web.card_html import card_html
from addin_server.web.csp import OUTLOOK_PAGES
from addin_server.web.current import services as _services
from addin_server.web.outlook_auth import issue_pane_token
from addin_server.web.sessions import CsrfFailure, check_csrf

bp = Blueprint("demo", __name__)

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password; the route exists in demo mode only


def register_demo(app: Flask) -> None:
    """Add the demo's pages to a demo-mode app (the caller decides; nothing here checks per request)."""
    app.register_blueprint(bp)


@bp.record_once
def _install(state: Any) -> None:
    # The pages the product always serves offer the demo's local sign-ins only where these are installed.
    state.app.extensions[app_pages.SIGN_IN_CHOICES] = app_service.demo_sign_in_choices
    state.app.extensions[outlook.LOCAL_SIGN_IN] = _outlook_local_sign_in
    state.app.extensions[outlook.STAND_IN_OFFICE] = True


bp.add_app_template_filter(card_html, "card_html")
bp.add_app_template_filter(gmail_preview.card_parameters, "card_parameters")


# --- each page keeps the frame of the surface it stands in for -------------------------------------


def _outlook_policy(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", OUTLOOK_PAGES)
    return response


_FRAMES: dict[str, Callable[[Response], Response]] = {
    "demo.app_sign_in": app_pages.page_headers,
    "demo.outlook_preview": _outlook_policy,
}


@bp.after_request
def _frame(response: Response) -> Response:
    add = _FRAMES.get(request.endpoint or "")
    return add(response) if add else response


# --- delivering messages into the emulated mailboxes --------------------------------------------


def _demo_principal() -> Principal:
    return accounts.authenticate_api_key(_services(), DEMO_API_KEY)


@bp.get("/dev/")
def dev_index() -> ResponseReturnValue:
    rows = enrollments.list_enrollments(_services(), _demo_principal(), limit=100)
    return render_template("dev/index.html", enrollments=rows, kinds=DEMO_KINDS,
                           message=request.args.get("message", ""))


@bp.post("/dev/deliver")
def deliver() -> ResponseReturnValue:
    try:
        result = deliver_demo_message(_services(), _demo_principal(), request.form.get("enrollment_id", ""),
                                      request.form.get("kind", ""))
    except ServiceError as exc:
        return redirect(url_for("demo.dev_index", message=f"Not delivered: {exc.message}"))
    return redirect(url_for("demo.dev_index", message=delivery_sentence(result)))


# What each demo message is called, and the path its mailbox's provider takes to tell us of it.
DELIVERED_KINDS = {"reply": "a reply", "out_of_office": "an out-of-office reply", "bounce": "a bounce"}
PUSH_PATHS = {"gmail": "Gmail pushes it to /webhooks/gmail (as Pub/Sub would)",
              "outlook": "Graph notifies /webhooks/graph of it"}


def delivery_sentence(result: dict[str, str]) -> str:
    """What /dev/ says after a delivery: which message went into which mailbox, and the webhook that
    will hear of it (the rep's own provider: Gmail's push or Graph's change notification)."""
    what = DELIVERED_KINDS.get(result["kind"], "a message")
    path = PUSH_PATHS.get(result.get("provider", ""), "its provider tells the webhooks")
    return (f"Delivered {what} from {result['from']} into {result['delivered_to']}. "
            f"{path}; the worker applies it within a few seconds.")


# --- the stand-in Gmail -------------------------------------------------------------------------


@bp.get("/dev/gmail-preview")
def gmail_preview_page() -> ResponseReturnValue:
    preview = gmail_preview.PreviewContext.from_values(request.args)
    return gmail_preview.preview_page(preview, gmail_preview.preview_response(preview))


@bp.post("/dev/gmail-preview")
def gmail_preview_action() -> ResponseReturnValue:
    preview = gmail_preview.PreviewContext.from_values(request.form)
    name = gmail_preview.action_name(request.form.get("function", ""))
    parameters = gmail_preview.button_parameters(request.form.get("parameters", "{}"))
    return gmail_preview.preview_page(preview, gmail_preview.preview_response(preview, name, parameters),
                                      pressed=name)


# --- the stand-in Outlook -----------------------------------------------------------------------


@bp.get("/dev/outlook-preview")
def outlook_preview() -> ResponseReturnValue:
    """The real task pane beside a stand-in Outlook whose recipients can be edited."""
    reps = _demo_outlook_reps()
    for rep in reps:
        rep["token"] = issue_pane_token(_services(), int(rep["id"]))
    return render_template("outlook/preview.html", reps=reps)


def _demo_outlook_reps() -> list[dict[str, Any]]:
    """The seeded demo account's Outlook reps: accounts made with `accounts create` in a demo
    instance are real ones, whose reps sign in with Microsoft."""
    return outlook_addin.outlook_reps(_services(), app_service.demo_account_id(_services()))


def _outlook_local_sign_in() -> ResponseReturnValue:
    """The Outlook dialog in demo mode: choose a rep (GET); the dialog hands the pane a pane token (POST)."""
    office = outlook.office_script()
    reps = _demo_outlook_reps()
    if request.method == "GET":
        return render_template("outlook/sign_in.html", demo=True, reps=reps, **office)
    if request.form.get("password") != DEMO_PASSWORD:  # as the web app's demo sign-in
        return render_template("outlook/sign_in.html", demo=True, reps=reps,
                               error='Wrong password (in the demo it is "demo").', **office), 403
    rep = next((r for r in reps if r["id"] == request.form.get("rep_id", "")), None)
    if rep is None:
        raise BadRequest()
    token = issue_pane_token(_services(), int(rep["id"]))
    return render_template("outlook/signed_in.html", message={"token": token, "rep": rep}, **office)


# --- the web app's demo sign-in -----------------------------------------------------------------


@bp.route("/app/sign-in/demo", methods=["GET", "POST"])
def app_sign_in() -> ResponseReturnValue:
    """Pick a seeded rep, password "demo"."""
    if request.method == "GET":
        return redirect(url_for("app_pages.sign_in"))
    check_csrf()
    if request.form.get("password") != DEMO_PASSWORD:
        raise app_pages.SignInRefused('Wrong password (in the demo it is "demo").')
    return app_pages.signed_in(app_service.principal_for_demo_rep(_services(), request.form.get("email", "")))


bp.register_error_handler(CsrfFailure, app_pages.csrf_error_page)
bp.register_error_handler(app_pages.SignInRefused, app_pages.sign_in_refused_page)
