"""The task pane in headless Chromium, beside the stand-in Outlook of /dev/outlook-preview.

Screenshots (test-artifacts/outlook-*.png) show the preview page: the stand-in Outlook's controls on
the left, the information bar and the 340-px-wide task pane on the right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.browser import screenshot
from tests.e2e.outlook.conftest import Enrolled
from tests.web.outlook.sso_tokens import SigningKey, mint, sso_claims

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000


def _open_preview(page: Any, base_url: str) -> Any:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/dev/outlook-preview")
    return page.frame_locator("#pane-frame")


def _apply(page: Any, to: str = "", cc: str = "", bcc: str = "") -> None:
    page.fill("#to-field", to)
    page.fill("#cc-field", cc)
    page.fill("#bcc-field", bcc)
    page.click("#apply")


def _card(pane: Any, email: str) -> Any:
    return pane.locator("li.recipient", has_text=email)


def _pane_frame(page: Any) -> Any:
    return next(f for f in page.frames if "/outlook/taskpane" in f.url)


def _reopen_pane(page: Any, pane: Any, change: Callable[[], object]) -> None:
    """Empty the draft, run `change` (it reloads the pane) and wait until the NEW pane has read it.

    Until the reloaded pane's document is in, the old one still answers the pane's locators: its
    empty state would pass a wait, and recipients applied then would reach the new pane only on load.
    """
    for field in ("#to-field", "#cc-field", "#bcc-field"):
        page.fill(field, "")  # the preview's own sample recipients would be the new pane's first lookup
    with page.expect_event("framenavigated", predicate=lambda f: "/outlook/taskpane" in f.url):
        change()
    pane.locator("#state-empty").wait_for(state="visible")


def _status_lookups(page: Any) -> list[Any]:
    """The pane's POST /recipients/status requests from now on (the event-based runtime's left out)."""
    seen: list[Any] = []
    page.on("request", lambda r: seen.append(r) if r.url.endswith("/api/v1/recipients/status")
            and "/outlook/taskpane" in r.frame.url else None)
    return seen


def test_the_pane_lists_each_recipient_with_name_company_and_status(page: Any, base_url: str,
                                                                   enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=f"Raj <{w.colleague['email']}>", cc=w.contact["email"], bcc="new.lead@hooli.example")
    jane = _card(pane, w.contact["email"])
    jane.locator(".alert").wait_for()
    assert "This contact is currently enrolled in a sequence" in jane.inner_text()
    assert re.search(r"Sequence\s+Intro outreach\s+Step\s+Step 1 of 3\s+Enrolled by\s+Rita Rep", jane.inner_text())
    assert "Jane Doe" in jane.inner_text() and "Globex" in jane.inner_text()
    # Otto did not enroll Jane: no unenroll button, a hint saying who can.
    assert jane.locator("[data-action='unenroll']").count() == 0
    assert "Only Rita Rep" in jane.inner_text()
    assert "Not a contact" in _card(pane, "new.lead@hooli.example").inner_text()
    assert [b.inner_text() for b in pane.locator(".badge--field").all()] == ["To", "Cc", "Bcc"]
    # The information bar of event-based activation names the enrolled recipients.
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Jane Doe')")
    assert not _pane_frame(page).evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    screenshot(page, "outlook-pane-enrolled-recipients")


def test_the_pane_follows_recipients_changed_without_a_refresh(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to="new.lead@hooli.example")
    # The preview's sample draft (listed on load) has this address too: wait for the list of one.
    expect(pane.locator("li.recipient")).to_have_count(1, timeout=TIMEOUT_MS)
    _card(pane, "new.lead@hooli.example").wait_for()
    assert page.locator("#info-bar").is_hidden()
    _apply(page, to="new.lead@hooli.example", cc=w.contact["email"])
    _card(pane, w.contact["email"]).locator(".alert").wait_for()
    page.wait_for_function("document.getElementById('info-bar').textContent.includes('Jane Doe (Intro outreach)')")
    _apply(page, to="")
    pane.locator("#state-empty").wait_for(state="visible")
    page.wait_for_function("document.getElementById('info-bar').hidden")
    screenshot(page, "outlook-pane-empty")


def test_without_recipients_changed_the_refresh_button_reads_the_recipients_again(
        page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.select_option("#client", "1.3"))  # a client without RecipientsChanged
    lookups = _status_lookups(page)
    _apply(page, cc=enrolled.world.contact["email"])
    assert pane.locator("li.recipient").count() == 0  # Mailbox 1.3 has no RecipientsChanged
    pane.get_by_role("button", name="Refresh recipients").click()
    _card(pane, enrolled.world.contact["email"]).locator(".alert").wait_for()
    # The card came from the button's lookup, the only one: applying the Cc asked nothing by itself
    # (a lookup it started would have gone out before the button's, which rendered).
    assert [r.post_data_json for r in lookups] == [{"emails": [enrolled.world.contact["email"]]}]


def test_a_rep_unenrolls_a_contact_after_confirming(page: Any, base_url: str, enrolled: Enrolled,
                                                    services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=w.colleague["email"], cc=w.contact["email"])
    raj = _card(pane, w.colleague["email"])
    raj.get_by_role("button", name="Unenroll from sequence").click()
    confirm = raj.get_by_role("alertdialog", name="Confirm unenrollment")
    assert "Unenroll Raj from Intro outreach?" in confirm.inner_text()
    screenshot(page, "outlook-pane-confirm-unenroll")
    # Cancelling changes nothing.
    confirm.get_by_role("button", name="Cancel").click()
    assert enrollments.get_enrollment(services, w.admin, enrolled.raj_enrollment)["status"] == "active"
    raj.get_by_role("button", name="Unenroll from sequence").click()
    raj.get_by_role("button", name="Unenroll", exact=True).click()
    pane.locator("#notice").wait_for(state="visible")
    assert pane.locator("#notice").inner_text() == "Raj was unenrolled from Intro outreach."
    _card(pane, w.colleague["email"]).get_by_text("Not enrolled").wait_for()
    ended = enrollments.get_enrollment(services, w.admin, enrolled.raj_enrollment)
    assert (ended["status"], ended["end_surface"], ended["end_reason"]) == ("unenrolled", "outlook_addin", "manual")
    assert enrollments.get_enrollment(services, w.admin, enrolled.jane_enrollment)["status"] == "active"
    screenshot(page, "outlook-pane-after-unenroll")


def test_the_pane_works_by_keyboard(page: Any, base_url: str, enrolled: Enrolled, services: ServiceContext) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    _apply(page, to=w.colleague["email"])
    unenroll = _card(pane, w.colleague["email"]).get_by_role("button", name="Unenroll from sequence")
    unenroll.focus()
    page.keyboard.press("Enter")
    frame = _pane_frame(page)
    assert frame.evaluate("document.activeElement.dataset.action") == "confirm-unenroll"
    page.keyboard.press("Escape")
    assert frame.evaluate("document.activeElement.dataset.action") == "unenroll"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    pane.locator("#notice").wait_for(state="visible")
    assert enrollments.get_enrollment(services, w.admin, enrolled.raj_enrollment)["end_surface"] == "outlook_addin"


def test_read_mode_lists_the_sender_and_the_visible_recipients(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    w = enrolled.world
    page.fill("#from-field", f"Jane Doe <{w.contact['email']}>")
    page.fill("#to-field", "otto@acme.test")
    page.fill("#cc-field", "")
    page.fill("#bcc-field", "hidden@example.org")  # Bcc is not visible in read mode
    page.select_option("#mode", "read")
    _card(pane, w.contact["email"]).locator(".alert").wait_for()
    assert [b.inner_text() for b in pane.locator(".badge--field").all()] == ["From", "To"]


def test_the_pane_signs_in_with_a_microsoft_sso_token(page: Any, base_url: str, enrolled: Enrolled,
                                                      ms_key: SigningKey) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.evaluate(
        "token => { outlookPreview.setAccessToken(token); outlookPreview.reloadPane(); }", mint(ms_key, sso_claims())))
    _apply(page, to=enrolled.world.colleague["email"])
    _card(pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert pane.locator("#signed-in-as").inner_text() == "Signed in with Microsoft 365 single sign-on"


def test_a_refused_token_shows_the_signed_out_state(page: Any, base_url: str, enrolled: Enrolled,
                                                    ms_key: SigningKey) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.evaluate(
        "token => { outlookPreview.setAccessToken(token); outlookPreview.reloadPane(); }",
        mint(ms_key, sso_claims(aud="00000000-0000-4000-8000-000000000000"))))
    _apply(page, to=enrolled.world.colleague["email"])
    pane.locator("#state-signed-out").wait_for(state="visible")
    assert pane.locator("#recipients").is_hidden()
    assert pane.locator("#signed-out-message").inner_text() == (
        "Your sign-in was not accepted: The token was issued for another audience. Sign in again.")
    assert pane.locator("li.recipient").count() == 0
    screenshot(page, "outlook-pane-signed-out")


def test_a_server_error_is_shown_and_try_again_recovers(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    page.route("**/api/v1/recipients/status", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body='{"error": {"code": "keys_unavailable", "message": "Microsoft\'s signing keys cannot be fetched now."}}'))
    _apply(page, to=enrolled.world.contact["email"])
    pane.locator("#state-error").wait_for(state="visible")
    assert pane.locator("#error-message").inner_text() == "Microsoft's signing keys cannot be fetched now."
    assert pane.locator("#recipients").is_hidden()
    screenshot(page, "outlook-pane-error")
    page.unroute("**/api/v1/recipients/status")
    pane.get_by_role("button", name="Try again").click()
    _card(pane, enrolled.world.contact["email"]).locator(".alert").wait_for()


def test_without_sso_the_rep_signs_in_through_the_dialog(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _reopen_pane(page, pane, lambda: page.select_option("#identity", "no-sso"))
    _apply(page, to=enrolled.world.colleague["email"])
    pane.locator("#state-signed-out").wait_for(state="visible")
    with page.expect_popup() as opened:
        pane.get_by_role("button", name="Sign in").click()
    dialog = opened.value
    dialog.get_by_label("Password").fill("demo")  # the demo's local sign-in asks the demo password
    dialog.get_by_role("button", name="Sign in").click()
    _card(pane, enrolled.world.colleague["email"]).get_by_role("button", name="Unenroll from sequence").wait_for()
    assert pane.locator("#signed-in-as").inner_text() == "Signed in through the sign-in window"


def test_view_contact_opens_the_contact_record_in_the_web_app(page: Any, base_url: str, enrolled: Enrolled) -> None:
    pane = _open_preview(page, base_url)
    _apply(page, to=enrolled.world.contact["email"])
    _card(pane, enrolled.world.contact["email"]).get_by_role("button", name="View contact").click()
    assert page.evaluate("outlookPreview.opened") == [
        f"https://sidebar.test/app/contacts/{enrolled.world.contact['id']}"]
