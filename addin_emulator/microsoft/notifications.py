"""Graph change and lifecycle notifications: queued, then POSTed to the subscriber's URLs.

Delivery is deterministic for tests: notifications wait in an outbox until `flush` (a control call)
or the optional background deliverer posts them. A failed POST is retried on a later flush, after a
backoff measured on the emulator's clock, up to MAX_ATTEMPTS, and every attempt is logged.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import requests

from addin_emulator.microsoft.store import (
    CalendarEvent,
    Mailbox,
    Message,
    MicrosoftWorld,
    Outbound,
    Subscription,
    iso,
)

MAX_ATTEMPTS = 4
RETRY_BACKOFF_SECONDS = 60
DELIVERY_TIMEOUT_SECONDS = 3.0  # Graph gives the endpoint 3 seconds
VALIDATION_TIMEOUT_SECONDS = 10.0  # and 10 seconds to answer the validation handshake
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")


def active(world: MicrosoftWorld, subscription: Subscription) -> bool:
    return subscription.expiration > world.clock.now()


def purge_expired(world: MicrosoftWorld) -> None:
    """Expired subscriptions vanish, as on Graph (GET answers 404 afterwards)."""
    with world.lock:
        for sub_id in [s.id for s in world.subscriptions.values() if not active(world, s)]:
            del world.subscriptions[sub_id]


def _change_body(
    subscription: Subscription, mailbox: Mailbox, kind: str, object_id: str, etag: str, change_type: str
) -> dict[str, Any]:
    plural, odata_type = ("Messages", "#Microsoft.Graph.Message") if kind == "messages" else (
        "Events", "#Microsoft.Graph.Event")
    resource = f"Users/{mailbox.user_id}/{plural}/{object_id}"
    item = {
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": subscription.expiration.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
        "changeType": change_type,
        "resource": resource,
        "resourceData": {"@odata.type": odata_type, "@odata.id": resource, "@odata.etag": etag, "id": object_id},
        "clientState": subscription.client_state,
        "tenantId": subscription.tenant_id,
    }
    return {"value": [item]}


def notify(world: MicrosoftWorld, mailbox: Mailbox, kind: str, folder: str | None, object_id: str,
           etag: str, change_type: str) -> None:
    """Queue a change notification for every live subscription watching this mailbox and folder."""
    purge_expired(world)
    with world.lock:
        targets = [
            s for s in world.subscriptions.values()
            if s.kind == kind
            and s.mailbox_address == mailbox.address.lower()
            and change_type in s.change_types
            and (s.folder is None or s.folder == folder)
        ]
    for subscription in targets:
        body = _change_body(subscription, mailbox, kind, object_id, etag, change_type)
        enqueue(world, "change", subscription, subscription.notification_url, body)


def message_changed(world: MicrosoftWorld, mailbox: Mailbox, message: Message, change_type: str) -> None:
    notify(world, mailbox, "messages", message.folder, message.id, message.etag, change_type)


def event_changed(world: MicrosoftWorld, mailbox: Mailbox, event: CalendarEvent, change_type: str) -> None:
    notify(world, mailbox, "events", None, event.key, f'W/"{event.change_key}"', change_type)


def enqueue(world: MicrosoftWorld, kind: str, subscription: Subscription, url: str, body: dict[str, Any]) -> None:
    """Queue one POST, applying any injected drop / delay / duplicate instruction."""
    with world.lock:
        due = world.clock.now()
        copies = 1
        fault = next((f for f in world.notification_faults if f.remaining > 0), None)
        if fault is not None:
            fault.remaining -= 1
            if fault.action == "drop":
                world.delivery_log.append(
                    {"kind": kind, "subscription_id": subscription.id, "url": url, "dropped": True,
                     "body": body, "at": iso(due)}
                )
                return
            if fault.action == "delay":
                due += timedelta(seconds=fault.delay_seconds)
            if fault.action == "duplicate":
                copies = 2
        for _ in range(copies):
            world.outbox.append(Outbound(world.next("notification"), kind, subscription.id, url, body, due))


def lifecycle(world: MicrosoftWorld, subscription: Subscription, event: str) -> None:
    """Queue a lifecycle notification; subscriptionRemoved also ends the subscription."""
    if event not in LIFECYCLE_EVENTS:
        raise ValueError(f"unknown lifecycle event {event!r}; one of {LIFECYCLE_EVENTS}")
    if not subscription.lifecycle_url:
        raise ValueError("the subscription has no lifecycleNotificationUrl")
    item = {
        "lifecycleEvent": event,
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": subscription.expiration.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
        "clientState": subscription.client_state,
        "tenantId": subscription.tenant_id,
    }
    enqueue(world, "lifecycle", subscription, subscription.lifecycle_url, {"value": [item]})
    if event == "subscriptionRemoved":
        with world.lock:
            world.subscriptions.pop(subscription.id, None)


def flush(world: MicrosoftWorld) -> dict[str, Any]:
    """POST every notification that is due, once each; report what each POST returned."""
    with world.lock:
        now = world.clock.now()
        due = [item for item in world.outbox if item.due_at <= now]
        world.outbox = [item for item in world.outbox if item.due_at > now]
    results = []
    for item in due:
        item.attempts += 1
        status: int | None = None
        error: str | None = None
        try:
            resp = requests.post(item.url, json=item.body, timeout=DELIVERY_TIMEOUT_SECONDS)
            status = resp.status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        ok = status is not None and 200 <= status < 300
        record = {
            "notification_id": item.id,
            "kind": item.kind,
            "subscription_id": item.subscription_id,
            "url": item.url,
            "attempt": item.attempts,
            "status": status,
            "error": error,
            "delivered": ok,
            "body": item.body,
        }
        with world.lock:
            record["at"] = iso(world.clock.now())
            world.delivery_log.append(record)
            if not ok and item.attempts < MAX_ATTEMPTS:
                item.due_at = world.clock.now() + timedelta(seconds=RETRY_BACKOFF_SECONDS * item.attempts)
                world.outbox.append(item)
        results.append(record)
    with world.lock:
        pending = len(world.outbox)
    return {"delivered": results, "pending": pending}


def validate_endpoint(world: MicrosoftWorld, url: str) -> str | None:
    """Graph's validation handshake: POST ?validationToken=...; expect 200 text/plain echoing it."""
    request_id = f"00000000-0000-4000-b000-{world.next('validation'):012d}"
    token = f"Validation: Testing client application reachability for subscription Request-Id: {request_id}"
    try:
        resp = requests.post(
            url, params={"validationToken": token}, data=b"",
            headers={"Content-Type": "text/plain; charset=utf-8"}, timeout=VALIDATION_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        return f"Subscription validation request failed. {type(exc).__name__} calling {url}."
    if resp.status_code != 200:
        return (
            "Subscription validation request failed. Response must exactly match validationToken query parameter. "
            f"Status {resp.status_code}."
        )
    if not resp.headers.get("Content-Type", "").lower().startswith("text/plain"):
        return "Subscription validation request failed. Response Content-Type must be text/plain."
    if resp.text != token:
        return "Subscription validation request failed. Response must exactly match validationToken query parameter."
    return None


class AutoDeliverer:
    """Flushes the outbox every `interval` seconds from a daemon thread (the demo's mode)."""

    def __init__(self, world: MicrosoftWorld, interval: float = 0.2) -> None:
        self.world = world
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="graph-notifications", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            flush(self.world)
