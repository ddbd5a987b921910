"""The web app's pages and forms, through Flask's test client (the browser tests drive the JS)."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services import accounts, enrollments, identity, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from tests.web.app.conftest import (
    TENANT,
    AppWorld,
    Browserless,
    google_id_token,
    microsoft_token,
    plain,
    sign_in,
    super_admin_id,
)


def _as(client: Any, services: ServiceContext, aw: AppWorld, who: str) -> Browserless:
    w = aw.world
    user_id = {"rita": w.rep["id"], "otto": w.other_rep["id"]}.get(who)
    if user_id is None:
        user_id = super_admin_id(services, w.account_id)
    return sign_in(client, user_id, w.account_id)


def _status(services: ServiceContext, aw: AppWorld, enrollment_id: str) -> dict[str, Any]:
    return enrollments.get_enrollment(services, aw.world.admin, enrollment_id)


PAGES = [
    ("the contact record shows details, addresses, company and who enrolled", "/app/contacts/{contact}",
     ["Jane Doe", "jane.doe.home@gmail.com", "secondary", "Globex", "Enrolled by Rita Rep", "Unenroll"]),
    ("the Manage tab lists sequences", "/app/sequences", ["Manage", "Intro outreach", "Rita Rep"]),
    ("the Enrollments tab has select-all, an Unenroll button and Actions menus", "/app/sequences/{seq}/enrollments",
     ['id="select-all"', 'id="bulk-unenroll"', "Actions", "Jane Doe", "Raj"]),
    ("the Scheduled tab lists the upcoming steps", "/app/sequences/{seq}/scheduled",
     ["2 of 3", "Call", "Jane Doe", "hover-action"]),
    ("the Automation tab has both switches and both save buttons", "/app/sequences/{seq}/automation",
     ["When a contact replies to an email", "When a contact books a meeting", "All contacts at the company",
      "Save existing sequence", "Save as new sequence"]),
    ("the Performance tab shows figures and a chart", "/app/sequences/{seq}/performance",
     ["performance-chart", "Emails sent", "never lowers"]),
    ("the Settings page shows every setting and each mailbox", "/app/settings",
     ["Unenroll contacts from the same company", "Soft-bounce threshold", "Pause", "custom-trigger beta",
      "Mailbox connections", "otto@acme.test"]),
]


@pytest.mark.parametrize(("path", "expected"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_shows(https_client: Any, services: ServiceContext, app_world: AppWorld, path: str,
                    expected: list[str]) -> None:
    _join_beta(services, app_world)  # so the Automation tab exists
    _as(https_client, services, app_world, "rita")
    url = path.format(contact=app_world.world.contact["id"], seq=app_world.sequence_id)
    response = https_client.get(url)
    html = plain(response.get_data(as_text=True))
    assert response.status_code == 200
    assert [text for text in expected if text not in html] == []


def test_signed_out_visitor_is_sent_to_sign_in_and_back(https_client: Any, app_world: AppWorld) -> None:
    response = https_client.get(f"/app/sequences/{app_world.sequence_id}/scheduled")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/app/sign-in?next=/app/sequences/")


def test_session_cookie_is_httponly_samesite_lax_and_secure_on_https(
        https_client: Any, app_world: AppWorld, signers: dict[str, Any]) -> None:
    token = google_id_token(signers["google"], "rita@acme.test")
    response = _post_sign_in(https_client, "/app/sign-in/google", {"credential": token})
    assert response.status_code == 302
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


UNENROLLS = [
    ("the contact record's Unenroll ends the current enrollment", "rita", "/app/contacts/{contact}",
     "/app/contacts/{contact}/unenroll", {"enrollment_id": "{jane}"}, ["jane"], "contact_record"),
    ("checked rows are unenrolled together", "rita", "/app/sequences/{seq}/enrollments",
     "/app/sequences/{seq}/unenroll", {"surface": "bulk", "enrollment_id": ["{jane}", "{raj}"]}, ["jane", "raj"],
     "bulk"),
    ("a row's Actions menu unenrolls that row only", "rita", "/app/sequences/{seq}/enrollments",
     "/app/sequences/{seq}/unenroll", {"surface": "sequence_summary", "enrollment_id": "{raj}"}, ["raj"],
     "sequence_summary"),
    ("the Scheduled tab's hover button unenrolls that contact", "rita", "/app/sequences/{seq}/scheduled",
     "/app/sequences/{seq}/unenroll", {"surface": "scheduled_tab", "enrollment_id": "{jane}", "tab": "scheduled"},
     ["jane"], "scheduled_tab"),
    ("a super admin may unenroll anyone's contact", "admin", "/app/sequences/{seq}/enrollments",
     "/app/sequences/{seq}/unenroll", {"surface": "bulk", "enrollment_id": ["{raj}"]}, ["raj"], "bulk"),
]


def _fill(value: Any, aw: AppWorld) -> Any:
    keys = {"contact": aw.world.contact["id"], "seq": aw.sequence_id, "jane": aw.jane_enrollment,
            "raj": aw.raj_enrollment}
    if isinstance(value, list):
        return [_fill(v, aw) for v in value]
    return value.format(**keys)


@pytest.mark.parametrize(("who", "page", "action", "form", "ended", "surface"), [u[1:] for u in UNENROLLS],
                         ids=[u[0] for u in UNENROLLS])
def test_unenroll_ends_exactly_the_chosen_enrollments(
        https_client: Any, services: ServiceContext, app_world: AppWorld, who: str, page: str, action: str,
        form: dict[str, Any], ended: list[str], surface: str) -> None:
    browser = _as(https_client, services, app_world, who)
    data = {k: _fill(v, app_world) for k, v in form.items()}
    response = browser.post_from(_fill(page, app_world), _fill(action, app_world), data)
    assert response.status_code == 302
    for name, eid in (("jane", app_world.jane_enrollment), ("raj", app_world.raj_enrollment)):
        e = _status(services, app_world, eid)
        if name in ended:
            assert (e["status"], e["end_reason"], e["end_surface"]) == ("unenrolled", "manual", surface)
        else:
            assert e["status"] == "active"
    assert "Unenrolled" in https_client.get(response.headers["Location"]).get_data(as_text=True)


def test_contact_record_history_says_who_unenrolled_and_from_where(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "rita")
    page = f"/app/contacts/{app_world.world.contact['id']}"
    browser.post_from(page, page + "/unenroll", {"enrollment_id": app_world.jane_enrollment})
    html = https_client.get(page).get_data(as_text=True)
    assert "Unenrolled by Rita Rep from the contact record" in html
    assert "Not enrolled in any sequence." in html


FORGED = [
    ("a rep who neither enrolled, sends nor owns cannot unenroll from the contact record", "otto",
     "/app/contacts/{contact}/unenroll", {"enrollment_id": "{jane}"}),
    ("a rep who neither enrolled, sends nor owns cannot bulk unenroll", "otto", "/app/sequences/{seq}/unenroll",
     {"surface": "bulk", "enrollment_id": ["{jane}", "{raj}"]}),
    ("a rep cannot unenroll from the Scheduled tab what they may not", "otto", "/app/sequences/{seq}/unenroll",
     {"surface": "scheduled_tab", "enrollment_id": "{raj}"}),
]


@pytest.mark.parametrize(("who", "action", "form"), [f[1:] for f in FORGED], ids=[f[0] for f in FORGED])
def test_forged_unenroll_is_refused_with_403(https_client: Any, services: ServiceContext, app_world: AppWorld,
                                             who: str, action: str, form: dict[str, Any]) -> None:
    browser = _as(https_client, services, app_world, who)
    data = {k: _fill(v, app_world) for k, v in form.items()}
    response = browser.post_from("/app/sequences", _fill(action, app_world), data)
    assert response.status_code == 403
    assert {_status(services, app_world, e)["status"] for e in (app_world.jane_enrollment,
                                                                 app_world.raj_enrollment)} == {"active"}


def test_a_form_without_its_csrf_token_changes_nothing(https_client: Any, services: ServiceContext,
                                                       app_world: AppWorld) -> None:
    _as(https_client, services, app_world, "rita")
    response = https_client.post(f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 data={"surface": "bulk", "enrollment_id": app_world.jane_enrollment})
    assert response.status_code == 400
    assert _status(services, app_world, app_world.jane_enrollment)["status"] == "active"


def test_an_enrollment_of_another_sequence_is_not_unenrolled_through_this_one(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    other = sequences.create_sequence(services, w.admin, name="Other", owner_user_id=w.rep["id"],
                                      steps=[sequences.StepInput("task", 0, "Task", "")])
    browser = _as(https_client, services, app_world, "rita")
    response = browser.post_from("/app/sequences", f"/app/sequences/{other['id']}/unenroll",
                                 {"surface": "bulk", "enrollment_id": app_world.jane_enrollment})
    assert response.status_code == 404
    assert _status(services, app_world, app_world.jane_enrollment)["status"] == "active"


BETA = [
    ("a super admin opts the account in", "admin", "on", 302, True),
    ("a normal rep's forged opt-in is refused", "rita", "on", 403, False),
]


@pytest.mark.parametrize(("who", "value", "status", "joined"), [b[1:] for b in BETA], ids=[b[0] for b in BETA])
def test_only_a_super_admin_changes_the_beta_opt_in(https_client: Any, services: ServiceContext,
                                                     app_world: AppWorld, who: str, value: str, status: int,
                                                     joined: bool) -> None:
    browser = _as(https_client, services, app_world, who)
    response = browser.post_from("/app/settings", "/app/settings/beta", {"custom_triggers_beta": value})
    assert response.status_code == status
    assert accounts.get_account(services, app_world.world.account_id).custom_triggers_beta is joined


def test_a_normal_rep_sees_the_beta_opt_in_read_only(https_client: Any, services: ServiceContext,
                                                      app_world: AppWorld) -> None:
    _as(https_client, services, app_world, "rita")
    html = https_client.get("/app/settings").get_data(as_text=True)
    assert 'id="beta-read-only"' in html and 'id="beta-form"' not in html


def _join_beta(services: ServiceContext, aw: AppWorld) -> None:
    accounts.update_account_settings(services, aw.world.super_admin, custom_triggers_beta=True)


def test_automation_is_hidden_and_refused_outside_the_beta(https_client: Any, services: ServiceContext,
                                                           app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "rita")
    seq = app_world.sequence_id
    assert https_client.get(f"/app/sequences/{seq}/automation").status_code == 404
    assert ">Automation<" not in https_client.get(f"/app/sequences/{seq}/enrollments").get_data(as_text=True)
    response = browser.post_from(f"/app/sequences/{seq}/enrollments", f"/app/sequences/{seq}/automation",
                                 {"action": "save_existing", "on_reply_enabled": "on", "on_reply_scope": "company"})
    assert response.status_code == 403


def test_save_existing_changes_this_sequence(https_client: Any, services: ServiceContext,
                                             app_world: AppWorld) -> None:
    _join_beta(services, app_world)
    browser = _as(https_client, services, app_world, "rita")
    seq = app_world.sequence_id
    response = browser.post_from(f"/app/sequences/{seq}/automation", f"/app/sequences/{seq}/automation", {
        "action": "save_existing", "on_reply_enabled": "on", "on_reply_scope": "company",
        "on_meeting_scope": "contact"})
    assert response.status_code == 302
    automation = sequences.get_sequence(services, app_world.world.admin, seq)["automation"]
    assert (automation["on_reply"], automation["on_meeting"]) == ("company", "off")
    assert len(sequences.list_sequences(services, app_world.world.admin)) == 1


def test_save_as_new_makes_a_copy_and_leaves_enrollments_on_the_original(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    _join_beta(services, app_world)
    browser = _as(https_client, services, app_world, "otto")  # not the owner: may still save a copy
    seq = app_world.sequence_id
    response = browser.post_from(f"/app/sequences/{seq}/automation", f"/app/sequences/{seq}/automation", {
        "action": "save_as_new", "new_name": "Intro, meetings only", "on_meeting_enabled": "on",
        "on_meeting_scope": "company", "on_reply_scope": "contact"})
    assert response.status_code == 302
    listed = {q["name"]: q for q in sequences.list_sequences(services, app_world.world.admin)}
    copy = listed["Intro, meetings only"]
    assert (copy["automation"]["on_reply"], copy["automation"]["on_meeting"]) == ("off", "company")
    assert copy["copied_from_id"] == seq and copy["owner_user_id"] == app_world.world.other_rep["id"]
    assert listed["Intro outreach"]["automation"]["on_reply"] == "contact"
    assert {e["sequence_id"] for e in enrollments.list_enrollments(services, app_world.world.admin)} == {seq}
    assert response.headers["Location"] == f"/app/sequences/{copy['id']}/automation"


def test_a_rep_cannot_save_someone_elses_sequence_in_place(https_client: Any, services: ServiceContext,
                                                           app_world: AppWorld) -> None:
    _join_beta(services, app_world)
    browser = _as(https_client, services, app_world, "otto")
    seq = app_world.sequence_id
    response = browser.post_from(f"/app/sequences/{seq}/automation", f"/app/sequences/{seq}/automation", {
        "action": "save_existing", "on_reply_scope": "contact", "on_meeting_scope": "contact"})
    assert response.status_code == 403
    assert sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["on_reply"] == "contact"


def test_settings_form_saves_company_rule_threshold_and_out_of_office(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "admin")
    seq = app_world.sequence_id
    response = browser.post_from("/app/settings", "/app/settings", {
        "unenroll_same_company": "on", "soft_bounce_threshold": "5", "sequence_listed": seq,
        "pause_on_out_of_office": seq})
    assert response.status_code == 302
    account = accounts.get_account(services, app_world.world.account_id)
    assert (account.unenroll_same_company, account.soft_bounce_threshold) == (True, 5)
    assert sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["pause_on_out_of_office"]


def test_settings_form_saves_each_sequences_same_company_checkbox(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "admin")
    seq = app_world.sequence_id
    page = browser.client.get("/app/settings").get_data(as_text=True)
    assert f'id="same_company_{seq}"' in page
    response = browser.post_from("/app/settings", "/app/settings", {
        "soft_bounce_threshold": "3", "sequence_listed": seq, "same_company": seq})
    assert response.status_code == 302
    assert sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["unenroll_same_company"]
    assert accounts.get_account(services, app_world.world.account_id).unenroll_same_company is False, \
        "the account's default for new sequences is its own checkbox"
    response = browser.post_from("/app/settings", "/app/settings", {
        "soft_bounce_threshold": "3", "sequence_listed": seq})
    assert not sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["unenroll_same_company"]


def test_a_rep_saves_the_same_company_checkbox_of_their_own_sequence_only(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    seq = app_world.sequence_id  # Rita's
    otto = _as(https_client, services, app_world, "otto")
    refused = otto.post_from("/app/settings", "/app/settings", {
        "soft_bounce_threshold": "3", "sequence_listed": seq, "same_company": seq})
    assert refused.status_code == 403
    assert not sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["unenroll_same_company"]
    rita = _as(https_client, services, app_world, "rita")
    saved = rita.post_from("/app/settings", "/app/settings", {
        "soft_bounce_threshold": "3", "sequence_listed": seq, "same_company": seq})
    assert saved.status_code == 302
    assert sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["unenroll_same_company"]


def test_the_sequence_page_carries_its_same_company_checkbox(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    seq = app_world.sequence_id
    page = f"/app/sequences/{seq}/enrollments"
    otto = _as(https_client, services, app_world, "otto")
    assert 'id="seq_same_company"' in otto.client.get(page).get_data(as_text=True)
    refused = otto.post_from(page, f"/app/sequences/{seq}/same-company", {"unenroll_same_company": "on"})
    assert refused.status_code == 403
    assert not sequences.get_sequence(services, app_world.world.admin, seq)["automation"]["unenroll_same_company"]
    rita = _as(https_client, services, app_world, "rita")
    saved = rita.post_from(page, f"/app/sequences/{seq}/same-company",
                           {"unenroll_same_company": "on", "tab": "performance"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/app/sequences/{seq}/performance")
    automation = sequences.get_sequence(services, app_world.world.admin, seq)["automation"]
    assert automation["unenroll_same_company"] is True and automation["on_reply"] == "contact"
    assert rita.post_from(page, "/app/sequences/999999/same-company", {}).status_code == 404


def test_a_rep_cannot_change_the_accounts_unenrollment_settings(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "rita")
    response = browser.post_from("/app/settings", "/app/settings", {
        "unenroll_same_company": "on", "soft_bounce_threshold": "5"})
    assert response.status_code == 403
    account = accounts.get_account(services, app_world.world.account_id)
    assert (account.unenroll_same_company, account.soft_bounce_threshold) == (False, 3)


def test_settings_refuse_a_threshold_out_of_range(https_client: Any, services: ServiceContext,
                                                  app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "admin")
    response = browser.post_from("/app/settings", "/app/settings", {"soft_bounce_threshold": "99"})
    assert response.status_code == 422
    assert accounts.get_account(services, app_world.world.account_id).soft_bounce_threshold == 3


# --- signing in ------------------------------------------------------------------------------


def _post_sign_in(client: Any, action: str, data: dict[str, str]) -> Any:
    return Browserless(client).post_from("/app/sign-in", action, data)


def test_google_sign_in_maps_the_verified_identity_to_the_rep(
        https_client: Any, app_world: AppWorld, signers: dict[str, Any]) -> None:
    token = google_id_token(signers["google"], "rita@acme.test")
    response = _post_sign_in(https_client, "/app/sign-in/google", {"credential": token, "next": "/app/settings"})
    assert (response.status_code, response.headers["Location"]) == (302, "/app/settings")
    assert "Rita Rep" in https_client.get("/app/settings").get_data(as_text=True)


SIGN_IN_REFUSED = [
    ("a Google token signed by a key Google does not publish", "/app/sign-in/google",
     lambda s: {"credential": google_id_token(s["intruder"], "rita@acme.test")}),
    ("a Google token for another app", "/app/sign-in/google",
     lambda s: {"credential": google_id_token(s["google"], "rita@acme.test", aud="someone-else")}),
    ("a Google identity that is no rep of ours", "/app/sign-in/google",
     lambda s: {"credential": google_id_token(s["google"], "stranger@elsewhere.test")}),
    ("a Microsoft token from a tenant we do not know, for no rep of ours", "/app/sign-in/microsoft",
     lambda s: {"token": microsoft_token(s["microsoft"], "stranger@elsewhere.test", tid="0000", iss=(
         "https://login.microsoftonline.com/0000/v2.0"))}),
    ("a Microsoft token signed by a key Microsoft does not publish", "/app/sign-in/microsoft",
     lambda s: {"token": microsoft_token(s["intruder"], "otto@acme.test")}),
]


@pytest.mark.parametrize(("action", "form"), [c[1:] for c in SIGN_IN_REFUSED], ids=[c[0] for c in SIGN_IN_REFUSED])
def test_sign_in_is_refused(https_client: Any, app_world: AppWorld, signers: dict[str, Any], action: str,
                            form: Any) -> None:
    response = _post_sign_in(https_client, action, form(signers))
    assert response.status_code == 401
    assert https_client.get("/app/sequences").status_code == 302


@pytest.mark.parametrize("linked", [True, False], ids=["a rep linked earlier by the Outlook add-in signs in",
                                                      "a tenant's first rep signs in by address"])
def test_microsoft_sign_in(https_client: Any, services: ServiceContext, app_world: AppWorld,
                           signers: dict[str, Any], linked: bool) -> None:
    if linked:
        identity.principal_for_microsoft_user(services, oid="ms-oid-1", tid=TENANT, username="otto@acme.test")
    token = microsoft_token(signers["microsoft"], "otto@acme.test")
    response = _post_sign_in(https_client, "/app/sign-in/microsoft", {"token": token})
    assert response.status_code == 302
    assert "Otto Other" in https_client.get("/app/sequences").get_data(as_text=True)


def test_after_sign_in_only_our_own_pages_are_a_destination(https_client: Any, app_world: AppWorld,
                                                            signers: dict[str, Any]) -> None:
    token = google_id_token(signers["google"], "rita@acme.test")
    response = _post_sign_in(https_client, "/app/sign-in/google", {"credential": token,
                                                                   "next": "https://evil.example/app/"})
    assert response.headers["Location"] == "/app/sequences"


def test_demo_password_sign_in_does_not_exist_outside_demo_mode(https_client: Any, app_world: AppWorld) -> None:
    response = _post_sign_in(https_client, "/app/sign-in/demo", {"email": "rita@acme.test", "password": "demo"})
    assert response.status_code == 404
    assert https_client.get("/app/sign-in/demo").status_code == 404
    assert "Demo sign-in" not in https_client.get("/app/sign-in").get_data(as_text=True)


@pytest.mark.parametrize(("password", "status"), [("demo", 302), ("guess", 401)],
                         ids=["the demo password signs in", "another password does not"])
def test_demo_password_sign_in_in_demo_mode(settings: Any, services: ServiceContext, app_world: AppWorld,
                                            password: str, status: int) -> None:
    from addin_server import create_app

    # The seeded demo account is the one holding the demo's published API key.
    accounts.install_api_key(services, app_world.world.account_id, DEMO_API_KEY, name="demo")
    app = create_app(settings.with_overrides(demo_mode=True, public_url="http://127.0.0.1"), services=services)
    client = app.test_client()
    assert "Rita Rep (rita@acme.test)" in client.get("/app/sign-in").get_data(as_text=True)
    response = _post_sign_in(client, "/app/sign-in/demo", {"email": "rita@acme.test", "password": password})
    assert response.status_code == status


def test_signing_out_ends_the_session(https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _as(https_client, services, app_world, "rita")
    assert browser.post_from("/app/sequences", "/app/sign-out", {}).status_code == 302
    assert https_client.get("/app/sequences").status_code == 302


def test_settings_show_a_disconnected_mailbox(https_client: Any, services: ServiceContext,
                                              app_world: AppWorld) -> None:
    from addin_server.services.grants import mark_disconnected

    mark_disconnected(services, int(app_world.world.other_rep["id"]), "invalid_grant: token revoked")
    _as(https_client, services, app_world, "rita")
    html = https_client.get("/app/settings").get_data(as_text=True)
    otto_row = html[html.index("otto@acme.test"):].split("</tr>")[0]
    assert "Disconnected" in otto_row


def test_settings_show_a_rep_who_signed_in_with_microsoft_but_never_connected_as_not_connected(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    from sqlalchemy import update

    from addin_server.db import tables as t

    with services.session() as s:  # Otto signed in with Microsoft: that proves him, not a mailbox grant
        s.execute(update(t.User).where(t.User.id == int(app_world.world.other_rep["id"]))
                  .values(ms_tid="tid-x", ms_oid="oid-otto", mailbox_connected=False))
    _as(https_client, services, app_world, "rita")
    html = https_client.get("/app/settings").get_data(as_text=True)
    otto_row = html[html.index("otto@acme.test"):].split("</tr>")[0]
    assert "Not connected" in otto_row and "Disconnected" not in otto_row


def test_sign_in_page_offers_google_and_microsoft_when_configured(https_client: Any, app_world: AppWorld) -> None:
    html = https_client.get("/app/sign-in").get_data(as_text=True)
    assert "https://accounts.google.com/gsi/client" in html and 'id="microsoft-sign-in"' in html


def test_settings_show_the_reps_own_booking_page_and_it_opens(https_client: Any, services: ServiceContext,
                                                              app_world: AppWorld) -> None:
    import re

    _as(https_client, services, app_world, "rita")
    html = https_client.get("/app/settings").get_data(as_text=True)
    found = re.search(r'id="booking-page-url">https://sidebar\.test(/meet/[^<]+)</a>', html)
    assert found, html[html.find("booking-page"):][:400]
    page = https_client.get(found.group(1))
    assert page.status_code == 200 and "Book a meeting with Rita Rep" in page.get_data(as_text=True)
