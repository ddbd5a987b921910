"""The task pane's sign-in routes and its messages, in headless Chromium beside the stand-in Outlook.

Sign-in: nested app authentication first (MSAL.js talking to the stand-in's NAA bridge, as it talks to
Outlook's), then Office.auth.getAccessToken, then the sign-in dialog. Messages: what the rep reads after
an unenrollment, a refused sign-in, or a server failure.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from addin_server.domain.model import EndOfEnrollment, Surface, UnenrollReason
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.enrollments import end_enrollment
from tests.browser import screenshot
from tests.e2e.outlook.conftest import Enrolled
from tests.e2e.outlook.test_taskpane import _apply, _card, _open_preview, _reopen_pane
from tests.web.outlook.sso_tokens import SigningKey, mint, sso_claims

pytestmark = pytest.mark.browser


def _host(page: Any, name: str) -> Any:
    return page.evaluate(f"outlookPreview.{name}")


def _pane_get_access_token_calls(page: Any) -> int:
    """Office.auth.getAccessToken calls of the task pane (the event-based runtime beside it makes its own)."""
    return int(page.evaluate("outlookPreview.getAccessTokenCallers.filter(p => p === '/outlook/taskpane').length"))


def _signed_in_by(pane: Any) -> str:
    return str(pane.locator("#pane-footer").get_attribute("data-sign-in"))


def _listed(page: Any, pane: Any, email: str) -> Any:
    _apply(page, to=email)
    card = _card(pane, email)
    card.locator(".badge").last.wait_for()
    return card


def test_the_pane_signs_in_through_nested_app_authentication_where_outlook_offers_it(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert _signed_in_by(pane) == "naa"
    assert _host(page, "naaRequests") >= 1 and _pane_get_access_token_calls(page) == 0
    assert pane.locator("#signed-in-as").inner_text() == "Signed in with Microsoft 365 single sign-on"


def test_a_microsoft_token_from_nested_app_authentication_is_validated_by_the_server(
        page: Any, base_url: str, enrolled: Enrolled, ms_key: SigningKey) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.evaluate(
        "token => { outlookPreview.setAccessToken(token); outlookPreview.reloadPane(); }", mint(ms_key, sso_claims())))
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert _signed_in_by(pane) == "naa" and _pane_get_access_token_calls(page) == 0


def test_a_v1_token_from_nested_app_authentication_is_refused(page: Any, base_url: str, enrolled: Enrolled,
                                                               ms_key: SigningKey) -> None:
    pane = _open_preview(page, base_url)
    v1 = sso_claims(aud="api://sidebar.test/6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5",
                    iss="https://sts.windows.net/3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17/")
    _reopen_pane(page, pane, lambda: page.evaluate(
        "token => { outlookPreview.setAccessToken(token); outlookPreview.reloadPane(); }", mint(ms_key, v1)))
    _apply(page, to=enrolled.world.colleague["email"])
    pane.locator("#state-signed-out").wait_for(state="visible")
    assert pane.locator("li.recipient").count() == 0


def test_when_the_nested_app_authentication_bridge_fails_the_pane_uses_get_access_token(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.evaluate(
        "() => { outlookPreview.naaFailure = 'PERSISTENT_ERROR'; outlookPreview.reloadPane(); }"))
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert _signed_in_by(pane) == "sso"
    assert _host(page, "naaRequests") >= 1 and _pane_get_access_token_calls(page) >= 1


def test_a_client_without_nested_app_authentication_uses_get_access_token(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.select_option("#auth-route", "sso"))
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert _signed_in_by(pane) == "sso"
    assert _host(page, "naaRequests") == 0 and _pane_get_access_token_calls(page) >= 1


def test_with_neither_nested_app_authentication_nor_sso_the_dialog_signs_the_rep_in(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.select_option("#identity", "no-sso"))
    _apply(page, to=enrolled.world.colleague["email"])
    pane.locator("#state-signed-out").wait_for(state="visible")
    assert _host(page, "naaRequests") >= 1 and _pane_get_access_token_calls(page) >= 1
    with page.expect_popup() as opened:
        pane.get_by_role("button", name="Sign in").click()
    opened.value.get_by_label("Password").fill("demo")  # the demo's local sign-in asks the demo password
    opened.value.get_by_role("button", name="Sign in").click()
    _card(pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert _signed_in_by(pane) == "pane"


def _unenroll_raj(pane: Any, enrolled: Enrolled) -> None:
    raj = _card(pane, enrolled.world.colleague["email"])
    raj.get_by_role("button", name="Unenroll from sequence").click()
    raj.get_by_role("button", name="Unenroll", exact=True).click()
    pane.locator("#notice").wait_for(state="visible")


def test_after_an_unenrollment_the_information_bar_no_longer_names_the_contact(
        page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=w.colleague["email"], cc=w.contact["email"])
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Raj')")
    _card(pane, w.colleague["email"]).locator(".alert").wait_for()
    _unenroll_raj(pane, enrolled)
    page.wait_for_function("!document.getElementById('info-bar').textContent.includes('Raj')")
    assert "Jane Doe (Intro outreach)" in page.locator("#info-bar").inner_text()
    _end_elsewhere(services, enrolled.jane_enrollment)
    pane.get_by_role("button", name="Refresh recipients").click()
    _card(pane, w.contact["email"]).get_by_text("Not enrolled").wait_for()
    page.wait_for_function("document.getElementById('info-bar').hidden")
    screenshot(page, "outlook-pane-info-bar-after-unenroll")


def _end_elsewhere(services: ServiceContext, enrollment_id: str) -> None:
    with services.session() as s:
        end_enrollment(s, int(enrollment_id), EndOfEnrollment(UnenrollReason.MANUAL, Surface.CONTACT_RECORD,
                                                              "user:rita@acme.test", {"rule": "by hand"}),
                       services.now())


def test_a_contact_unenrolled_elsewhere_meanwhile_had_already_left(
        page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    _end_elsewhere(services, enrolled.raj_enrollment)  # someone else, in the web app, while the pane is open
    _unenroll_raj(pane, enrolled)
    assert pane.locator("#notice").inner_text() == (
        "Raj had already left Intro outreach: unenrolled by rita@acme.test from the contact record.")
    ended = enrollments.get_enrollment(services, enrolled.world.admin, enrolled.raj_enrollment)
    assert ended["end_surface"] == "contact_record"  # the first ending stands


def test_a_contact_another_rep_unenrolled_from_their_own_pane_a_moment_before_had_already_left(
        page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    """The same surface and reason as this pane's own ending: only the actor (GET /me) tells them apart."""
    pane = _open_preview(page, base_url)
    raj_id = enrolled.raj_enrollment
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    before = enrollments.get_enrollment(services, enrolled.world.admin, raj_id)
    with services.session() as s:
        end_enrollment(s, int(raj_id), EndOfEnrollment(UnenrollReason.MANUAL, Surface.OUTLOOK_ADDIN,
                                                       "user:rita@acme.test", {"rule": "by hand"}), services.now())
    # The pane's read before unenrolling still saw it open (the other pane ended it just after that read).
    page.route(f"**/api/v1/enrollments/{raj_id}", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(before)))
    _unenroll_raj(pane, enrolled)
    assert pane.locator("#notice").inner_text() == (
        "Raj had already left Intro outreach: unenrolled by rita@acme.test from the Outlook add-in.")
    ended = enrollments.get_enrollment(services, enrolled.world.admin, raj_id)
    assert ended["end_actor"] == "user:rita@acme.test"  # the first ending stands


@pytest.mark.parametrize(("status", "body"), [
    pytest.param(500, '{"error": {"code": "internal", "message": "An internal error occurred."}}',
                 id="a 500 with the server's generic words reads as a sentence"),
    pytest.param(502, "<html>Bad gateway</html>", id="a 502 from a proxy reads as a sentence"),
])
def test_a_server_failure_shows_a_human_message(page: Any, base_url: str, enrolled: Enrolled, status: int,
                                                body: str) -> None:
    pane = _open_preview(page, base_url)
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(status=status, body=body,
                                                                          content_type="application/json"))
    _apply(page, to=enrolled.world.contact["email"])
    pane.locator("#state-error").wait_for(state="visible")
    message = pane.locator("#error-message").inner_text()
    assert message == ("Sequence Sidebar ran into a problem and could not answer. Nothing was changed. "
                       "Try again in a moment.")
    assert str(status) not in message


def test_after_a_refused_sign_in_the_footer_no_longer_claims_single_sign_on(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert pane.locator("#signed-in-as").inner_text() == "Signed in with Microsoft 365 single sign-on"
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(
        status=401, content_type="application/json",
        body='{"error": {"code": "token_expired", "message": "The token has expired."}}'))
    pane.get_by_role("button", name="Refresh recipients").click()
    pane.locator("#state-signed-out").wait_for(state="visible")
    assert pane.locator("#pane-footer").is_hidden()
    assert "single sign-on" not in pane.locator("body").inner_text()


def test_a_success_notice_does_not_stay_above_a_later_error(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=w.colleague["email"], cc=w.contact["email"])
    _card(pane, w.colleague["email"]).locator(".alert").wait_for()
    _unenroll_raj(pane, enrolled)
    assert pane.locator("#notice").inner_text() == "Raj was unenrolled from Intro outreach."
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body='{"error": {"code": "keys_unavailable", "message": "Microsoft\'s signing keys cannot be fetched now."}}'))
    pane.get_by_role("button", name="Refresh recipients").click()
    pane.locator("#state-error").wait_for(state="visible")
    assert pane.locator("#notice").is_hidden()


def test_a_failed_refresh_after_an_unenrollment_says_the_unenrollment_happened_and_clears_the_information_bar(
        page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=w.colleague["email"], cc=w.contact["email"])
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Raj')")
    _card(pane, w.colleague["email"]).locator(".alert").wait_for()
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(status=500, body=""))
    _card(pane, w.colleague["email"]).get_by_role("button", name="Unenroll from sequence").click()
    pane.get_by_role("button", name="Unenroll", exact=True).click()
    pane.locator("#state-error").wait_for(state="visible")
    message = pane.locator("#error-message").inner_text()
    assert message == ("Raj was unenrolled from Intro outreach. The recipients could not be reloaded. "
                       "Try again in a moment.")
    assert "Nothing was changed" not in pane.locator("body").inner_text()
    assert pane.locator("#notice").is_hidden()  # no green success above an error
    page.wait_for_function("!document.getElementById('info-bar').textContent.includes('Raj')")
    assert "Jane Doe (Intro outreach)" in page.locator("#info-bar").inner_text()
    assert enrollments.get_enrollment(services, w.admin, enrolled.raj_enrollment)["status"] == "unenrolled"


def test_a_refused_sign_in_after_an_unenrollment_still_says_the_unenrollment_happened(
        page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    _listed(page, pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(
        status=401, content_type="application/json",
        body='{"error": {"code": "token_expired", "message": "The token has expired."}}'))
    _card(pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").click()
    pane.get_by_role("button", name="Unenroll", exact=True).click()
    pane.locator("#state-signed-out").wait_for(state="visible")
    assert pane.locator("#signed-out-message").inner_text().startswith("Raj was unenrolled from Intro outreach. ")
    assert enrollments.get_enrollment(services, enrolled.world.admin, enrolled.raj_enrollment)["status"] == "unenrolled"


def _event_runtime_get_access_token_calls(page: Any) -> int:
    return int(page.evaluate("outlookPreview.getAccessTokenCallers.filter(p => p === '/outlook/events').length"))


def _event_runtime_settled(page: Any, dispatched_before: int) -> None:
    """Wait until the event-based runtime has finished every OnMessageRecipientsChanged since
    `dispatched_before`: the pane sets the same bar, so the bar alone does not say the runtime is done."""
    page.wait_for_function("n => outlookPreview.launchEvents > n && "
                           "outlookPreview.launchEventsCompleted === outlookPreview.launchEvents", arg=dispatched_before)


def test_the_information_bars_lookup_signs_in_through_nested_app_authentication(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    _open_preview(page, base_url)
    before = _host(page, "launchEvents")
    _apply(page, cc=enrolled.world.contact["email"])
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Jane Doe')")
    _event_runtime_settled(page, before)
    assert _event_runtime_get_access_token_calls(page) == 0
    assert _host(page, "naaRequests") >= 2  # the pane's and the event-based runtime's


def test_when_the_bridge_fails_the_information_bars_lookup_uses_get_access_token(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.evaluate(
        "() => { outlookPreview.naaFailure = 'PERSISTENT_ERROR'; outlookPreview.reloadPane(); }"))
    before = _host(page, "launchEvents")
    _apply(page, cc=enrolled.world.contact["email"])
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Jane Doe')")
    _event_runtime_settled(page, before)
    assert _event_runtime_get_access_token_calls(page) >= 1


def test_a_client_without_the_recipients_changed_event_gets_no_information_bar_from_the_pane(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.select_option("#client", "1.10"))
    _apply(page, cc=enrolled.world.contact["email"])
    pane.get_by_role("button", name="Refresh recipients").click()
    _card(pane, enrolled.world.contact["email"]).locator(".alert").wait_for()
    assert page.locator("#info-bar").is_hidden()


def test_an_earlier_lookup_of_the_event_based_runtime_answering_late_does_not_name_a_removed_contact(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    """The rep adds Jane, then removes her before the runtime's lookup for Jane answers: the bar,
    cleared for the empty draft, stays cleared when that older answer arrives."""
    pane = _open_preview(page, base_url)
    _event_runtime_settled(page, 0)  # the sample draft's lookup on load is over: it is not the one held
    held: list[Any] = []  # the runtime's lookups, answered when the test says
    page.route("**/api/v1/recipients/status", lambda route: held.append(route)
               if "/outlook/events" in route.request.frame.url else route.continue_())
    before = _host(page, "launchEvents")
    with page.expect_request(lambda r: r.url.endswith("/recipients/status") and "/outlook/events" in r.frame.url):
        _apply(page, cc=enrolled.world.contact["email"])
    _card(pane, enrolled.world.contact["email"]).locator(".alert").wait_for()
    _apply(page)  # Jane removed while the runtime's lookup for her is still out
    pane.locator("#state-empty").wait_for(state="visible")
    page.wait_for_function("outlookPreview.launchEventsCompleted === outlookPreview.launchEvents - 1")
    page.wait_for_function("document.getElementById('info-bar').hidden")
    assert len(held) == 1
    held[0].continue_()
    _event_runtime_settled(page, before)
    assert page.locator("#info-bar").is_hidden()
    assert "Jane" not in page.locator("#info-bar").inner_text()
