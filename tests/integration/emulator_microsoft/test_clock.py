"""Time on the emulator's clock: token lifetimes and the background notification deliverer.

Its own module, hence its own emulator, because moving the clock would age every other test's tokens.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import requests

from tests.integration.emulator_microsoft.support import MicrosoftSetup, Receiver, rfc822


def test_a_graph_token_expires_with_the_clock_and_a_new_one_works(setup: MicrosoftSetup) -> None:
    old_token = setup.app_token()
    setup.control.advance_clock(3600)
    expired = requests.get(setup.user_url, headers={"Authorization": f"Bearer {old_token}"}, timeout=10)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]
    fresh = setup.msal_app().acquire_token_for_client(["https://graph.microsoft.com/.default"])
    again = requests.get(setup.user_url, headers={"Authorization": f"Bearer {fresh['access_token']}"}, timeout=10)
    assert again.status_code == 200


def test_the_background_deliverer_posts_notifications_without_a_flush(
    setup: MicrosoftSetup, receiver: Receiver
) -> None:
    expiry = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = setup.session().post(f"{setup.graph}/subscriptions", json={
        "changeType": "created", "notificationUrl": receiver.notification_url, "clientState": "s",
        "resource": f"users/{setup.address}/mailFolders('inbox')/messages", "expirationDateTime": expiry,
    }, timeout=15)
    assert created.status_code == 201
    assert setup.control.set_auto_delivery(True) is True
    try:
        setup.control.deliver(setup.address, rfc822("Auto", to=setup.address))
        deadline = time.monotonic() + 5
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        assert setup.control.set_auto_delivery(False) is False
    assert [body["value"][0]["clientState"] for _, body in receiver.received] == ["s"]
