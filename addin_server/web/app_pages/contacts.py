"""The contact list and the contact record, with its unenroll and resume buttons."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from addin_server.services import (
    app_pages,
    enrollments,
)
from addin_server.web.app_pages.frame import _form_ids, _isolate, _page_id, _page_number, _rep, bp
from addin_server.web.current import services as _services


@bp.get("/")
def home() -> Response:
    return redirect(url_for("app_pages.sequences_list"))


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
