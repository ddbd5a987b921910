"""ID tokens minted by the emulator, checked with google-auth against the certificates it serves."""

from __future__ import annotations

import google.auth.transport.requests
import pytest
import requests
from google.oauth2 import id_token

ENDPOINT = "https://addin.acme.example/gmail/homepage"
CLIENT_ID = "1234-addon.apps.googleusercontent.com"
PUSH_AUDIENCE = "https://addin.acme.example/webhooks/gmail"


def _verify(control, token: str, audience: str) -> dict:
    return id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience=audience, certs_url=control.certs_url
    )


def test_the_certificates_are_served_as_google_serves_them(control):
    certs = requests.get(control.certs_url, timeout=10).json()
    jwks = requests.get(f"{control.base_url}/oauth2/v3/certs", timeout=10).json()

    [(kid, pem)] = certs.items()
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert [key["kid"] for key in jwks["keys"]] == [kid]


@pytest.mark.parametrize(
    ("kind", "audience", "email", "expected"),
    [
        pytest.param("addon_system", ENDPOINT, None,
                     {"email": "service-000000000000@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"},
                     id="the add-on system token is accepted for its endpoint URL"),
        pytest.param("user", CLIENT_ID, "riley@acme-sales.example",
                     {"email": "riley@acme-sales.example", "aud": CLIENT_ID},
                     id="the userIdToken is accepted for the OAuth client id"),
        pytest.param("pubsub", PUSH_AUDIENCE, "push@acme.iam.gserviceaccount.com",
                     {"email": "push@acme.iam.gserviceaccount.com"},
                     id="the Pub/Sub push token is accepted for the push audience"),
    ],
)
def test_good_tokens_verify_with_google_auth(control, kind, audience, email, expected):
    token = control.mint_id_token(kind, audience=audience, email=email)

    claims = _verify(control, token, audience)

    assert claims["iss"] == "https://accounts.google.com" and claims["email_verified"] is True
    assert expected.items() <= claims.items()
    assert claims["sub"].isdigit()


@pytest.mark.parametrize(
    ("flaw", "message"),
    [
        pytest.param("expired", "expired", id="an expired token is rejected"),
        pytest.param("wrong_audience", "audience", id="a token for another audience is rejected"),
        pytest.param("unknown_key", "key id", id="a token signed by an unpublished key is rejected"),
    ],
)
def test_broken_tokens_are_rejected_by_google_auth(control, flaw, message):
    token = control.mint_id_token("addon_system", audience=ENDPOINT, flaw=flaw)

    with pytest.raises(ValueError, match=message):
        _verify(control, token, ENDPOINT)


def test_a_token_from_another_issuer_verifies_but_names_that_issuer(control):
    # verify_token leaves the issuer to the caller (verify_oauth2_token checks it but only against
    # Google's own certificate URL), so the service must check iss itself.
    token = control.mint_id_token("pubsub", audience=PUSH_AUDIENCE, flaw="wrong_issuer")

    assert _verify(control, token, PUSH_AUDIENCE)["iss"] == "https://issuer.example"


def test_the_same_email_always_gets_the_same_subject(emulator):
    from addin_emulator.google.state import google_state

    issuer = google_state(emulator.app).issuer
    first = issuer.user_id_token("riley@acme-sales.example")
    second = issuer.user_id_token("riley@acme-sales.example")

    import jwt

    subs = {jwt.decode(t, options={"verify_signature": False})["sub"] for t in (first, second)}
    assert len(subs) == 1
