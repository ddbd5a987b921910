"""The Admin SDK Directory API, asked one thing: is this user a super administrator of their Workspace?

`users.get` answers only an administrator of the user's own Workspace (anyone else: 403), and its
`isAdmin` marks super administrators. Called with the access token of the person's own consent
(scope admin.directory.user.readonly), for their own Google id: Google, not the token's bearer,
says who they are.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import requests

from addin_server.config import Settings

log = logging.getLogger(__name__)

DIRECTORY_READ_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
TIMEOUT_SECONDS = 10


class DirectoryUnreachable(Exception):
    """The Admin SDK did not answer (or answered with a server error)."""


def is_workspace_super_admin(settings: Settings, access_token: str, user_key: str) -> bool:
    """True when the Directory API says `user_key` is a super administrator; a refusal (403, 404) is False."""
    url = f"{settings.google_admin_api_endpoint.rstrip('/')}/admin/directory/v1/users/{quote(user_key, safe='@')}"
    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {access_token}"},
                                params={"fields": "id,primaryEmail,isAdmin"}, timeout=TIMEOUT_SECONDS,
                                verify=settings.ca_bundle or True)
    except requests.RequestException as exc:
        raise DirectoryUnreachable(type(exc).__name__) from None
    if response.status_code >= 500:
        raise DirectoryUnreachable(str(response.status_code))
    if response.status_code != 200:
        log.info("the Directory API refused users.get: %s", response.status_code)
        return False
    body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
    return isinstance(body, dict) and body.get("isAdmin") is True
