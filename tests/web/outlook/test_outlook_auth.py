"""/api/v1 called from the Outlook pane: SSO access tokens and pane tokens, accepted and refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.mail_port import LocalOutboxSender
from addin_server.services.sending import ProviderMailSender
from addin_server.web import outlook_auth
from tests.builders import World
from tests.web.outlook.sso_tokens import CLIENT_ID, TENANT, SigningKey, mint, sso_claims

OTHER_TENANT = "0b6e5c4d-3a29-4f18-8e07-d6c5b4a39281"


def _enroll(services: ServiceContext, world: World, contact: dict[str, Any], by: dict[str, Any]) -> str:
    made = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=contact["id"],
                              sender_user_id=by["id"], enrolled_by_user_id=by["id"])
    return str(made["id"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _status(client: Any, token: str, *emails: str) -> Any:
    return client.get("/api/v1/recipients/status", query_string=[("email", e) for e in emails], headers=_bearer(token))


def test_an_sso_token_shows_the_rep_the_status_of_each_recipient(
        client: Any, services: ServiceContext, world: World, ms_key: SigningKey) -> None:
    _enroll(services, world, world.contact, world.rep)
    _enroll(services, world, world.colleague, world.other_rep)
    response = _status(client, mint(ms_key, sso_claims()), world.contact["email"], world.colleague["email"],
                       "stranger@example.org")
    assert response.status_code == 200, response.json
    jane, raj, stranger = response.json["recipients"]
    assert jane["enrollment"]["sequence"]["name"] == "Intro outreach"
    # Otto (the token's user) did not enroll Jane; he did enroll Raj.
    assert (jane["can_unenroll"], raj["can_unenroll"]) == (False, True)
    assert stranger["contact"] is None


def test_unenrolling_with_an_sso_token_records_the_outlook_addin_surface_and_the_rep(
        client: Any, services: ServiceContext, world: World, ms_key: SigningKey) -> None:
    enrollment_id = _enroll(services, world, world.colleague, world.other_rep)
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/unenroll", json={"surface": "outlook_addin"},
                           headers=_bearer(mint(ms_key, sso_claims())))
    assert response.status_code == 200, response.json
    ended = enrollments.get_enrollment(services, world.admin, enrollment_id)
    assert (ended["status"], ended["end_surface"], ended["end_actor"]) == (
        "unenrolled", "outlook_addin", f"user:{world.other_rep['email']}")


def test_after_the_first_sign_in_the_rep_is_known_by_object_id_even_if_the_username_changes(
        client: Any, world: World, ms_key: SigningKey) -> None:
    assert _status(client, mint(ms_key, sso_claims()), world.contact["email"]).status_code == 200
    renamed = sso_claims(preferred_username="otto.renamed@acme.test")
    assert _status(client, mint(ms_key, renamed), world.contact["email"]).status_code == 200


# Each refusal: what the token gets wrong, and the status the pane must see. Nothing may happen.
REFUSED: list[tuple[str, Callable[[SigningKey, SigningKey], str], int]] = [
    ("a token for another audience is refused",
     lambda key, _: mint(key, sso_claims(aud="api://sidebar.test/" + CLIENT_ID)), 401),
    ("a token from another issuer is refused",
     lambda key, _: mint(key, sso_claims(iss=f"https://sts.windows.net/{TENANT}/")), 401),
    ("a token whose issuer names another tenant is refused",
     lambda key, _: mint(key, sso_claims(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")), 401),
    ("an expired token is refused",
     lambda key, _: mint(key, sso_claims(iat=1_700_000_000, nbf=1_700_000_000, exp=1_700_003_600)), 401),
    ("a token of an unknown tenant is refused",
     lambda key, _: mint(key, sso_claims(tid=OTHER_TENANT, preferred_username="mallory@other.example",
                                         iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")), 401),
    ("a token signed with a key Microsoft does not publish is refused",
     lambda _, intruder: mint(intruder, sso_claims()), 401),
    ("a token signed by an unpublished key under a published key id is refused",
     lambda key, intruder: mint(intruder, sso_claims(), kid=key.kid), 401),
    ("a token without the access_as_user scope is refused",
     lambda key, _: mint(key, sso_claims(scp="User.Read")), 403),
    ("a token without a tenant id is refused",
     lambda key, _: mint(key, sso_claims(drop=("tid",))), 401),
    ("a JWT-shaped string that is not a token gets 401, not a server error",
     lambda key, _: "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", 401),
    ("a forged pane token is refused",
     lambda key, _: outlook_auth.PANE_TOKEN_PREFIX + "eyJyZXAiOjF9.AAAAAA.forged-signature", 401),
]


@pytest.mark.parametrize(("case", "make_token", "status"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_bad_add_in_token_is_refused_and_nothing_is_done(
        client: Any, services: ServiceContext, world: World, ms_key: SigningKey, intruder_key: SigningKey,
        case: str, make_token: Callable[[SigningKey, SigningKey], str], status: int) -> None:
    enrollment_id = _enroll(services, world, world.colleague, world.other_rep)
    token = make_token(ms_key, intruder_key)
    lookup = _status(client, token, world.colleague["email"])
    unenroll = client.post(f"/api/v1/enrollments/{enrollment_id}/unenroll", json={"surface": "outlook_addin"},
                           headers=_bearer(token))
    assert (lookup.status_code, unenroll.status_code) == (status, status), (lookup.json, unenroll.json)
    assert set(unenroll.json["error"]) >= {"code", "message"}
    assert enrollments.get_enrollment(services, world.admin, enrollment_id)["status"] == "active"


def test_a_microsoft_user_who_is_not_a_rep_of_a_known_tenant_is_refused(
        client: Any, world: World, ms_key: SigningKey) -> None:
    assert _status(client, mint(ms_key, sso_claims()), world.contact["email"]).status_code == 200  # links the tenant
    stranger = sso_claims(oid="11111111-2222-4333-8444-555555555555", preferred_username="intern@acme-other.test")
    response = _status(client, mint(ms_key, stranger), world.contact["email"])
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_a_pane_token_from_the_dialog_sign_in_works_until_it_expires(
        client: Any, services: ServiceContext, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    token = outlook_auth.issue_pane_token(services, int(world.other_rep["id"]))
    assert _status(client, token, world.contact["email"]).status_code == 200
    monkeypatch.setattr(outlook_auth, "PANE_TOKEN_MAX_AGE_SECONDS", -1)
    expired = _status(client, token, world.contact["email"])
    assert (expired.status_code, expired.json["error"]["code"]) == (401, "token_expired")


def test_api_keys_still_work_beside_the_add_in_tokens(client: Any, world: World) -> None:
    assert _status(client, world.api_key, world.contact["email"]).status_code == 200


def test_the_pane_learns_that_the_reps_outlook_mailbox_cannot_send_and_where_to_connect_it(
        client: Any, services: ServiceContext, world: World, ms_key: SigningKey) -> None:
    token = mint(ms_key, sso_claims())
    # The embedded default (local outbox) can always send: nothing to say.
    assert client.get("/api/v1/me/mailbox", headers=_bearer(token)).json["can_send"] is True
    services.mail_sender = ProviderMailSender(services.settings)  # production: the rep's own mailbox
    try:
        answer = client.get("/api/v1/me/mailbox", headers=_bearer(token))
    finally:
        services.mail_sender = LocalOutboxSender()
    assert answer.status_code == 200
    assert answer.json["can_send"] is False and answer.json["connect_url"].endswith("/app/settings#mailboxes")
    assert "Outlook mailbox otto@acme.test is not connected" in answer.json["notice"]
