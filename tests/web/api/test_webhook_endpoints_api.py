"""/api/v1/webhook-endpoints through HTTP: the integrator's scenario, bad input, other accounts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.db.tables import Base
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Invalid
from addin_server.services.leases import claim_leased
from tests.builders import World, make_world

HOOK = "https://hooks.example.com/sidebar"
EVENTS = ["enrollment.unenrolled", "enrollment.finished"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=False, mail_transport="local",
                             encryption_key=generate_encryption_key())


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


def _counts(services: ServiceContext) -> dict[str, int]:
    with services.session() as s:
        return {tbl.name: s.scalar(select(func.count()).select_from(tbl)) or 0 for tbl in Base.metadata.sorted_tables}


def _create(client: Any, world: World, **body: Any) -> Any:
    return client.post("/api/v1/webhook-endpoints", json={"url": HOOK, "events": EVENTS, **body},
                       headers=world.headers)


def test_the_integrators_webhook_scenario(client: Any, services: ServiceContext, world: World) -> None:
    made = _create(client, world, description="CRM sync")
    assert made.status_code == 201
    secret = made.json["secret"]
    assert secret.startswith("whsec_") and made.json["events"] == EVENTS and made.json["status"] == "active"
    endpoint_id = made.json["id"]

    listed = client.get("/api/v1/webhook-endpoints", headers=world.headers).json["webhook_endpoints"]
    assert [e["id"] for e in listed] == [endpoint_id] and all("secret" not in e for e in listed)
    one = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=world.headers)
    assert one.status_code == 200 and "secret" not in one.json and one.json["description"] == "CRM sync"

    # An ending, and a worker pass: hooks.example.com cannot be reached from the tests, so the
    # delivery is logged as attempted and waiting for its retry.
    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    client.post(f"/api/v1/enrollments/{e['id']}/unenroll", json={}, headers=world.headers)
    outgoing_webhooks.deliver_due_webhooks(services, "w")
    log = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=world.headers).json
    [delivery] = log["deliveries"]
    assert delivery["event_type"] == "enrollment.unenrolled" and delivery["status"] == "pending"
    assert delivery["attempts"] == 1 and delivery["last_error"].startswith("refused:")
    assert delivery["payload"]["data"]["enrollment_id"] == e["id"] and delivery["webhook_id"].startswith("msg_")
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries?status=delivered",
                      headers=world.headers).json["deliveries"] == []

    retried = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery['id']}/retry", json={},
                          headers=world.headers)
    assert retried.status_code == 202 and retried.json["webhook_id"] == delivery["webhook_id"]
    assert retried.json["next_attempt_at"] is not None

    rotated = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", json={}, headers=world.headers)
    assert rotated.status_code == 200 and rotated.json["secret"] != secret
    assert rotated.json["previous_secret_expires_at"]

    gone = client.delete(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=world.headers)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=world.headers).status_code == 404
    assert _counts(services)["webhook_deliveries"] == 0


@pytest.mark.parametrize("body", [
    {},
    {"url": HOOK},
    {"events": EVENTS},
    {"url": HOOK, "events": []},
    {"url": HOOK, "events": ["enrollment.replied"]},
    {"url": HOOK, "events": "enrollment.unenrolled"},
    {"url": HOOK, "events": EVENTS, "secret": "whsec_mine"},
    {"url": 42, "events": EVENTS},
    {"url": "https://" + "a" * 2000 + ".com/", "events": EVENTS},
    {"url": "http://hooks.example.com/", "events": EVENTS},
    {"url": "https://127.0.0.1/", "events": EVENTS},
    {"url": "https://169.254.169.254/latest/meta-data", "events": EVENTS},
    {"url": "https://[::1]:8443/", "events": EVENTS},
    {"url": "https://hooks.example.com:99999/", "events": EVENTS},
    {"url": "https://hooks.example.com/ with space", "events": EVENTS},
    {"url": "javascript:alert(1)", "events": EVENTS},
    {"url": HOOK, "events": EVENTS, "description": "x" * 201},
    [HOOK],
    "not an object",
], ids=repr)
def test_bad_endpoint_input_is_refused_and_changes_nothing(client: Any, services: ServiceContext, world: World,
                                                           body: Any) -> None:
    before = _counts(services)
    answer = client.post("/api/v1/webhook-endpoints", json=body, headers=world.headers)
    assert 400 <= answer.status_code < 500 and answer.json["error"]["code"]
    assert _counts(services) == before


def test_malformed_json_and_no_credentials_are_refused(client: Any, services: ServiceContext, world: World) -> None:
    before = _counts(services)
    assert client.post("/api/v1/webhook-endpoints", data="{", content_type="application/json",
                       headers=world.headers).status_code == 400
    assert client.post("/api/v1/webhook-endpoints", json={"url": HOOK, "events": EVENTS}).status_code == 401
    assert client.get("/api/v1/webhook-endpoints").status_code == 401
    assert _counts(services) == before


def test_another_accounts_endpoint_is_not_found_for_every_operation(client: Any, services: ServiceContext,
                                                                     world: World) -> None:
    theirs = _create(client, world).json["id"]
    other = make_world(services, name="Initech", domain="initech.test")
    before = _counts(services)
    h = other.headers
    assert client.get(f"/api/v1/webhook-endpoints/{theirs}", headers=h).status_code == 404
    assert client.delete(f"/api/v1/webhook-endpoints/{theirs}", headers=h).status_code == 404
    assert client.post(f"/api/v1/webhook-endpoints/{theirs}/rotate-secret", json={}, headers=h).status_code == 404
    assert client.post(f"/api/v1/webhook-endpoints/{theirs}/enable", json={}, headers=h).status_code == 404
    assert client.get(f"/api/v1/webhook-endpoints/{theirs}/deliveries", headers=h).status_code == 404
    assert client.post(f"/api/v1/webhook-endpoints/{theirs}/deliveries/1/retry", json={}, headers=h).status_code == 404
    assert client.get("/api/v1/webhook-endpoints", headers=h).json["webhook_endpoints"] == []
    assert _counts(services) == before


@pytest.mark.parametrize("path", [
    "/api/v1/webhook-endpoints/abc", "/api/v1/webhook-endpoints/0", "/api/v1/webhook-endpoints/99999999999999999999",
    "/api/v1/webhook-endpoints/1/deliveries?before=99999999999999999999&limit=0",
    "/api/v1/webhook-endpoints/1/deliveries?status=lost",
], ids=str)
def test_odd_ids_and_queries_answer_4xx(client: Any, world: World, path: str) -> None:
    _create(client, world)
    answer = client.get(path, headers=world.headers)
    assert 400 <= answer.status_code < 500


def test_a_delivery_of_another_endpoint_cannot_be_retried_through_this_one(client: Any, services: ServiceContext,
                                                                           world: World) -> None:
    first = _create(client, world).json["id"]
    second = _create(client, world, url=HOOK + "/second").json["id"]  # the same one twice is refused now
    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    outgoing_webhooks.publish_pending_events(services)
    of_first = client.get(f"/api/v1/webhook-endpoints/{first}/deliveries", headers=world.headers).json
    delivery_id = of_first["deliveries"][0]["id"]
    answer = client.post(f"/api/v1/webhook-endpoints/{second}/deliveries/{delivery_id}/retry", json={},
                         headers=world.headers)
    assert answer.status_code == 404


def test_a_retry_on_a_disabled_endpoint_asks_to_enable_it_first(client: Any, services: ServiceContext,
                                                                world: World) -> None:
    endpoint_id = _create(client, world).json["id"]
    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    outgoing_webhooks.publish_pending_events(services)
    with services.session() as s:
        s.get_one(t.WebhookEndpoint, int(endpoint_id)).status = "disabled"
    delivery_id = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries",
                             headers=world.headers).json["deliveries"][0]["id"]
    answer = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry", json={},
                         headers=world.headers)
    assert answer.status_code == 409 and answer.json["error"]["code"] == "endpoint_disabled"
    assert client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/enable", json={},
                       headers=world.headers).json["status"] == "active"


def test_without_an_encryption_key_no_endpoint_is_made(client: Any, services: ServiceContext, world: World,
                                                       app: Any) -> None:
    services.settings = services.settings.with_overrides(encryption_key="")
    before = _counts(services)
    answer = _create(client, world)
    assert answer.status_code == 409 and answer.json["error"]["code"] == "encryption_key_missing"
    assert _counts(services) == before


@pytest.mark.parametrize("description", ["a\u0000b", "line\nbreak", "bell\u0007", "lone \udfff surrogate"], ids=repr)
def test_a_description_with_a_nul_or_control_characters_is_a_4xx_on_both_databases(
        client: Any, services: ServiceContext, world: World, description: str) -> None:
    before = _counts(services)
    body = json.dumps({"url": HOOK, "events": EVENTS, "description": description})  # \u0000 escapes, as sent
    answer = client.post("/api/v1/webhook-endpoints", data=body, content_type="application/json",
                         headers=world.headers)
    assert 400 <= answer.status_code < 500 and answer.json["error"]["code"]
    assert _counts(services) == before
    # Below the door as well: the service itself refuses it (422), whatever surface calls it.
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(services, world.admin, url=HOOK, events=EVENTS, description=description)
    assert refused.value.status == 422
    assert _counts(services) == before


@pytest.mark.parametrize("description", [
    pytest.param("a\u202eb", id="a right-to-left override reverses what follows"),
    pytest.param("pay\u200broll", id="a zero-width space hides in a word"),
    pytest.param("one\u2028two", id="a line separator"),
    pytest.param("\u2066isolated\u2069", id="bidi isolates"),
])
def test_a_description_with_invisible_format_characters_is_refused_like_a_name(
        client: Any, services: ServiceContext, world: World, description: str) -> None:
    """Settings shows the description to every admin: a bidi override there would make it read
    differently from what it is, so it is refused as names are (422 invalid_description)."""
    before = _counts(services)
    answer = _create(client, world, description=description)
    assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_description"
    assert "U+" in answer.json["error"]["message"]
    assert _counts(services) == before


@pytest.mark.parametrize("description", ["CRM sync", "Synchro CRM – équipe", "مزامنة", "👩\u200d💻 team"], ids=repr)
def test_a_description_in_any_script_with_emoji_joiners_is_kept(client: Any, world: World, description: str) -> None:
    answer = _create(client, world, description=description)
    assert answer.status_code == 201 and answer.json["description"] == description


def test_a_page_bound_that_is_not_a_delivery_id_says_so(client: Any, world: World) -> None:
    endpoint_id = _create(client, world).json["id"]
    answer = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries?before={'9' * 23}",
                        headers=world.headers)
    assert answer.status_code in (400, 422) and "must be a delivery id" in answer.json["error"]["message"]


def test_the_same_endpoint_posted_twice_at_once_is_made_once(client: Any, services: ServiceContext,
                                                             world: World) -> None:
    assert _create(client, world).status_code == 201
    again = _create(client, world)
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_endpoint"
    assert _counts(services)["webhook_endpoints"] == 1
    assert _create(client, world, events=["enrollment.paused"]).status_code == 201  # other events: another endpoint


def test_a_second_rotation_within_the_grace_answers_409_and_changes_nothing(
        client: Any, services: ServiceContext, world: World) -> None:
    endpoint_id = _create(client, world).json["id"]
    first = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", json={}, headers=world.headers)
    assert first.status_code == 200
    again = client.post(f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", json={}, headers=world.headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "rotation_in_grace"
    one = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=world.headers).json
    assert one["previous_secret_expires_at"] == first.json["previous_secret_expires_at"]


@pytest.mark.parametrize("length", [2001, 200_000])
def test_a_very_long_url_is_a_clear_4xx(client: Any, services: ServiceContext, world: World, length: int) -> None:
    answer = _create(client, world, url=HOOK + "/" + "a" * (length - len(HOOK) - 1))
    assert 400 <= answer.status_code < 500 and answer.json["error"]["message"]
    assert _counts(services)["webhook_endpoints"] == 0


def test_the_twenty_first_endpoint_answers_409(client: Any, services: ServiceContext, world: World) -> None:
    for n in range(20):
        assert _create(client, world, url=f"{HOOK}/{n}").status_code == 201
    answer = _create(client, world, url=f"{HOOK}/20")
    assert answer.status_code == 409 and answer.json["error"]["code"] == "too_many_endpoints"
    assert _counts(services)["webhook_endpoints"] == 20


def test_the_same_url_with_its_default_port_written_out_is_a_duplicate(client: Any, world: World) -> None:
    assert _create(client, world).status_code == 201
    again = _create(client, world, url="https://HOOKS.example.com:443/sidebar", events=["enrollment.finished"])
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_endpoint"


def test_a_retry_while_the_delivery_is_being_sent_says_so_and_the_log_shows_it_sending(
        client: Any, services: ServiceContext, world: World) -> None:
    """"Retry now" on an attempt under way would be undone when that attempt ends: 409, never a silent 202."""
    endpoint_id = _create(client, world).json["id"]
    e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    outgoing_webhooks.publish_pending_events(services)
    log_url = f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries"
    delivery_id = client.get(log_url, headers=world.headers).json["deliveries"][0]["id"]
    assert client.get(log_url, headers=world.headers).json["deliveries"][0]["sending"] is False
    with services.session() as s:  # a worker takes it, as a lane does before posting
        assert claim_leased(s, t.WebhookDelivery, "worker-1", services.now(), limit=1, lease_seconds=60,
                            conditions=(t.WebhookDelivery.id == int(delivery_id),)) == [int(delivery_id)]

    answers = [client.post(f"{log_url}/{delivery_id}/retry", json={}, headers=world.headers) for _ in range(3)]

    assert {(a.status_code, a.json["error"]["code"]) for a in answers} == {(409, "delivery_in_flight")}
    assert "being sent now" in answers[0].json["error"]["message"]
    shown = client.get(log_url, headers=world.headers).json["deliveries"][0]
    assert (shown["sending"], shown["status"], shown["attempts"]) == (True, "pending", 0)
    with services.session() as s:  # the attempt ends (here: the lease is let go)
        d = s.get_one(t.WebhookDelivery, int(delivery_id))
        d.lease_owner, d.lease_until = None, None
    again = client.post(f"{log_url}/{delivery_id}/retry", json={}, headers=world.headers)
    assert again.status_code == 202 and again.json["sending"] is False


def test_a_delivery_waiting_behind_another_in_its_lane_is_shown_queued_not_sending_and_retry_says_so(
        client: Any, services: ServiceContext, world: World) -> None:
    """findings r17 F4: only the delivery whose request is open is "being sent"; the next in its lane is queued."""
    endpoint_id = _create(client, world).json["id"]
    for contact in (world.contact, world.colleague):
        e = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=contact["id"],
                               sender_user_id=world.rep["id"])
        enrollments.unenroll(services, world.admin, e["id"])
    outgoing_webhooks.publish_pending_events(services)
    log_url = f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries"
    newer, older = (d["id"] for d in client.get(log_url, headers=world.headers).json["deliveries"])
    with services.session() as s:  # one lane takes both, as a worker's pass does: it posts the older first
        assert claim_leased(s, t.WebhookDelivery, "worker-1", services.now(), limit=2, lease_seconds=60,
                            conditions=(t.WebhookDelivery.id.in_([int(older), int(newer)]),)) == [int(older),
                                                                                                   int(newer)]

    shown = {d["id"]: d for d in client.get(log_url, headers=world.headers).json["deliveries"]}
    assert (shown[older]["sending"], shown[older]["queued_behind"]) == (True, None)
    assert (shown[newer]["sending"], shown[newer]["queued_behind"]) == (False, older)
    waiting = client.post(f"{log_url}/{newer}/retry", json={}, headers=world.headers)
    assert waiting.status_code == 409 and waiting.json["error"]["code"] == "delivery_in_flight"
    assert f"queued behind delivery {older}" in waiting.json["error"]["message"]
    assert "being sent now" not in waiting.json["error"]["message"].split(",")[0]
    sending = client.post(f"{log_url}/{older}/retry", json={}, headers=world.headers)
    assert sending.status_code == 409 and "is being sent now" in sending.json["error"]["message"]

    with services.session() as s:  # the older attempt ends: the newer one is the one under way now
        d = s.get_one(t.WebhookDelivery, int(older))
        d.status, d.lease_owner, d.lease_until = "delivered", None, None
    shown = {d["id"]: d for d in client.get(log_url, headers=world.headers).json["deliveries"]}
    assert (shown[newer]["sending"], shown[newer]["queued_behind"]) == (True, None)
