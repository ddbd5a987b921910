"""The web app in headless Chromium: dialogs, menus, hover actions and forms, as a rep uses them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from addin_server.services import accounts, sequences
from addin_server.services.context import ServiceContext
from tests.browser import screenshot
from tests.e2e.app.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser


def _row(page: Any, name: str) -> Any:
    return page.locator("tr", has_text=name)


def test_bulk_unenroll_asks_first_and_ends_exactly_the_checked_rows(
        page: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    sign_in(page, base_url, "rita@acme.test")
    screenshot(page, "app-sequences-manage")
    page.click("text=Intro outreach")
    page.wait_for_url(f"{base_url}/app/sequences/{browser_world.sequence_id}/enrollments")
    bulk = page.locator("#bulk-unenroll")
    assert bulk.is_disabled()

    page.check("#select-all")
    assert page.locator(".row-check:checked").count() == 3
    page.uncheck("#select-all")
    _row(page, "Jane Doe").locator(".row-check").check()
    _row(page, "Lena Berg").locator(".row-check").check()
    assert page.inner_text("#selected-count") == "2 selected"

    bulk.click()
    assert page.locator("#confirm-dialog").is_visible()
    assert "2 selected contacts" in page.inner_text("#confirm-message")
    screenshot(page, "app-enrollments-bulk-confirm")
    page.click("#confirm-cancel")
    assert not page.locator("#confirm-dialog").is_visible()
    assert {browser_world.status(services, n)["status"] for n in ("jane", "raj", "lena")} == {"active"}

    bulk.click()
    page.click("#confirm-ok")
    page.wait_for_selector(".flash-success")
    assert "Unenrolled 2 contacts" in page.inner_text(".flash-success")
    ended = {n: browser_world.status(services, n) for n in ("jane", "raj", "lena")}
    assert {n: (e["status"], e["end_surface"]) for n, e in ended.items()} == {
        "jane": ("unenrolled", "bulk"), "raj": ("active", None), "lena": ("unenrolled", "bulk")}
    assert "Unenrolled by Rita Rep in a bulk unenroll" in _row(page, "Jane Doe").inner_text()
    screenshot(page, "app-enrollments-after-bulk")


def test_a_rows_actions_menu_unenrolls_that_row(page: Any, base_url: str, services: ServiceContext,
                                                browser_world: BrowserWorld) -> None:
    seq = browser_world.sequence_id
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{seq}/enrollments")
    row = _row(page, "Raj")
    row.locator("summary", has_text="Actions").click()
    screenshot(page, "app-enrollments-actions-menu")
    row.locator("button.row-unenroll").click()
    # The names are isolated (FSI ... PDI) so a right-to-left name cannot reorder the sentence.
    assert page.inner_text("#confirm-message") == "Unenroll \u2068Raj\u2069 from \u2068Intro outreach\u2069?"
    page.click("#confirm-ok")
    page.wait_for_selector(".flash-success")
    statuses = {n: browser_world.status(services, n) for n in ("jane", "raj", "lena")}
    assert {n: e["status"] for n, e in statuses.items()} == {"jane": "active", "raj": "unenrolled", "lena": "active"}
    assert statuses["raj"]["end_surface"] == "sequence_summary"


def test_the_scheduled_tab_shows_unenroll_when_hovering_an_active_row(
        page: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld) -> None:
    seq = browser_world.sequence_id
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{seq}/scheduled")
    row = page.locator("tr.scheduled-row", has_text="Jane Doe")
    button = row.locator("button.hover-action")
    page.mouse.move(0, 0)
    assert not button.is_visible()
    row.hover()
    assert button.is_visible()
    screenshot(page, "app-scheduled-hover")
    button.click()
    page.click("#confirm-ok")
    page.wait_for_selector(".flash-success")
    jane = browser_world.status(services, "jane")
    assert (jane["status"], jane["end_surface"]) == ("unenrolled", "scheduled_tab")
    assert page.locator("tr.scheduled-row", has_text="Jane Doe").count() == 0
    assert browser_world.status(services, "raj")["status"] == "active"


def test_automation_save_existing_then_save_as_new(page: Any, base_url: str, services: ServiceContext,
                                                   browser_world: BrowserWorld) -> None:
    w = browser_world.world
    accounts.update_account_settings(services, w.super_admin, custom_triggers_beta=True)
    seq = browser_world.sequence_id
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{seq}/automation")
    assert page.is_checked("#on_reply_enabled") and page.is_checked("#on_meeting_enabled")
    page.select_option("#on_reply_scope", "company")
    page.uncheck("#on_meeting_enabled")
    assert page.locator("#on_meeting_scope").is_disabled()
    screenshot(page, "app-automation")
    page.click("#save-existing")
    expect(page.locator(".flash-success")).to_have_text("Automation saved on this sequence.", timeout=30_000)
    saved = sequences.get_sequence(services, w.admin, seq)["automation"]
    assert (saved["on_reply"], saved["on_meeting"]) == ("company", "off")
    assert page.locator("#on_reply_scope").input_value() == "company"

    page.check("#on_meeting_enabled")
    page.fill("input[name=new_name]", "Intro, company-wide")
    page.click("#save-as-new")
    # The saved page's own flash passes any wait for `.flash-success`: wait for the copy's words.
    expect(page.locator(".flash-success")).to_contain_text("Current enrollments stay on the original", timeout=30_000)
    by_name = {q["name"]: q for q in sequences.list_sequences(services, w.admin)}
    copy = by_name["Intro, company-wide"]
    assert (copy["automation"]["on_reply"], copy["automation"]["on_meeting"]) == ("company", "contact")
    assert by_name["Intro outreach"]["automation"]["on_meeting"] == "off"
    assert page.url.endswith(f"/app/sequences/{copy['id']}/automation")
    page.click("nav.tabs >> text=Enrollments")
    expect(page.locator("#enrollments")).to_contain_text("Nobody has been enrolled", timeout=30_000)
    assert browser_world.status(services, "jane")["sequence_id"] == seq


def test_only_a_super_admin_can_change_the_beta_opt_in(page: Any, base_url: str, services: ServiceContext,
                                                       browser_world: BrowserWorld) -> None:
    account_id = browser_world.world.account_id
    sign_in(page, base_url, "rita@acme.test", "/app/settings")
    assert page.locator("#beta-read-only").is_visible() and page.locator("#beta-form").count() == 0
    screenshot(page, "app-settings-normal-user")
    # A forged POST from Rita's own session, with a valid CSRF token: the server still refuses.
    status = page.evaluate("""async () => {
        const token = document.querySelector("input[name=csrf_token]").value;
        const body = new URLSearchParams({csrf_token: token, custom_triggers_beta: "on"});
        const response = await fetch("/app/settings/beta", {method: "POST", body});
        return response.status;
    }""")
    assert status == 403
    assert accounts.get_account(services, account_id).custom_triggers_beta is False

    page.click("form[action='/app/sign-out'] button")
    page.wait_for_url(f"{base_url}/app/sign-in")  # signed out before the next sign-in's page is asked for
    sign_in(page, base_url, "admin@acme.test", "/app/settings")
    page.check("#custom_triggers_beta")
    page.click("#save-beta")
    page.wait_for_selector(".flash-success")
    assert accounts.get_account(services, account_id).custom_triggers_beta is True
    screenshot(page, "app-settings-super-admin")


def test_the_contact_records_unenroll_button(page: Any, base_url: str, services: ServiceContext,
                                             browser_world: BrowserWorld) -> None:
    contact_id = browser_world.world.contact["id"]
    sign_in(page, base_url, "rita@acme.test", f"/app/contacts/{contact_id}")
    button, picture = page.locator("#contact-unenroll"), page.locator(".avatar")
    assert button.bounding_box()["y"] < picture.bounding_box()["y"]  # the button sits above the picture
    assert "Enrolled by Rita Rep" in page.inner_text("#current-enrollment")
    screenshot(page, "app-contact-record")
    button.click()
    page.click("#confirm-ok")
    page.wait_for_selector(".flash-success")
    jane = browser_world.status(services, "jane")
    assert (jane["status"], jane["end_surface"]) == ("unenrolled", "contact_record")
    assert "Not enrolled in any sequence." in page.inner_text("#current-enrollment")
    assert "Unenrolled by Rita Rep from the contact record" in page.inner_text("#history")
    screenshot(page, "app-contact-record-after-unenroll")


def test_performance_tab_keeps_past_figures_after_unenrolling(page: Any, base_url: str, services: ServiceContext,
                                                              browser_world: BrowserWorld) -> None:
    seq = browser_world.sequence_id
    sign_in(page, base_url, "rita@acme.test", f"/app/sequences/{seq}/performance")
    before = page.inner_text("#figures")
    page.goto(f"{base_url}/app/sequences/{seq}/enrollments")
    _row(page, "Raj").locator("summary").click()
    _row(page, "Raj").locator("button.row-unenroll").click()
    page.click("#confirm-ok")
    page.wait_for_selector(".flash-success")
    page.goto(f"{base_url}/app/sequences/{seq}/performance")
    after = page.inner_text("#figures")
    for label in ("Enrolled", "Emails sent"):
        assert _figure(before, label) == _figure(after, label) == 3
    assert page.locator("#performance-chart rect").count() == 8
    screenshot(page, "app-performance")


def _figure(text: str, label: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition("\t")
        if name.strip() == label:
            return int(value)
    raise AssertionError(f"{label} not in {text!r}")
