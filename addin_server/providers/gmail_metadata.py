"""Reading an opened message's headers for the Gmail add-on, with the tokens of the add-on's event.

`users.messages.get(format=metadata)` through google-api-python-client against GMAIL_API_ENDPOINT.
"""

from __future__ import annotations

import logging
from typing import Any

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from addin_server.config import Settings

log = logging.getLogger(__name__)

# Gmail's add-on header carrying the per-message token (the user's token alone cannot read it).
GMAIL_ACCESS_TOKEN_HEADER = "X-Goog-Gmail-Access-Token"  # noqa: S105 - a header name, not a secret
GMAIL_API_TIMEOUT_SECONDS = 10


class MetadataUnavailable(Exception):
    """Gmail did not give the message's headers; `status` is Gmail's HTTP status (0: no answer)."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def message_headers(settings: Settings, message_id: str, *, access_token: str, user_oauth_token: str,
                    header_names: list[str]) -> list[dict[str, Any]]:
    """The message's payload.headers limited to `header_names`, as Gmail answers them."""
    http = httplib2.Http(timeout=GMAIL_API_TIMEOUT_SECONDS, ca_certs=settings.ca_bundle or None)
    # Static discovery: the document ships with the library, so nothing is fetched to build it.
    gmail = build("gmail", "v1", http=http, static_discovery=True, cache_discovery=False,
                  client_options={"api_endpoint": settings.gmail_api_endpoint})
    request = gmail.users().messages().get(userId="me", id=message_id, format="metadata",
                                           metadataHeaders=header_names)
    # The tokens are set as headers, not as google-auth credentials: they cannot be refreshed, and a
    # credentials object would try to on a 401 instead of reporting it.
    request.headers["Authorization"] = f"Bearer {user_oauth_token}"
    request.headers[GMAIL_ACCESS_TOKEN_HEADER] = access_token
    try:
        message = request.execute(num_retries=1)
    except HttpError as exc:
        status = int(exc.resp.status)
        log.warning("Gmail refused the opened message's metadata (HTTP %s)", status)
        raise MetadataUnavailable(f"Gmail answered HTTP {status}", status=status) from exc
    except (OSError, httplib2.HttpLib2Error) as exc:
        log.warning("Gmail unreachable for the opened message (%s)", type(exc).__name__)
        raise MetadataUnavailable("Gmail cannot be reached") from exc
    payload = message.get("payload") if isinstance(message, dict) else None
    headers = payload.get("headers") if isinstance(payload, dict) else None
    return [h for h in headers if isinstance(h, dict)] if isinstance(headers, list) else []
