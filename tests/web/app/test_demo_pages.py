"""Every page of the web app renders the demo's seeded history, with reasons in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services import accounts
from addin_server.services.app_pages import principal_for_demo_rep
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DemoWorld, seed_demo
from tests.web.app.conftest import plain, sign_in


@pytest.fixture
def demo(services: ServiceContext) -> DemoWorld:
    return seed_demo(services)


REASONS = [
    ("a reply names the address it came from", "diego", "Replied from diego.santos@yahoo.com"),
    ("a workflow is named", "lena", "Workflow 'Deal moved to Closed Won'"),
    ("a meeting says when", "bob", "Booked a meeting for next Tuesday 10:00"),
    ("a finished sequence reads as completed", "emma", "Completed the sequence"),
    ("a rep's unenroll says who and where", "samir", "Unenrolled by admin from the sequence summary"),
    ("a paused enrollment says until when", "alice", "Paused until"),
    ("the current enrollment says who enrolled", "jane", "Enrolled by Ava Reed"),
]


@pytest.mark.parametrize(("contact", "sentence"), [r[1:] for r in REASONS], ids=[r[0] for r in REASONS])
def test_contact_record_says_why_in_plain_words(client: Any, services: ServiceContext, demo: DemoWorld,
                                                contact: str, sentence: str) -> None:
    sign_in(client, demo.users["ava"], demo.account_id)
    html = plain(client.get(f"/app/contacts/{demo.contacts[contact]}").get_data(as_text=True))
    assert sentence in html
    assert "end_reason" not in html and "'manual'" not in html


@pytest.mark.parametrize("who", ["admin", "ava", "omar"])
def test_every_page_renders_for_every_demo_rep(client: Any, services: ServiceContext, demo: DemoWorld,
                                               who: str) -> None:
    # The demo starts outside the custom-trigger beta; join it so the Automation tab renders too.
    admin = principal_for_demo_rep(services, "admin@northwind.example")
    assert admin is not None
    accounts.update_account_settings(services, admin, custom_triggers_beta=True)
    sign_in(client, demo.users[who], demo.account_id)
    pages = ["/app/sequences", "/app/settings"]
    pages += [f"/app/contacts/{c}" for c in demo.contacts.values()]
    pages += [f"/app/sequences/{s}/{tab}" for s in demo.sequences.values()
              for tab in ("enrollments", "scheduled", "automation", "performance")]
    failed = {page: r.status_code for page in pages if (r := client.get(page)).status_code != 200}
    assert failed == {}


def test_the_demo_sign_in_finds_each_seeded_rep(services: ServiceContext, demo: DemoWorld) -> None:
    found = {who: principal_for_demo_rep(services, f"{who}@northwind.example") for who in ("admin", "ava.reed")}
    assert {who: p.user_id if p else None for who, p in found.items()} == {
        "admin": int(demo.users["admin"]), "ava.reed": int(demo.users["ava"])}


def test_revoking_the_demo_key_says_first_that_it_ends_the_demo_sign_in_and_the_sign_in_page_says_why(
        settings: Any, services: ServiceContext, demo: DemoWorld) -> None:
    from addin_server import create_app
    from addin_server.services import people

    app = create_app(settings.with_overrides(demo_mode=True), services=services)
    app.config["TESTING"] = True
    client = app.test_client()
    browser = sign_in(client, demo.users["admin"], demo.account_id)
    admin = principal_for_demo_rep(services, "admin@northwind.example")
    key_id = next(k["id"] for k in people.list_api_keys(services, admin) if k["name"] == "demo")
    confirm = " ".join(plain(client.get(f"/app/settings/api-keys/{key_id}/revoke").get_data(as_text=True)).split())
    assert "revoking it also switches off the demo's sign-in" in confirm
    assert browser.post_from(f"/app/settings/api-keys/{key_id}/revoke", f"/app/settings/api-keys/{key_id}/revoke",
                             {}).status_code == 302
    client.post("/app/sign-out", data={"csrf_token": browser.token("/app/settings")})
    page = " ".join(plain(app.test_client().get("/app/sign-in").get_data(as_text=True)).split())
    assert "the demo account's published API key (“demo”) was revoked" in page
    assert "GOOGLE_AUTH_URI" not in page and "MS_AUTHORITY" not in page
