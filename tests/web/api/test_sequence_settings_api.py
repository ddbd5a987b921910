"""Issue #14: "unenroll contacts from the same company" is a checkbox in each sequence's settings,
read and written through the API; the account's value is the default of new sequences."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services.context import ServiceContext
from tests.builders import World, make_world

STEPS = [{"type": "automated_email", "subject": "Hi", "body": "Hello"}]


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


def _automation(client: Any, w: World, sequence_id: str) -> dict[str, Any]:
    got = client.get(f"/api/v1/sequences/{sequence_id}", headers=w.headers)
    assert got.status_code == 200
    return dict(got.get_json()["automation"])


def test_the_same_company_checkbox_is_a_sequence_setting(client: Any, world: World) -> None:
    made = client.post("/api/v1/sequences", headers=world.headers, json={
        "name": "Company-wide", "owner_user_id": world.rep["id"], "steps": STEPS,
        "automation": {"unenroll_same_company": True}})
    assert made.status_code == 201, made.get_json()
    seq = made.get_json()["id"]
    assert made.get_json()["automation"]["unenroll_same_company"] is True
    # Saving the other settings without the field leaves the checkbox as it is.
    put = client.put(f"/api/v1/sequences/{seq}/automation", headers=world.headers,
                     json={"on_reply": "contact", "on_meeting": "contact", "pause_on_out_of_office": True})
    assert put.status_code == 200 and put.get_json()["automation"]["unenroll_same_company"] is True
    off = client.put(f"/api/v1/sequences/{seq}/automation", headers=world.headers,
                     json={"unenroll_same_company": False})
    assert off.status_code == 200 and _automation(client, world, seq)["unenroll_same_company"] is False
    assert _automation(client, world, world.sequence["id"])["unenroll_same_company"] is False, \
        "another sequence keeps its own"


def test_new_sequences_take_the_accounts_default(client: Any, world: World) -> None:
    assert client.patch("/api/v1/account/settings", headers=world.headers,
                        json={"unenroll_same_company": True}).status_code == 200
    made = client.post("/api/v1/sequences", headers=world.headers,
                       json={"name": "Default", "owner_user_id": world.rep["id"], "steps": STEPS})
    assert made.get_json()["automation"]["unenroll_same_company"] is True
    assert _automation(client, world, world.sequence["id"])["unenroll_same_company"] is False, \
        "the default changes no existing sequence"


@pytest.mark.parametrize("value", ["yes", 1, "true", [True]])
def test_a_checkbox_that_is_not_a_boolean_is_refused_and_changes_nothing(client: Any, world: World,
                                                                         value: Any) -> None:
    seq = world.sequence["id"]
    got = client.put(f"/api/v1/sequences/{seq}/automation", headers=world.headers,
                     json={"unenroll_same_company": value})
    assert got.status_code == 422 and got.get_json()["error"]["code"]
    assert _automation(client, world, seq)["unenroll_same_company"] is False


def test_another_accounts_sequence_cannot_be_changed(client: Any, services: ServiceContext, world: World) -> None:
    other = make_world(services, name="Initech", domain="initech.test")
    got = client.put(f"/api/v1/sequences/{other.sequence['id']}/automation", headers=world.headers,
                     json={"unenroll_same_company": True})
    assert got.status_code == 404
    assert _automation(client, other, other.sequence["id"])["unenroll_same_company"] is False
