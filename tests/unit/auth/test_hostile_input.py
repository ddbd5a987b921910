"""Whatever a caller sends, the verifiers answer with an AuthError (a 401/403), never a crash (a 500)."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from addin_server.auth.client_state import issue_client_state, verify_client_state
from addin_server.auth.errors import AuthError
from addin_server.auth.google_tokens import verify_addon_request, verify_user_id_token
from addin_server.auth.microsoft_tokens import verify_outlook_sso_token
from addin_server.auth.signed_links import make_unsubscribe_token, read_meeting_token, read_unsubscribe_token
from addin_server.config import Settings

# The key-server fixtures live for the whole test function; hypothesis reuses them across examples.
REUSES_FIXTURES = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@st.composite
def jwt_shaped(draw: st.DrawFn) -> str:
    """Tokens that get past the shape check: real JSON header and payload, any claims, junk signature."""
    header = draw(
        st.fixed_dictionaries(
            {"alg": st.sampled_from(["RS256", "none", "HS256", "ES256", ""]) | st.text(max_size=5)},
            optional={"kid": st.sampled_from(["google-key-1", "ms-key-1"]) | json_values, "typ": json_values},
        )
        | json_values
    )
    claims = draw(
        st.dictionaries(st.sampled_from(["aud", "iss", "exp", "iat", "tid", "scp", "email"]), json_values) | json_values
    )
    signature = draw(st.binary(max_size=64))
    return f"{_segment(header)}.{_segment(claims)}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


hostile_tokens = st.text(max_size=200) | jwt_shaped()


@REUSES_FIXTURES
@given(token=hostile_tokens)
def test_any_add_on_authorization_header_is_refused_cleanly(settings, token) -> None:
    for header in (token, f"Bearer {token}"):
        try:
            verify_addon_request(header, "/gmail/compose", settings)
        except AuthError as refusal:
            assert refusal.status in (401, 403)


@REUSES_FIXTURES
@given(token=hostile_tokens)
def test_any_user_id_token_is_refused_cleanly(settings, token) -> None:
    try:
        verify_user_id_token(token, settings)
    except AuthError as refusal:
        assert refusal.status in (401, 403)


@REUSES_FIXTURES
@given(token=hostile_tokens)
def test_any_outlook_token_is_refused_cleanly(settings, token) -> None:
    try:
        verify_outlook_sso_token(f"Bearer {token}", settings, is_known_tenant=lambda tid: True)
    except AuthError as refusal:
        assert refusal.status in (401, 403)


LINK_SETTINGS = Settings(secret_key="unit-test-secret-key-not-for-production")
GENUINE = make_unsubscribe_token("5b0e4c1a-9d3f-4e27-8a61-0c2f7d9e3b48", LINK_SETTINGS)


@hypothesis_settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(GENUINE) - 1), character=st.characters())
def test_a_changed_link_is_refused_or_still_names_the_same_email(position, character) -> None:
    changed = GENUINE[:position] + character + GENUINE[position + 1 :]
    try:
        assert read_unsubscribe_token(changed, LINK_SETTINGS) == "5b0e4c1a-9d3f-4e27-8a61-0c2f7d9e3b48"
    except AuthError as refusal:
        assert refusal.code == "bad_link"


claim_overrides = st.dictionaries(
    st.sampled_from(["aud", "iss", "exp", "iat", "nbf", "sub", "email", "email_verified", "tid", "oid", "scp"]),
    json_values | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(),
    max_size=4,
)


@REUSES_FIXTURES
@given(overrides=claim_overrides)
def test_a_genuinely_signed_token_with_odd_claims_is_accepted_or_refused_cleanly(
    settings, mint, keys, overrides
) -> None:
    google = mint.sign(mint.claims("google_addon_system_id_token", **overrides), keys.google)
    microsoft = mint.sign(mint.claims("outlook_sso_access_token_v2", **overrides), keys.microsoft)
    for verify in (
        lambda: verify_addon_request(f"Bearer {google}", "/gmail/compose", settings),
        lambda: verify_outlook_sso_token(f"Bearer {microsoft}", settings, is_known_tenant=lambda tid: True),
    ):
        try:
            verify()
        except AuthError as refusal:
            assert refusal.status in (401, 403)


@hypothesis_settings(max_examples=200, deadline=None)
@given(received=st.none() | st.text(max_size=200))
def test_any_client_state_is_matched_or_refused_cleanly(received) -> None:
    issued = issue_client_state(LINK_SETTINGS)
    try:
        verify_client_state(received, issued.stored_hash, LINK_SETTINGS)
    except AuthError as refusal:
        assert refusal.code == "bad_client_state"
    else:
        assert received == issued.secret


@hypothesis_settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=300))
def test_any_text_as_a_link_token_is_refused_cleanly(token) -> None:
    try:
        read_meeting_token(token, LINK_SETTINGS)
    except AuthError as refusal:
        assert refusal.code == "bad_link"
