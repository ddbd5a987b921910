"""Removing a person and revoking a key, through the API: one named test per sentence of the rule
(docs/ARCHITECTURE.md "Removing a person", services/people.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import accounts, directory, enrollments, people
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Invalid
from addin_server.services.grants import followed_mailbox_user
from tests.builders import ACME_TENANT, World, follow_outlook_inbox, make_world
from tests.security.credentials import Credentials
from tests.web.app.conftest import sign_in


def sso(creds: Credentials, email: str, oid: str) -> dict[str, str]:
    token = creds.outlook_sso(preferred_username=email, oid=oid, tid=ACME_TENANT,
                              iss=f"https://login.microsoftonline.com/{ACME_TENANT}/v2.0")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services, name="Acme", domain="acme.test")


def key(w: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.api_key}"}


def admin_person(services: ServiceContext, w: World) -> Principal:
    ada = directory.create_user(services, w.super_admin, email="ada@acme.test", name="Ada Admin", role="admin",
                                mailbox_provider="outlook", mailbox_address=None)
    return Principal(account_id=w.account_id, label="user:ada@acme.test", user_id=int(ada["id"]), role="admin")


def test_removal_keeps_the_person_and_their_history_and_ends_what_sends_from_their_mailbox(
        client: Any, services: ServiceContext, world: World) -> None:
    w = world
    sent = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                              sender_user_id=w.rep["id"])
    r = client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w))
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["removed"], r.get_json()["ended_enrollments"]) == (True, [sent["id"]])
    ended = enrollments.get_enrollment(services, w.admin, sent["id"])
    assert (ended["status"], ended["end_reason"], ended["end_surface"]) == ("unenrolled", "user_removed", "api")
    assert ended["end_actor"].startswith("api_key:")
    assert ended["evidence"]["removed_user"] == w.rep["email"]
    # The row stays and still names her; the list shows her only when asked for history.
    listed = client.get("/api/v1/users", headers=key(w)).get_json()["users"]
    assert w.rep["email"] not in [u["email"] for u in listed]
    everyone = client.get("/api/v1/users?include_removed=true", headers=key(w)).get_json()["users"]
    assert [u["removed"] for u in everyone if u["email"] == w.rep["email"]] == [True]
    assert client.get(f"/api/v1/users/{w.rep['id']}", headers=key(w)).get_json()["name"] == "Rita Rep"


def test_removing_a_removed_person_answers_the_same_and_their_role_cannot_change(
        client: Any, world: World) -> None:
    w = world
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    again = client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w))
    assert (again.status_code, again.get_json()["removed"], again.get_json()["ended_enrollments"]) == (200, True, [])
    r = client.patch(f"/api/v1/users/{w.rep['id']}", headers=key(w), json={"role": "admin"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "user_removed")


def test_the_removed_persons_sessions_tokens_and_keys_stop_at_once(
        client: Any, services: ServiceContext, creds: Credentials, world: World) -> None:
    w = world
    rita = sso(creds, w.rep["email"], "oid-rita")
    assert client.get("/api/v1/me", headers=rita).status_code == 200  # her sign-in binds her
    directory.change_role(services, w.super_admin, w.rep["id"], "admin")
    as_admin = Principal(account_id=w.account_id, label=f"user:{w.rep['email']}", user_id=int(w.rep["id"]),
                         role="admin")
    her_key = accounts.issue_api_key(services, as_admin, name="her export", role="integration")["api_key"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {her_key}"}).status_code == 200
    sign_in(client, w.rep["id"], w.account_id)
    assert client.get("/app/settings").status_code == 200
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    assert client.get("/api/v1/me", headers=rita).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {her_key}"}).status_code == 401
    page = client.get("/app/settings")
    assert page.status_code == 302 and page.headers["Location"].startswith("/app/sign-in")


def test_the_removed_persons_mailbox_is_no_longer_followed(client: Any, services: ServiceContext,
                                                           world: World) -> None:
    w = world
    follow_outlook_inbox(services, w, "sub-otto")
    with services.session() as s:
        assert followed_mailbox_user(s, w.other_rep["mailbox_address"]) is not None
    assert client.delete(f"/api/v1/users/{w.other_rep['id']}", headers=key(w)).status_code == 200
    with services.session() as s:
        assert followed_mailbox_user(s, w.other_rep["mailbox_address"]) is None
        assert s.scalars(select(t.MailboxWatch).where(t.MailboxWatch.user_id == int(w.other_rep["id"]))).all() == []
        user = s.get_one(t.User, int(w.other_rep["id"]))
        assert (user.mailbox_connected, user.refresh_token_encrypted, user.ms_tid) == (False, None, None)


def test_a_rep_cannot_remove_anyone(client: Any, creds: Credentials, world: World) -> None:
    w = world
    otto = sso(creds, w.other_rep["email"], "oid-otto")
    r = client.delete(f"/api/v1/users/{w.rep['id']}", headers=otto)
    assert r.status_code == 403
    assert client.get(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200


def test_nobody_removes_someone_above_their_own_role(client: Any, services: ServiceContext, world: World) -> None:
    w = world
    ada = admin_person(services, w)
    with pytest.raises(Exception) as refused:
        people.remove_user(services, ada, str(w.super_admin.user_id))
    assert getattr(refused.value, "code", None) == "role_above_own"
    r = client.delete(f"/api/v1/users/{w.super_admin.user_id}", headers=key(w))
    assert (r.status_code, r.get_json()["error"]["code"]) == (403, "role_above_own")


def test_nobody_removes_themselves(services: ServiceContext, world: World) -> None:
    with pytest.raises(Conflict) as refused:
        people.remove_user(services, world.super_admin, str(world.super_admin.user_id))
    assert refused.value.code == "cannot_remove_self"


def test_the_last_super_admin_cannot_be_removed(services: ServiceContext, world: World) -> None:
    w = world
    # Sam is a super admin by invitation only (never signed in): he does not keep the account reachable.
    sam = directory.create_user(services, w.super_admin, email="sam@acme.test", name="Sam", role="super_admin",
                                mailbox_provider="gmail", mailbox_address=None)
    as_sam = Principal(account_id=w.account_id, label="user:sam@acme.test", user_id=int(sam["id"]), role="super_admin")
    with pytest.raises(Conflict) as refused:
        people.remove_user(services, as_sam, str(w.super_admin.user_id))
    assert refused.value.code == "last_super_admin"
    # The invitation itself can go.
    assert people.remove_user(services, w.super_admin, sam["id"])["removed"] is True


def test_a_removed_address_can_be_invited_again_and_that_person_signs_in(
        client: Any, creds: Credentials, world: World) -> None:
    w = world
    rita = sso(creds, w.rep["email"], "oid-rita")
    assert client.get("/api/v1/me", headers=rita).status_code == 200
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    r = client.post("/api/v1/users", headers=key(w), json={"email": w.rep["email"], "name": "Rita Again",
                                                          "role": "user", "mailbox_provider": "outlook"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["id"] == w.rep["id"]  # the same person: her history is hers again
    again = sso(creds, w.rep["email"], "oid-rita-new")
    me = client.get("/api/v1/me", headers=again)
    assert me.status_code == 200 and me.get_json()["user"]["name"] == "Rita Again"


def test_a_revoked_key_is_refused_at_once_and_keys_are_listed_without_their_secret(
        client: Any, services: ServiceContext, creds: Credentials, world: World) -> None:
    w = world
    boss = sso(creds, "admin@acme.test", "oid-boss")
    made = client.post("/api/v1/api-keys", headers=boss, json={"name": "crm", "role": "integration"}).get_json()
    plain = made["api_key"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    listing = client.get("/api/v1/api-keys", headers=boss)
    assert listing.status_code == 200 and plain not in listing.get_data(as_text=True)
    assert w.api_key not in listing.get_data(as_text=True)
    row = next(k for k in listing.get_json()["api_keys"] if k["name"] == "crm")
    assert (row["role"], row["made_by"], row["revoked"]) == ("integration", "admin@acme.test", False)
    r = client.delete(f"/api/v1/api-keys/{row['id']}", headers=boss)
    assert (r.status_code, r.get_json()["revoked"]) == (200, True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert client.delete(f"/api/v1/api-keys/{row['id']}", headers=boss).get_json()["revoked"] is True
    # Keys are a person's to manage: the account's admin key neither lists nor revokes them.
    assert client.get("/api/v1/api-keys", headers=key(w)).status_code == 403


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999999999999999999999", "１"])
def test_ids_that_are_no_ids_are_404s(client: Any, world: World, bad: str) -> None:
    assert client.delete(f"/api/v1/users/{bad}", headers=key(world)).status_code == 404


def test_nothing_is_enrolled_from_a_removed_persons_mailbox(client: Any, world: World) -> None:
    w = world
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    r = client.post("/api/v1/enrollments", headers=key(w), json={
        "sequence_id": w.sequence["id"], "contact_id": w.contact["id"], "sender_user_id": w.rep["id"]})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "user_removed")


def test_the_removed_persons_outlook_pane_token_stops_at_once(client: Any, services: ServiceContext,
                                                              world: World) -> None:
    from addin_server.web.outlook_auth import issue_pane_token

    w = world
    pane = {"Authorization": f"Bearer {issue_pane_token(services, int(w.other_rep['id']))}"}
    assert client.get("/api/v1/me", headers=pane).status_code == 200
    assert client.delete(f"/api/v1/users/{w.other_rep['id']}", headers=key(w)).status_code == 200
    assert client.get("/api/v1/me", headers=pane).status_code == 401


def test_a_pane_token_from_before_the_removal_never_works_again_even_after_a_re_invitation(
        client: Any, services: ServiceContext, world: World) -> None:
    from addin_server.web.outlook_auth import issue_pane_token

    w = world
    old = {"Authorization": f"Bearer {issue_pane_token(services, int(w.other_rep['id']))}"}
    assert client.delete(f"/api/v1/users/{w.other_rep['id']}", headers=key(w)).status_code == 200
    r = client.post("/api/v1/users", headers=key(w), json={"email": w.other_rep["email"], "name": "Back",
                                                          "role": "admin", "mailbox_provider": "outlook"})
    assert r.status_code == 201, r.get_json()
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert client.get("/api/v1/users", headers=old).status_code == 401
    # Only a new sign-in after the re-invitation works.
    new = {"Authorization": f"Bearer {issue_pane_token(services, int(w.other_rep['id']))}"}
    assert client.get("/api/v1/me", headers=new).get_json()["role"] == "admin"


def test_the_keys_a_removed_person_made_are_revoked_for_good_even_after_a_re_invitation(
        client: Any, services: ServiceContext, creds: Credentials, world: World) -> None:
    w = world
    ada = admin_person(services, w)
    made = accounts.issue_api_key(services, ada, name="ada's", role="admin")
    plain = {"Authorization": f"Bearer {made['api_key']}"}
    assert client.delete(f"/api/v1/users/{ada.user_id}", headers=key(w)).status_code == 200
    listed = people.list_api_keys(services, w.super_admin)
    assert [(k["revoked"], k["revoked_at"] is not None) for k in listed if k["name"] == "ada's"] == [(True, True)]
    r = client.post("/api/v1/users", headers=key(w), json={"email": "ada@acme.test", "name": "Ada",
                                                          "role": "admin", "mailbox_provider": "outlook"})
    assert r.status_code == 201, r.get_json()
    assert client.get("/api/v1/me", headers=plain).status_code == 401


def test_a_session_left_by_a_sign_in_that_finished_during_the_removal_signs_in_nobody(
        client: Any, services: ServiceContext, world: World) -> None:
    from addin_server.services import web_sessions
    from addin_server.services.identity import principal_for_user

    w = world
    with services.session() as s:
        rita = principal_for_user(s.get_one(t.User, int(w.rep["id"])))
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    token = web_sessions.start(services, rita)  # the sign-in's last step, landing just after the removal
    with client.session_transaction() as session:
        session["session"] = token
    r = client.get("/app/settings")
    assert r.status_code == 302 and "/app/sign-in" in r.headers["Location"]


def test_nobody_removes_themselves_through_a_key_they_made(client: Any, services: ServiceContext,
                                                            world: World) -> None:
    w = world
    ada = admin_person(services, w)
    made = accounts.issue_api_key(services, ada, name="ada's", role="admin")["api_key"]
    r = client.delete(f"/api/v1/users/{ada.user_id}", headers={"Authorization": f"Bearer {made}"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "cannot_remove_self")
    assert client.get(f"/api/v1/users/{ada.user_id}", headers=key(w)).status_code == 200
    # Another admin's key may.
    assert client.delete(f"/api/v1/users/{ada.user_id}", headers=key(w)).status_code == 200


@pytest.mark.parametrize("name", ["ev\u202eil", "line\nbreak", "bell\u0007", "zero\u200bwidth"])
def test_a_key_name_with_a_line_break_control_or_invisible_format_character_is_a_422(
        client: Any, creds: Credentials, world: World, name: str) -> None:
    boss = sso(creds, "admin@acme.test", "oid-boss")
    r = client.post("/api/v1/api-keys", headers=boss, json={"name": name, "role": "read_only"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (422, "invalid_name")
    assert name not in [k["name"] for k in client.get("/api/v1/api-keys", headers=boss).get_json()["api_keys"]]


def test_no_new_sequence_or_meeting_is_put_in_a_removed_persons_name(client: Any, world: World) -> None:
    w = world
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    r = client.post("/api/v1/sequences", headers=key(w), json={
        "name": "x", "owner_user_id": w.rep["id"],
        "steps": [{"type": "task", "delay_days": 0, "subject": "s", "body": ""}]})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "user_removed")
    r = client.post("/api/v1/meetings", headers=key(w), json={
        "contact_ids": [w.contact["id"]], "logged_by_user_id": w.rep["id"], "start_time": "2026-12-07T10:00:00Z"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "user_removed")


def test_undoing_an_ending_for_a_removed_sender_says_why_it_ended(
        client: Any, services: ServiceContext, world: World) -> None:
    w = world
    sent = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                              sender_user_id=w.rep["id"])
    assert client.delete(f"/api/v1/users/{w.rep['id']}", headers=key(w)).status_code == 200
    r = client.post(f"/api/v1/enrollments/{sent['id']}/undo", headers=key(w), json={"why": "oops"})
    assert r.status_code == 409 and "sender was removed" in r.get_json()["error"]["message"]


# Second attack on issue 13 (r13): F2, F6, F3, F1.
def test_a_key_never_changes_the_role_of_the_person_who_made_it(client: Any, services: ServiceContext,
                                                                world: World) -> None:
    w = world
    ada = admin_person(services, w)
    made = accounts.issue_api_key(services, ada, name="ada's", role="admin")["api_key"]
    r = client.patch(f"/api/v1/users/{ada.user_id}", headers={"Authorization": f"Bearer {made}"}, json={"role": "user"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "cannot_change_own_role")
    assert client.get(f"/api/v1/users/{ada.user_id}", headers=key(w)).get_json()["role"] == "admin"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {made}"}).status_code == 200


def test_a_revoked_key_is_told_it_was_revoked_and_the_list_says_why_and_when(
        client: Any, creds: Credentials, world: World) -> None:
    boss = sso(creds, "admin@acme.test", "oid-boss")
    plain = client.post("/api/v1/api-keys", headers=boss, json={"name": "crm", "role": "integration"}).get_json()["api_key"]
    row = next(k for k in client.get("/api/v1/api-keys", headers=boss).get_json()["api_keys"] if k["name"] == "crm")
    assert row["revoked_reason"] is None
    client.delete(f"/api/v1/api-keys/{row['id']}", headers=boss)
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["message"]
    made_up = client.get("/api/v1/me", headers={"Authorization": f"Bearer ssk_{'x' * 43}"})
    assert made_up.status_code == 401 and "revoked" not in made_up.get_json()["error"]["message"]
    row = next(k for k in client.get("/api/v1/api-keys", headers=boss).get_json()["api_keys"] if k["name"] == "crm")
    assert row["revoked_reason"] == "revoked_by_admin" and row["revoked_at"]


def test_a_key_name_over_200_characters_is_a_422_not_cut(client: Any, services: ServiceContext, creds: Credentials,
                                                         world: World) -> None:
    boss = sso(creds, "admin@acme.test", "oid-boss")
    assert client.post("/api/v1/api-keys", headers=boss, json={"name": "k" * 201, "role": "read_only"}).status_code == 422
    # The same in the service every surface makes keys through (Settings' form, the operator's command).
    with pytest.raises(Invalid) as refused:
        accounts.create_api_key(services, world.account_id, name="k" * 201)
    assert refused.value.code == "invalid_name"
    assert not [k for k in client.get("/api/v1/api-keys", headers=boss).get_json()["api_keys"] if k["name"].startswith("kkk")]
