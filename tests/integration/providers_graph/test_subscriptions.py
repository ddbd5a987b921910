"""Subscriptions through O365 (and reauthorize through requests) against a loopback webhook receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from addin_server.providers.graph import MAX_SUBSCRIPTION_MINUTES, GraphMailbox, SubscriptionGone
from tests.integration.emulator_microsoft.support import MicrosoftSetup, Receiver, rfc822

CLIENT_STATE = "state-for-this-subscription"


def _subscribe(mailbox: GraphMailbox, receiver: Receiver, minutes: int = MAX_SUBSCRIPTION_MINUTES,
               client_state: str = CLIENT_STATE) -> tuple[str, datetime]:
    made = mailbox.subscribe(receiver.notification_url, receiver.lifecycle_url, client_state, minutes=minutes)
    return made.id, made.expires_at


def test_a_subscription_on_the_whole_mailbox_passes_the_handshake_and_delivers_new_mail(
    setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver
) -> None:
    subscription_id, _ = _subscribe(mailbox, receiver)
    assert [path for path, _ in receiver.validations] == ["/webhooks/graph", "/webhooks/graph/lifecycle"]
    stored = next(s for s in setup.control.subscriptions() if s["id"] == subscription_id)
    # Every folder: an inbox rule may file a reply anywhere.
    assert stored["resource"].strip("/") == f"users/{setup.user_id}/messages"
    setup.control.deliver(setup.address, rfc822("Re: Quick question", to=setup.address), kind="note")
    setup.control.flush_notifications()
    notifications = [n for path, body in receiver.received if path == "/webhooks/graph" for n in body["value"]]
    assert [(n["subscriptionId"], n["clientState"], n["changeType"]) for n in notifications] == [
        (subscription_id, CLIENT_STATE, "created")]


@pytest.mark.parametrize(
    ("asked", "longest"),
    [
        pytest.param(60, 60, id="a short subscription lasts as long as asked"),
        pytest.param(10_080, MAX_SUBSCRIPTION_MINUTES, id="a longer subscription is capped at 4,230 minutes"),
    ],
)
def test_the_expiry_never_passes_the_documented_maximum(
    mailbox: GraphMailbox, receiver: Receiver, asked: int, longest: int
) -> None:
    _, expires_at = _subscribe(mailbox, receiver, minutes=asked)
    assert expires_at <= datetime.now(UTC) + timedelta(minutes=longest)
    assert expires_at >= datetime.now(UTC) + timedelta(minutes=min(asked, longest) - 2)


def test_renewing_pushes_the_expiry_out(mailbox: GraphMailbox, receiver: Receiver) -> None:
    subscription_id, expires_at = _subscribe(mailbox, receiver, minutes=60)
    renewed = mailbox.renew(subscription_id, minutes=24 * 60)
    assert renewed > expires_at + timedelta(hours=20)


def test_reauthorizing_keeps_the_subscription(setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver) -> None:
    subscription_id, _ = _subscribe(mailbox, receiver)
    mailbox.reauthorize(subscription_id)
    assert subscription_id in {s["id"] for s in setup.control.subscriptions()}


@pytest.mark.parametrize(
    "call",
    [
        pytest.param("renew", id="renewing a subscription Graph no longer knows says it is gone"),
        pytest.param("reauthorize", id="reauthorizing a subscription Graph no longer knows says it is gone"),
    ],
)
def test_a_deleted_subscription_is_gone(mailbox: GraphMailbox, receiver: Receiver, call: str) -> None:
    subscription_id, _ = _subscribe(mailbox, receiver)
    mailbox.delete(subscription_id)
    with pytest.raises(SubscriptionGone):
        mailbox.renew(subscription_id, 60) if call == "renew" else mailbox.reauthorize(subscription_id)


def test_deleting_twice_is_harmless(setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver) -> None:
    subscription_id, _ = _subscribe(mailbox, receiver)
    mailbox.delete(subscription_id)
    mailbox.delete(subscription_id)
    assert subscription_id not in {s["id"] for s in setup.control.subscriptions()}


def test_an_expired_subscription_is_gone_on_renewal(
    setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver
) -> None:
    subscription_id, _ = _subscribe(mailbox, receiver, minutes=5)
    setup.control.advance_clock(10 * 60)
    try:
        with pytest.raises(SubscriptionGone):
            mailbox.renew(subscription_id, 60)
    finally:
        setup.control.advance_clock(-10 * 60)


def test_subscribing_again_replaces_the_old_subscription_with_the_new_client_state(
    setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver
) -> None:
    first, _ = _subscribe(mailbox, receiver, client_state="old-state")
    second, _ = _subscribe(mailbox, receiver, client_state="new-state")  # Graph answers 409 first
    assert second != first
    mine = [s for s in setup.control.subscriptions() if s["id"] in (first, second)]
    assert [(s["id"], s["client_state"]) for s in mine] == [(second, "new-state")]


def test_a_calendar_subscription_watches_the_reps_events(
    setup: MicrosoftSetup, mailbox: GraphMailbox, receiver: Receiver
) -> None:
    made = mailbox.subscribe(receiver.notification_url, receiver.lifecycle_url, CLIENT_STATE, kind="events",
                             change_type="created,updated,deleted")
    stored = next(s for s in setup.control.subscriptions() if s["id"] == made.id)
    assert stored["resource"].strip("/") == f"users/{setup.user_id}/events"
    assert sorted(stored["change_types"]) == ["created", "deleted", "updated"]
