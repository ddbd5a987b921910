"""google-auth credentials refreshing at the emulator's token endpoint; grants revoked and renewed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from google.auth.exceptions import RefreshError


def test_credentials_refresh_at_the_emulator_and_then_read_the_mailbox(mailbox, control):
    control.clear_requests()

    profile = mailbox.gmail.users().getProfile(userId="me").execute()

    assert profile["emailAddress"] == mailbox.address
    assert mailbox.credentials.token.startswith("ya29.")
    assert [r["path"] for r in control.requests()] == ["/token", "/gmail/v1/users/me/profile"]


def test_a_revoked_grant_answers_invalid_grant(mailbox, control):
    control.revoke(refresh_token=mailbox.refresh_token)

    with pytest.raises(RefreshError) as caught:
        mailbox.gmail.users().getProfile(userId="me").execute()

    assert "invalid_grant" in str(caught.value)
    answer = requests.post(
        control.token_uri,
        data={
            "grant_type": "refresh_token",
            "refresh_token": mailbox.refresh_token,
            "client_id": mailbox.credentials.client_id,
            "client_secret": mailbox.credentials.client_secret,
        },
        timeout=10,
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_revoking_a_grant_also_ends_its_access_tokens(mailbox, control):
    mailbox.gmail.users().getProfile(userId="me").execute()
    token = mailbox.credentials.token

    control.revoke(address=mailbox.address)

    answer = requests.get(
        f"{control.base_url}/gmail/v1/users/me/profile", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 401


def test_an_unknown_bearer_token_answers_401_in_google_s_shape(control):
    answer = requests.get(
        f"{control.base_url}/gmail/v1/users/me/profile", headers={"Authorization": "Bearer made-up"}, timeout=10
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_access_token_is_refreshed_by_the_client_and_the_call_goes_through(mailbox, control):
    mailbox.gmail.users().getProfile(userId="me").execute()
    first_token = mailbox.credentials.token
    control.advance_clock(3601)
    control.clear_requests()

    profile = mailbox.gmail.users().getProfile(userId="me").execute()

    assert profile["emailAddress"] == mailbox.address and mailbox.credentials.token != first_token
    assert [(r["path"], r["status"]) for r in control.requests()] == [
        ("/gmail/v1/users/me/profile", 401),
        ("/token", 200),
        ("/gmail/v1/users/me/profile", 200),
    ]


def test_a_token_endpoint_outage_is_retried_by_google_auth(mailbox, control):
    control.inject_fault("/token", 503, count=1)
    control.clear_requests()

    profile = mailbox.gmail.users().getProfile(userId="me").execute()

    assert profile["emailAddress"] == mailbox.address
    assert [(r["path"], r["status"]) for r in control.requests()][:2] == [("/token", 503), ("/token", 200)]


def test_the_consent_redirect_gives_a_code_that_exchanges_for_a_refresh_token(mailbox, control):
    consent = requests.get(
        control.auth_uri,
        params={
            "client_id": "web-client.apps.googleusercontent.com",
            "redirect_uri": "http://127.0.0.1:9/oauth/google/callback",
            "response_type": "code",
            "scope": "https://www.googleapis.com/auth/gmail.readonly",
            "access_type": "offline",
            "state": "csrf-123",
            "login_hint": mailbox.address,
        },
        allow_redirects=False,
        timeout=10,
    )
    query = parse_qs(urlparse(consent.headers["Location"]).query)

    exchanged = requests.post(
        control.token_uri,
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": "web-client.apps.googleusercontent.com",
            "client_secret": "web-secret",
            "redirect_uri": "http://127.0.0.1:9/oauth/google/callback",
        },
        timeout=10,
    ).json()

    assert consent.status_code == 302 and query["state"] == ["csrf-123"]
    assert exchanged["refresh_token"].startswith("1//") and exchanged["access_token"].startswith("ya29.")
    assert exchanged["scope"] == "https://www.googleapis.com/auth/gmail.readonly"
    refreshed = requests.post(
        control.token_uri,
        data={"grant_type": "refresh_token", "refresh_token": exchanged["refresh_token"],
              "client_id": "web-client.apps.googleusercontent.com", "client_secret": "another-secret"},
        timeout=10,
    )
    assert (refreshed.status_code, refreshed.json()["error"]) == (401, "invalid_client")


def test_a_consent_for_an_unknown_mailbox_redirects_with_access_denied(control):
    consent = requests.get(
        control.auth_uri,
        params={"client_id": "web-client", "redirect_uri": "http://127.0.0.1:9/cb", "state": "s1",
                "login_hint": "stranger@elsewhere.example"},
        allow_redirects=False,
        timeout=10,
    )

    assert parse_qs(urlparse(consent.headers["Location"]).query) == {"error": ["access_denied"], "state": ["s1"]}


def test_revoking_one_grant_leaves_the_mailbox_s_other_grants_working(mailbox, control):
    other = control.issue_grant(mailbox.address)
    control.revoke(refresh_token=mailbox.refresh_token)

    answer = requests.post(
        control.token_uri,
        data={"grant_type": "refresh_token", "refresh_token": other["refresh_token"],
              "client_id": other["client_id"], "client_secret": other["client_secret"]},
        timeout=10,
    )

    assert answer.status_code == 200 and answer.json()["access_token"].startswith("ya29.")
