"""Public pages behind the links in sequence emails: unsubscribe (/u/<token>) and booking (/meet/<key>).

No sign-in: the unsubscribe token is the capability (so a one-click POST needs nothing else), and
the booking form carries a signed form token. <rep> is the rep's user id. Pages are plain
server-rendered HTML that works without script; responses are never cached and send no Referer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for

from addin_server.auth.signed_links import rep_of_booking_key
from addin_server.services import meetings, unsubscribe
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound
from addin_server.web.csp import LINK_PAGES

bp = Blueprint("links", __name__)


def _ctx() -> ServiceContext:
    services: ServiceContext = current_app.extensions["services"]
    return services


def _busy_times() -> meetings.BusyTimes | None:
    # The calendar adapters (Google free/busy, Graph getSchedule) register themselves here.
    busy: meetings.BusyTimes | None = current_app.extensions.get("busy_times")
    return busy


def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = make_response(render_template(template, **context), status)
    # Links carry capabilities: keep them out of caches and out of other sites' Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = LINK_PAGES
    return response


def _bad_link(exc: unsubscribe.BadLink) -> Response:
    expired = exc.code == "expired_link"
    return _page("public/error.html", 400,
                 title="This link has expired" if expired else "This link is not valid",
                 message="Nothing was changed. " + (
                     "The link is too old to use." if expired else
                     "It may have been copied incompletely or altered."),
                 hint="Use the unsubscribe link of the latest email you received, or reply to it and ask "
                      "the sender to stop.")


# --- unsubscribe -------------------------------------------------------------------------------


@bp.get("/u/<path:token>")
def unsubscribe_page(token: str) -> Response:
    """The confirmation page: GET never unsubscribes (link scanners open every link)."""
    try:
        page = unsubscribe.describe_unsubscribe(_ctx(), token)
    except unsubscribe.BadLink as exc:
        return _bad_link(exc)
    return _page("public/unsubscribe.html", page=page, done=False,
                 action=url_for("links.unsubscribe_post", token=token))


@bp.post("/u/<path:token>")
def unsubscribe_post(token: str) -> Response:
    """The page's button, or a mail client's RFC 8058 one-click POST (List-Unsubscribe=One-Click)."""
    how = "one_click" if request.form.get("List-Unsubscribe") == "One-Click" else "page"
    try:
        page = unsubscribe.unsubscribe(_ctx(), token, how=how)
    except unsubscribe.BadLink as exc:
        return _bad_link(exc)
    return _page("public/unsubscribe.html", page=page, done=True, action="")


# --- booking -----------------------------------------------------------------------------------


def _not_found() -> Response:
    return _page("public/error.html", 404, title="No booking page here",
                 message="This booking page does not exist.", hint="Check the link you were given.")


def _booking_form(rep: str, token: str | None, *, status: int = 200, error: str = "",
                  chosen: str = "", form: dict[str, str] | None = None) -> Response:
    page = meetings.booking_page(_ctx(), _rep_id(rep), meeting_token=token, busy_times=_busy_times())
    return _page("public/booking.html", status, page=page, error=error, chosen=chosen,
                 form=form or {"name": "", "email": ""}, action=url_for("links.booking_post", rep=rep))


def _rep_id(page_key: str) -> str:
    """The rep a booking page's key names; NotFound for a bare id, a made-up key or another rep's."""
    rep_id = rep_of_booking_key(page_key, _ctx().settings)
    if rep_id is None:
        raise NotFound("there is no booking page here")
    return rep_id


@bp.get("/meet/<rep>")
def booking_page(rep: str) -> Response:
    try:
        return _booking_form(rep, request.args.get("t"))
    except NotFound:
        return _not_found()


@bp.post("/meet/<rep>")
def booking_post(rep: str) -> Response:
    f = request.form
    token = f.get("t") or None
    try:
        booking = meetings.book_meeting(
            _ctx(), _rep_id(rep), slot=f.get("slot", ""), form_token=f.get("form_token", ""), meeting_token=token,
            name=f.get("name", ""), email=f.get("email", ""), busy_times=_busy_times())
    except NotFound:
        return _not_found()
    except (meetings.BadBookingForm, Invalid, Conflict) as exc:
        keep = {"name": f.get("name", "")[:200], "email": f.get("email", "")[:320]}
        chosen = "" if isinstance(exc, Conflict) else f.get("slot", "")
        return _booking_form(rep, token, status=exc.status, error=exc.message, chosen=chosen, form=keep)
    start = booking["meeting"]["start_time"]
    when = meetings.slot_in_words(start)
    return _page("public/booked.html", booking=booking, when=when)
