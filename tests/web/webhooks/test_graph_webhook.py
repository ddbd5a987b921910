"""/webhooks/graph: the validation handshake, clientState per subscription, persist and 202."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import follow_outlook_inbox, make_world

GRAPH_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graph"


def _count(services: ServiceContext) -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(t.InboundNotification)) or 0


@pytest.fixture
def subscribed(services: ServiceContext) -> dict[str, Any]:
    w = make_world(services)
    return {"world": w, "secret": follow_outlook_inbox(services, w, "sub-1")}


def item(sub: str, state: str, message_id: str = "AAMk-1") -> dict[str, Any]:
    return {"subscriptionId": sub, "clientState": state, "changeType": "created",
            "resource": f"Users/u/Messages/{message_id}", "subscriptionExpirationDateTime": "2026-03-05T00:00:00Z",
            "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "@odata.id": f"Users/u/Messages/{message_id}",
                             "id": message_id}, "tenantId": "t-1"}


@pytest.mark.parametrize("path", ["/webhooks/graph", "/webhooks/graph/lifecycle"])
def test_the_validation_handshake_echoes_the_token_as_plain_text(client: Any, path: str) -> None:
    r = client.post(f"{path}?validationToken=Validation%3A%20Testing%20client%20application%20%3C%26%3E")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert r.get_data(as_text=True) == "Validation: Testing client application <&>"


def test_valid_items_are_stored_and_answered_202(client: Any, services: ServiceContext,
                                                 subscribed: dict[str, Any]) -> None:
    r = client.post("/webhooks/graph", json={"value": [item("sub-1", subscribed["secret"])]})
    assert r.status_code == 202 and _count(services) == 1
    with services.session() as s:
        stored = s.scalars(select(t.InboundNotification)).one()
    assert "clientState" not in stored.payload and stored.mailbox_address == subscribed["world"].other_rep["mailbox_address"]


def test_a_repeated_item_is_stored_once(client: Any, services: ServiceContext, subscribed: dict[str, Any]) -> None:
    body = {"value": [item("sub-1", subscribed["secret"])] * 2}
    client.post("/webhooks/graph", json=body)
    client.post("/webhooks/graph", json=body)
    assert _count(services) == 1


def test_bad_items_are_dropped_and_good_ones_in_the_same_batch_kept(client: Any, services: ServiceContext,
                                                                    subscribed: dict[str, Any]) -> None:
    body = {"value": [item("sub-1", "wrong-secret", "A"), item("someone-elses-sub", subscribed["secret"], "B"),
                      {"subscriptionId": "sub-1"}, "not an object", item("sub-1", subscribed["secret"], "C")]}
    r = client.post("/webhooks/graph", json=body)
    assert r.status_code == 202
    with services.session() as s:
        keys = [n.dedupe_key for n in s.scalars(select(t.InboundNotification))]
    assert keys == ["sub-1:created:C"]


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"value": "x"}', b"[]"])
def test_a_body_that_is_not_a_notification_batch_is_a_400(client: Any, services: ServiceContext, body: bytes) -> None:
    r = client.post("/webhooks/graph", data=body, content_type="application/json")
    assert r.status_code == 400 and _count(services) == 0


def test_microsofts_documented_example_is_accepted_when_the_subscription_is_ours(
        client: Any, services: ServiceContext, subscribed: dict[str, Any]) -> None:
    documented = json.loads((GRAPH_FIXTURES / "change-notification-message.json").read_text())
    for entry in documented["value"]:
        entry["subscriptionId"], entry["clientState"] = "sub-1", subscribed["secret"]
    r = client.post("/webhooks/graph", json=documented)
    assert r.status_code == 202 and _count(services) == len(documented["value"])
