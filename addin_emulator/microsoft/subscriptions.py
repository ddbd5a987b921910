"""Graph /subscriptions: create (after the validation handshake), get, list, renew, reauthorize, delete."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from addin_emulator.microsoft import notifications
from addin_emulator.microsoft.graph import GraphError, GraphRequest, GraphResult, parse_instant, route, world
from addin_emulator.microsoft.store import MAX_SUBSCRIPTION_MINUTES, Subscription, counter_guid

RESOURCE = re.compile(
    r"^/?(?:users/(?P<user>[^/]+)|(?P<me>me))"
    r"(?:/mailfolders(?:\('(?P<folder>[^']+)'\)|/(?P<folder2>[^/]+)))?"
    r"/(?P<kind>messages|events)$",
    re.IGNORECASE,
)
CHANGE_TYPES = {"created", "updated", "deleted"}


def subscription_json(req: GraphRequest, subscription: Subscription, *, context: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": subscription.id,
        "resource": subscription.resource,
        "applicationId": subscription.app_id,
        "changeType": ",".join(subscription.change_types),
        "clientState": subscription.client_state,
        "notificationUrl": subscription.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": subscription.lifecycle_url,
        "expirationDateTime": subscription.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "creatorId": subscription.creator_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": subscription.tls_version,
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
        "notificationContentType": "application/json",
    }
    if context:
        body = {"@odata.context": f"{req.root}/$metadata#subscriptions/$entity", **body}
    return body


def checked_expiry(req: GraphRequest, raw: Any) -> Any:
    if not isinstance(raw, str):
        raise GraphError(400, "InvalidRequest", "expirationDateTime is required.")
    expiry = parse_instant(raw)
    now = world().clock.now()
    if expiry <= now:
        raise GraphError(400, "InvalidRequest", "Subscription expiration can only be in the future.")
    if expiry > now + timedelta(minutes=MAX_SUBSCRIPTION_MINUTES):
        raise GraphError(
            400, "InvalidRequest",
            f"Subscription expiration can only be {MAX_SUBSCRIPTION_MINUTES} minutes in the future.",
        )
    return expiry


def owned(req: GraphRequest, sub_id: str) -> Subscription:
    notifications.purge_expired(world())
    subscription = world().subscriptions.get(sub_id)
    if subscription is None or subscription.app_id != req.claims.get("appid"):
        raise GraphError(404, "ResourceNotFound", f"The object was not found. Subscription '{sub_id}'.")
    return subscription


@route("POST", r"/subscriptions", mailbox=False)
def create_subscription(req: GraphRequest) -> GraphResult:
    body = req.body if isinstance(req.body, dict) else {}
    resource = str(body.get("resource") or "")
    match = RESOURCE.match(resource)
    if match is None:
        raise GraphError(400, "InvalidRequest", f"Resource '{resource}' is not supported by the emulator.")
    change_types = [c.strip() for c in str(body.get("changeType") or "").split(",") if c.strip()]
    if not change_types or not set(change_types) <= CHANGE_TYPES:
        raise GraphError(400, "InvalidRequest", "changeType must be created, updated and/or deleted.")
    notification_url = str(body.get("notificationUrl") or "")
    if not notification_url.startswith(("http://", "https://")):
        raise GraphError(400, "InvalidRequest", "notificationUrl must be an absolute URL.")
    lifecycle_url = body.get("lifecycleNotificationUrl")
    client_state = body.get("clientState")
    if client_state is not None and len(str(client_state)) > 128:
        raise GraphError(400, "InvalidRequest", "clientState can be at most 128 characters.")
    expiry = checked_expiry(req, body.get("expirationDateTime"))
    groups = match.groupdict()
    from addin_emulator.microsoft.graph import resolve_mailbox

    mailbox = resolve_mailbox(req, groups)
    kind = groups["kind"].lower()
    folder = None
    if kind == "messages" and (groups.get("folder") or groups.get("folder2")):
        folder = mailbox.folder_of_id(str(groups.get("folder") or groups.get("folder2")))
        if folder is None:
            raise GraphError(404, "ResourceNotFound", "The folder in the resource was not found.")
    app_id = str(req.claims.get("appid"))
    state = world()

    def duplicate() -> Subscription | None:
        notifications.purge_expired(state)
        with state.lock:
            for other in state.subscriptions.values():
                if (other.app_id == app_id and other.resource.strip("/").lower() == resource.strip("/").lower()
                        and set(other.change_types) == set(change_types)
                        and other.notification_url == notification_url):
                    return other
        return None

    if duplicate() is not None:
        raise GraphError(409, "ExtensionError", "Operation: Create; Exception: [Status Code: Conflict; Reason: "
                         "A subscription with the same resource, change type and notification URL already exists.]")
    # The handshake runs outside the lock: the endpoint may call the emulator while answering.
    for url in [notification_url, *([str(lifecycle_url)] if lifecycle_url else [])]:
        problem = notifications.validate_endpoint(state, url)
        if problem is not None:
            raise GraphError(400, "InvalidRequest", problem)
    with state.lock:
        if duplicate() is not None:
            raise GraphError(409, "ExtensionError", "A subscription with the same resource, change type and "
                             "notification URL already exists.")
        subscription = Subscription(
            id=counter_guid(0x5B5C, state.next("subscription")),
            app_id=app_id,
            tenant_id=mailbox.tenant_id,
            creator_id=str(req.claims.get("oid")),
            resource=resource,
            change_types=change_types,
            notification_url=notification_url,
            lifecycle_url=str(lifecycle_url) if lifecycle_url else None,
            expiration=expiry,
            client_state=str(client_state) if client_state is not None else None,
            tls_version=str(body.get("latestSupportedTlsVersion") or "v1_2"),
            mailbox_address=mailbox.address.lower(),
            kind=kind,
            folder=folder,
        )
        state.subscriptions[subscription.id] = subscription
    return GraphResult(201, subscription_json(req, subscription))


@route("GET", r"/subscriptions", mailbox=False)
def list_subscriptions(req: GraphRequest) -> GraphResult:
    notifications.purge_expired(world())
    with world().lock:
        mine = [s for s in world().subscriptions.values() if s.app_id == req.claims.get("appid")]
    return GraphResult(200, {"@odata.context": f"{req.root}/$metadata#subscriptions",
                             "value": [subscription_json(req, s, context=False) for s in mine]})


@route("GET", r"/subscriptions/(?P<sub_id>[^/]+)", mailbox=False)
def get_subscription(req: GraphRequest, sub_id: str) -> GraphResult:
    return GraphResult(200, subscription_json(req, owned(req, sub_id)))


@route("PATCH", r"/subscriptions/(?P<sub_id>[^/]+)", mailbox=False)
def renew_subscription(req: GraphRequest, sub_id: str) -> GraphResult:
    subscription = owned(req, sub_id)
    body = req.body if isinstance(req.body, dict) else {}
    expiry = checked_expiry(req, body.get("expirationDateTime"))
    with world().lock:
        subscription.expiration = expiry
        if body.get("notificationUrl"):
            subscription.notification_url = str(body["notificationUrl"])
    return GraphResult(200, subscription_json(req, subscription))


@route("POST", r"/subscriptions/(?P<sub_id>[^/]+)/reauthorize", mailbox=False)
def reauthorize_subscription(req: GraphRequest, sub_id: str) -> GraphResult:
    owned(req, sub_id)
    return GraphResult(204)


@route("DELETE", r"/subscriptions/(?P<sub_id>[^/]+)", mailbox=False)
def delete_subscription(req: GraphRequest, sub_id: str) -> GraphResult:
    owned(req, sub_id)
    with world().lock:
        world().subscriptions.pop(sub_id, None)
    return GraphResult(204)
