"""The emulated Google consent with `openid` (an ID token beside the access token) and the Admin SDK
Directory API's users.get, checked with google-auth and plain HTTP as Google answers them."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import google.auth.transport.requests
import pytest
import requests
from google.oauth2 import id_token

from addin_emulator.google.client import GoogleEmulatorControl

CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"
SECRET = "sidebar-client-secret"
DIRECTORY = "https://www.googleapis.com/auth/admin.directory.user.readonly"
_n = itertools.count(1)


def _consent(control: GoogleEmulatorControl, address: str, scope: str) -> dict[str, Any]:
    """The consent screen answered for `address`, and the code exchanged at the token endpoint."""
    query = {"client_id": CLIENT_ID, "redirect_uri": "https://sidebar.test/cb", "response_type": "code",
             "scope": scope, "login_hint": address, "state": "s"}
    answer = requests.get(f"{control.auth_uri}?{urlencode(query)}", allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens: dict[str, Any] = requests.post(control.token_uri, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "https://sidebar.test/cb",
        "client_id": CLIENT_ID, "client_secret": SECRET}, timeout=10).json()
    return tokens


def _users_get(control: GoogleEmulatorControl, token: str, user_key: str) -> requests.Response:
    return requests.get(f"{control.admin_api_endpoint}admin/directory/v1/users/{user_key}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def domain(control: GoogleEmulatorControl) -> str:
    name = f"ws{next(_n)}.test"
    control.create_mailbox(f"boss@{name}", workspace_admin=True)
    control.create_mailbox(f"member@{name}")
    return name


def test_an_openid_consent_answers_with_an_id_token_that_names_the_workspace(
        control: GoogleEmulatorControl, domain: str) -> None:
    tokens = _consent(control, f"boss@{domain}", f"openid email {DIRECTORY}")
    claims = id_token.verify_token(tokens["id_token"], google.auth.transport.requests.Request(),
                                   audience=CLIENT_ID, certs_url=control.certs_url)
    assert (claims["email"], claims["hd"], claims["aud"]) == (f"boss@{domain}", domain, CLIENT_ID)
    assert tokens["access_token"].startswith("ya29.") and "refresh_token" in tokens


def test_a_consumer_account_has_no_hd_and_a_consent_without_openid_no_id_token(
        control: GoogleEmulatorControl) -> None:
    control.create_mailbox("someone.consumer@gmail.com")
    claims = id_token.verify_token(_consent(control, "someone.consumer@gmail.com", "openid email")["id_token"],
                                   google.auth.transport.requests.Request(), audience=CLIENT_ID,
                                   certs_url=control.certs_url)
    assert "hd" not in claims
    assert "id_token" not in _consent(control, "someone.consumer@gmail.com",
                                      "https://www.googleapis.com/auth/gmail.modify")


def test_users_get_tells_a_super_administrator_by_address_or_id(control: GoogleEmulatorControl, domain: str) -> None:
    tokens = _consent(control, f"boss@{domain}", f"openid email {DIRECTORY}")
    sub = id_token.verify_token(tokens["id_token"], google.auth.transport.requests.Request(), audience=CLIENT_ID,
                                certs_url=control.certs_url)["sub"]
    me = _users_get(control, tokens["access_token"], sub)
    assert me.status_code == 200
    assert (me.json()["kind"], me.json()["id"], me.json()["isAdmin"]) == ("admin#directory#user", sub, True)
    member = _users_get(control, tokens["access_token"], f"member@{domain}")
    assert (member.status_code, member.json()["isAdmin"]) == (200, False)


@pytest.mark.parametrize(("who", "scope", "key", "status", "reason"), [
    pytest.param("member", f"openid email {DIRECTORY}", "boss", 403, "forbidden",
                 id="a member who is no administrator is not authorized"),
    pytest.param("boss", "openid email", "boss", 403, "insufficientPermissions",
                 id="a token without a directory scope"),
    pytest.param("boss", f"openid email {DIRECTORY}", "nobody", 404, "notFound", id="an unknown user"),
])
def test_users_get_refuses_in_googles_error_shape(control: GoogleEmulatorControl, domain: str, who: str,
                                                  scope: str, key: str, status: int, reason: str) -> None:
    tokens = _consent(control, f"{who}@{domain}", scope)
    answer = _users_get(control, tokens["access_token"], f"{key}@{domain}")
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == status and error["errors"][0]["reason"] == reason


def test_an_administrator_of_another_workspace_is_not_authorized(control: GoogleEmulatorControl, domain: str) -> None:
    control.create_mailbox("boss@elsewhere.test", workspace_admin=True)
    tokens = _consent(control, "boss@elsewhere.test", f"openid email {DIRECTORY}")
    answer = _users_get(control, tokens["access_token"], f"boss@{domain}")
    assert answer.status_code == 403 and answer.json()["error"]["message"] == "Not Authorized to access this resource/api"


def test_users_get_needs_a_bearer_token(control: GoogleEmulatorControl, domain: str) -> None:
    assert _users_get(control, "made-up", f"boss@{domain}").status_code == 401
