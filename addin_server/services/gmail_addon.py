"""What the Gmail add-on needs beyond the lookup: who took part in an opened message, and the rep.

Opening a received message gives the add-on only the message id and two short-lived tokens (the
user's OAuth token and a per-message access token, metadata scope). The participants come from the
Gmail API, read through a small port so tests and the dev preview can stand in for Gmail; the real
reader asks Gmail through providers/gmail_metadata.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any, Protocol

from sqlalchemy import select

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.providers.gmail_metadata import MetadataUnavailable, message_headers
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import get_user
from addin_server.services.identity import google_claimant, principal_for_user

log = logging.getLogger(__name__)

# The headers that name a message's participants, in the order the card shows them.
PARTICIPANT_HEADERS = ("From", "To", "Cc")


@dataclass(frozen=True)
class Participant:
    """One address on an opened message, with the header it came from (From, To or Cc)."""

    field: str
    address: str
    display_name: str = ""


class MessageUnavailable(Exception):
    """The opened message could not be read; `expired` when Google refused the event's tokens."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class MessageMetadataReader(Protocol):
    """Reads the participants of the message a rep has open in Gmail."""

    def participants(self, message_id: str, access_token: str, user_oauth_token: str) -> list[Participant]: ...


def participants_from_headers(headers: list[dict[str, Any]]) -> list[Participant]:
    """Participants named by a Gmail message resource's payload.headers (From first, then To, Cc)."""
    found: list[Participant] = []
    seen: set[str] = set()
    for wanted in PARTICIPANT_HEADERS:
        values = [str(h.get("value", "")) for h in headers
                  if isinstance(h, dict) and str(h.get("name", "")).lower() == wanted.lower()]
        for name, address in getaddresses(values):
            key = address.strip().lower()
            if "@" not in key or key in seen:
                continue
            seen.add(key)
            found.append(Participant(field=wanted, address=address.strip(), display_name=name.strip()))
    return found


class GmailApiMessageReader:
    """`users.messages.get(format=metadata)` with the event's tokens (providers/gmail_metadata)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def participants(self, message_id: str, access_token: str, user_oauth_token: str) -> list[Participant]:
        if not message_id or not access_token or not user_oauth_token:
            raise MessageUnavailable("the event carries no message or no tokens", expired=True)
        try:
            headers = message_headers(self._settings, message_id, access_token=access_token,
                                      user_oauth_token=user_oauth_token, header_names=list(PARTICIPANT_HEADERS))
        except MetadataUnavailable as exc:
            raise MessageUnavailable(str(exc), expired=exc.status in (401, 403)) from exc
        return participants_from_headers(headers)


@dataclass(frozen=True)
class StaticMessageReader:
    """Participants given up front (the dev preview, where there is no Gmail to ask)."""

    known: tuple[Participant, ...]

    def participants(self, message_id: str, access_token: str, user_oauth_token: str) -> list[Participant]:
        return list(self.known)


def rep_profile(ctx: ServiceContext, principal: Principal) -> dict[str, Any] | None:
    """The signed-in rep's own record (name, mailbox, whether it is connected), if the principal is a rep."""
    if principal.user_id is None:
        return None
    return get_user(ctx, principal, str(principal.user_id))


def preview_principal(ctx: ServiceContext, email: str, account_id: int | None) -> Principal | None:
    """The rep a consumer Google sign-in (no Workspace `hd`, as the demo's emulator signs in) with this
    address would be, for the demo-only card preview (nothing is bound or linked): the same answer as
    the add-on's own sign-in, so the preview shows what Gmail would. Only a rep of `account_id` (the
    seeded demo account): accounts made by hand in a demo instance are real ones."""
    with ctx.session() as s:
        user = google_claimant(s, email)
        return principal_for_user(user) if user is not None and user.account_id == account_id else None


def preview_reps(ctx: ServiceContext, account_id: int | None, limit: int = 50) -> list[tuple[str, str]]:
    """(email, name) of the reps the demo-only preview can act as: the seeded demo account's."""
    with ctx.session() as s:
        return [(u.email, u.name) for u in s.scalars(
            select(t.User).where(t.User.account_id == account_id).order_by(t.User.id).limit(limit))]
