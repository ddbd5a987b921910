"""The demo's pages exist in demo mode only: elsewhere their addresses are the app's ordinary 404s."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server import create_app
from addin_server.services import accounts
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from addin_server.web.demo import delivery_sentence
from tests.web.app.conftest import AppWorld, sign_in

DEMO_ADDRESSES = [
    ("the delivery tools", "GET", "/dev/"),
    ("delivering a message", "POST", "/dev/deliver"),
    ("the stand-in Gmail", "GET", "/dev/gmail-preview"),
    ("the stand-in Gmail's buttons", "POST", "/dev/gmail-preview"),
    ("the stand-in Outlook", "GET", "/dev/outlook-preview"),
    ("the Outlook dialog's local sign-in", "POST", "/outlook/sign-in"),
    ("the web app's demo sign-in", "GET", "/app/sign-in/demo"),
    ("the web app's demo sign-in form", "POST", "/app/sign-in/demo"),
]


@pytest.mark.parametrize(("case", "method", "path"), DEMO_ADDRESSES, ids=[c[0] for c in DEMO_ADDRESSES])
def test_outside_demo_mode_a_demo_address_is_not_found(https_client: Any, app_world: AppWorld, case: str,
                                                       method: str, path: str) -> None:
    assert https_client.open(path, method=method, data={"rep": "rita@acme.test"}).status_code == 404


def test_outside_demo_mode_the_demo_sign_in_is_the_apps_own_404_page(https_client: Any,
                                                                      app_world: AppWorld) -> None:
    sign_in(https_client, app_world.world.rep["id"], app_world.world.account_id)
    response = https_client.get("/app/sign-in/demo")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'class="topbar"' in html and "There is no page at this address" in html
    assert response.headers["X-Frame-Options"] == "DENY"


def test_outside_demo_mode_no_route_of_the_demo_is_registered(app: Any) -> None:
    assert not [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("demo.")]


@pytest.mark.parametrize(("case", "method", "path"), [c for c in DEMO_ADDRESSES if c[1] == "GET"],
                         ids=[c[0] for c in DEMO_ADDRESSES if c[1] == "GET"])
def test_in_demo_mode_each_demo_page_exists(settings: Any, services: ServiceContext, app_world: AppWorld,
                                            case: str, method: str, path: str) -> None:
    accounts.install_api_key(services, app_world.world.account_id, DEMO_API_KEY, name="demo")
    client = create_app(settings.with_overrides(demo_mode=True, public_url="http://127.0.0.1"),
                        services=services).test_client()
    assert client.open(path, method=method).status_code in (200, 302)


DELIVERIES = [
    ("a reply into a Gmail mailbox reaches us through Gmail's push",
     {"kind": "reply", "provider": "gmail", "from": "jane@globex.test", "delivered_to": "ava@northwind.example"},
     "Delivered a reply from jane@globex.test into ava@northwind.example. Gmail pushes it to /webhooks/gmail"),
    ("a reply into an Outlook mailbox reaches us through Graph's notification, not Gmail's push",
     {"kind": "reply", "provider": "outlook", "from": "raj@globex.test", "delivered_to": "omar@northwind.example"},
     "Delivered a reply from raj@globex.test into omar@northwind.example. Graph notifies /webhooks/graph of it"),
    ("an out-of-office is named with its article",
     {"kind": "out_of_office", "provider": "outlook", "from": "raj@globex.test", "delivered_to": "omar@northwind.example"},
     "Delivered an out-of-office reply from raj@globex.test"),
    ("a bounce is named as one",
     {"kind": "bounce", "provider": "gmail", "from": "jane@globex.test", "delivered_to": "ava@northwind.example"},
     "Delivered a bounce from jane@globex.test"),
]


@pytest.mark.parametrize(("case", "result", "says"), DELIVERIES, ids=[c[0] for c in DELIVERIES])
def test_the_delivery_banner_names_the_path_the_reps_provider_takes(case: str, result: dict[str, str],
                                                                     says: str) -> None:
    sentence = delivery_sentence(result)
    assert sentence.startswith(says)
    other = "/webhooks/graph" if result["provider"] == "gmail" else "/webhooks/gmail"
    assert other not in sentence


def test_the_outlook_dialogs_demo_sign_in_offers_and_accepts_only_the_seeded_accounts_outlook_reps(
        settings: Any, services: ServiceContext, app_world: AppWorld) -> None:
    """Accounts made with `accounts create` in a demo instance are real: no pane token for their people."""
    from addin_server.services import directory
    from addin_server.services.context import Principal

    accounts.install_api_key(services, app_world.world.account_id, DEMO_API_KEY, name="demo")
    other = accounts.create_account(services, name="Shadow", plan="enterprise", admin_email="boss@shadow.example")
    mal = directory.create_user(services, Principal.for_api_key(other.account_id, "k", "admin"),
                                email="mal@shadow.example", name="Mal Two", role="admin",
                                mailbox_provider="outlook", mailbox_address=None)
    client = create_app(settings.with_overrides(demo_mode=True, public_url="http://127.0.0.1"),
                        services=services).test_client()
    for rep_id in (mal["id"], str(other.admin_user_id), "999"):
        assert client.post("/outlook/sign-in", data={"rep_id": rep_id, "password": "demo"}).status_code == 400, rep_id
    for page in ("/outlook/sign-in", "/dev/outlook-preview"):
        assert "Mal Two" not in client.get(page).get_data(as_text=True)
    otto = app_world.world.other_rep  # the seeded account's Outlook rep
    assert client.post("/outlook/sign-in", data={"rep_id": otto["id"], "password": "nope"}).status_code == 403
    r = client.post("/outlook/sign-in", data={"rep_id": otto["id"], "password": "demo"})
    assert r.status_code == 200 and otto["email"] in r.get_data(as_text=True)
