"""The sequences list and a sequence's tabs: enrollments, scheduled steps, automation, performance."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from addin_server.services import (
    app_pages,
    directory,
    enrollments,
)
from addin_server.services.errors import Invalid
from addin_server.web.app_pages.frame import (
    TABS,
    NotInThisSequence,
    _form_ids,
    _isolate,
    _page_id,
    _page_number,
    _rep,
    bp,
)
from addin_server.web.current import services as _services


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
