"""Graph subscriptions and change / lifecycle notifications against a loopback webhook receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.emulator_microsoft.support import (
    MicrosoftSetup,
    Receiver,
    load_fixture,
    rfc822,
    same_shape,
)

CLIENT_STATE = "per-subscription-secret"


def _inbox(setup: MicrosoftSetup) -> str:
    return f"users/{setup.user_id}/mailFolders('inbox')/messages"


def _expiry(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subscribe(setup: MicrosoftSetup, receiver: Receiver, resource: str | None = None,
               minutes: float = 60, lifecycle: bool = True) -> Any:
    body = {
        "changeType": "created",
        "notificationUrl": receiver.notification_url,
        "resource": resource or _inbox(setup),
        "expirationDateTime": _expiry(minutes),
        "clientState": CLIENT_STATE,
        "latestSupportedTlsVersion": "v1_2",
    }
    if lifecycle:
        body["lifecycleNotificationUrl"] = receiver.lifecycle_url
    return setup.session().post(f"{setup.graph}/subscriptions", json=body, timeout=15)


def test_o365_creates_a_subscription_after_the_validation_handshake(setup: MicrosoftSetup, receiver: Receiver) -> None:
    subscriptions = setup.o365_account().subscriptions()
    created = subscriptions.create_subscription(
        receiver.notification_url, resource=_inbox(setup), change_type="created", expiration_minutes=60,
        client_state=CLIENT_STATE, lifecycle_notification_url=receiver.lifecycle_url,
    )
    assert created is not None
    assert [path for path, _ in receiver.validations] == ["/webhooks/graph", "/webhooks/graph/lifecycle"]
    assert created["clientState"] == CLIENT_STATE
    assert same_shape(load_fixture("subscription.json"), created) == []
    renewed = subscriptions.renew_subscription(created["id"], expiration_minutes=120)
    assert renewed is not None and renewed["expirationDateTime"] > created["expirationDateTime"]
    assert subscriptions.delete_subscription(created["id"])
    gone = setup.session().get(f"{setup.graph}/subscriptions/{created['id']}", timeout=10)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "handshake",
    [
        pytest.param("refuse", id="an endpoint that fails the handshake gets no subscription"),
        pytest.param("wrong", id="an endpoint that does not echo the token gets no subscription"),
    ],
)
def test_a_failed_handshake_refuses_the_subscription(setup: MicrosoftSetup, receiver: Receiver, handshake: str) -> None:
    receiver.handshake = handshake
    answer = _subscribe(setup, receiver)
    assert answer.status_code == 400
    assert "validation" in answer.json()["error"]["message"].lower()
    assert setup.control.subscriptions() == [] or all(
        s["mailbox"] != setup.address.lower() for s in setup.control.subscriptions())


def test_a_second_identical_subscription_is_a_conflict(setup: MicrosoftSetup, receiver: Receiver) -> None:
    assert _subscribe(setup, receiver).status_code == 201
    duplicate = _subscribe(setup, receiver)
    assert duplicate.status_code == 409


def test_an_expiry_past_4230_minutes_is_refused(setup: MicrosoftSetup, receiver: Receiver) -> None:
    assert _subscribe(setup, receiver, minutes=4231).status_code == 400
    assert _subscribe(setup, receiver, minutes=4229).status_code == 201


def test_an_inbound_reply_is_notified_with_client_state(setup: MicrosoftSetup, receiver: Receiver) -> None:
    subscription = _subscribe(setup, receiver).json()
    delivered = setup.control.deliver(setup.address, rfc822("Re: Quick question", to=setup.address))
    report = setup.control.flush_notifications()
    assert [d["status"] for d in report["delivered"]] == [202]
    [(path, body)] = receiver.received
    assert path == "/webhooks/graph"
    [change] = body["value"]
    assert (change["subscriptionId"], change["clientState"], change["changeType"]) == (
        subscription["id"], CLIENT_STATE, "created")
    assert change["resourceData"]["id"] == delivered["id"]
    assert change["resource"] == f"Users/{setup.user_id}/Messages/{delivered['id']}"
    assert change["tenantId"] == setup.tenant_id
    assert same_shape(load_fixture("change-notification-message.json"), body) == []


def test_a_new_event_is_notified_to_an_events_subscription(setup: MicrosoftSetup, receiver: Receiver) -> None:
    _subscribe(setup, receiver, resource=f"users/{setup.user_id}/events")
    setup.session().post(f"{setup.user_url}/events", json={
        "subject": "Demo", "start": {"dateTime": "2026-12-02T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-02T10:30:00", "timeZone": "UTC"}}, timeout=10)
    setup.control.flush_notifications()
    [(_, body)] = receiver.received
    assert body["value"][0]["resourceData"]["@odata.type"] == "#Microsoft.Graph.Event"


def test_an_inbox_subscription_ignores_sent_items(setup: MicrosoftSetup, receiver: Receiver) -> None:
    _subscribe(setup, receiver)
    session = setup.session()
    draft = session.post(f"{setup.user_url}/messages", json={
        "subject": "Step 1", "body": {"contentType": "text", "content": "Hi"},
        "toRecipients": [{"emailAddress": {"address": "pat@customer.example"}}]}, timeout=10).json()
    session.post(f"{setup.user_url}/messages/{draft['id']}/send", timeout=10)
    assert setup.control.flush_notifications()["delivered"] == []


def test_a_failed_delivery_is_retried_later_and_logged(setup: MicrosoftSetup, receiver: Receiver) -> None:
    _subscribe(setup, receiver)
    receiver.statuses = [500]
    setup.control.deliver(setup.address, rfc822("Retry me", to=setup.address))
    first = setup.control.flush_notifications()
    assert [d["status"] for d in first["delivered"]] == [500]
    assert first["pending"] == 1
    assert setup.control.flush_notifications()["delivered"] == []  # not due before the backoff
    setup.control.advance_clock(61)
    second = setup.control.flush_notifications()
    assert [(d["status"], d["attempt"]) for d in second["delivered"]] == [(202, 2)]
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    ("action", "received_after_flush"),
    [
        pytest.param("drop", 0, id="a dropped notification never arrives"),
        pytest.param("duplicate", 2, id="a duplicated notification arrives twice"),
        pytest.param("delay", 0, id="a delayed notification waits for the clock"),
    ],
)
def test_notification_faults(setup: MicrosoftSetup, receiver: Receiver, action: str, received_after_flush: int) -> None:
    _subscribe(setup, receiver)
    setup.control.notification_fault(action, delay_seconds=30)
    setup.control.deliver(setup.address, rfc822("Faulty", to=setup.address))
    setup.control.flush_notifications()
    assert len(receiver.received) == received_after_flush
    if action == "delay":
        setup.control.advance_clock(31)
        setup.control.flush_notifications()
        assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "event",
    [
        pytest.param("reauthorizationRequired", id="reauthorization required reaches the lifecycle URL"),
        pytest.param("missed", id="missed notifications reach the lifecycle URL"),
        pytest.param("subscriptionRemoved", id="a removed subscription reaches the lifecycle URL and is gone"),
    ],
)
def test_lifecycle_notifications(setup: MicrosoftSetup, receiver: Receiver, event: str) -> None:
    subscription = _subscribe(setup, receiver).json()
    setup.control.send_lifecycle(subscription["id"], event)
    setup.control.flush_notifications()
    [(path, body)] = receiver.received
    assert path == "/webhooks/graph/lifecycle"
    assert body["value"][0]["lifecycleEvent"] == event
    assert body["value"][0]["clientState"] == CLIENT_STATE
    assert same_shape(load_fixture("lifecycle-notification.json"), body) == []
    session = setup.session()
    still_there = session.get(f"{setup.graph}/subscriptions/{subscription['id']}", timeout=10).status_code
    assert still_there == (404 if event == "subscriptionRemoved" else 200)
    if event == "reauthorizationRequired":
        reauthorized = session.post(f"{setup.graph}/subscriptions/{subscription['id']}/reauthorize", timeout=10)
        assert reauthorized.status_code == 204


def test_an_expired_subscription_stops_notifying_and_is_not_found(setup: MicrosoftSetup, receiver: Receiver) -> None:
    subscription = _subscribe(setup, receiver, minutes=5).json()
    setup.control.advance_clock(6 * 60)
    setup.control.deliver(setup.address, rfc822("Too late", to=setup.address))
    assert setup.control.flush_notifications()["delivered"] == []
    answer = setup.session().get(f"{setup.graph}/subscriptions/{subscription['id']}", timeout=10)
    assert answer.status_code == 404
