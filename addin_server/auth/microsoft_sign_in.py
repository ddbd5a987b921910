"""Microsoft's authorization code flow through msal, for the Office dialog's sign-in when SSO is unavailable.

The authority is configuration, not input: no instance discovery (it would call
login.microsoftonline.com even for the emulator). CA_BUNDLE trusts the emulator's certificate.
"""

from __future__ import annotations

import warnings
from typing import Any

import msal
import requests

from addin_server.config import Settings


class MicrosoftUnreachable(Exception):
    """msal could not read the authority's metadata (Microsoft unreachable or misconfigured)."""


class AnswerMismatch(Exception):
    """The answer does not belong to this flow (state mismatch, a replayed or foreign answer)."""


def _client(settings: Settings) -> msal.ConfidentialClientApplication:
    options: dict[str, Any] = {}
    if settings.ca_bundle:
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the verify= msal passes while
        # trust_env is on: a session that ignores the environment keeps CA_BUNDLE in force.
        session = requests.Session()
        session.trust_env = False
        session.verify = settings.ca_bundle
        options["http_client"] = session
    return msal.ConfidentialClientApplication(
        settings.ms_client_id,
        client_credential=settings.ms_client_secret or None,
        authority=settings.ms_authority,
        instance_discovery=False,
        verify=settings.ca_bundle or True,
        **options,
    )


def start_auth_code_flow(settings: Settings, scopes: list[str], *, redirect_uri: str,
                         login_hint: str | None) -> dict[str, Any]:
    """The flow (state, nonce, PKCE, the URL to send the rep to) to keep until Microsoft's answer."""
    try:
        client = _client(settings)
        with warnings.catch_warnings():
            # msal recommends response_mode=form_post. The flow waits in a SameSite=Lax session cookie,
            # which browsers do not send with a cross-site POST, so the answer comes back in the query;
            # PKCE, state and nonce (all in the flow) still bind the code to this sign-in.
            warnings.filterwarnings("ignore", message="response_mode='form_post'", category=UserWarning)
            flow: dict[str, Any] = client.initiate_auth_code_flow(
                scopes, redirect_uri=redirect_uri, login_hint=login_hint or None)
    except (requests.RequestException, ValueError) as exc:
        raise MicrosoftUnreachable(str(exc)) from exc
    return flow


def redeem_auth_code(settings: Settings, flow: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
    """msal's result for the code Microsoft sent back: the ID token's claims, or an `error`."""
    try:
        result: dict[str, Any] = _client(settings).acquire_token_by_auth_code_flow(flow, answer)
    except ValueError as exc:
        raise AnswerMismatch(str(exc)) from exc
    return result
