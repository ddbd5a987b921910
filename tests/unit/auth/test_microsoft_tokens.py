"""Outlook add-in SSO access tokens (v2): signature, times, audience, issuer, tenant, scope, key cache."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from addin_server.auth.errors import AuthError
from addin_server.auth.microsoft_tokens import MicrosoftKeys, MicrosoftUser, verify_outlook_sso_token

TENANT = "3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17"
STRANGER_TENANT = "77777777-8888-4999-aaaa-bbbbbbbbbbbb"
CLIENT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"


def is_known_tenant(tid: str) -> bool:
    return tid == TENANT


@dataclass(frozen=True)
class Case:
    """One token Outlook (or an attacker) might send, and the refusal it must get ("" = accepted)."""

    code: str
    claims: dict[str, Any] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)  # claim -> seconds from now
    drop: tuple[str, ...] = ()
    forge: str = "published_key"
    header: str = "Bearer {token}"


def _token(case: Case, mint: Any, keys: Any) -> str:
    now = int(time.time())
    claims = mint.claims(
        "outlook_sso_access_token_v2",
        drop=case.drop,
        **case.claims,
        **{name: now + offset for name, offset in case.times.items()},
    )
    if case.forge == "published_key":
        return str(mint.sign(claims, keys.microsoft))
    if case.forge == "unpublished_key_same_kid":
        return str(mint.sign(claims, keys.intruder, kid=keys.microsoft.kid))
    if case.forge == "unpublished_kid":
        return str(mint.sign(claims, keys.intruder))
    if case.forge == "alg_none":
        return str(mint.unsigned(claims, kid=keys.microsoft.kid))
    if case.forge == "hs256_with_public_key":
        return str(mint.hs256_keyed_with_public_key(claims, keys.microsoft))
    return case.forge


def _refusal(call: Any) -> AuthError:
    with pytest.raises(AuthError) as caught:
        call()
    return caught.value


CASES = {
    "an SSO token of a user in a customer tenant is accepted": Case(""),
    # Nested app authentication: MSAL.js in the pane is our own app, so azp is our client id.
    "a token from nested app authentication for access_as_user is accepted": Case(
        "", claims={"azp": CLIENT_ID, "scp": "access_as_user openid profile"}
    ),
    "a Microsoft Graph token from nested app authentication is refused": Case(
        "wrong_audience", claims={"aud": "00000003-0000-0000-c000-000000000000", "azp": CLIENT_ID,
                                  "scp": "User.Read Mail.Read"}
    ),
    "an expired token is refused": Case("token_expired", times={"iat": -7200, "nbf": -7200, "exp": -3600}),
    "a token not valid before some minutes from now is refused": Case(
        "token_not_yet_valid", times={"nbf": 600, "exp": 4200}
    ),
    "a token for another app's client id is refused": Case(
        "wrong_audience", claims={"aud": "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b"}
    ),
    "a token with the api:// audience of a v1.0 token is refused": Case(
        "wrong_audience", claims={"aud": f"api://sidebar.example.com/{CLIENT_ID}"}
    ),
    "a token whose issuer names another tenant than its tid is refused": Case(
        "wrong_issuer", claims={"iss": f"https://login.microsoftonline.com/{STRANGER_TENANT}/v2.0"}
    ),
    "a v1.0 token issued by sts.windows.net is refused": Case(
        "wrong_issuer", claims={"iss": f"https://sts.windows.net/{TENANT}/", "ver": "1.0"}
    ),
    "a token from a look-alike issuer host is refused": Case(
        "wrong_issuer", claims={"iss": f"https://login.microsoftonline.com.example.com/{TENANT}/v2.0"}
    ),
    "a token of a tenant that is not a customer is refused": Case(
        "unknown_tenant",
        claims={"tid": STRANGER_TENANT, "iss": f"https://login.microsoftonline.com/{STRANGER_TENANT}/v2.0"},
    ),
    "a token without the access_as_user scope is refused": Case("missing_scope", claims={"scp": "User.Read Mail.Read"}),
    "an app-only token with roles and no scope is refused": Case(
        "missing_scope", claims={"roles": ["Mail.Read"]}, drop=("scp",)
    ),
    "a token without a tenant id is refused": Case("malformed", drop=("tid",)),
    "a token without a user object id is refused": Case("malformed", drop=("oid",)),
    "a token signed by a key Microsoft does not publish is refused": Case(
        "bad_signature", forge="unpublished_key_same_kid"
    ),
    "a token naming a key id Microsoft does not publish is refused": Case("bad_signature", forge="unpublished_kid"),
    "an unsigned alg none token is refused": Case("bad_signature", forge="alg_none"),
    "an HS256 token keyed with Microsoft's public key is refused": Case("bad_signature", forge="hs256_with_public_key"),
    "a token that is not a JWT is refused": Case("malformed", forge="definitely not a token"),
    "a request without an Authorization header is refused": Case("missing_token", header=""),
    "a request with an API-key-like Basic header is refused": Case("malformed", header="Basic c2s6c2VjcmV0"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_outlook_sso_token(case: Case, settings, mint, keys) -> None:
    token = _token(case, mint, keys)
    header = case.header.format(token=token) or None
    verify = lambda: verify_outlook_sso_token(header, settings, is_known_tenant=is_known_tenant)  # noqa: E731
    if not case.code:
        assert verify() == MicrosoftUser(
            oid="9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
            tid=TENANT,
            preferred_username="olivia@contoso-sales.example.com",
            name="Olivia Outlook",
        )
        return
    refusal = _refusal(verify)
    assert refusal.code == case.code
    assert refusal.status == (403 if case.code == "missing_scope" else 401)
    assert token not in refusal.message


def test_scope_list_with_other_scopes_is_accepted(settings, mint, keys) -> None:
    token = mint.sign(mint.claims("outlook_sso_access_token_v2", scp="User.Read access_as_user"), keys.microsoft)
    user = verify_outlook_sso_token(f"Bearer {token}", settings, is_known_tenant=is_known_tenant)
    assert user.tid == TENANT


def test_tenant_hook_sees_only_verified_tokens(settings, mint, keys) -> None:
    asked: list[str] = []
    forged = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.intruder, kid=keys.microsoft.kid)
    _refusal(lambda: verify_outlook_sso_token(f"Bearer {forged}", settings, is_known_tenant=asked.append))
    assert asked == []


UNCONFIGURED = {
    "no client id configured refuses SSO tokens instead of skipping the audience check": {"ms_client_id": ""},
    "no JWKS URL configured refuses SSO tokens": {"ms_jwks_url": ""},
    "a JWKS URL that is not http(s) refuses SSO tokens": {"ms_jwks_url": "file:///etc/passwd"},
    "a CA bundle path that does not exist refuses SSO tokens": {"ca_bundle": "/nonexistent/ca.pem"},
}


@pytest.mark.parametrize("changes", UNCONFIGURED.values(), ids=UNCONFIGURED.keys())
def test_missing_setting_fails_closed(changes, settings, mint, keys, ms_jwks_server) -> None:
    token = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.microsoft)
    refusal = _refusal(
        lambda: verify_outlook_sso_token(
            f"Bearer {token}", settings.with_overrides(**changes), is_known_tenant=is_known_tenant
        )
    )
    assert (refusal.code, refusal.status) == ("not_configured", 503)
    assert ms_jwks_server.fetches == 0


# --- the key cache -------------------------------------------------------------------------------------


def test_keys_are_fetched_once_for_many_verifications(settings, mint, keys, ms_jwks_server) -> None:
    for _ in range(25):
        token = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.microsoft)
        verify_outlook_sso_token(f"Bearer {token}", settings, is_known_tenant=is_known_tenant)
    assert ms_jwks_server.fetches == 1


def test_a_rotated_key_is_fetched_when_a_token_names_it(settings, mint, keys, ms_jwks_server) -> None:
    jwks = MicrosoftKeys(ms_jwks_server.url, refetch_cooldown=0)
    claims = mint.claims("outlook_sso_access_token_v2")
    verify_outlook_sso_token(
        f"Bearer {mint.sign(claims, keys.microsoft)}", settings, is_known_tenant=is_known_tenant, keys=jwks
    )
    ms_jwks_server.document = {"keys": [keys.microsoft.jwk(), keys.microsoft_rotated.jwk()]}
    user = verify_outlook_sso_token(
        f"Bearer {mint.sign(claims, keys.microsoft_rotated)}",
        settings,
        is_known_tenant=is_known_tenant,
        keys=jwks,
    )
    assert user.tid == TENANT
    assert ms_jwks_server.fetches == 2


def test_unknown_key_ids_do_not_trigger_a_fetch_per_request(settings, mint, keys, ms_jwks_server) -> None:
    jwks = MicrosoftKeys(ms_jwks_server.url, refetch_cooldown=30)
    jwks.key_for(keys.microsoft.kid)
    forged = f"Bearer {mint.sign(mint.claims('outlook_sso_access_token_v2'), keys.intruder)}"
    for _ in range(10):
        refusal = _refusal(
            lambda: verify_outlook_sso_token(forged, settings, is_known_tenant=is_known_tenant, keys=jwks)
        )
        assert refusal.code == "bad_signature"
    assert ms_jwks_server.fetches == 1


def test_unreachable_keys_are_a_retryable_refusal(settings, mint, keys, ms_jwks_server) -> None:
    ms_jwks_server.status = 500
    token = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.microsoft)
    refusal = _refusal(lambda: verify_outlook_sso_token(f"Bearer {token}", settings, is_known_tenant=is_known_tenant))
    assert (refusal.code, refusal.status) == ("keys_unavailable", 503)


def test_keys_served_over_https_with_the_emulators_own_ca(settings, mint, keys, https_jwks_server) -> None:
    server, ca_bundle = https_jwks_server
    over_tls = settings.with_overrides(ms_jwks_url=server.url, ca_bundle=ca_bundle)
    token = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.microsoft)
    user = verify_outlook_sso_token(f"Bearer {token}", over_tls, is_known_tenant=is_known_tenant)
    assert user.oid == "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"


def test_https_keys_from_an_untrusted_ca_are_not_used(settings, mint, keys, https_jwks_server) -> None:
    server, _ = https_jwks_server
    untrusted = settings.with_overrides(ms_jwks_url=server.url, ca_bundle="")
    token = mint.sign(mint.claims("outlook_sso_access_token_v2"), keys.microsoft)
    refusal = _refusal(lambda: verify_outlook_sso_token(f"Bearer {token}", untrusted, is_known_tenant=is_known_tenant))
    assert refusal.code == "keys_unavailable"
