"""Google-signed ID tokens: add-on calls, the user's userIdToken, Pub/Sub pushes, and the key cache."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from addin_server.auth.errors import AuthError
from addin_server.auth.google_tokens import (
    AddonCaller,
    GoogleCertificates,
    GoogleUser,
    PubSubCaller,
    cache_lifetime,
    verify_addon_request,
    verify_pubsub_push,
    verify_user_id_token,
)

COMPOSE = "/gmail/compose"


@dataclass(frozen=True)
class Case:
    """One token Google (or an attacker) might send, and the refusal it must get ("" = accepted)."""

    code: str
    claims: dict[str, Any] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)  # claim -> seconds from now
    drop: tuple[str, ...] = ()
    forge: str = "published_key"
    header: str = "Bearer {token}"


def _token(case: Case, fixture: str, mint: Any, keys: Any) -> str:
    now = int(time.time())
    claims = mint.claims(
        fixture, drop=case.drop, **case.claims, **{name: now + offset for name, offset in case.times.items()}
    )
    if case.forge == "published_key":
        return str(mint.sign(claims, keys.google))
    if case.forge == "unpublished_key_same_kid":
        return str(mint.sign(claims, keys.intruder, kid=keys.google.kid))
    if case.forge == "unpublished_kid":
        return str(mint.sign(claims, keys.intruder))
    if case.forge == "alg_none":
        return str(mint.unsigned(claims, kid=keys.google.kid))
    if case.forge == "hs256_with_public_key":
        return str(mint.hs256_keyed_with_public_key(claims, keys.google))
    return case.forge  # a literal (malformed) token


def _refusal(call: Any) -> AuthError:
    with pytest.raises(AuthError) as caught:
        call()
    return caught.value


COMMON_TOKEN_CASES = {
    "an expired token is refused": Case("token_expired", times={"iat": -7200, "exp": -3600}),
    "a token expired a minute ago is refused despite the clock skew allowance": Case(
        "token_expired", times={"iat": -3660, "exp": -60}
    ),
    "a token issued in the future is refused": Case("token_not_yet_valid", times={"iat": 600, "exp": 4200}),
    "a token from another issuer is refused": Case("wrong_issuer", claims={"iss": "https://accounts.example.com"}),
    "a token without an expiry is refused": Case("malformed", drop=("exp",)),
    "a token signed by a key Google does not publish is refused": Case(
        "bad_signature", forge="unpublished_key_same_kid"
    ),
    "a token naming a key id Google does not publish is refused": Case("bad_signature", forge="unpublished_kid"),
    "an unsigned alg none token is refused": Case("bad_signature", forge="alg_none"),
    "an HS256 token keyed with Google's public key is refused": Case("bad_signature", forge="hs256_with_public_key"),
    "a token that is not a JWT is refused": Case("malformed", forge="not-a-jwt"),
    "a JWT-shaped string of garbage is refused": Case("malformed", forge="abc.def.ghi"),
}

ADDON_CASES = {
    "a system ID token minted for the endpoint's public URL is accepted": Case(""),
    **COMMON_TOKEN_CASES,
    "a token minted for another add-on endpoint is refused": Case(
        "wrong_audience", claims={"aud": "https://sidebar.example.com/gmail/homepage"}
    ),
    "a token minted for the request URL seen behind the proxy is refused": Case(
        "wrong_audience", claims={"aud": "http://10.0.3.7:8080/gmail/compose"}
    ),
    "a token of another Google service account is refused": Case(
        "wrong_email", claims={"email": "someone-else@attacker-project.iam.gserviceaccount.com"}
    ),
    "a token whose email is not verified is refused": Case("email_unverified", claims={"email_verified": False}),
    "a token without an email is refused": Case("wrong_email", drop=("email",)),
    "a call without an Authorization header is refused": Case("missing_token", header=""),
    "a call with Basic credentials is refused": Case("malformed", header="Basic dXNlcjpwYXNz"),
    "a call with an empty bearer token is refused": Case("malformed", header="Bearer "),
}


@pytest.mark.parametrize("case", ADDON_CASES.values(), ids=ADDON_CASES.keys())
def test_addon_request_token(case: Case, settings, mint, keys, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    token = _token(case, "google_addon_system_id_token", mint, keys)
    header = case.header.format(token=token) or None
    if not case.code:
        caller = verify_addon_request(header, COMPOSE, settings)
        assert caller == AddonCaller(
            email=settings.google_addon_service_account,
            subject="107346216373981230457",
            audience="https://sidebar.example.com/gmail/compose",
        )
        return
    refusal = _refusal(lambda: verify_addon_request(header, COMPOSE, settings))
    assert refusal.code == case.code
    assert refusal.status == (403 if case.code in {"wrong_email", "email_unverified"} else 401)
    # The refusal and the logs never echo the credential.
    assert token not in refusal.message and token not in caplog.text


def test_addon_audience_is_built_from_public_url_with_or_without_slashes(settings, mint, keys) -> None:
    token = mint.sign(mint.claims("google_addon_system_id_token"), keys.google)
    slashed = settings.with_overrides(public_url="https://sidebar.example.com/")
    assert verify_addon_request(f"Bearer {token}", "gmail/compose", slashed).audience == (
        "https://sidebar.example.com/gmail/compose"
    )


DECLARED = ("/gmail/homepage", "/gmail/message", "/gmail/compose", "/gmail/actions/refresh")
AUDIENCE_CASES = {
    "a token naming one declared url opens a call to another": ("https://sidebar.example.com/gmail/homepage", ""),
    "a token naming a declared url with a query string is accepted":
        ("https://sidebar.example.com/gmail/actions/refresh?authuser=0", ""),
    "a token naming an undeclared path of this host is refused":
        ("https://sidebar.example.com/gmail/actions/delete", "wrong_audience"),
    "a token naming a declared path on another host is refused": ("https://evil.example/gmail/compose", "wrong_audience"),
    "a token naming a declared url with a fragment is refused: only the query may differ":
        ("https://sidebar.example.com/gmail/compose#x", "wrong_audience"),
    "a token naming a declared url as one of a list is accepted":
        (["https://other.example/", "https://sidebar.example.com/gmail/compose"], ""),
    "a token naming no string audience is refused": (42, "wrong_audience"),
}


@pytest.mark.parametrize(("aud", "code"), AUDIENCE_CASES.values(), ids=AUDIENCE_CASES.keys())
def test_addon_token_audience_is_any_url_the_deployment_declares(settings, mint, keys, aud, code) -> None:
    token = mint.sign(mint.claims("google_addon_system_id_token", aud=aud), keys.google)
    if not code:
        assert verify_addon_request(f"Bearer {token}", DECLARED, settings).audience in (
            aud if isinstance(aud, list) else [aud])
        return
    assert _refusal(lambda: verify_addon_request(f"Bearer {token}", DECLARED, settings)).code == code


def test_addon_token_with_no_declared_url_is_refused_as_not_configured(settings, mint, keys) -> None:
    token = mint.sign(mint.claims("google_addon_system_id_token"), keys.google)
    assert _refusal(lambda: verify_addon_request(f"Bearer {token}", (), settings)).code == "not_configured"


PUBSUB_CASES = {
    "a push token for our audience from the push service account is accepted": Case(""),
    **COMMON_TOKEN_CASES,
    "a push token for another audience is refused": Case(
        "wrong_audience", claims={"aud": "https://other-service.example.com/push"}
    ),
    "a push token from another service account is refused": Case(
        "wrong_email", claims={"email": "intruder@attacker-project.iam.gserviceaccount.com"}
    ),
    "a push token whose email is not verified is refused": Case("email_unverified", claims={"email_verified": False}),
    "a push without an Authorization header is refused": Case("missing_token", header=""),
}


@pytest.mark.parametrize("case", PUBSUB_CASES.values(), ids=PUBSUB_CASES.keys())
def test_pubsub_push_token(case: Case, settings, mint, keys) -> None:
    token = _token(case, "pubsub_push_oidc_token", mint, keys)
    header = case.header.format(token=token) or None
    if not case.code:
        assert verify_pubsub_push(header, settings) == PubSubCaller(
            email=settings.pubsub_service_account, subject="118034957301958273650"
        )
        return
    refusal = _refusal(lambda: verify_pubsub_push(header, settings))
    assert refusal.code == case.code
    assert token not in refusal.message


USER_CASES = {
    "the user's ID token for our OAuth client is accepted": Case(""),
    **COMMON_TOKEN_CASES,
    "a user ID token for another OAuth client is refused": Case(
        "wrong_audience", claims={"aud": "999-other-app.apps.googleusercontent.com"}
    ),
    "a user ID token with an unverified email is refused": Case("email_unverified", claims={"email_verified": False}),
    "a user ID token without an email is refused": Case("malformed", drop=("email",)),
    "an empty user ID token is refused": Case("missing_token", forge=""),
}


@pytest.mark.parametrize("case", USER_CASES.values(), ids=USER_CASES.keys())
def test_user_id_token(case: Case, settings, mint, keys) -> None:
    token = _token(case, "google_user_id_token", mint, keys)
    if not case.code:
        assert verify_user_id_token(token, settings) == GoogleUser(
            sub="112233445566778899001", email="rita.rep@acme-sales.example.com", hd="acme-sales.example.com"
        )
        return
    refusal = _refusal(lambda: verify_user_id_token(token, settings))
    assert refusal.code == case.code


def test_consumer_account_user_has_no_hosted_domain(settings, mint, keys) -> None:
    token = mint.sign(mint.claims("google_user_id_token", drop=("hd",), email="rita@gmail.example"), keys.google)
    assert verify_user_id_token(token, settings).hd is None


UNCONFIGURED = {
    "no add-on service account configured refuses add-on calls": (
        {"google_addon_service_account": ""},
        lambda token, s: verify_addon_request(f"Bearer {token}", COMPOSE, s),
    ),
    "no Pub/Sub audience configured refuses pushes instead of skipping the audience check": (
        {"pubsub_audience": ""},
        lambda token, s: verify_pubsub_push(f"Bearer {token}", s),
    ),
    "no Pub/Sub service account configured refuses pushes": (
        {"pubsub_service_account": ""},
        lambda token, s: verify_pubsub_push(f"Bearer {token}", s),
    ),
    "no certificate URL configured refuses add-on calls": (
        {"google_certs_url": ""},
        lambda token, s: verify_addon_request(f"Bearer {token}", COMPOSE, s),
    ),
    "no OAuth client id configured refuses user ID tokens instead of skipping the audience check": (
        {"google_oauth_client_id": ""},
        lambda token, s: verify_user_id_token(token, s),
    ),
}


@pytest.mark.parametrize("changes, verify", UNCONFIGURED.values(), ids=UNCONFIGURED.keys())
def test_missing_setting_fails_closed(changes, verify, settings, mint, keys, google_certs_server) -> None:
    token = mint.sign(mint.claims("pubsub_push_oidc_token", aud=""), keys.google)
    refusal = _refusal(lambda: verify(token, settings.with_overrides(**changes)))
    assert (refusal.code, refusal.status) == ("not_configured", 503)
    assert google_certs_server.fetches == 0


# --- the certificate cache ----------------------------------------------------------------------------


def test_certificates_are_fetched_once_for_many_verifications(settings, mint, keys, google_certs_server) -> None:
    for _ in range(25):
        token = mint.sign(mint.claims("pubsub_push_oidc_token"), keys.google)
        verify_pubsub_push(f"Bearer {token}", settings)
        verify_addon_request(
            f"Bearer {mint.sign(mint.claims('google_addon_system_id_token'), keys.google)}", COMPOSE, settings
        )
    assert google_certs_server.fetches == 1


def test_certificates_are_refetched_when_their_max_age_has_passed(mint, keys, google_certs_server, clock) -> None:
    google_certs_server.cache_control = "public, max-age=600"
    certificates = GoogleCertificates(google_certs_server.url, clock=clock)
    certificates.key_for(keys.google.kid)
    clock.advance(599)
    certificates.key_for(keys.google.kid)
    assert google_certs_server.fetches == 1
    clock.advance(2)
    certificates.key_for(keys.google.kid)
    assert google_certs_server.fetches == 2


def test_a_rotated_key_is_fetched_when_a_token_names_it(settings, mint, keys, google_certs_server, clock) -> None:
    certificates = GoogleCertificates(google_certs_server.url, clock=clock)
    push = mint.claims("pubsub_push_oidc_token")
    verify_pubsub_push(f"Bearer {mint.sign(push, keys.google)}", settings, certificates=certificates)
    google_certs_server.document = {
        keys.google.kid: keys.google.certificate_pem(),
        keys.google_rotated.kid: keys.google_rotated.certificate_pem(),
    }
    clock.advance(31)
    caller = verify_pubsub_push(f"Bearer {mint.sign(push, keys.google_rotated)}", settings, certificates=certificates)
    assert caller.email == settings.pubsub_service_account
    assert google_certs_server.fetches == 2


def test_unknown_key_ids_do_not_trigger_a_fetch_per_request(settings, mint, keys, google_certs_server, clock) -> None:
    certificates = GoogleCertificates(google_certs_server.url, clock=clock)
    certificates.key_for(keys.google.kid)
    forged = f"Bearer {mint.sign(mint.claims('pubsub_push_oidc_token'), keys.intruder)}"
    for _ in range(10):
        assert _refusal(lambda: verify_pubsub_push(forged, settings, certificates=certificates)).code == (
            "bad_signature"
        )
    assert google_certs_server.fetches == 1
    clock.advance(31)
    _refusal(lambda: verify_pubsub_push(forged, settings, certificates=certificates))
    assert google_certs_server.fetches == 2


def test_unreachable_certificates_are_a_retryable_refusal(settings, mint, keys, google_certs_server) -> None:
    google_certs_server.status = 500
    token = mint.sign(mint.claims("pubsub_push_oidc_token"), keys.google)
    refusal = _refusal(lambda: verify_pubsub_push(f"Bearer {token}", settings))
    assert (refusal.code, refusal.status) == ("keys_unavailable", 503)


def test_cached_keys_keep_working_while_the_certificate_endpoint_is_down(
    settings, mint, keys, google_certs_server, clock
) -> None:
    google_certs_server.cache_control = "max-age=600"
    certificates = GoogleCertificates(google_certs_server.url, clock=clock)
    token = f"Bearer {mint.sign(mint.claims('pubsub_push_oidc_token'), keys.google)}"
    verify_pubsub_push(token, settings, certificates=certificates)
    google_certs_server.status = 503
    clock.advance(601)
    assert verify_pubsub_push(token, settings, certificates=certificates).email == settings.pubsub_service_account
    assert google_certs_server.fetches == 2


def test_certificates_in_jwk_set_format_are_accepted(settings, mint, keys, google_certs_server) -> None:
    google_certs_server.document = {"keys": [keys.google.jwk()]}
    token = mint.sign(mint.claims("pubsub_push_oidc_token"), keys.google)
    assert verify_pubsub_push(f"Bearer {token}", settings).email == settings.pubsub_service_account


CACHE_CONTROL = {
    "Google's usual header keeps keys for its max-age": (
        "public, max-age=19809, must-revalidate, no-transform",
        19809,
    ),
    "no Cache-Control keeps keys for an hour": (None, 3600),
    "max-age=0 still keeps keys for a minute rather than fetching per request": ("no-cache, max-age=0", 60),
    "a max-age of a month is capped at a day": ("max-age=2592000", 86400),
}


@pytest.mark.parametrize("header, seconds", CACHE_CONTROL.values(), ids=CACHE_CONTROL.keys())
def test_cache_lifetime(header, seconds) -> None:
    assert cache_lifetime(header) == seconds


def test_an_unreadable_certificate_does_not_hide_the_good_ones(settings, mint, keys, google_certs_server) -> None:
    google_certs_server.document = {
        "broken-kid": "-----BEGIN CERTIFICATE-----\nnot base64\n",
        **google_certs_server.document,
    }
    token = mint.sign(mint.claims("pubsub_push_oidc_token"), keys.google)
    assert verify_pubsub_push(f"Bearer {token}", settings).email == settings.pubsub_service_account


def test_a_remembered_push_token_still_meets_each_configurations_expectations(
        settings, mint, keys, google_certs_server, clock) -> None:
    certificates = GoogleCertificates(google_certs_server.url, clock=clock)
    header = f"Bearer {mint.sign(mint.claims('pubsub_push_oidc_token'), keys.google)}"
    assert verify_pubsub_push(header, settings, certificates=certificates).email == settings.pubsub_service_account
    elsewhere = settings.with_overrides(pubsub_audience="https://elsewhere.test/push")
    assert _refusal(lambda: verify_pubsub_push(header, elsewhere, certificates=certificates)).code == "wrong_audience"
    other_account = settings.with_overrides(pubsub_service_account="intruder@evil.iam.gserviceaccount.com")
    assert _refusal(lambda: verify_pubsub_push(header, other_account, certificates=certificates)).code == "wrong_email"
