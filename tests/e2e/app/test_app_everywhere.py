"""The web app at desktop and tablet widths and on phones (375 and 320 px), in headless Chromium: no
page is wider than the screen, axe-core finds nothing wrong on any page or dialog, the contact list
searches, an unknown address is a 404 inside the app, and a keyboard alone can unenroll on every tab."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addin_server.services import accounts, directory, enrollments
from addin_server.services.context import ServiceContext
from tests.browser import launch_chromium, screenshot
from tests.e2e.app.conftest import BrowserWorld, axe_violations, sign_in

pytestmark = pytest.mark.browser

WIDTHS = [1280, 1024, 768, 375, 320]  # desktop, tablet landscape and portrait, phones
LONG_NAME = ("Maximiliana-Josephina", "Bartholomew-Featherstonehaugh-Worthington")
LONG_EMAIL = "maximiliana.josephina.bartholomew-featherstonehaugh@extraordinarily-long-company-domain.example"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module (launching is the slow part); each test gets its own context."""
    browser = launch_chromium()
    try:
        yield browser
    finally:
        browser.close()


def _page(chromium: Any, width: int) -> Any:
    # bypass_csp: axe-core is injected as a script the app's own Content-Security-Policy would refuse.
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True,
                                   has_touch=width < 600, is_mobile=width < 600)
    return context.new_page()


@pytest.fixture
def long_named(services: ServiceContext, browser_world: BrowserWorld) -> str:
    """A contact whose name and address are longer than a phone is wide, enrolled in the sequence."""
    w = browser_world.world
    contact = directory.create_contact(services, w.admin, email=LONG_EMAIL, first_name=LONG_NAME[0],
                                       last_name=LONG_NAME[1], company_id=w.company["id"])
    enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=contact["id"],
                       sender_user_id=w.rep["id"], enrolled_by_user_id=w.rep["id"])
    return str(contact["id"])


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 means no sideways scrolling)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def _check(page: Any, axe_source: str, name: str, width: int, problems: dict[str, list[str]]) -> None:
    screenshot(page, f"app-{width}-{name}")
    found = []
    if (extra := _overflow(page)) > 0:
        found.append(f"{extra}px wider than the window")
    found += axe_violations(page, axe_source)
    if found:
        problems[f"{width}px {name}"] = found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_and_dialog_fits_the_screen_and_passes_axe(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld, long_named: str,
        axe_source: str, width: int) -> None:
    w = browser_world.world
    accounts.update_account_settings(services, w.super_admin, custom_triggers_beta=True)  # the Automation tab too
    seq, jane = browser_world.sequence_id, w.contact["id"]
    page = _page(chromium, width)
    problems: dict[str, list[str]] = {}

    page.goto(f"{base_url}/app/sign-in")
    _check(page, axe_source, "sign-in", width, problems)
    sign_in(page, base_url, "rita@acme.test")
    pages = {
        "sequences": "/app/sequences", "contacts": "/app/contacts", "contacts-search": "/app/contacts?q=globex",
        "contact": f"/app/contacts/{jane}", "contact-long-name": f"/app/contacts/{long_named}",
        "enrollments": f"/app/sequences/{seq}/enrollments", "scheduled": f"/app/sequences/{seq}/scheduled",
        "automation": f"/app/sequences/{seq}/automation", "performance": f"/app/sequences/{seq}/performance",
        "settings": "/app/settings", "not-found": f"/app/sequences/{seq}/bogus",
    }
    for name, path in pages.items():
        page.goto(base_url + path)
        _check(page, axe_source, name, width, problems)

    # The header keeps the rep's name and Sign out on the dark bar, readable.
    page.goto(f"{base_url}/app/sequences")
    bar = page.locator("header.topbar").bounding_box()
    for part in (".whoami-name", "form[action='/app/sign-out'] button"):
        box = page.locator(part).bounding_box()
        assert box["y"] >= bar["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"], (width, part)
        assert box["x"] + box["width"] <= width, (width, part)

    # The contact page's side column stacks above the details on a phone.
    page.goto(f"{base_url}/app/contacts/{long_named}")
    side, main = page.locator(".contact-side").bounding_box(), page.locator(".contact-main").bounding_box()
    assert (side["y"] + side["height"] <= main["y"]) == (width < 600)

    # Dialogs and menus, open.
    page.goto(f"{base_url}/app/sequences/{seq}/enrollments")
    row = page.locator("tr", has_text="Jane Doe")
    row.locator("summary").click()
    _check(page, axe_source, "enrollments-actions-menu", width, problems)
    row.locator("button.row-unenroll").click()
    assert page.locator("#confirm-dialog").is_visible()
    _check(page, axe_source, "enrollments-confirm-dialog", width, problems)
    page.keyboard.press("Escape")
    page.locator(".row-check").first.check()
    page.click("#bulk-unenroll")
    _check(page, axe_source, "enrollments-bulk-dialog", width, problems)
    page.keyboard.press("Escape")
    page.goto(f"{base_url}/app/contacts/{jane}")
    page.click("#contact-unenroll")
    _check(page, axe_source, "contact-confirm-dialog", width, problems)
    page.keyboard.press("Escape")

    assert problems == {}
    assert {browser_world.status(services, n)["status"] for n in ("jane", "raj", "lena")} == {"active"}
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_contact_list_searches(chromium: Any, base_url: str, browser_world: BrowserWorld, width: int) -> None:
    page = _page(chromium, width)
    sign_in(page, base_url, "rita@acme.test", "/app/contacts")
    assert page.locator("#contacts tbody tr").count() == 3
    page.fill("#contact-search", "berg")
    page.press("#contact-search", "Enter")
    page.wait_for_url(f"{base_url}/app/contacts?q=berg")
    assert page.locator("#contacts tbody tr").count() == 1
    assert "Lena Berg" in page.inner_text("#contacts") and "Intro outreach" in page.inner_text("#contacts")
    page.fill("#contact-search", "jane.doe.home@gmail.com")
    page.click(".search button[type=submit]")
    page.wait_for_selector("#contacts >> text=Jane Doe")
    page.click("#contacts >> text=Jane Doe")
    page.wait_for_url(f"{base_url}/app/contacts/{browser_world.world.contact['id']}")
    screenshot(page, f"app-{width}-contact-from-search")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_an_unknown_app_address_is_a_404_inside_the_frame(chromium: Any, base_url: str, browser_world: BrowserWorld,
                                                          width: int) -> None:
    page = _page(chromium, width)
    sign_in(page, base_url, "rita@acme.test")
    for path in (f"/app/sequences/{browser_world.sequence_id}/bogus", "/app/no/such/page", "/app/contacts/1%00"):
        response = page.goto(base_url + path)
        assert response.status == 404, path
        assert page.locator("header.topbar nav.mainnav").is_visible()
        assert page.locator(".error-page h1").inner_text() in ("Page not found", "Not found")
    page.click(".error-page a")  # a contact's address leads back to the contact list
    page.wait_for_url(f"{base_url}/app/contacts")
    page.context.close()


# --- keyboard only ------------------------------------------------------------------------------


def _tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element `selector` (a Playwright selector) has the focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.tagName.toLowerCase() + "
                             "(document.activeElement.textContent || '').trim().replace(/\\s+/g, ' ')"))


def _confirm_with_keyboard(page: Any) -> None:
    page.keyboard.press("Enter")  # opens the dialog; focus starts on Cancel
    assert page.locator("#confirm-dialog").is_visible()
    page.keyboard.press("Tab")
    assert _focused(page) == "buttonUnenroll"
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash-success")


def test_keyboard_only_unenroll_from_the_scheduled_tab_and_esc_keeps_the_focus(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    page = _page(chromium, 1280)
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{browser_world.sequence_id}/scheduled")
    button = "tr.scheduled-row:has-text('Jane Doe') button.hover-action"
    _tab_to(page, button)
    assert page.locator(button).evaluate("b => getComputedStyle(b).visibility") == "visible"
    page.keyboard.press("Enter")
    assert page.locator("#confirm-dialog").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#confirm-dialog").is_visible()
    assert _focused(page) == "buttonUnenroll Jane Doe", "focus must come back to the row's button, not <body>"
    assert browser_world.status(services, "jane")["status"] == "active"
    _confirm_with_keyboard(page)
    jane = browser_world.status(services, "jane")
    assert (jane["status"], jane["end_surface"]) == ("unenrolled", "scheduled_tab")
    page.context.close()


def test_keyboard_only_unenroll_from_the_enrollments_tabs_actions_menu(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    page = _page(chromium, 1280)
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{browser_world.sequence_id}/enrollments")
    _tab_to(page, "tr:has-text('Raj') summary")
    page.keyboard.press("Enter")  # opens the menu
    _tab_to(page, "tr:has-text('Raj') button.row-unenroll", limit=3)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert _focused(page) == "buttonUnenroll Raj"
    _confirm_with_keyboard(page)
    raj = browser_world.status(services, "raj")
    assert (raj["status"], raj["end_surface"]) == ("unenrolled", "sequence_summary")
    assert browser_world.status(services, "jane")["status"] == "active"
    page.context.close()


def test_keyboard_only_bulk_unenroll_from_the_enrollments_tab(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    page = _page(chromium, 1280)
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{browser_world.sequence_id}/enrollments")
    _tab_to(page, "tr:has-text('Lena Berg') .row-check")
    page.keyboard.press("Space")
    assert page.inner_text("#selected-count") == "1 selected"
    for _ in range(20):  # back up to the Unenroll button above the table
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.id === 'bulk-unenroll'"):
            break
    _confirm_with_keyboard(page)
    lena = browser_world.status(services, "lena")
    assert (lena["status"], lena["end_surface"]) == ("unenrolled", "bulk")
    page.context.close()


def test_keyboard_only_unenroll_from_the_contact_record(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    page = _page(chromium, 320)
    sign_in(page, base_url, "rita@acme.test", f"/app/contacts/{browser_world.world.contact['id']}")
    _tab_to(page, "#contact-unenroll")
    _confirm_with_keyboard(page)
    jane = browser_world.status(services, "jane")
    assert (jane["status"], jane["end_surface"]) == ("unenrolled", "contact_record")
    page.context.close()
