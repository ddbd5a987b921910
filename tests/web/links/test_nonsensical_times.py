"""Times nobody means are refused with a 422 and change nothing: a pause must end in the future
(within a year), a logged meeting must be in this era and end after it starts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import World
from tests.web.links.conftest import enroll_over_api


@pytest.mark.parametrize("until", [
    pytest.param("0001-01-01T00:00:00Z", id="a pause until year 1 is refused"),
    pytest.param("1970-01-01T00:00:00Z", id="a pause until 1970 is refused"),
    pytest.param("2026-03-02T09:00:00Z", id="a pause until this very moment is refused"),
    pytest.param("2026-03-01T09:00:00Z", id="a pause until yesterday is refused"),
    pytest.param("2030-01-01T00:00:00Z", id="a pause until years from now is refused"),
])
def test_a_pause_that_does_not_end_in_the_coming_year_is_refused(client: Any, world: World, until: str) -> None:
    e = enroll_over_api(client, world)
    answer = client.post(f"/api/v1/enrollments/{e['id']}/pause", headers=world.headers, json={"until": until})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "invalid_time"
    assert client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()["status"] == "active"


def test_a_pause_until_next_week_is_accepted(client: Any, world: World) -> None:
    e = enroll_over_api(client, world)
    answer = client.post(f"/api/v1/enrollments/{e['id']}/pause", headers=world.headers,
                         json={"until": "2026-03-09T09:00:00Z"})
    assert answer.status_code == 200 and answer.get_json()["paused_until"] == "2026-03-09T09:00:00Z"


@pytest.mark.parametrize("times", [
    pytest.param({"start_time": "0001-01-01T00:00:00Z"}, id="a meeting in year 1 is refused"),
    pytest.param({"start_time": "9999-12-31T00:00:00Z"}, id="a meeting in year 9999 is refused"),
    pytest.param({"start_time": "2026-02-20T15:00:00Z", "end_time": "2026-02-20T15:00:00Z"},
                 id="a meeting that ends when it starts is refused"),
])
def test_a_meeting_at_a_time_nobody_means_is_refused_and_ends_nothing(
        client: Any, world: World, times: dict[str, str]) -> None:
    e = enroll_over_api(client, world)
    answer = client.post("/api/v1/meetings", headers=world.headers, json={
        "contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"], **times})
    assert answer.status_code == 422, answer.get_json()
    assert client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()["status"] == "active"
