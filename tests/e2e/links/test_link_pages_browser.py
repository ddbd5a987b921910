"""The unsubscribe and booking pages in headless Chromium, on a desktop and on a phone."""

from __future__ import annotations

import logging

import pytest
import requests

from addin_server.auth.signed_links import booking_page_key
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.browser import browser_page, screenshot
from tests.e2e.links.conftest import LinkWorld

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport, name", [
    pytest.param(None, "desktop", id="on a desktop"),
    pytest.param(PHONE, "phone", id="on a phone"),
])
def test_unsubscribing_from_the_page(base_url: str, services: ServiceContext, link_world: LinkWorld,
                                     viewport: dict[str, int] | None, name: str) -> None:
    with browser_page(viewport) as page:
        page.goto(base_url + link_world.unsubscribe_path)
        assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe from these emails?"
        button = page.get_by_role("button", name="Unsubscribe")
        assert button.bounding_box()["height"] >= 44  # a comfortable touch target
        screenshot(page, f"links-unsubscribe-confirm-{name}")
        button.click()
        page.wait_for_selector("text=You are unsubscribed")
        screenshot(page, f"links-unsubscribe-done-{name}")
    got = enrollments.get_enrollment(services, link_world.world.admin, link_world.enrollment_id)
    assert (got["end_reason"], got["evidence"]["how"]) == ("unsubscribed", "page")


def test_a_bad_unsubscribe_link_shows_a_clear_page(base_url: str, link_world: LinkWorld) -> None:
    with browser_page(PHONE) as page:
        answer = page.goto(base_url + link_world.unsubscribe_path[:-5] + "xxxxx")
        assert answer is not None and answer.status == 400
        assert page.get_by_role("alert").inner_text().startswith("Nothing was changed.")
        screenshot(page, "links-unsubscribe-bad-link")


@pytest.mark.parametrize("viewport, name", [
    pytest.param(None, "desktop", id="on a desktop"),
    pytest.param(PHONE, "phone", id="on a phone"),
])
def test_booking_through_the_sequence_emails_link(base_url: str, services: ServiceContext, link_world: LinkWorld,
                                                  viewport: dict[str, int] | None, name: str) -> None:
    with browser_page(viewport) as page:
        page.goto(base_url + link_world.meeting_path)
        assert page.get_by_role("heading", level=1).inner_text() == "Book a meeting with Rita Rep"
        assert page.get_by_role("group", name="Tuesday 3 March").is_visible()
        screenshot(page, f"links-booking-{name}")
        # The slots are radio buttons named by their times (keyboard and screen-reader friendly).
        page.get_by_role("group", name="Tuesday 3 March").get_by_text("10:30–11:00").click()
        assert page.get_by_role("radio", name="10:30–11:00").nth(1).is_checked()
        # A link can be forwarded: the contact says who they are, with the address it was sent to.
        page.get_by_label("Your name").fill("Jane Doe")
        page.get_by_label("Your email").fill(str(link_world.world.contact["email"]))
        page.get_by_role("button", name="Book this time").click()
        page.wait_for_selector("text=Your meeting is booked")
        assert "Tuesday 3 March 2026, 10:30" in page.inner_text("main")
        screenshot(page, f"links-booked-{name}")
    got = enrollments.get_enrollment(services, link_world.world.admin, link_world.enrollment_id)
    assert (got["status"], got["end_reason"]) == ("unenrolled", "meeting_booked")


def test_booking_without_a_link_asks_for_name_and_email(base_url: str, services: ServiceContext,
                                                         link_world: LinkWorld) -> None:
    with browser_page(PHONE) as page:
        page.goto(f"{base_url}/meet/{booking_page_key(link_world.world.rep['id'], services.settings)}")
        page.get_by_role("group", name="Wednesday 4 March").get_by_text("14:00–14:30").click()
        page.get_by_label("Your name").fill("Pat Example")
        page.get_by_label("Your email").fill("not-an-address")
        page.get_by_role("button", name="Book this time").click()
        # The browser's own check stops an invalid address before anything is sent.
        assert page.get_by_label("Your email").evaluate("el => !el.validity.valid")
        page.get_by_label("Your email").fill("pat@example.org")
        page.get_by_role("button", name="Book this time").click()
        page.wait_for_selector("text=Your meeting is booked")
        screenshot(page, "links-booked-without-link")


def test_the_link_pages_send_a_policy_that_refuses_everything_they_do_not_need(
        base_url: str, link_world: LinkWorld) -> None:
    violations: list[str] = []
    with browser_page(PHONE) as page:
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        for path in (link_world.unsubscribe_path, link_world.meeting_path):
            response = page.goto(base_url + path)
            assert response is not None and response.status == 200
            policy = response.headers["content-security-policy"]
            assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy
            # The page's own stylesheet still applies under the policy.
            assert page.evaluate("document.styleSheets.length") >= 1
            assert page.evaluate("document.styleSheets[0].cssRules.length") > 0
    assert violations == []


def test_the_servers_log_carries_no_capability_token(
        base_url: str, link_world: LinkWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    unsubscribe_token = link_world.unsubscribe_path.removeprefix("/u/")
    meeting_token = link_world.meeting_path.split("?t=", 1)[1]
    for path in (link_world.unsubscribe_path, link_world.meeting_path, link_world.unsubscribe_path + "x"):
        requests.get(base_url + path, timeout=10)
    lines = [r.getMessage() for r in caplog.records]
    assert any("/u/[redacted]" in line for line in lines)  # the requests were logged, without their tokens
    assert not any(unsubscribe_token in line or meeting_token in line for line in lines)
