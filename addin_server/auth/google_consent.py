"""Redeeming the code Google's consent screen sends back for the rep's refresh token (offline access)."""

from __future__ import annotations

import logging
from typing import Any

import requests

from addin_server.config import Settings

log = logging.getLogger(__name__)

EXCHANGE_TIMEOUT_SECONDS = 10


class GoogleUnreachable(Exception):
    """Google's token endpoint did not answer."""


class OfflineAccessRefused(Exception):
    """Google answered, without a refresh token (a refused, reused or expired code)."""


def _post_code(settings: Settings, code: str, redirect_uri: str) -> tuple[int, dict[str, Any]]:
    """POST the authorization code to GOOGLE_TOKEN_URI with the app's client credentials; Google's
    status and JSON answer ({} when it sent none), or GoogleUnreachable."""
    try:
        response = requests.post(settings.google_token_uri, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": settings.google_oauth_client_id, "client_secret": settings.google_oauth_client_secret,
        }, timeout=EXCHANGE_TIMEOUT_SECONDS, verify=settings.ca_bundle or True)
    except requests.RequestException as exc:
        log.warning("Google token endpoint unreachable (%s)", type(exc).__name__)
        raise GoogleUnreachable(type(exc).__name__) from None
    body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
    return response.status_code, body if isinstance(body, dict) else {}


def exchange_code_for_tokens(settings: Settings, code: str, redirect_uri: str) -> dict[str, Any]:
    """Google's answer to the code (access_token, and id_token for an `openid` consent), or
    OfflineAccessRefused."""
    status, body = _post_code(settings, code, redirect_uri)
    if status != 200 or not isinstance(body.get("access_token"), str):
        raise OfflineAccessRefused(str(status))
    return body


def exchange_code_for_refresh_token(settings: Settings, code: str, redirect_uri: str) -> str:
    """The refresh token Google gives for the code, or OfflineAccessRefused."""
    status, body = _post_code(settings, code, redirect_uri)
    refresh_token = body.get("refresh_token")
    if status != 200 or not isinstance(refresh_token, str) or not refresh_token:
        log.info("Gmail consent code exchange refused: %s %s", status, body.get("error", ""))
        raise OfflineAccessRefused(str(status))
    return refresh_token
