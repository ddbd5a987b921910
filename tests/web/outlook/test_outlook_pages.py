"""The add-in's pages, the demo-only preview and sign-in, and CORS for the add-in's own origin."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from addin_server.web.outlook import OFFICE_JS_CDN
from tests.builders import World
from tests.web.outlook.sso_tokens import CLIENT_ID

PAGES = [
    ("the task pane loads Office.js from Microsoft's CDN", "/outlook/taskpane", "text/html"),
    ("the function file loads Office.js from Microsoft's CDN", "/outlook/commands", "text/html"),
    ("the event-based runtime page loads Office.js from Microsoft's CDN", "/outlook/events", "text/html"),
]


@pytest.mark.parametrize(("case", "path", "mimetype"), PAGES, ids=[c[0] for c in PAGES])
def test_add_in_pages_use_office_js_from_the_cdn(client: Any, case: str, path: str, mimetype: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == mimetype
    page = response.get_data(as_text=True)
    assert f'<script src="{OFFICE_JS_CDN}"></script>' in page
    assert "office-standin.js" not in page


def test_the_pane_is_configured_with_public_urls(client: Any) -> None:
    page = client.get("/outlook/taskpane").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="pane-config" type="application/json">(.*?)</script>', page,
                                  re.S).group(1))  # type: ignore[union-attr]
    assert config == {"apiBase": "https://sidebar.test/api/v1", "signInUrl": "https://sidebar.test/outlook/sign-in",
                      "contactUrl": "https://sidebar.test/app/contacts/{id}", "preview": False,
                      # Nested app authentication asks for our API's access_as_user scope, for our client id.
                      "naa": {"clientId": CLIENT_ID, "authority": "https://login.microsoftonline.com/common",
                              "scope": f"api://sidebar.test/{CLIENT_ID}/access_as_user"}}


@pytest.mark.parametrize("client_id", [
    pytest.param("", id="without an sso application the pane skips nested app authentication"),
    pytest.param("not-a-guid", id="with a client id that is no guid the pane skips nested app authentication"),
])
def test_without_a_usable_sso_application_the_pane_offers_no_nested_app_authentication(
        settings: Any, services: Any, client_id: str) -> None:
    from addin_server import create_app

    app = create_app(settings.with_overrides(ms_client_id=client_id), services=services)
    response = app.test_client().get("/outlook/taskpane")
    assert response.status_code == 200
    assert '"naa": null' in response.get_data(as_text=True)


def test_the_stand_in_office_object_is_never_served_outside_demo_mode(client: Any) -> None:
    page = client.get("/outlook/taskpane?host=preview").get_data(as_text=True)
    assert OFFICE_JS_CDN in page and "office-standin.js" not in page


def test_the_classic_outlook_event_script_carries_the_absolute_api_address(client: Any) -> None:
    response = client.get("/outlook/events.js")
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    found = re.search(r"^var SEQUENCE_SIDEBAR = (.*);$", script, re.M)
    assert found is not None
    assert json.loads(found.group(1)) == {
        "apiBase": "https://sidebar.test/api/v1",
        "naa": {"clientId": CLIENT_ID, "authority": "https://login.microsoftonline.com/common",
                "scope": f"api://sidebar.test/{CLIENT_ID}/access_as_user"}}
    # The one file carries MSAL.js, since classic Outlook runs it without a page.
    assert "@azure/msal-browser v" in script and "createNestablePublicClientApplication" in script
    assert 'Office.actions.associate("onRecipientsChangedHandler", onRecipientsChangedHandler)' in script


DEMO_ONLY = [
    ("the preview is not found outside demo mode", "GET", "/dev/outlook-preview"),
    ("the demo sign-in is not found outside demo mode", "POST", "/outlook/sign-in"),
]


@pytest.mark.parametrize(("case", "method", "path"), DEMO_ONLY, ids=[c[0] for c in DEMO_ONLY])
def test_demo_only_routes_do_not_exist_outside_demo_mode(client: Any, world: World, case: str, method: str,
                                                         path: str) -> None:
    response = client.open(path, method=method, data={"rep_id": world.other_rep["id"]})
    assert response.status_code == 404


def test_without_sso_outside_demo_mode_the_dialog_says_what_to_do(client: Any) -> None:
    page = client.get("/outlook/sign-in").get_data(as_text=True)
    assert "Single sign-on is not available" in page and "<form" not in page


@pytest.fixture
def demo_world(services: Any, world: World) -> World:
    """The world as the demo's seeded account: the demo's Outlook sign-in and preview offer its reps only."""
    from addin_server.services import accounts
    from addin_server.services.demo import DEMO_API_KEY

    accounts.install_api_key(services, world.account_id, DEMO_API_KEY, name="demo")
    return world


def test_the_preview_offers_each_outlook_rep_and_loads_the_real_pane(demo_app: Any, demo_world: World) -> None:
    world = demo_world
    client = demo_app.test_client()
    page = client.get("/dev/outlook-preview").get_data(as_text=True)
    reps = json.loads(re.search(r'<script id="preview-reps" type="application/json">(.*?)</script>', page,
                                re.S).group(1))  # type: ignore[union-attr]
    assert [r["email"] for r in reps] == [world.other_rep["email"]]
    pane = client.get("/outlook/taskpane?host=preview").get_data(as_text=True)
    assert "outlook/office-standin.js" in pane and OFFICE_JS_CDN not in pane


def test_the_demo_sign_in_hands_the_pane_a_token_the_api_accepts(demo_app: Any, demo_world: World) -> None:
    world = demo_world
    client = demo_app.test_client()
    assert world.other_rep["name"] in client.get("/outlook/sign-in").get_data(as_text=True)
    assert client.post("/outlook/sign-in", data={"rep_id": world.other_rep["id"]}).status_code == 403  # no password
    page = client.post("/outlook/sign-in", data={"rep_id": world.other_rep["id"], "password": "demo"}).get_data(
        as_text=True)
    message = json.loads(re.search(r'<script id="sign-in-result" type="application/json">(.*?)</script>', page,
                                   re.S).group(1))  # type: ignore[union-attr]
    lookup = client.get("/api/v1/recipients/status", query_string={"email": world.contact["email"]},
                        headers={"Authorization": f"Bearer {message['token']}"})
    assert lookup.status_code == 200 and message["rep"]["email"] == world.other_rep["email"]


def test_the_demo_sign_in_refuses_an_unknown_rep(demo_app: Any, world: World) -> None:
    assert demo_app.test_client().post("/outlook/sign-in", data={"rep_id": "999999", "password": "demo"}).status_code == 400


CORS = [
    ("a preflight from the add-in's own origin is answered", "https://sidebar.test", "https://sidebar.test"),
    ("a preflight from another origin gets no CORS headers", "https://evil.example", None),
    ("a preflight from a look-alike origin gets no CORS headers", "https://sidebar.test.evil.example", None),
]


@pytest.mark.parametrize(("case", "origin", "allowed"), CORS, ids=[c[0] for c in CORS])
def test_cors_preflight_is_answered_for_the_add_in_origin_only(client: Any, case: str, origin: str,
                                                               allowed: str | None) -> None:
    response = client.options("/api/v1/enrollments/1/unenroll", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == allowed
    if allowed:
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_api_answers_to_the_add_in_origin_carry_the_cors_header(client: Any, world: World) -> None:
    response = client.get("/api/v1/recipients/status", query_string={"email": world.contact["email"]},
                          headers={"Origin": "https://sidebar.test", **world.headers})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://sidebar.test"
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/outlook/taskpane", "/outlook/commands"])
def test_the_pane_forbids_plugins_and_base_changes_but_leaves_office_js_its_sources(client: Any, path: str) -> None:
    policy = client.get(path).headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "script-src" not in policy and "frame-ancestors" not in policy  # Office.js and Outlook's frames
