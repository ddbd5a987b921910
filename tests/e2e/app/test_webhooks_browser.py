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
from tests.browser import screenshot
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
