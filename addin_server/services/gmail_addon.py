"""What the Gmail add-on needs beyond the lookup: who took part in an opened message, and the rep.

Opening a received message gives the add-on only the message id and two short-lived tokens (the
user's OAuth token and a per-message access token, metadata scope). The participants come from the
Gmail API, read through a small port so tests and the dev preview can stand in for Gmail; the real
reader uses google-api-python-client against GMAIL_API_ENDPOINT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any, Protocol

from sqlalchemy import select

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import get_user
from addin_server.services.identity import principal_for_user

log = logging.getLogger(__name__)

# The headers that name a message's participants, in the order the card shows them.
PARTICIPANT_HEADERS = ("From", "To", "Cc")
# Gmail's add-on header carrying the per-message token (the user's token alone cannot read it).
GMAIL_ACCESS_TOKEN_HEADER = "X-Goog-Gmail-Access-Token"  # noqa: S105 - a header name, not a secret
GMAIL_API_TIMEOUT_SECONDS = 10


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
    """`users.messages.get(format=metadata)` with the event's tokens, through google-api-python-client."""

    def __init__(self, settings: Settings) -> None:
        self._endpoint = settings.gmail_api_endpoint
        self._ca_bundle = settings.ca_bundle

    def participants(self, message_id: str, access_token: str, user_oauth_token: str) -> list[Participant]:
        import httplib2
        from googleapiclient.discovery import build
        from googleapiclient.errors import HttpError

        if not message_id or not access_token or not user_oauth_token:
            raise MessageUnavailable("the event carries no message or no tokens", expired=True)
        http = httplib2.Http(timeout=GMAIL_API_TIMEOUT_SECONDS, ca_certs=self._ca_bundle or None)
        # Static discovery: the document ships with the library, so nothing is fetched to build it.
        gmail = build("gmail", "v1", http=http, static_discovery=True, cache_discovery=False,
                      client_options={"api_endpoint": self._endpoint})
        request = gmail.users().messages().get(userId="me", id=message_id, format="metadata",
                                               metadataHeaders=list(PARTICIPANT_HEADERS))
        # The tokens are set as headers, not as google-auth credentials: they cannot be refreshed, and a
        # credentials object would try to on a 401 instead of reporting it.
        request.headers["Authorization"] = f"Bearer {user_oauth_token}"
        request.headers[GMAIL_ACCESS_TOKEN_HEADER] = access_token
        try:
            message = request.execute(num_retries=1)
        except HttpError as exc:
            status = int(exc.resp.status)
            log.warning("Gmail refused the opened message's metadata (HTTP %s)", status)
            raise MessageUnavailable(f"Gmail answered HTTP {status}", expired=status in (401, 403)) from exc
        except (OSError, httplib2.HttpLib2Error) as exc:
            log.warning("Gmail unreachable for the opened message (%s)", type(exc).__name__)
            raise MessageUnavailable("Gmail cannot be reached") from exc
        payload = message.get("payload") if isinstance(message, dict) else None
        headers = payload.get("headers") if isinstance(payload, dict) else None
        return participants_from_headers(headers if isinstance(headers, list) else [])


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


def preview_principal(ctx: ServiceContext, email: str) -> Principal | None:
    """The rep with this address, for the demo-only card preview (no Google sign-in, nothing linked)."""
    norm = try_normalize(email)
    if norm is None:
        return None
    with ctx.session() as s:
        users = list(s.scalars(select(t.User).where(t.User.email == norm).order_by(t.User.id).limit(2)))
        return principal_for_user(users[0]) if len(users) == 1 else None


def preview_reps(ctx: ServiceContext, limit: int = 50) -> list[tuple[str, str]]:
    """(email, name) of the reps the demo-only preview can act as."""
    with ctx.session() as s:
        return [(u.email, u.name) for u in s.scalars(select(t.User).order_by(t.User.id).limit(limit))]
