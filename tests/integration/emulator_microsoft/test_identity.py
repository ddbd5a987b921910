"""The emulated Microsoft identity platform, driven by the real msal and PyJWT."""

from __future__ import annotations

import html
import re
import time

import jwt
import msal
import pytest
import requests

from tests.integration.emulator_microsoft.support import (
    GRAPH_DEFAULT_SCOPE,
    MicrosoftSetup,
    load_fixture,
    same_shape,
)

GRAPH_MAIL_SCOPES = ["https://graph.microsoft.com/Mail.ReadWrite", "https://graph.microsoft.com/Mail.Send"]


def _sign_in(setup: MicrosoftSetup, app: msal.ConfidentialClientApplication) -> dict[str, object]:
    """The authorization code flow: the emulator signs in login_hint at once and redirects."""
    flow = app.initiate_auth_code_flow(
        GRAPH_MAIL_SCOPES, redirect_uri="https://addin.example.com/oauth/microsoft/callback",
        login_hint=setup.address, response_mode="form_post",
    )
    page = requests.get(flow["auth_uri"], verify=setup.emulator.ca_bundle, timeout=10)
    assert page.status_code == 200
    posted = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
    result: dict[str, object] = app.acquire_token_by_auth_code_flow(flow, posted)
    return result


def test_client_credentials_give_an_app_only_token_that_graph_accepts(setup: MicrosoftSetup) -> None:
    result = setup.msal_app().acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
    assert "access_token" in result, result
    assert same_shape(load_fixture("token-client-credentials.json"), result) == []
    user = requests.get(setup.user_url, headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=10)
    assert user.status_code == 200
    assert user.json()["id"] == setup.user_id
    assert same_shape(load_fixture("user.json"), user.json()) == []


def test_a_wrong_client_secret_is_invalid_client_in_microsofts_error_shape(setup: MicrosoftSetup) -> None:
    result = setup.msal_app(secret="not-the-secret").acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert same_shape(load_fixture("token-error.json"), result) == []


def test_an_unknown_tenant_fails_authority_discovery(setup: MicrosoftSetup) -> None:
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        msal.ConfidentialClientApplication(
            setup.client_id, client_credential=setup.client_secret,
            authority=f"{setup.emulator.tls_base_url}/ms/00000000-dead-4bad-8bad-000000000000",
            instance_discovery=False, validate_authority=False, verify=setup.emulator.ca_bundle,
        )


def test_a_rep_connects_outlook_with_the_authorization_code_flow_and_refreshes(setup: MicrosoftSetup) -> None:
    app = setup.msal_app()
    signed_in = _sign_in(setup, app)
    assert "access_token" in signed_in, signed_in
    assert signed_in["id_token_claims"]["preferred_username"] == setup.address  # type: ignore[index]
    refreshed = app.acquire_token_by_refresh_token(str(signed_in["refresh_token"]), GRAPH_MAIL_SCOPES)
    assert "access_token" in refreshed, refreshed
    me = requests.get(f"{setup.graph}/me", headers={"Authorization": f"Bearer {refreshed['access_token']}"},
                      timeout=10)
    assert me.json()["mail"] == setup.address


def test_a_revoked_refresh_token_is_invalid_grant(setup: MicrosoftSetup) -> None:
    app = setup.msal_app()
    signed_in = _sign_in(setup, app)
    assert setup.control.revoke_refresh_tokens(address=setup.address) >= 1
    refreshed = app.acquire_token_by_refresh_token(str(signed_in["refresh_token"]), GRAPH_MAIL_SCOPES)
    assert refreshed["error"] == "invalid_grant"
    assert refreshed["error_codes"] == [50173]


def test_the_addins_sso_token_is_exchanged_on_behalf_of_the_rep(setup: MicrosoftSetup) -> None:
    sso_token = setup.control.mint_sso_token(setup.client_id, setup.address)
    result = setup.msal_app().acquire_token_on_behalf_of(sso_token, GRAPH_MAIL_SCOPES)
    assert "access_token" in result, result
    messages = requests.get(f"{setup.graph}/me/messages",
                            headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=10)
    assert messages.status_code == 200


@pytest.mark.parametrize(
    ("variant", "error_code"),
    [
        pytest.param("expired", 500133, id="an expired SSO token is refused on-behalf-of"),
        pytest.param("wrong_audience", 500131, id="an SSO token for another app is refused on-behalf-of"),
        pytest.param("other_key", 50013, id="an SSO token signed by another key is refused on-behalf-of"),
        pytest.param("unknown_tenant", 50013, id="an SSO token from an unknown tenant is refused on-behalf-of"),
        pytest.param("wrong_issuer", 50013, id="an SSO token with a v1 issuer is refused on-behalf-of"),
    ],
)
def test_broken_sso_tokens_are_refused_on_behalf_of(setup: MicrosoftSetup, variant: str, error_code: int) -> None:
    sso_token = setup.control.mint_sso_token(setup.client_id, setup.address, variant=variant)
    result = setup.msal_app().acquire_token_on_behalf_of(sso_token, GRAPH_MAIL_SCOPES)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [error_code]


@pytest.mark.parametrize(
    ("variant", "failure"),
    [
        pytest.param("valid", None, id="a good SSO token passes PyJWT with the emulator's JWKS"),
        pytest.param("expired", jwt.ExpiredSignatureError, id="an expired SSO token fails PyJWT"),
        pytest.param("wrong_audience", jwt.InvalidAudienceError, id="an SSO token for another app fails PyJWT"),
        pytest.param("wrong_issuer", jwt.InvalidIssuerError, id="an SSO token with another issuer fails PyJWT"),
        pytest.param("other_key", jwt.InvalidSignatureError, id="an SSO token signed by another key fails PyJWT"),
    ],
)
def test_sso_tokens_verify_with_pyjwkclient(setup: MicrosoftSetup, variant: str, failure: type[Exception] | None) -> None:
    token = setup.control.mint_sso_token(setup.client_id, setup.address, variant=variant)
    jwks = jwt.PyJWKClient(f"{setup.emulator.base_url}/ms/discovery/v2.0/keys")
    key = jwks.get_signing_key_from_jwt(token)

    def verify() -> dict[str, object]:
        claims: dict[str, object] = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=setup.client_id,
            issuer=f"https://login.microsoftonline.com/{setup.tenant_id}/v2.0",
        )
        return claims

    if failure is None:
        claims = verify()
        assert "access_as_user" in str(claims["scp"]).split()
        assert (claims["oid"], claims["tid"], claims["preferred_username"]) == (
            setup.user_id, setup.tenant_id, setup.address)
        assert claims["name"] == f"Rep {setup.address[3:].split('@')[0]}"
    else:
        with pytest.raises(failure):
            verify()


def test_an_sso_token_from_an_unknown_tenant_names_that_tenant(setup: MicrosoftSetup) -> None:
    token = setup.control.mint_sso_token(setup.client_id, setup.address, variant="unknown_tenant")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["tid"] != setup.tenant_id
    assert claims["iss"] == f"https://login.microsoftonline.com/{claims['tid']}/v2.0"


def test_withdrawn_admin_consent_stops_tokens_and_graph(setup: MicrosoftSetup) -> None:
    token = setup.app_token()
    setup.control.set_consent(setup.client_id, setup.tenant_id, granted=False)
    refused = setup.msal_app().acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
    assert refused["error"] == "invalid_grant"
    assert refused["error_codes"] == [65001]
    graph = requests.get(setup.user_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert graph.status_code == 403


def test_a_token_endpoint_outage_is_survived_by_asking_again_after_retry_after(setup: MicrosoftSetup) -> None:
    setup.control.inject_fault(f"/ms/{setup.tenant_id}/oauth2/v2.0/token", 503, count=1, retry_after=1)
    app = setup.msal_app()
    with pytest.raises(msal.exceptions.MsalServiceError, match="503"):
        app.acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
    time.sleep(1.1)  # msal itself replays the 503 until Retry-After has passed
    assert "access_token" in app.acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
    assert [f["hits"] for f in setup.control.faults()] == [1]


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        pytest.param(None, "InvalidAuthenticationToken", id="graph refuses a request without a token"),
        pytest.param("Bearer not-a-jwt", "InvalidAuthenticationToken", id="graph refuses a token it did not issue"),
    ],
)
def test_graph_requires_a_token_from_the_emulator(setup: MicrosoftSetup, authorization: str | None, code: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.get(setup.user_url, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == code


def test_a_reps_delegated_token_cannot_read_another_reps_mailbox(setup: MicrosoftSetup) -> None:
    colleague = f"colleague-{setup.address}"
    setup.control.create_mailbox(colleague, setup.tenant_id)
    sso_token = setup.control.mint_sso_token(setup.client_id, setup.address)
    token = setup.msal_app().acquire_token_on_behalf_of(sso_token, GRAPH_MAIL_SCOPES)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{setup.graph}/users/{setup.address}/messages", headers=headers, timeout=10).status_code == 200
    assert requests.get(f"{setup.graph}/users/{colleague}/messages", headers=headers, timeout=10).status_code == 403


def test_an_app_token_for_one_tenant_cannot_read_another_tenants_mailbox(setup: MicrosoftSetup) -> None:
    setup.control.create_mailbox(f"outsider-{setup.address}", "99999999-9999-4999-8999-999999999999")
    answer = setup.session().get(f"{setup.graph}/users/outsider-{setup.address}", timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "ErrorAccessDenied"


def test_an_id_token_carries_the_users_directory_roles_as_wids_only_when_they_have_some(
        setup: MicrosoftSetup) -> None:
    """Entra ID's `wids`: role template ids of the signed-in user's directory roles."""
    global_admin = "62e90394-69f5-4237-9190-012177145e10"
    admin_address = "it-boss." + setup.address
    setup.control.create_mailbox(admin_address, setup.tenant_id, directory_roles=[global_admin])
    app = setup.msal_app()
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri="https://addin.example.com/cb",
                                       login_hint=admin_address, response_mode="form_post")
    page = requests.get(flow["auth_uri"], verify=setup.emulator.ca_bundle, timeout=10)
    posted = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
    claims = app.acquire_token_by_auth_code_flow(flow, posted)["id_token_claims"]
    assert claims["wids"] == [global_admin] and claims["tid"] == setup.tenant_id
    assert "wids" not in _sign_in(setup, setup.msal_app())["id_token_claims"]
