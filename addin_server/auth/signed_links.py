"""Signed tokens for the links we put in sequence emails (unsubscribe, meeting booking).

A token is the payload (compact JSON), a timestamp and an HMAC-SHA256 over both, keyed from
SECRET_KEY and salted with the link's purpose, all URL-safe base64 (itsdangerous). So a token is
tamper-evident, cannot be guessed, and cannot be replayed for another purpose: an unsubscribe token
does not open a meeting link. Tokens are not encrypted: payloads carry ids, never personal data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from addin_server.auth.errors import AuthError
from addin_server.config import Settings

# Real tokens are ~100 characters; refuse to even parse anything much longer.
MAX_LINK_TOKEN_CHARS = 1024
# What our tokens are made of (URL-safe base64 and dots); anything else is refused before parsing.
_LINK_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_.\-]+$")


class LinkPurpose(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    MEETING = "meeting"


@dataclass(frozen=True)
class MeetingLink:
    """What a meeting-booking link is bound to: the sequence email it came in and the rep to book."""

    sequence_email_id: str
    rep_id: str


def _serializer(purpose: LinkPurpose | str, settings: Settings) -> URLSafeTimedSerializer:
    link_purpose = LinkPurpose(purpose)  # an unknown purpose is a programming error: ValueError
    return URLSafeTimedSerializer(
        settings.secret_key,
        salt=f"sequence-sidebar/link/{link_purpose.value}",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def make_link_token(purpose: LinkPurpose | str, payload: dict[str, Any], settings: Settings) -> str:
    """A URL-safe signed token carrying `payload` (JSON-serialisable) for links of `purpose`."""
    token = _serializer(purpose, settings).dumps(payload)
    return token if isinstance(token, str) else token.decode("ascii")


def read_link_token(
    purpose: LinkPurpose | str, token: str, settings: Settings, max_age: int | None = None
) -> dict[str, Any]:
    """The payload of a token made for `purpose`; AuthError(bad_link / expired_link) otherwise.

    `max_age` (seconds) refuses tokens issued longer ago than that.
    """
    serializer = _serializer(purpose, settings)
    if not token or len(token) > MAX_LINK_TOKEN_CHARS or not _LINK_TOKEN_SHAPE.match(token):
        raise AuthError("bad_link", "This link is not valid.")
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AuthError("expired_link", "This link has expired.") from exc
    except BadData as exc:
        raise AuthError("bad_link", "This link is not valid.") from exc
    if not isinstance(payload, dict):
        raise AuthError("bad_link", "This link is not valid.")
    return payload


# Payload keys are one letter: the token ends up in every email, and shorter links wrap less.
def make_unsubscribe_token(sequence_email_id: str, settings: Settings) -> str:
    """The token of the unsubscribe link in one sequence email."""
    return make_link_token(LinkPurpose.UNSUBSCRIBE, {"e": sequence_email_id}, settings)


def read_unsubscribe_token(token: str, settings: Settings, max_age: int | None = None) -> str:
    """The sequence email id an unsubscribe token is bound to."""
    payload = read_link_token(LinkPurpose.UNSUBSCRIBE, token, settings, max_age=max_age)
    sequence_email_id = payload.get("e")
    if not isinstance(sequence_email_id, str) or not sequence_email_id:
        raise AuthError("bad_link", "This link is not valid.")
    return sequence_email_id


def make_meeting_token(sequence_email_id: str, rep_id: str, settings: Settings) -> str:
    """The token of the meeting-booking link in one sequence email, for the rep who sent it."""
    return make_link_token(LinkPurpose.MEETING, {"e": sequence_email_id, "r": rep_id}, settings)


def read_meeting_token(token: str, settings: Settings, max_age: int | None = None) -> MeetingLink:
    """The sequence email and rep a meeting token is bound to."""
    payload = read_link_token(LinkPurpose.MEETING, token, settings, max_age=max_age)
    sequence_email_id, rep_id = payload.get("e"), payload.get("r")
    if not (isinstance(sequence_email_id, str) and sequence_email_id and isinstance(rep_id, str) and rep_id):
        raise AuthError("bad_link", "This link is not valid.")
    return MeetingLink(sequence_email_id=sequence_email_id, rep_id=rep_id)


# A booking page is public, but a rep's page must not be found by counting user ids: its path is
# the id and a keyed digest of it (96 bits). Stateless, and it never expires, like the email links.
_BOOKING_PAGE_PURPOSE = b"sequence-sidebar/booking-page\x00"
_BOOKING_KEY_SHAPE = re.compile(r"^([0-9]{1,19})-[A-Za-z0-9_\-]{16}$")


def booking_page_key(rep_id: int | str, settings: Settings) -> str:
    """The path segment of a rep's booking page (/meet/<key>)."""
    mac = hmac.new(settings.secret_key.encode("utf-8"), _BOOKING_PAGE_PURPOSE + str(rep_id).encode("ascii"),
                   hashlib.sha256).digest()
    return f"{rep_id}-{base64.urlsafe_b64encode(mac[:12]).decode('ascii')}"


def rep_of_booking_key(key: str, settings: Settings) -> str | None:
    """The rep id a booking page key names, or None when the key is not one of ours."""
    found = _BOOKING_KEY_SHAPE.match(key or "")
    if found is None:
        return None
    return found.group(1) if hmac.compare_digest(booking_page_key(found.group(1), settings), key) else None
