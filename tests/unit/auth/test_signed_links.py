"""Signed link tokens for sequence emails: unsubscribe and meeting booking."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner

from addin_server.auth.errors import AuthError
from addin_server.auth.signed_links import (
    LinkPurpose,
    MeetingLink,
    make_link_token,
    make_meeting_token,
    make_unsubscribe_token,
    read_link_token,
    read_meeting_token,
    read_unsubscribe_token,
)
from addin_server.config import Settings

SETTINGS = Settings(secret_key="unit-test-secret-key-not-for-production")
SEQUENCE_EMAIL_ID = "5b0e4c1a-9d3f-4e27-8a61-0c2f7d9e3b48"
REP_ID = "a7d3c2b1-0e9f-4a8b-9c7d-6e5f4a3b2c1d"


def test_an_unsubscribe_link_names_its_sequence_email() -> None:
    token = make_unsubscribe_token(SEQUENCE_EMAIL_ID, SETTINGS)
    assert read_unsubscribe_token(token, SETTINGS) == SEQUENCE_EMAIL_ID


def test_a_meeting_link_names_its_sequence_email_and_rep() -> None:
    token = make_meeting_token(SEQUENCE_EMAIL_ID, REP_ID, SETTINGS)
    assert read_meeting_token(token, SETTINGS) == MeetingLink(SEQUENCE_EMAIL_ID, REP_ID)


def test_any_payload_round_trips_for_its_purpose() -> None:
    payload = {"e": SEQUENCE_EMAIL_ID, "extra": [1, "two"]}
    assert read_link_token("meeting", make_link_token("meeting", payload, SETTINGS), SETTINGS) == payload


def test_tokens_are_url_safe_and_short_enough_for_an_email_link() -> None:
    for token in (
        make_unsubscribe_token(SEQUENCE_EMAIL_ID, SETTINGS),
        make_meeting_token(SEQUENCE_EMAIL_ID, REP_ID, SETTINGS),
    ):
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", token)
        assert len(token) <= 200


def _tampered(token: str) -> str:
    payload, rest = token.split(".", 1)
    other = make_unsubscribe_token("00000000-0000-4000-8000-000000000000", SETTINGS).split(".", 1)[0]
    return f"{other}.{rest}" if other != payload else token[:-1]


def _flip_signature_character(token: str) -> str:
    # Not the last character: its low bits are base64 padding and may not change the decoded bytes.
    position = len(token) - 10
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


REFUSED = {
    "a token with another email's payload under the original signature is refused": (
        lambda t: _tampered(t),
        "bad_link",
    ),
    "a token with a flipped signature character is refused": (
        lambda t: _flip_signature_character(t),
        "bad_link",
    ),
    "a truncated token is refused": (lambda t: t[: len(t) // 2], "bad_link"),
    "an empty token is refused": (lambda t: "", "bad_link"),
    "an absurdly long token is refused": (lambda t: t + "A" * 5000, "bad_link"),
    "a meeting token cannot be used to unsubscribe": (
        lambda t: make_meeting_token(SEQUENCE_EMAIL_ID, REP_ID, SETTINGS),
        "bad_link",
    ),
    "a token signed by another deployment is refused": (
        lambda t: make_unsubscribe_token(SEQUENCE_EMAIL_ID, Settings(secret_key="someone-else")),
        "bad_link",
    ),
}


@pytest.mark.parametrize("change, code", REFUSED.values(), ids=REFUSED.keys())
def test_a_forged_unsubscribe_link_is_refused(change, code) -> None:
    token = make_unsubscribe_token(SEQUENCE_EMAIL_ID, SETTINGS)
    with pytest.raises(AuthError) as caught:
        read_unsubscribe_token(change(token), SETTINGS)
    assert (caught.value.code, caught.value.status) == (code, 403)


def test_an_unsubscribe_token_cannot_open_a_meeting_link() -> None:
    token = make_unsubscribe_token(SEQUENCE_EMAIL_ID, SETTINGS)
    with pytest.raises(AuthError) as caught:
        read_meeting_token(token, SETTINGS)
    assert caught.value.code == "bad_link"


def test_a_link_older_than_its_max_age_has_expired(monkeypatch) -> None:
    issued_two_days_ago = int(time.time()) - 2 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_two_days_ago)
    token = make_meeting_token(SEQUENCE_EMAIL_ID, REP_ID, SETTINGS)
    monkeypatch.undo()
    with pytest.raises(AuthError) as caught:
        read_meeting_token(token, SETTINGS, max_age=86400)
    assert (caught.value.code, caught.value.status) == ("expired_link", 403)
    # Without a max age the same link still works (unsubscribe links should keep working).
    assert read_meeting_token(token, SETTINGS).rep_id == REP_ID


def test_an_unknown_purpose_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        make_link_token("password-reset", {"e": "1"}, SETTINGS)
    assert LinkPurpose("unsubscribe") is LinkPurpose.UNSUBSCRIBE
