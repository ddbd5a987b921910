"""Settings → People and Settings → API keys, as an admin uses them (and as a rep does not)."""

from __future__ import annotations

from typing import Any

from addin_server.services import enrollments, people
from addin_server.services.context import ServiceContext
from tests.web.app.conftest import AppWorld, plain, sign_in, super_admin_id


def form_nonce(client: Any) -> str:
    """The one-time nonce of the Make key form, as the page gives it."""
    return str(client.get("/app/settings/api-keys").get_data(as_text=True)
               .split('name="form_nonce" value="')[1].split('"')[0])


def test_an_admin_sees_everyone_with_role_and_mailbox_and_invites_someone(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, super_admin_id(services, w.account_id), w.account_id)
    page = plain(client.get("/app/settings/people").get_data(as_text=True))
    assert "Rita Rep" in page and "Otto Other" in page and "Not connected" in page and "Rep" in page
    r = browser.post_from("/app/settings/people", "/app/settings/people", {
        "email": "nina@acme.test", "name": "Nina New", "role": "admin", "mailbox_provider": "gmail"})
    assert r.status_code == 302
    page = plain(client.get("/app/settings/people").get_data(as_text=True))
    assert "Invited nina@acme.test" in page and "Nina New" in page
    again = browser.post_from("/app/settings/people", "/app/settings/people", {
        "email": "nina@acme.test", "name": "Nina", "role": "user", "mailbox_provider": "gmail"})
    assert again.status_code == 302
    assert "already exists" in plain(client.get("/app/settings/people").get_data(as_text=True))


def test_an_admin_changes_a_role(client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, super_admin_id(services, w.account_id), w.account_id)
    r = browser.post_from("/app/settings/people", f"/app/settings/people/{w.other_rep['id']}/role", {"role": "admin"})
    assert r.status_code == 302
    assert [p["role"] for p in people.list_users(services, w.admin) if p["id"] == w.other_rep["id"]] == ["admin"]


def test_removing_asks_first_says_what_ends_and_keeps_the_history(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, super_admin_id(services, w.account_id), w.account_id)
    confirm = plain(client.get(f"/app/settings/people/{w.rep['id']}/remove").get_data(as_text=True))
    assert "Remove Rita Rep?" in confirm and "ends the 2 active or paused enrollments" in confirm
    assert enrollments.get_enrollment(services, w.admin, app_world.jane_enrollment)["status"] == "active"
    r = browser.post_from(f"/app/settings/people/{w.rep['id']}/remove", f"/app/settings/people/{w.rep['id']}/remove",
                          {})
    assert r.status_code == 302
    page = plain(client.get("/app/settings/people").get_data(as_text=True))
    assert "Removed Rita Rep. 2 enrollments sending from their mailbox ended" in page
    assert "rita@acme.test" not in page.split("Removed Rita Rep")[1]  # gone from the list
    ended = enrollments.get_enrollment(services, w.admin, app_world.jane_enrollment)
    assert (ended["end_reason"], ended["end_surface"]) == ("user_removed", "people_page")
    # Her enrollment's record still names her.
    contact = plain(client.get(f"/app/contacts/{w.contact['id']}").get_data(as_text=True))
    assert "The sending rep (rita@acme.test) was removed from the account" in contact


def test_a_rep_sees_the_people_but_no_form_and_cannot_post_one(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, w.other_rep["id"], w.account_id)
    page = client.get("/app/settings/people").get_data(as_text=True)
    assert "Rita Rep" in page and 'id="invite"' not in page and "Remove…" not in page
    r = browser.post_from("/app/settings/people", f"/app/settings/people/{w.rep['id']}/remove", {})
    assert r.status_code == 403
    assert client.get("/app/settings/api-keys").status_code == 403


def test_a_new_key_is_shown_once_to_its_maker_and_revoking_asks_first(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, super_admin_id(services, w.account_id), w.account_id)
    posted = browser.post_from("/app/settings/api-keys", "/app/settings/api-keys",
                               {"name": "CRM sync", "role": "integration", "form_nonce": form_nonce(client)})
    assert posted.status_code == 303 and "ssk_" not in posted.headers["Location"]
    made = client.get(posted.headers["Location"])
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    secret = html.split('id="new-key-value">')[1].split("<")[0]
    assert secret.startswith("ssk_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = client.get("/app/settings/api-keys").get_data(as_text=True)
    assert secret not in listing and "CRM sync" in listing
    key_id = next(k["id"] for k in people.list_api_keys(services, w.super_admin) if k["name"] == "CRM sync")
    confirm = plain(client.get(f"/app/settings/api-keys/{key_id}/revoke").get_data(as_text=True))
    assert "Revoke “CRM sync”?" in confirm
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    r = browser.post_from(f"/app/settings/api-keys/{key_id}/revoke", f"/app/settings/api-keys/{key_id}/revoke", {})
    assert r.status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "Revoked" in plain(client.get("/app/settings/api-keys").get_data(as_text=True))


def test_an_admin_cannot_make_a_key_above_their_role_from_the_page(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    from addin_server.services import directory

    ada = directory.create_user(services, w.super_admin, email="ada@acme.test", name="Ada", role="admin",
                                mailbox_provider="gmail", mailbox_address=None)
    browser = sign_in(client, ada["id"], w.account_id)
    r = browser.post_from("/app/settings/api-keys", "/app/settings/api-keys",
                          {"name": "x", "role": "owner", "form_nonce": form_nonce(client)})
    assert r.status_code == 302  # an unknown role is a message on the page, not a key
    assert "role must be one of" in plain(client.get("/app/settings/api-keys").get_data(as_text=True))


def test_reloading_the_new_key_page_or_posting_its_form_again_makes_no_second_key_and_shows_none(
        client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    browser = sign_in(client, super_admin_id(services, w.account_id), w.account_id)
    form = {"name": "dbl", "role": "admin", "form_nonce": form_nonce(client)}
    posted = browser.post_from("/app/settings/api-keys", "/app/settings/api-keys", form)
    secret = client.get(posted.headers["Location"]).get_data(as_text=True).split('id="new-key-value">')[1].split("<")[0]
    reload = client.get(posted.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert secret not in reload and "already shown once" in reload
    again = browser.post_from("/app/settings/api-keys", "/app/settings/api-keys", form)
    assert again.status_code == 302
    after = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "nothing new was made" in plain(after) and 'id="new-key-value"' not in after
    assert [k["name"] for k in people.list_api_keys(services, w.super_admin)].count("dbl") == 1
