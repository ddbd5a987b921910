"""/webhooks/graph remembers its subscriptions briefly, and never at the cost of a check.

A known subscription costs no query; a clientState that does not match what is remembered is checked
against the database before anything is decided; a replaced subscription stops being accepted within
GRAPH_SUBSCRIPTION_CACHE_SECONDS.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from addin_server.auth.client_state import issue_client_state
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from addin_server.services.graph.notices import GRAPH_SUBSCRIPTION_CACHE_SECONDS
from tests.builders import follow_outlook_inbox, make_world
from tests.conftest import FakeClock


def _stored(services: ServiceContext) -> list[tuple[str, str, str | None]]:
    with services.session() as s:
        return [(n.provider, n.dedupe_key, n.mailbox_address) for n in s.scalars(
            select(t.InboundNotification).order_by(t.InboundNotification.id))]


def _item(sub: str, state: str, message_id: str) -> dict[str, Any]:
    return {"subscriptionId": sub, "clientState": state, "changeType": "created", "tenantId": "t-1",
            "resource": f"Users/u/Messages/{message_id}",
            "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "id": message_id}}


def _send(client: Any, *items: dict[str, Any], path: str = "/webhooks/graph") -> None:
    assert client.post(path, json={"value": list(items)}).status_code == 202


@contextmanager
def _statements(services: ServiceContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", record)


@pytest.fixture
def inbox(services: ServiceContext) -> dict[str, Any]:
    w = make_world(services)
    secret = follow_outlook_inbox(services, w, "sub-1")
    return {"world": w, "secret": secret, "mailbox": w.other_rep["mailbox_address"]}


def _resubscribe(services: ServiceContext, old: str, new: str) -> str:
    """What the renewal job does when Graph forgot a subscription: a new id and a new clientState."""
    issued = issue_client_state(services.settings)
    with services.session() as s:
        s.execute(update(t.MailboxWatch).where(t.MailboxWatch.subscription_id == old)
                  .values(subscription_id=new, client_state_hash=issued.stored_hash))
    return issued.secret


def test_a_known_subscription_costs_no_query_only_the_write(client: Any, services: ServiceContext,
                                                           inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-1", inbox["secret"], "A"))
    with _statements(services) as seen:
        _send(client, *(_item("sub-1", inbox["secret"], f"B{i}") for i in range(10)))
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("INSERT")
    assert len(_stored(services)) == 11


def test_a_forged_client_state_is_refused_while_the_subscription_is_remembered(
        client: Any, services: ServiceContext, inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-1", inbox["secret"], "A"))
    _send(client, _item("sub-1", "forged-" + inbox["secret"][7:], "B"), _item("sub-1", "", "C"),
          _item("sub-1", inbox["secret"].upper(), "D"))
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:A"]


def test_a_subscription_given_a_new_client_state_under_the_same_id_is_accepted_at_once(
        client: Any, services: ServiceContext, inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-1", inbox["secret"], "A"))
    issued = issue_client_state(services.settings)
    with services.session() as s:
        s.execute(update(t.MailboxWatch).where(t.MailboxWatch.subscription_id == "sub-1")
                  .values(client_state_hash=issued.stored_hash))
    _send(client, _item("sub-1", issued.secret, "B"))
    _send(client, _item("sub-1", inbox["secret"], "C"))  # the old secret: read again, and refused
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:A", "sub-1:created:B"]


def test_a_new_subscription_works_at_once_and_the_one_it_replaced_stops_within_the_bound(
        client: Any, services: ServiceContext, clock: FakeClock, inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-1", inbox["secret"], "A"))
    new_secret = _resubscribe(services, "sub-1", "sub-2")
    _send(client, _item("sub-2", new_secret, "B"))
    clock.advance(seconds=GRAPH_SUBSCRIPTION_CACHE_SECONDS)
    _send(client, _item("sub-1", inbox["secret"], "C"))
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:A", "sub-2:created:B"]


def test_a_subscription_made_after_a_refused_notification_is_accepted_at_once(
        client: Any, services: ServiceContext, inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-9", inbox["secret"], "A"))
    assert _stored(services) == []
    _send(client, _item("sub-1", inbox["secret"], "B"))  # the cache is warm with sub-1
    secret = _resubscribe(services, "sub-1", "sub-9")
    _send(client, _item("sub-9", secret, "C"))
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:B", "sub-9:created:C"]


def test_a_clock_set_back_does_not_keep_a_subscription_remembered(
        client: Any, services: ServiceContext, clock: FakeClock, inbox: dict[str, Any]) -> None:
    _send(client, _item("sub-1", inbox["secret"], "A"))
    _resubscribe(services, "sub-1", "sub-2")
    clock.advance(hours=-1)
    _send(client, _item("sub-1", inbox["secret"], "B"))
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:A"]


def test_an_events_subscription_is_checked_and_stored_like_an_inbox_one(
        client: Any, services: ServiceContext, inbox: dict[str, Any]) -> None:
    w = inbox["world"]
    issued = issue_client_state(services.settings)
    with services.session() as s:
        s.add(t.CalendarWatch(account_id=w.account_id, user_id=int(w.other_rep["id"]), provider="outlook",
                              mailbox_address=inbox["mailbox"], subscription_id="cal-1",
                              client_state_hash=issued.stored_hash, status="active"))
    _send(client, _item("cal-1", issued.secret, "E1"), _item("cal-1", inbox["secret"], "E2"),
          _item("sub-1", inbox["secret"], "M1"))
    assert _stored(services) == [("graph", "cal-1:created:E1", inbox["mailbox"]),
                                 ("graph", "sub-1:created:M1", inbox["mailbox"])]


def test_lifecycle_events_are_checked_and_stored_once(client: Any, services: ServiceContext,
                                                      inbox: dict[str, Any]) -> None:
    event_item = {"subscriptionId": "sub-1", "clientState": inbox["secret"], "lifecycleEvent": "missed",
                  "subscriptionExpirationDateTime": "2026-03-05T00:00:00Z", "tenantId": "t-1"}
    for _ in range(2):
        _send(client, event_item, {**event_item, "clientState": "nope"}, path="/webhooks/graph/lifecycle")
    assert _stored(services) == [("graph_lifecycle", "sub-1:missed:2026-03-05T00:00:00Z", inbox["mailbox"])]
    with services.session() as s:
        payload = s.scalar(select(t.InboundNotification.payload))
        assert s.scalar(select(func.count()).select_from(t.InboundNotification)) == 1
    assert payload is not None and "clientState" not in payload and payload["lifecycleEvent"] == "missed"


def test_batches_arriving_together_on_many_threads_are_all_kept(services: ServiceContext,
                                                                inbox: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from addin_server.services.graph.notices import record_graph_items

    def deliver(n: int) -> dict[str, int]:
        # Unknown ids and wrong secrets make every batch read and rewrite the shared cache.
        return record_graph_items(services, [_item("sub-1", inbox["secret"], f"T{n}"), _item(f"gone-{n}", "x", "U"),
                                             _item("sub-1", f"wrong-{n}", "V")], lifecycle=False)

    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(deliver, range(120)))
    assert counts == [{"kept": 1, "dropped": 2}] * 120
    assert len(_stored(services)) == 120


def test_a_verified_item_carrying_characters_no_database_text_holds_is_stored_cleaned(
        client: Any, services: ServiceContext, inbox: dict[str, Any]) -> None:
    odd = {**_item("sub-1", inbox["secret"], "a\u0000b\ud800"), "note": "x\u0000\udfff \U0001f600"}
    _send(client, odd, _item("sub-1", inbox["secret"], "plain"))
    assert [k for _, k, _ in _stored(services)] == ["sub-1:created:a\ufffdb\ufffd", "sub-1:created:plain"]
    with services.session() as s:
        notes = [n.payload.get("note") for n in s.scalars(select(t.InboundNotification).order_by(t.InboundNotification.id))]
    assert notes == ["x\ufffd\ufffd \U0001f600", None]
