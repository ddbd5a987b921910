"""What an outside attack found in the web app's layout and keyboard use, in headless Chromium at the
widths named: long addresses, searches and unbroken names never make a page scroll sideways, the
confirmation dialog wraps, Esc closes an Actions menu, and the focus ring stands out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addin_server.services import directory, enrollments, sequences
from addin_server.services.context import ServiceContext
from tests.browser import launch_chromium, screenshot
from tests.e2e.app.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser

PHONES_AND_DESKTOP = [1280, 375, 320]
UNBROKEN = "Procurementdepartmentnotificationsandinvoices" * 4 + "Extraordinary"  # 193 characters, no break
LONG_ADDRESS = "procurement.department.notifications.and.invoices.for.the.whole.group@" \
               "extraordinarily-long-company-domain.example"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module (launching is the slow part); each test gets its own context."""
    browser = launch_chromium()
    try:
        yield browser
    finally:
        browser.close()


def _page(chromium: Any, width: int) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 800}, has_touch=width < 600,
                                   is_mobile=width < 600)
    return context.new_page()


def _overflow(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


@pytest.fixture
def long_values(services: ServiceContext, browser_world: BrowserWorld) -> dict[str, str]:
    """Unbroken names as long as the API allows: a contact, its company, a sequence and its owner."""
    w = browser_world.world
    owner = directory.create_user(services, w.admin, email="long.owner@acme.test", name="O" * 55, role="user",
                                  mailbox_provider="gmail", mailbox_address="long.owner@acme.test")
    company = directory.create_company(services, w.admin, name=UNBROKEN, domains=["long-company.example"])
    contact = directory.create_contact(services, w.admin, email=LONG_ADDRESS, first_name=UNBROKEN, last_name="",
                                       company_id=company["id"])
    seq = sequences.create_sequence(services, w.admin, name=UNBROKEN, owner_user_id=owner["id"],
                                    steps=[sequences.StepInput("call", 2, "Call", ""),
                                           sequences.StepInput("task", 3, "Task", "")])
    enrollments.enroll(services, w.admin, sequence_id=seq["id"], contact_id=contact["id"],
                       sender_user_id=w.rep["id"], enrolled_by_user_id=w.rep["id"])
    return {"contact": str(contact["id"]), "sequence": str(seq["id"])}


@pytest.mark.parametrize("width", PHONES_AND_DESKTOP)
def test_the_sign_in_page_fits_with_a_very_long_rep_address(
        chromium: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld, width: int) -> None:
    address = LONG_ADDRESS.replace("@", "@reps.")
    directory.create_user(services, browser_world.world.admin, email=address, name="Long Address", role="user",
                          mailbox_provider="gmail", mailbox_address=address)
    page = _page(chromium, width)
    page.goto(f"{base_url}/app/sign-in")
    screenshot(page, f"app-after-attack-{width}-sign-in")
    assert _overflow(page) <= 0
    select_width = page.locator("select[name=email]").evaluate("e => e.getBoundingClientRect().right")
    assert select_width <= width
    page.context.close()


@pytest.mark.parametrize("width", PHONES_AND_DESKTOP)
def test_a_long_search_that_finds_nothing_wraps(chromium: Any, base_url: str, browser_world: BrowserWorld,
                                                width: int) -> None:
    page = _page(chromium, width)
    sign_in(page, base_url, "rita@acme.test", "/app/contacts")
    page.goto(f"{base_url}/app/contacts?q={'x' * 200}")
    assert "No contact matches" in page.inner_text("#contacts-count")
    screenshot(page, f"app-after-attack-{width}-long-search")
    assert _overflow(page) <= 0
    page.context.close()


@pytest.mark.parametrize("width", PHONES_AND_DESKTOP)
def test_long_unbroken_names_wrap_on_every_page(chromium: Any, base_url: str, browser_world: BrowserWorld,
                                                long_values: dict[str, str], width: int) -> None:
    page = _page(chromium, width)
    sign_in(page, base_url, "rita@acme.test", "/app/sequences")
    seq = long_values["sequence"]
    wide = {}
    for path in ("/app/sequences", f"/app/sequences/{seq}/enrollments", f"/app/sequences/{seq}/scheduled",
                 "/app/contacts", f"/app/contacts/{long_values['contact']}", "/app/settings"):
        page.goto(f"{base_url}{path}")
        if (extra := _overflow(page)) > 0:
            wide[path] = extra
            screenshot(page, f"app-after-attack-{width}-wide")
    assert wide == {}
    page.context.close()


def test_the_confirmation_dialog_wraps_a_long_name_on_a_phone(chromium: Any, base_url: str,
                                                              browser_world: BrowserWorld,
                                                              long_values: dict[str, str]) -> None:
    page = _page(chromium, 320)
    sign_in(page, base_url, "rita@acme.test", f"/app/contacts/{long_values['contact']}")
    page.click("#contact-unenroll")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    screenshot(page, "app-after-attack-320-dialog")
    message = page.locator("#confirm-message")
    assert message.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert dialog.evaluate("e => e.getBoundingClientRect().right") <= 320
    assert UNBROKEN in message.inner_text().replace("\n", "")
    page.context.close()


def _focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.tagName.toLowerCase() + "
                             "(document.activeElement.textContent || '').trim().replace(/\\s+/g, ' ')"))


def test_esc_closes_an_open_actions_menu_after_its_dialog(chromium: Any, base_url: str,
                                                         browser_world: BrowserWorld) -> None:
    page = _page(chromium, 1280)
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{browser_world.sequence_id}/enrollments")
    menu = page.locator("tr:has-text('Raj') details.menu")
    page.locator("tr:has-text('Raj') summary").focus()
    page.keyboard.press("Enter")
    assert menu.evaluate("m => m.open")
    page.locator("tr:has-text('Raj') button.row-unenroll").focus()
    page.keyboard.press("Enter")
    assert page.locator("#confirm-dialog").is_visible()
    page.keyboard.press("Escape")  # closes the dialog; the menu stays, the focus is back on its button
    assert not page.locator("#confirm-dialog").is_visible()
    assert menu.evaluate("m => m.open")
    page.keyboard.press("Escape")  # closes the menu
    assert not menu.evaluate("m => m.open")
    assert _focused(page) == "summaryActions for Raj"
    page.context.close()


CONTRAST = """(el) => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let node = el.parentElement, bg = "rgb(255, 255, 255)";
  while (node) { const c = getComputedStyle(node).backgroundColor;
                 if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; } node = node.parentElement; }
  const a = lum(rgb(getComputedStyle(el).outlineColor)), b = lum(rgb(bg));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize(("where", "selector"), [("on the page", "main a"), ("on the dark top bar", ".topbar a.brand")])
def test_the_keyboard_focus_ring_stands_out_from_its_background(chromium: Any, base_url: str,
                                                                browser_world: BrowserWorld, where: str,
                                                                selector: str) -> None:
    page = _page(chromium, 1280)
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{browser_world.sequence_id}/enrollments")
    target = page.locator(selector).first
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement") or \
                page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            break
    focused = page.evaluate_handle("() => document.activeElement")
    assert page.evaluate(f"() => document.activeElement.matches({selector!r})")
    assert focused.evaluate(CONTRAST) >= 3.0, where
    page.context.close()
