"""What the outgoing webhook tests share: subscribing a receiver, one delivery pass, an enrollment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from addin_server.db import tables as t
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.webhook_receiver import WebhookReceiver

ALL_EVENTS = ["enrollment.unenrolled", "enrollment.finished", "enrollment.paused", "enrollment.resumed",
              "enrollment.undone"]


def subscribe(services: ServiceContext, w: World, receiver: WebhookReceiver,
              events: list[str] | None = None) -> dict[str, Any]:
    made = outgoing_webhooks.create_endpoint(services, w.admin, url=receiver.url, events=events or ALL_EVENTS)
    receiver.secrets = [made["secret"]]
    return made


def deliver(services: ServiceContext, **kwargs: Any) -> dict[str, int]:
    return outgoing_webhooks.deliver_due_webhooks(services, "test-worker", **kwargs)


def enroll(services: ServiceContext, w: World, contact: dict[str, Any] | None = None) -> dict[str, Any]:
    return enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=(contact or w.contact)["id"],
                              sender_user_id=w.rep["id"])


def deliveries(services: ServiceContext) -> list[t.WebhookDelivery]:
    with services.sessions() as s:
        return list(s.scalars(select(t.WebhookDelivery).order_by(t.WebhookDelivery.id)))


def stored_earlier(services: ServiceContext, world: World, url: str) -> dict[str, Any]:
    """An endpoint whose URL was stored before URLs were normalised when added."""
    made = outgoing_webhooks.create_endpoint(services, world.admin, url="https://hooks.example.com/in",
                                             events=ALL_EVENTS)
    with services.session() as s:
        s.execute(update(t.WebhookEndpoint).where(t.WebhookEndpoint.id == int(made["id"])).values(url=url))
    return made
