"""GET /api/v1/me: the pane learns who is signed in, so it can tell its own unenrollments from another rep's."""

from __future__ import annotations

from typing import Any

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.web.outlook.sso_tokens import SigningKey, mint, sso_claims


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_rep_signed_in_through_sso_learns_their_id_name_role_and_actor(
        client: Any, world: World, ms_key: SigningKey) -> None:
    response = client.get("/api/v1/me", headers=_bearer(mint(ms_key, sso_claims())))
    assert response.status_code == 200, response.json
    assert response.json == {
        "kind": "user", "role": "user", "actor": f"user:{world.other_rep['email']}",
        "user": {"id": world.other_rep["id"], "name": world.other_rep["name"], "email": world.other_rep["email"]},
    }


def test_the_actor_the_pane_learns_is_the_end_actor_of_its_own_unenrollment(
        client: Any, services: ServiceContext, world: World, ms_key: SigningKey) -> None:
    made = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"],
                              contact_id=world.colleague["id"], sender_user_id=world.other_rep["id"],
                              enrolled_by_user_id=world.other_rep["id"])
    token = mint(ms_key, sso_claims())
    me = client.get("/api/v1/me", headers=_bearer(token)).json
    ended = client.post(f"/api/v1/enrollments/{made['id']}/unenroll", json={"surface": "outlook_addin"},
                        headers=_bearer(token)).json
    assert ended["end_actor"] == me["actor"]


def test_an_api_key_is_told_it_is_a_key_with_no_user(client: Any, world: World) -> None:
    response = client.get("/api/v1/me", headers=world.headers)
    assert response.status_code == 200, response.json
    assert (response.json["kind"], response.json["role"], response.json["user"]) == ("api_key", "admin", None)
    assert response.json["actor"].startswith("api_key:")


def test_without_credentials_the_answer_is_401_and_names_nobody(client: Any) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "user" not in response.json
