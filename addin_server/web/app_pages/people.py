"""Settings → People and Settings → API keys: admins invite people, change roles, remove people,
and make, list and revoke API keys. Each removal or revocation asks for a confirmation on a page of
its own first (a plain form: keyboard and screen-reader friendly, no script needed)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from addin_server.domain.model import Surface
from addin_server.services import accounts, directory, people
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


@bp.get("/settings/api-keys")
def api_keys_page() -> str:
    return render_template("app/api_keys.html", keys=people.list_api_keys(_services(), _rep().principal),
                           roles=KEY_ROLES, new_key=None)


@bp.post("/settings/api-keys")
def api_key_create() -> Response:
    """The key is on this answer only: the page answering its maker's own post, kept in no cache, no
    address and no cookie (only its hash is stored, so nothing could show it again)."""
    principal = _rep().principal
    try:
        made = accounts.issue_api_key(_services(), principal, name=request.form.get("name", ""),
                                      role=request.form.get("role", ""))
    except Invalid as exc:
        flash(exc.message, "warning")
        return redirect(url_for("app_pages.api_keys_page"))
    page = make_response(render_template("app/api_keys.html", keys=people.list_api_keys(_services(), principal),
                                         roles=KEY_ROLES, new_key=made))
    page.headers["Cache-Control"] = "no-store"
    return page


@bp.route("/settings/api-keys/<api_key_id>/revoke", methods=["GET", "POST"])
def api_key_revoke(api_key_id: str) -> Response | str:
    """GET: the confirmation; POST: revoke."""
    _page_id(api_key_id, "API key")
    principal = _rep().principal
    if request.method == "GET":
        key = next((k for k in people.list_api_keys(_services(), principal) if k["id"] == api_key_id), None)
        if key is None:
            raise NotFound("There is no API key at this address.")
        return render_template("app/api_key_revoke.html", key=key)
    revoked = people.revoke_api_key(_services(), principal, api_key_id)
    flash(f"Revoked {revoked['name']} ({revoked['prefix']}…): it is refused from its next request on.", "success")
    return redirect(url_for("app_pages.api_keys_page"))
