"""Verifying the Outlook add-in's SSO access tokens (Microsoft identity platform, v2 tokens).

The task pane gets them by nested app authentication (MSAL.js, `azp` = our own client id), or from
Office.auth.getAccessToken (`azp` = Office's): the same checks apply to both, whichever arrives.

What a good token looks like (Microsoft's access token claims reference):
- signed RS256 by a key in MS_JWKS_URL (the `common` JWKS holds the keys of every tenant);
- `aud` is our client id GUID. "In v2.0 tokens, this value is always the client ID of the API";
  the `api://<host>/<client id>` form only appears in v1.0 tokens, so it is refused here (a v1.0
  token would also fail the issuer check: it is issued by sts.windows.net);
- `iss` is exactly https://login.microsoftonline.com/{tid}/v2.0 with the token's own `tid` (a
  multi-tenant app cannot pin one issuer, so the issuer must at least agree with the tenant);
- the tenant is one we serve (`is_known_tenant`, the account table's business);
- `scp` contains access_as_user: the token was issued for the add-in's delegated scope, not some
  other permission of the same app, and is not an app-only token.

Keys come from a shared, cached `PyJWKClient`; an unknown key id triggers one refetch, at most once
per cooldown, so forged key ids cannot make us hammer the JWKS endpoint.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKError, PyJWKSetError

from addin_server.auth.bearer import bearer_token, decode_signed, signing_key_id
from addin_server.auth.errors import AuthError
from addin_server.config import Settings

log = logging.getLogger(__name__)

MICROSOFT_ISSUER_TEMPLATE = "https://login.microsoftonline.com/{tid}/v2.0"
ADDIN_SCOPE = "access_as_user"
KEYS_LIFESPAN_SECONDS = 3600
REFETCH_COOLDOWN_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class MicrosoftUser:
    """The Microsoft 365 user of the Outlook add-in, as named by a verified SSO token."""

    oid: str
    tid: str
    preferred_username: str | None
    name: str | None
    # The user's Entra ID directory roles (`wids`, role template ids); empty when the token has none.
    wids: tuple[str, ...] = ()


class MicrosoftKeys:
    """Microsoft's token-signing keys from one JWKS URL (PyJWKClient with its set cache)."""

    def __init__(
        self,
        jwks_url: str,
        *,
        ca_bundle: str = "",
        lifespan: float = KEYS_LIFESPAN_SECONDS,
        refetch_cooldown: float = REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        try:
            # The emulator serves its JWKS over HTTPS with a CA of its own (CA_BUNDLE).
            context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
            self._client = PyJWKClient(
                jwks_url,
                cache_jwk_set=True,
                lifespan=lifespan,
                timeout=FETCH_TIMEOUT_SECONDS,
                ssl_context=context,
                cooldown_duration=refetch_cooldown,
            )
        except (OSError, ssl.SSLError, PyJWKClientError) as exc:
            log.error("MS_JWKS_URL or CA_BUNDLE is unusable (%s)", type(exc).__name__)
            raise AuthError("not_configured", "Microsoft token verification is misconfigured.") from exc

    def key_for(self, kid: str) -> Any:
        """The public key named `kid`; AuthError(bad_signature) if the JWKS does not hold it."""
        try:
            return self._client.get_signing_key(kid).key
        except PyJWKClientConnectionError as exc:
            log.error("Microsoft signing keys unavailable (%s)", type(exc).__name__)
            raise AuthError("keys_unavailable", "Microsoft's signing keys cannot be fetched now.") from exc
        except PyJWKClientError as exc:
            raise AuthError("bad_signature", "The token is signed with a key Microsoft does not publish.") from exc
        except (PyJWKError, PyJWKSetError) as exc:
            log.error("Microsoft signing keys unreadable (%s)", type(exc).__name__)
            raise AuthError("keys_unavailable", "Microsoft's signing keys cannot be read now.") from exc


_registry: dict[tuple[str, str], MicrosoftKeys] = {}
_registry_lock = threading.Lock()


def microsoft_keys(settings: Settings) -> MicrosoftKeys:
    """The process-wide key cache for the settings' MS_JWKS_URL."""
    key = (settings.ms_jwks_url, settings.ca_bundle)
    with _registry_lock:
        keys = _registry.get(key)
        if keys is None:
            keys = MicrosoftKeys(settings.ms_jwks_url, ca_bundle=settings.ca_bundle)
            _registry[key] = keys
        return keys


def clear_microsoft_keys() -> None:
    """Forget every cached key set (tests; a deliberate key purge)."""
    with _registry_lock:
        _registry.clear()


def verify_outlook_sso_token(
    authorization_header: str | None,
    settings: Settings,
    *,
    is_known_tenant: Callable[[str], bool],
    keys: MicrosoftKeys | None = None,
) -> MicrosoftUser:
    """Check the Outlook add-in's `Authorization: Bearer <SSO access token>`; the user it names."""
    for value, name in ((settings.ms_client_id, "MS_CLIENT_ID"), (settings.ms_jwks_url, "MS_JWKS_URL")):
        if not value:
            log.error("%s is not set; refusing to verify Outlook SSO tokens", name)
            raise AuthError("not_configured", f"{name} is not configured on this server.")
    token = bearer_token(authorization_header)
    kid = signing_key_id(token)
    key = (keys or microsoft_keys(settings)).key_for(kid)
    claims = decode_signed(
        token, key, audience=settings.ms_client_id, required=("exp", "iat", "aud", "iss", "tid", "oid")
    )
    tid = claims["tid"]
    if not isinstance(tid, str) or not tid:
        raise AuthError("malformed", "The token carries no tenant id.")
    if claims["iss"] != MICROSOFT_ISSUER_TEMPLATE.format(tid=tid):
        raise AuthError(
            "wrong_issuer",
            "The token was not issued by the Microsoft identity platform v2.0 endpoint of its tenant.",
        )
    if not is_known_tenant(tid):
        raise AuthError("unknown_tenant", "This Microsoft 365 organisation is not linked to a Sequence Sidebar "
                        "account yet: a Global Administrator of it links it by signing in through the link the "
                        "account's super admin makes (Settings, or addin-server accounts link-tenant --ms-tenant), "
                        "or, for an account with none, by being its super admin and signing in.")
    scopes = claims.get("scp")
    if not isinstance(scopes, str) or ADDIN_SCOPE not in scopes.split():
        raise AuthError("missing_scope", f"The token does not grant the {ADDIN_SCOPE} scope.")
    return MicrosoftUser(
        oid=str(claims["oid"]),
        tid=tid,
        preferred_username=_optional_text(claims.get("preferred_username")),
        name=_optional_text(claims.get("name")),
        wids=tuple(w for w in claims.get("wids") or () if isinstance(w, str)) if isinstance(claims.get("wids"), list)
        else (),
    )


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
