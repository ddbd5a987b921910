"""Settings → People and Settings → API keys in headless Chromium, by keyboard only: an admin invites
someone, removes a rep after the confirmation (the rep's own open browser is signed out), makes a key
that is shown once and revokes it after the confirmation; the pages fit a 375 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.browser import browser_page, screenshot, shared_chromium
from tests.e2e.app.conftest import BrowserWorld, axe_violations, sign_in

pytestmark = pytest.mark.browser


@contextmanager
def checked_page(width: int = 1200) -> Iterator[Any]:
    """A page axe-core can be injected into (bypass_csp: the app's own policy refuses inline scripts)."""
    context = shared_chromium().new_context(viewport={"width": width, "height": 800}, bypass_csp=True,
                                            has_touch=width < 600, is_mobile=width < 600)
    try:
        yield context.new_page()
    finally:
        context.close()


def _press(page: Any, selector: str, key: str = "Enter") -> None:
    page.focus(selector)
    page.keyboard.press(key)


def test_an_admin_manages_people_and_keys_with_the_keyboard(
        base_url: str, services: ServiceContext, browser_world: BrowserWorld, axe_source: str) -> None:
    otto = browser_world.world.other_rep
    with browser_page() as ottos_page, checked_page() as page:
        sign_in(ottos_page, base_url, otto["email"], "/app/settings")  # Otto is signed in elsewhere

        sign_in(page, base_url, "admin@acme.test", "/app/settings")
        _press(page, "#manage-people")
        page.wait_for_url(f"{base_url}/app/settings/people")
        assert axe_violations(page, axe_source) == []
        page.focus("#invite-email")
        page.keyboard.type("nina@acme.test")
        page.keyboard.press("Tab")
        page.keyboard.type("Nina New")
        page.keyboard.press("Enter")
        page.wait_for_selector(".flash-success")
        assert "Invited nina@acme.test" in page.inner_text(".flash-success")
        assert "Nina New" in page.inner_text("#people-table")

        _press(page, f"#remove-{otto['id']}")
        page.wait_for_selector("#remove-confirmation")
        assert "ends the 0 active or paused enrollments" in page.inner_text("#remove-confirmation")
        assert page.evaluate("() => document.activeElement.id") == "confirm-remove"
        screenshot(page, "app-people-remove-confirmation")
        page.keyboard.press("Enter")
        page.wait_for_selector(".flash-success")
        assert "Removed Otto Other" in page.inner_text(".flash-success")
        assert otto["email"] not in page.inner_text("#people-table")

        ottos_page.reload()
        ottos_page.wait_for_url(re.compile(r".*/app/sign-in\b.*"))  # his session ended on the server
        _keys_by_keyboard(page, base_url, axe_source)


def _keys_by_keyboard(page: Any, base_url: str, axe_source: str) -> None:
    page.goto(f"{base_url}/app/settings/api-keys")
    page.focus("#key-name")
    page.keyboard.type("CRM sync")
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-key")
    secret = page.inner_text("#new-key-value").strip()
    assert secret.startswith("ssk_") and secret not in page.url
    assert axe_violations(page, axe_source) == []
    page.goto(f"{base_url}/app/settings/api-keys")
    page.wait_for_selector("#key-table")
    assert page.locator("#new-key").count() == 0 and secret not in page.content()
    revoke = page.locator("#key-table a.danger").last
    revoke.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#revoke-confirmation")
    page.keyboard.press("Enter")  # the confirmation's button has the focus
    page.wait_for_selector(".flash-success")
    assert "Revoked CRM sync" in page.inner_text(".flash-success")
    assert "Revoked" in page.inner_text("#key-table")


def test_the_people_and_key_pages_fit_a_375_px_phone_and_pass_axe(
        base_url: str, services: ServiceContext, browser_world: BrowserWorld, axe_source: str) -> None:
    rita = browser_world.world.rep
    assert enrollments.get_enrollment(services, browser_world.world.admin, browser_world.enrollment["jane"])
    with checked_page(375) as page:
        sign_in(page, base_url, "admin@acme.test", "/app/settings/people")
        widths = {"people": _overflow(page)}
        assert axe_violations(page, axe_source) == []
        screenshot(page, "app-people-375")
        page.goto(f"{base_url}/app/settings/people/{rita['id']}/remove")
        page.wait_for_selector("#remove-confirmation")
        assert "ends the 3 active or paused enrollments" in page.inner_text("#remove-confirmation")
        widths["remove"] = _overflow(page)
        assert axe_violations(page, axe_source) == []
        page.goto(f"{base_url}/app/settings/api-keys")
        page.fill("#key-name", "A rather long integration name for the nightly CRM export")
        page.click("#add-key-button")
        page.wait_for_selector("#new-key")
        widths["new key"] = _overflow(page)
        assert axe_violations(page, axe_source) == []
        screenshot(page, "app-api-keys-375")
    assert widths == {"people": 0, "remove": 0, "new key": 0}


def _overflow(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
