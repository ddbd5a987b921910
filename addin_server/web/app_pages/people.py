"""Settings → People and Settings → API keys: admins invite people, change roles, remove people,
and make, list and revoke API keys. Each removal or revocation asks for a confirmation on a page of
its own first (a plain form: keyboard and screen-reader friendly, no script needed)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import flash, make_response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from addin_server.domain.model import Surface
from addin_server.services import directory, people
from addin_server.services.demo import DEMO_API_KEY
from addin_server.services.errors import Conflict, Invalid, NotFound
from addin_server.web.app_pages.frame import _page_id, _rep, bp
from addin_server.web.current import services as _services

ROLES = (("user", "Rep"), ("admin", "Admin"), ("super_admin", "Super admin"))
KEY_ROLES = (("read_only", "Read only"), ("integration", "Integration"), ("admin", "Admin"))


@bp.get("/settings/people")
def people_page() -> str:
    principal = _rep().principal
    return render_template("app/people.html", people=people.list_users(_services(), principal), roles=ROLES)


@bp.post("/settings/people")
def person_invite() -> Response:
    form = request.form
    try:
        made = directory.create_user(
            _services(), _rep().principal, email=form.get("email", ""), name=form.get("name", ""),
            role=form.get("role", "user"), mailbox_provider=form.get("mailbox_provider", ""), mailbox_address=None)
    except (Invalid, Conflict) as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.people_page"))
    flash(f"Invited {made['email']}: they sign in with Google or Microsoft, then connect their mailbox.", "success")
    return redirect(url_for("app_pages.people_page"))


@bp.post("/settings/people/<user_id>/role")
def person_role(user_id: str) -> Response:
    _page_id(user_id, "person")
    try:
        changed = directory.change_role(_services(), _rep().principal, user_id, request.form.get("role", ""))
    except (Invalid, Conflict) as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.people_page"))
    flash(f"{changed['name']} is now {dict(ROLES)[changed['role']].lower()}; their sessions ended.", "success")
    return redirect(url_for("app_pages.people_page"))


@bp.route("/settings/people/<user_id>/remove", methods=["GET", "POST"])
def person_remove(user_id: str) -> Response | str:
    """GET: what removing this person will do, and the button that does it; POST: do it."""
    _page_id(user_id, "person")
    principal = _rep().principal
    if request.method == "GET":
        return render_template("app/person_remove.html", preview=people.removal_preview(_services(), principal,
                                                                                          user_id))
    try:
        removed = people.remove_user(_services(), principal, user_id, surface=Surface.PEOPLE_PAGE)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.people_page"))
    ended = len(removed["ended_enrollments"])
    flash(f"Removed {removed['name']}. {ended} enrollment{'s' if ended != 1 else ''} sending from their "
          "mailbox ended; their history stays.", "success")
    return redirect(url_for("app_pages.people_page"))


# The one-time reveal of a new key rides in its maker's session (never in a URL): only a token the
# server redeems once. The key itself waits, encrypted, on the server (services/people.py).
KEY_REVEAL = "api_key_reveal"


def _api_keys_page(new_key: dict[str, Any] | None = None) -> Response:
    page = make_response(render_template("app/api_keys.html", keys=people.list_api_keys(_services(), _rep().principal),
                                         roles=KEY_ROLES, new_key=new_key, form_nonce=secrets.token_urlsafe(18)))
    if new_key:
        page.headers["Cache-Control"] = "no-store"  # a key on screen is kept in no cache or history copy
    return page


@bp.get("/settings/api-keys")
def api_keys_page() -> Response:
    """Right after Make key, this session's one-time reveal shows the new key; a reload, Back, another
    tab or anyone else's session sees the page without it (and a reload posts nothing)."""
    if request.args.get("new_key") != "1":  # marks the redirect; it is no capability
        return _api_keys_page()
    token = session.pop(KEY_REVEAL, None)
    new_key = people.reveal_api_key(_services(), _rep().principal, token) if isinstance(token, str) else None
    if new_key is None:
        flash("That key was already shown once. If it was not copied, revoke it and make another.", "warning")
        return redirect(url_for("app_pages.api_keys_page"))
    return _api_keys_page(new_key)


@bp.post("/settings/api-keys")
def api_key_create() -> Response:
    """Post/Redirect/Get: the form carries a one-time nonce, so posting it again makes nothing."""
    try:
        token = people.make_api_key_once(_services(), _rep().principal, name=request.form.get("name", ""),
                                         role=request.form.get("role", ""),
                                         form_nonce=request.form.get("form_nonce", ""))
    except Invalid as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.api_keys_page"))
    if token is None:
        flash("This form already made its key, shown only once; nothing new was made. "
              "To make another key, fill in the form again.", "warning")
        return redirect(url_for("app_pages.api_keys_page"))
    session[KEY_REVEAL] = token
    return redirect(url_for("app_pages.api_keys_page", new_key=1), code=303)


@bp.route("/settings/api-keys/<api_key_id>/revoke", methods=["GET", "POST"])
def api_key_revoke(api_key_id: str) -> Response | str:
    """GET: the confirmation; POST: revoke."""
    _page_id(api_key_id, "API key")
    principal = _rep().principal
    if request.method == "GET":
        key = next((k for k in people.list_api_keys(_services(), principal) if k["id"] == api_key_id), None)
        if key is None:
            raise NotFound("There is no API key at this address.")
        return render_template("app/api_key_revoke.html", key=key,
                               demo_key=key["prefix"] == DEMO_API_KEY[:len(key["prefix"])])
    revoked = people.revoke_api_key(_services(), principal, api_key_id)
    flash(f"Revoked {revoked['name']} ({revoked['prefix']}…): it is refused from its next request on.", "success")
    return redirect(url_for("app_pages.api_keys_page"))
