"""Every endpoint answers only Google: a system ID token for the exact public URL, from the add-on's account.

Keys are made by the test; Google's certificate document is served from loopback and fetched once.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from addin_server.services import enrollments
from tests.web.gmail.helpers import card_text, only_card, validate_card

ENDPOINTS = ["/gmail/homepage", "/gmail/compose", "/gmail/message", "/gmail/actions/unenroll"]


def _forged(addon: Any, path: str, flaw: str) -> str | None:
    """An Authorization header with one thing wrong."""
    now = int(time.time())
    if flaw == "missing":
        return None
    if flaw == "not bearer":
        return f"Basic {addon.system_token(path)}"
    if flaw == "unsigned":
        return f"Bearer {addon.system_token(path, alg='none')}"
    if flaw == "signed by an unpublished key":
        return f"Bearer {addon.system_token(path, key=addon.keys.intruder)}"
    if flaw == "signature tampered":
        header, payload, signature = addon.system_token(path).split(".")
        return f"Bearer {header}.{payload}.{signature[:-4]}AAAA"
    overrides: dict[str, Any] = {
        "expired": {"iat": now - 7200, "exp": now - 3600},
        "audience is another endpoint": {"aud": "https://sidebar.test/gmail/homepage-other"},
        "audience is the proxied request url": {"aud": f"http://localhost{path}"},
        "audience is the oauth client id": {"aud": "884921307712-sidebar.apps.googleusercontent.com"},
        "wrong issuer": {"iss": "https://evil.example.com"},
        "another service account": {"email": "someone-else@project.iam.gserviceaccount.com"},
        "email not verified": {"email_verified": False},
        "no email": {"email": None},
    }[flaw]
    return f"Bearer {addon.system_token(path, **overrides)}"


FLAWS = ["missing", "not bearer", "unsigned", "signed by an unpublished key", "signature tampered", "expired",
         "audience is another endpoint", "audience is the proxied request url", "audience is the oauth client id",
         "wrong issuer", "another service account", "email not verified", "no email"]


# Every flaw against the endpoint that changes data; the main flaws against every other endpoint.
CASES = [("/gmail/actions/unenroll", flaw) for flaw in FLAWS] + [
    (path, flaw) for path in ENDPOINTS[:3]
    for flaw in ("unsigned", "expired", "audience is the proxied request url", "another service account")]


@pytest.mark.parametrize(("path", "flaw"), CASES,
                         ids=[f"{path} with a system token that is {flaw} gets 401" for path, flaw in CASES])
def test_requests_not_from_the_addon_are_refused_with_401_and_nothing_done(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any], path: str, flaw: str) -> None:
    event = addon.event("action-event.json", parameters={"enrollment_id": enrolled["id"], "view": "compose"})
    response = addon.post(path, event, authorization=_forged(addon, path, flaw))

    assert response.status_code == 401
    assert "error" in response.get_json() and "renderActions" not in response.get_json()
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


# Google documents the audience of trigger calls (the endpoint URL) but not of button calls: a token
# naming any URL the deployment declares opens every endpoint; one naming anything else opens none.
BUTTON_ENDPOINTS = ["/gmail/actions/confirm_unenroll", "/gmail/actions/unenroll", "/gmail/actions/cancel",
                    "/gmail/actions/refresh", "/gmail/actions/page"]
DECLARED_AUDIENCES = {
    "the button's own url": lambda path: PUBLIC + path,
    "the compose trigger's url": lambda path: PUBLIC + "/gmail/compose",
    "the homepage trigger's url": lambda path: PUBLIC + "/gmail/homepage",
    "another button's url": lambda path: PUBLIC + "/gmail/actions/refresh",
    "the button's own url with a query string": lambda path: PUBLIC + path + "?hl=en&authuser=0",
}
FOREIGN_AUDIENCES = {
    "another host's url": lambda path: "https://evil.example" + path,
    "an undeclared path of this host": lambda path: PUBLIC + "/gmail/actions/delete_everything",
    "a prefix of a declared url": lambda path: PUBLIC + "/gmail/actions/",
    "the public url itself": lambda path: PUBLIC,
    "plain http to this host": lambda path: PUBLIC.replace("https://", "http://") + path,
    "a declared url with a fragment-free trailing slash": lambda path: PUBLIC + path + "/",
    # Only the query is ignored: anything else differing from a declared URL is another audience.
    "a declared url with a fragment": lambda path: PUBLIC + path + "#frag",
    "a declared url with a query and a fragment": lambda path: PUBLIC + path + "?hl=en#frag",
    "a declared url with an upper-case scheme": lambda path: PUBLIC.replace("https://", "HTTPS://") + path,
    "a declared url with an upper-case host": lambda path: PUBLIC.upper().replace("HTTPS://", "https://") + path,
}
PUBLIC = "https://sidebar.test"


def _button_event(addon: Any, enrolled: dict[str, Any]) -> dict[str, Any]:
    return addon.event("action-event.json", parameters={"enrollment_id": enrolled["id"], "view": "compose",
                                                         "page": "0"})


@pytest.mark.parametrize(("path", "audience"), [(p, a) for p in BUTTON_ENDPOINTS for a in DECLARED_AUDIENCES],
                         ids=[f"{p} accepts a system token for {a}" for p in BUTTON_ENDPOINTS
                              for a in DECLARED_AUDIENCES])
def test_a_system_token_for_any_declared_url_is_accepted_on_every_button(
        addon: Any, enrolled: dict[str, Any], path: str, audience: str,
        caplog: pytest.LogCaptureFixture) -> None:
    aud = DECLARED_AUDIENCES[audience](path)
    caplog.set_level("INFO", logger="addin_server.web.gmail_addon")
    response = addon.post(path, _button_event(addon, enrolled),
                          authorization=f"Bearer {addon.system_token(path, aud=aud)}")
    assert response.status_code == 200 and "renderActions" in response.get_json()
    # The operator can read which audience Google sent to which endpoint.
    assert f"gmail add-on call to {path} carried the audience {aud}" in caplog.text


BUTTON_FLAWS = {
    **{f"audience is {name}": (lambda chosen: lambda path: {"aud": chosen(path)})(make)
       for name, make in FOREIGN_AUDIENCES.items()},
    "from another service account": lambda path: {"email": "someone-else@project.iam.gserviceaccount.com"},
    "expired": lambda path: {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600},
}


@pytest.mark.parametrize(("path", "flaw"), [(p, f) for p in BUTTON_ENDPOINTS for f in [*BUTTON_FLAWS, "unsigned"]],
                         ids=[f"{p} refuses a system token {f}" for p in BUTTON_ENDPOINTS
                              for f in [*BUTTON_FLAWS, "unsigned"]])
def test_every_button_refuses_foreign_audiences_other_accounts_expired_and_unsigned_tokens(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any], path: str, flaw: str) -> None:
    if flaw == "unsigned":
        token = addon.system_token(path, alg="none")
    else:
        token = addon.system_token(path, **BUTTON_FLAWS[flaw](path))
    response = addon.post(path, _button_event(addon, enrolled), authorization=f"Bearer {token}")
    assert response.status_code == 401
    assert "renderActions" not in response.get_json()
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


def test_a_refused_audience_is_logged_for_the_operator(addon: Any, enrolled: dict[str, Any],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    token = addon.system_token("/gmail/compose", aud="https://evil.example/gmail/compose")
    assert addon.post("/gmail/compose", addon.event("compose-event.json"),
                      authorization=f"Bearer {token}").status_code == 401
    assert "https://evil.example/gmail/compose" in caplog.text and token not in caplog.text


@pytest.mark.parametrize("overrides", [
    pytest.param({"aud": "some-other-client.apps.googleusercontent.com"}, id="a user token for another client"),
    pytest.param({"iss": "https://evil.example.com"}, id="a user token from another issuer"),
])
def test_a_forged_user_token_is_refused_with_401(addon: Any, services: Any, world: Any,
                                                enrolled: dict[str, Any], overrides: dict[str, Any]) -> None:
    event = addon.event("action-event.json", parameters={"enrollment_id": enrolled["id"], "view": "compose"})
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(**overrides)
    response = addon.post("/gmail/actions/unenroll", event)
    assert response.status_code == 401
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


def test_a_user_token_signed_by_an_unpublished_key_is_refused(addon: Any, world: Any) -> None:
    event = addon.event("compose-event.json")
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(key=addon.keys.intruder)
    assert addon.post("/gmail/compose", event).status_code == 401


@pytest.mark.parametrize("user_token", [
    pytest.param("expired", id="an expired user session shows the session-expired card"),
    pytest.param("missing", id="an event without a user token shows the session-expired card"),
])
def test_an_expired_session_shows_a_card_saying_to_reopen(addon: Any, world: Any, user_token: str) -> None:
    event = addon.event("compose-event.json")
    now = int(time.time())
    if user_token == "expired":
        event["authorizationEventObject"]["userIdToken"] = addon.user_token(iat=now - 7200, exp=now - 3600)
    else:
        del event["authorizationEventObject"]["userIdToken"]
    response = addon.post("/gmail/compose", event)
    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    assert card["header"]["title"] == "Your session has expired" and "open it again" in card_text(card)


@pytest.mark.parametrize("path", ["/gmail/homepage", "/gmail/compose", "/gmail/message"])
def test_a_google_user_with_no_account_gets_the_not_connected_card(addon: Any, world: Any, path: str) -> None:
    fixture = {"/gmail/homepage": "homepage-event.json", "/gmail/compose": "compose-event.json",
               "/gmail/message": "message-event.json"}[path]
    event = addon.event(fixture)
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(email="nobody@unknown.example",
                                                                        sub="555")
    response = addon.post(path, event)
    assert response.status_code == 200
    card = only_card(response.get_json())
    validate_card(card)
    assert card["header"]["title"] == "Not connected to Sequence Sidebar"
    # A rep the admin did add, whose address or Workspace domain another account holds, reads why too.
    assert "If they already have" in card_text(card) and "another Sequence Sidebar account" in card_text(card)
    assert "Ask your Sequence Sidebar admin" in card_text(card) and "https://sidebar.test/app/" in card_text(card)


def test_the_first_sign_in_links_the_google_account_to_the_rep(addon: Any, services: Any, world: Any) -> None:
    from sqlalchemy import select

    from addin_server.db import tables as t

    addon.post("/gmail/homepage", addon.event("homepage-event.json"))
    with services.session() as s:
        assert s.scalar(select(t.User.google_sub).where(t.User.email == "rita@acme.test")) == "112233445566778899001"


def test_google_certificates_are_fetched_once_not_per_request(addon: Any, fake_google: Any, world: Any) -> None:
    for _ in range(4):
        assert addon.post("/gmail/compose", addon.event("compose-event.json")).status_code == 200
    assert fake_google.certificate_fetches == 1
