"""POST /api/v1/meetings over HTTP: shape, validation and the ending it causes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import World
from tests.web.links.conftest import enroll_over_api


def test_logging_a_meeting_answers_the_meeting_and_what_it_ended(client: Any, world: World) -> None:
    e = enroll_over_api(client, world)
    answer = client.post("/api/v1/meetings", headers=world.headers, json={
        "contact_id": world.contact["id"], "logged_by_user_id": int(world.rep["id"]),
        "start_time": "2026-02-20T15:00:00Z", "associated": {"company_id": world.company["id"], "deal_id": "D-7"}})
    assert answer.status_code == 201, answer.get_json()
    got = answer.get_json()
    assert got["meeting"]["associated"] == {"company_id": world.company["id"], "deal_id": "D-7"}
    assert got["meeting"]["start_time"] == "2026-02-20T15:00:00Z" and got["meeting"]["source"] == "logged"
    assert got["outcomes"] == [{"contact_id": world.contact["id"], "enrollment_id": e["id"], "action": "unenrolled",
                                "reason": "meeting_booked"}]
    assert [x["end_reason"] for x in got["ended"]] == ["meeting_booked"]
    assert got["ended"][0]["events"][-2]["type"] == "meeting_booked"


@pytest.mark.parametrize("body, status", [
    pytest.param({"start_time": "2026-02-20T15:00:00"}, 422, id="a start time without a time zone is refused"),
    pytest.param({"source": "calendar"}, 422, id="a source other than logged or contact_record is refused"),
    pytest.param({"contact_ids": ["999999"]}, 404, id="an unknown contact is not found"),
    pytest.param({"logged_by_user_id": "999999"}, 404, id="an unknown user is not found"),
    pytest.param({"contact_id": None, "contact_ids": []}, 422, id="a meeting with nobody and nothing is refused"),
    pytest.param({"extra": 1}, 422, id="unknown fields are refused"),
])
def test_refused_meetings(client: Any, world: World, body: dict[str, Any], status: int) -> None:
    base = {"contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"],
            "start_time": "2026-02-20T15:00:00Z"}
    answer = client.post("/api/v1/meetings", headers=world.headers, json={**base, **body})
    assert answer.status_code == status and answer.get_json()["error"]["code"]


def test_the_api_document_lists_the_meetings_endpoint(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/meetings"]


@pytest.mark.parametrize("body", [
    pytest.param({"end_time": "2026-02-20T14:00:00Z"}, id="a meeting that ends before it starts is refused"),
    pytest.param({"start_time": "0001-01-01T00:00:00Z"}, id="a meeting in the year 0001 is refused"),
    pytest.param({"start_time": "9999-12-31T10:00:00Z"}, id="a meeting in the year 9999 is refused"),
    pytest.param({"start_time": "2016-01-01T10:00:00Z"}, id="a meeting more than ten years ago is refused"),
    pytest.param({"start_time": "2029-01-01T10:00:00Z"}, id="a meeting more than two years ahead is refused"),
])
def test_impossible_meeting_times_are_refused_and_end_nothing(client: Any, world: World,
                                                               body: dict[str, Any]) -> None:
    e = enroll_over_api(client, world)
    base = {"contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"],
            "start_time": "2026-02-20T15:00:00Z"}
    answer = client.post("/api/v1/meetings", headers=world.headers, json={**base, **body})
    assert answer.status_code == 422, answer.get_json()
    got = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()
    assert got["status"] == "active" and "meeting_booked" not in [ev["type"] for ev in got["events"]]


@pytest.mark.parametrize(("start_time", "status"), [
    pytest.param("2025-04-01T10:00:00Z", 201, id="a meeting eleven months ago is logged and unenrolls"),
    pytest.param("2025-01-20T10:00:00Z", 422, id="a meeting thirteen months ago is refused"),
    pytest.param("2022-06-01T10:00:00Z", 422, id="a meeting four years ago is refused, as by the service"),
])
def test_the_api_holds_meetings_to_the_one_bound_of_a_year_back(client: Any, world: World, start_time: str,
                                                                 status: int) -> None:
    e = enroll_over_api(client, world)
    answer = client.post("/api/v1/meetings", headers=world.headers, json={
        "contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"], "start_time": start_time})
    assert answer.status_code == status, answer.get_json()
    got = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()
    if status == 201:
        assert got["status"] == "unenrolled" and got["end_reason"] == "meeting_booked"
    else:
        assert answer.get_json()["error"]["code"] == "invalid_time"
        assert "more than a year ago" in answer.get_json()["error"]["message"]
        assert got["status"] == "active"
