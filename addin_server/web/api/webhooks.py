"""/webhook-endpoints: outgoing webhooks, their secrets and their delivery log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from addin_server.services import outgoing_webhooks
from addin_server.web.api.base import NoBody, Open, Strict, bp, ctx, id_text, principal, spec
from addin_server.web.apispec import operation

WebhookEventType = Literal["enrollment.unenrolled", "enrollment.finished", "enrollment.paused",
                           "enrollment.resumed", "enrollment.undone"]


class WebhookEndpointIn(Strict):
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    events: Annotated[list[WebhookEventType], Field(min_length=1, max_length=5)]
    description: Annotated[str, Field(max_length=200)] = ""


class WebhookEndpointOut(Open):
    id: str
    url: str
    events: list[str]
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    previous_secret_expires_at: str | None


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str


class WebhookEndpointList(Open):
    webhook_endpoints: list[WebhookEndpointOut]


def _delivery_id(value: Any) -> Any:
    text = id_text(value)
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and 1 <= len(text) <= 20):
        raise ValueError("must be a delivery id (the `id` of a delivery in this log)")
    return text


class DeliveryQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: Literal["pending", "delivered", "failed"] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    before: Annotated[str, BeforeValidator(_delivery_id)] | None = None


class DeliveryOut(Open):
    id: str
    webhook_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    sending: bool  # a worker is sending it now (its request is under way)
    queued_behind: str | None  # leased by a lane that is sending this delivery first (same receiver)
    last_status_code: int | None
    last_error: str | None
    payload: dict[str, Any]


class DeliveryList(Open):
    deliveries: list[DeliveryOut]
    next_before: str | None


_WEBHOOK_SIGNING = ("Each delivery is a POST of `{\"type\", \"timestamp\", \"data\"}` signed per Standard Webhooks: "
                    "headers `webhook-id` (the same on every retry), `webhook-timestamp` and `webhook-signature` "
                    "(`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the secret's bytes after `whsec_`).")


@operation(spec, bp, "POST", "/webhook-endpoints", tag="webhooks", body=WebhookEndpointIn,
           response=WebhookEndpointCreated, status=201, errors=(400, 403, 409, 422),
           summary="Add an endpoint for enrollment events; its secret is in this answer only",
           description=_WEBHOOK_SIGNING + " Outside demo mode the URL must be https and must not lead to a "
                                          "private, loopback or link-local address.")
def create_webhook_endpoint(body: WebhookEndpointIn) -> Any:
    return outgoing_webhooks.create_endpoint(ctx(), principal(), url=body.url, events=list(body.events),
                                             description=body.description)


@operation(spec, bp, "GET", "/webhook-endpoints", tag="webhooks", response=WebhookEndpointList, errors=(403,),
           summary="The account's webhook endpoints (never their secrets)")
def list_webhook_endpoints() -> Any:
    return {"webhook_endpoints": outgoing_webhooks.list_endpoints(ctx(), principal())}


@operation(spec, bp, "GET", "/webhook-endpoints/{endpoint_id}", tag="webhooks", response=WebhookEndpointOut,
           errors=(403, 404), summary="One webhook endpoint, with whether it is disabled and why")
def get_webhook_endpoint(endpoint_id: str) -> Any:
    return outgoing_webhooks.get_endpoint(ctx(), principal(), endpoint_id)


@operation(spec, bp, "DELETE", "/webhook-endpoints/{endpoint_id}", tag="webhooks", status=204, errors=(403, 404),
           summary="Remove a webhook endpoint and its delivery log")
def delete_webhook_endpoint(endpoint_id: str) -> Any:
    outgoing_webhooks.delete_endpoint(ctx(), principal(), endpoint_id)
    return None


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/rotate-secret", tag="webhooks", body=NoBody,
           response=WebhookEndpointCreated, errors=(400, 403, 404, 409, 422),
           summary="A new signing secret (in this answer only); the old one also signs for 24 hours",
           description="While a replaced secret still signs, another rotation answers 409 `rotation_in_grace`: it "
                       "would cut that secret's day short for receivers still using it.")
def rotate_webhook_secret(endpoint_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.rotate_secret(ctx(), principal(), endpoint_id)


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/enable", tag="webhooks", body=NoBody,
           response=WebhookEndpointOut, errors=(400, 403, 404, 422),
           summary="Enable an endpoint disabled after a day of failures; what waited is sent now")
def enable_webhook_endpoint(endpoint_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.enable_endpoint(ctx(), principal(), endpoint_id)


@operation(spec, bp, "GET", "/webhook-endpoints/{endpoint_id}/deliveries", tag="webhooks", query=DeliveryQuery,
           response=DeliveryList, errors=(403, 404, 422),
           summary="The endpoint's delivery log, newest first (page with `before`)")
def list_webhook_deliveries(endpoint_id: str, query: DeliveryQuery) -> Any:
    return outgoing_webhooks.list_deliveries(ctx(), principal(), endpoint_id, status=query.status,
                                             limit=query.limit, before=query.before)


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry", tag="webhooks",
           body=NoBody, response=DeliveryOut, status=202, errors=(400, 403, 404, 409, 422),
           summary="Send a delivery again now, with the same webhook-id")
def retry_webhook_delivery(endpoint_id: str, delivery_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.retry_delivery(ctx(), principal(), endpoint_id, delivery_id)
