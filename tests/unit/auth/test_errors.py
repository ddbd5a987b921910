"""AuthError: the status each refusal deserves, and the WWW-Authenticate challenge it implies."""

from __future__ import annotations

import pytest

from addin_server.auth.bearer import bearer_token, looks_like_jwt
from addin_server.auth.errors import AuthError

STATUSES = {
    "no token at all is unauthenticated": ("missing_token", 401),
    "a forged token is unauthenticated": ("bad_signature", 401),
    "an expired token is unauthenticated": ("token_expired", 401),
    "a token of an unknown tenant is unauthenticated": ("unknown_tenant", 401),
    "another service account is forbidden": ("wrong_email", 403),
    "a token without our scope is forbidden": ("missing_scope", 403),
    "a wrong clientState is forbidden": ("bad_client_state", 403),
    "a bad link is forbidden": ("bad_link", 403),
    "unreachable signing keys are a retryable outage": ("keys_unavailable", 503),
    "a missing setting is a retryable outage": ("not_configured", 503),
}


@pytest.mark.parametrize("code, status", STATUSES.values(), ids=STATUSES.keys())
def test_status_of_each_refusal(code, status) -> None:
    assert AuthError(code, "message").status == status


CHALLENGES = {
    "no token asks for one": ("missing_token", 'Bearer realm="sequence-sidebar"'),
    "a bad token is an invalid_token": (
        "token_expired",
        'Bearer realm="sequence-sidebar", error="invalid_token", error_description="token_expired"',
    ),
    "a missing scope is insufficient_scope": (
        "missing_scope",
        'Bearer realm="sequence-sidebar", error="insufficient_scope", error_description="missing_scope"',
    ),
}


@pytest.mark.parametrize("code, challenge", CHALLENGES.values(), ids=CHALLENGES.keys())
def test_www_authenticate_challenge(code, challenge) -> None:
    assert AuthError(code, "message").www_authenticate() == challenge


BEARER = {
    "a Bearer header yields its token": ("Bearer abc.def.ghi", "abc.def.ghi"),
    "the scheme is case-insensitive": ("bearer abc.def.ghi", "abc.def.ghi"),
    "surrounding spaces are ignored": ("  Bearer   abc.def.ghi  ", "abc.def.ghi"),
}


@pytest.mark.parametrize("header, token", BEARER.values(), ids=BEARER.keys())
def test_bearer_token(header, token) -> None:
    assert bearer_token(header) == token


def test_api_keys_and_jwts_are_told_apart() -> None:
    assert looks_like_jwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
    assert not looks_like_jwt("ssk_live_4f9c2b7e1d3a")
    assert not looks_like_jwt("a.b.c" + "x" * 20_000)
