"""Settings → Webhooks in headless Chromium: an admin adds an endpoint, copies the secret shown once,
watches a delivery arrive verified at the receiver, and sends it again from the delivery log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from tests.browser import browser_page, screenshot
from tests.e2e.app.conftest import BrowserWorld, sign_in
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="http://127.0.0.1",
                             secret_key="browser-test-secret", demo_mode=True, mail_transport="local",
                             encryption_key=generate_encryption_key())


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def test_an_admin_adds_an_endpoint_sees_deliveries_and_sends_one_again(
        page: Any, base_url: str, services: ServiceContext, browser_world: BrowserWorld,
        receiver: WebhookReceiver) -> None:
    sign_in(page, base_url, "admin@acme.test", "/app/settings")
    page.click("#manage-webhooks")
    page.wait_for_url(f"{base_url}/app/settings/webhooks")
    assert page.locator("#no-endpoints").is_visible()
    page.fill("#endpoint-url", receiver.url)
    page.uncheck("input[value='enrollment.paused']")
    page.click("#add-endpoint-button")
    page.wait_for_selector("#new-secret")
    secret = page.inner_text("#new-secret-value").strip()
    assert secret.startswith("whsec_")
    screenshot(page, "app-webhooks-secret-shown-once")
    receiver.secrets = [secret]

    page.goto(f"{base_url}/app/settings/webhooks")
    assert page.locator("#new-secret").count() == 0 and secret not in page.content()
    assert "enrollment.paused" not in page.inner_text("#endpoints")

    enrollments.unenroll(services, browser_world.world.admin, browser_world.enrollment["jane"])
    assert outgoing_webhooks.deliver_due_webhooks(services, "browser-test") == {"delivered": 1}
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]

    page.click("text=Deliveries")
    page.wait_for_selector("#deliveries")
    assert "Delivered" in page.inner_text("#deliveries")
    screenshot(page, "app-webhooks-deliveries")
    page.click("#deliveries button")
    page.wait_for_selector(".flash-success")
    assert outgoing_webhooks.deliver_due_webhooks(services, "browser-test") == {"delivered": 1}
    assert len(receiver.received) == 2 and len(set(receiver.ids())) == 1  # the same webhook-id, again


LONG_URL_PATH = "/hooks/" + "sequence-sidebar-" * 12 + "receiver"
LONG_DESCRIPTION = "CRM-sync-" * 22  # 198 characters, not one space


@pytest.mark.parametrize("width", [1280, 375, 320])
def test_the_webhook_pages_fit_the_screen_with_long_urls_descriptions_and_answers(
        base_url: str, services: ServiceContext, browser_world: BrowserWorld, receiver: WebhookReceiver,
        width: int) -> None:
    admin = browser_world.world.admin
    made = outgoing_webhooks.create_endpoint(services, admin, url=receiver.url + LONG_URL_PATH,
                                             events=["enrollment.unenrolled"], description=LONG_DESCRIPTION)
    receiver.mode, receiver.error_body = "error", b"no-such-route:" + b"x" * 250
    enrollments.unenroll(services, admin, browser_world.enrollment["jane"])
    outgoing_webhooks.deliver_due_webhooks(services, "browser-test")
    with browser_page({"width": width, "height": 800}) as page:
        sign_in(page, base_url, "admin@acme.test", "/app/settings/webhooks")
        page.fill("#endpoint-url", receiver.url + LONG_URL_PATH + "/second")
        page.fill("input[name=description]", LONG_DESCRIPTION)
        page.click("#add-endpoint-button")
        page.wait_for_selector("#new-secret")
        widths = {"webhooks-secret-shown": _overflow(page)}
        screenshot(page, f"app-webhooks-{width}-secret")
        page.goto(f"{base_url}/app/settings/webhooks")
        widths["webhooks"] = _overflow(page)
        screenshot(page, f"app-webhooks-{width}")
        page.goto(f"{base_url}/app/settings/webhooks/{made['id']}/deliveries")
        assert "no-such-route" in page.inner_text("#deliveries")
        widths["deliveries"] = _overflow(page)
        screenshot(page, f"app-webhook-deliveries-{width}")
        # The URL wraps inside its cell rather than stretching the table.
        page.goto(f"{base_url}/app/settings/webhooks")
        cell = page.locator(f"#endpoint-{made['id']} td[data-label='URL']").bounding_box()
        assert cell["x"] + cell["width"] <= width
    assert widths == {"webhooks-secret-shown": 0, "webhooks": 0, "deliveries": 0}


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
