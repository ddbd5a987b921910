"""Verifying Google-signed ID tokens: the Gmail add-on's calls, its userIdToken, and Pub/Sub pushes.

Google signs all three with the keys published at GOOGLE_CERTS_URL. We check them with PyJWT against
keys held in `GoogleCertificates` rather than calling google-auth's `verify_token`, because that
function fetches the certificates on every call and reports failures as untyped ValueErrors; the
checks are the ones it makes (RS256 signature by a published key, exp/iat with a small skew, aud,
iss) plus the identity checks each caller needs (email of the calling service account, verified).

Certificates are fetched once and kept for the response's Cache-Control max-age (Google sends a
few hours), refetched early only when a token names a key we do not hold, and then at most once
per `refetch_cooldown` so a stream of forged key ids cannot turn into a stream of fetches.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from jwt import PyJWKSet
from jwt.exceptions import PyJWKError, PyJWKSetError

from addin_server.auth.bearer import bearer_token, decode_signed, signing_key_id
from addin_server.auth.errors import AuthError
from addin_server.config import Settings

log = logging.getLogger(__name__)

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
DEFAULT_MAX_AGE_SECONDS = 3600
# Bounds on what a Cache-Control header can make us do: never refetch per request, never keep
# keys so long that a rotation goes unnoticed for days.
MIN_MAX_AGE_SECONDS = 60
MAX_MAX_AGE_SECONDS = 24 * 3600
REFETCH_COOLDOWN_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 10

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class AddonCaller:
    """Google Workspace calling one of our add-on endpoints, as its add-on service account.

    `audience` is the token's own `aud`: which of our URLs Google named (logged for operators).
    """

    email: str
    subject: str
    audience: str


@dataclass(frozen=True)
class GoogleUser:
    """The Google user behind an add-on event (from the userIdToken)."""

    sub: str
    email: str
    hd: str | None = None


@dataclass(frozen=True)
class PubSubCaller:
    """Pub/Sub pushing a Gmail notification, as the push subscription's service account."""

    email: str
    subject: str


def cache_lifetime(cache_control: str | None) -> float:
    """Seconds to keep a certificate response, from its Cache-Control header (bounded)."""
    if cache_control:
        match = _MAX_AGE.search(cache_control)
        if match:
            return float(min(max(int(match.group(1)), MIN_MAX_AGE_SECONDS), MAX_MAX_AGE_SECONDS))
    return float(DEFAULT_MAX_AGE_SECONDS)


def parse_google_certificates(document: Any) -> dict[str, Any]:
    """Public keys by key id, from Google's `{kid: PEM certificate}` or a JWK Set (v3 certs)."""
    if not isinstance(document, dict):
        raise ValueError("certificate document is not a JSON object")
    keys: dict[str, Any] = {}
    if "keys" in document:
        for jwk in PyJWKSet.from_dict(document).keys:
            if jwk.key_id and jwk.public_key_use in ("sig", None):
                keys[jwk.key_id] = jwk.key
        return keys
    for kid, pem in document.items():
        if not isinstance(kid, str) or not isinstance(pem, str):
            continue
        try:
            keys[kid] = x509.load_pem_x509_certificate(pem.encode("ascii")).public_key()
        except (ValueError, UnsupportedAlgorithm):
            log.warning("skipping an unreadable Google certificate (kid %s)", kid)
    return keys


class GoogleCertificates:
    """Google's token-signing keys from one URL, cached by max-age, refetched on an unknown key id."""

    def __init__(
        self,
        url: str,
        *,
        ca_bundle: str = "",
        clock: Callable[[], float] = time.monotonic,
        refetch_cooldown: float = REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        self.url = url
        self._verify: str | bool = ca_bundle or True
        self._clock = clock
        # Tokens this key source has vouched for: Pub/Sub repeats one token across many pushes.
        self._vouched: dict[tuple[str, ...], tuple[Any, float]] = {}
        self._refetch_cooldown = refetch_cooldown
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._expires_at = 0.0

    def vouched(self, key: tuple[str, ...]) -> Any:
        found = self._vouched.get(key)
        return found[0] if found is not None and found[1] > self._clock() else None

    def vouch(self, key: tuple[str, ...], value: Any, seconds: float) -> None:
        if seconds <= 0:
            return
        if len(self._vouched) >= 1024:
            self._vouched.clear()
        self._vouched[key] = (value, self._clock() + seconds)

    def key_for(self, kid: str) -> Any:
        """The public key named `kid`; AuthError(bad_signature) if Google does not publish it."""
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now >= self._expires_at:
                self._refresh(now)
            elif kid not in self._keys and now - self._fetched_at >= self._refetch_cooldown:
                # Google rotates keys; a token may name one published after our last fetch.
                self._refresh(now)
            key = self._keys.get(kid)
        if key is None:
            raise AuthError("bad_signature", "The token is signed with a key Google does not publish.")
        return key

    def _refresh(self, now: float) -> None:
        try:
            # A plain request, no pooled session: fetches are hours apart.
            response = requests.get(self.url, timeout=FETCH_TIMEOUT_SECONDS, verify=self._verify)
            response.raise_for_status()
            keys = parse_google_certificates(response.json())
        except (requests.RequestException, OSError, ValueError, PyJWKError, PyJWKSetError) as exc:
            if self._keys:
                # Keep serving the keys we have; try again after the cooldown.
                log.warning("Google certificates refresh failed (%s); keeping cached keys", type(exc).__name__)
                self._fetched_at = now
                self._expires_at = now + self._refetch_cooldown
                return
            log.error("Google certificates unavailable from %s (%s)", self.url, type(exc).__name__)
            raise AuthError("keys_unavailable", "Google's signing keys cannot be fetched now.") from exc
        self._keys = keys
        self._fetched_at = now
        self._expires_at = now + cache_lifetime(response.headers.get("Cache-Control"))


_registry: dict[tuple[str, str], GoogleCertificates] = {}
_registry_lock = threading.Lock()


def google_certificates(settings: Settings) -> GoogleCertificates:
    """The process-wide certificate cache for the settings' GOOGLE_CERTS_URL."""
    _require_setting(settings.google_certs_url, "GOOGLE_CERTS_URL")
    key = (settings.google_certs_url, settings.ca_bundle)
    with _registry_lock:
        certificates = _registry.get(key)
        if certificates is None:
            certificates = GoogleCertificates(settings.google_certs_url, ca_bundle=settings.ca_bundle)
            _registry[key] = certificates
        return certificates


def clear_google_certificates() -> None:
    """Forget every cached certificate (tests; a deliberate key purge)."""
    with _registry_lock:
        _registry.clear()


def _verify_google_token(token: str, audience: str, certificates: GoogleCertificates) -> Mapping[str, Any]:
    if not audience:
        raise AuthError("not_configured", "The expected token audience is not configured.")
    kid = signing_key_id(token)
    key = certificates.key_for(kid)
    return decode_signed(token, key, audience=audience, issuer=GOOGLE_ISSUERS)


def _require_service_account(claims: Mapping[str, Any], expected_email: str) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or email.casefold() != expected_email.casefold():
        raise AuthError("wrong_email", "The token belongs to another account.")
    if not _is_verified(claims):
        raise AuthError("email_unverified", "The token's email address is not verified.")
    return email


def _is_verified(claims: Mapping[str, Any]) -> bool:
    # Google sends a JSON boolean; older tokens carried the string "true".
    verified = claims.get("email_verified")
    return verified is True or verified == "true"


def _require_setting(value: str, name: str) -> str:
    if not value:
        log.error("%s is not set; refusing to verify tokens that need it", name)
        raise AuthError("not_configured", f"{name} is not configured on this server.")
    return value


def _without_query(url: str) -> str:
    # Text, not a parsed URL: parsing would also drop a fragment and lower-case the scheme, and an
    # audience differing from a declared URL in anything but its query is another audience.
    return url.split("?", 1)[0]


def _declared_audience(token: str, accepted: frozenset[str]) -> str:
    """The token's `aud` when, without its query string, it is one of `accepted`; else AuthError.

    Read before the signature is checked only to choose what to check it against: decode_signed
    then verifies that exact value along with the signature.
    """
    try:
        claimed = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError as exc:
        raise AuthError("malformed", "The token cannot be decoded.") from exc
    candidates = [claimed] if isinstance(claimed, str) else claimed if isinstance(claimed, list) else []
    for candidate in candidates:
        if isinstance(candidate, str) and "#" not in candidate and _without_query(candidate) in accepted:
            return candidate
    # An operator comparing this with the deployment sees which URL Google (or someone) named.
    log.warning("add-on token refused: its audience %.300r is no URL this deployment declares", claimed)
    raise AuthError("wrong_audience", "The token was issued for another audience.")


def verify_addon_request(
    authorization_header: str | None,
    endpoint_paths: str | Iterable[str],
    settings: Settings,
    *,
    certificates: GoogleCertificates | None = None,
) -> AddonCaller:
    """Check the system ID token Google sends with each add-on call.

    The audience must be the public URL of one of `endpoint_paths` (every trigger and action URL the
    deployment declares), its query string ignored: Google documents the endpoint URL as audience
    for triggers but not which URL it names for button callbacks. URLs are built from PUBLIC_URL,
    never from the request, which is wrong behind a proxy and chosen by the caller.
    """
    expected_email = _require_setting(settings.google_addon_service_account, "GOOGLE_ADDON_SERVICE_ACCOUNT")
    token = bearer_token(authorization_header)
    paths = [endpoint_paths] if isinstance(endpoint_paths, str) else list(endpoint_paths)
    accepted = frozenset(_without_query(settings.public_endpoint(path)) for path in paths)
    if not accepted:
        raise AuthError("not_configured", "The expected token audience is not configured.")
    source = certificates or google_certificates(settings)
    kid = signing_key_id(token)
    key = source.key_for(kid)
    audience = _declared_audience(token, accepted)
    claims = decode_signed(token, key, audience=audience, issuer=GOOGLE_ISSUERS)
    email = _require_service_account(claims, expected_email)
    return AddonCaller(email=email, subject=str(claims["sub"]), audience=audience)


def verify_user_id_token(
    token: str | None,
    settings: Settings,
    *,
    certificates: GoogleCertificates | None = None,
) -> GoogleUser:
    """Check the add-on event's userIdToken (audience: our OAuth client id); the user it names."""
    audience = _require_setting(settings.google_oauth_client_id, "GOOGLE_OAUTH_CLIENT_ID")
    if not token:
        raise AuthError("missing_token", "The add-on event carries no user ID token.")
    claims = _verify_google_token(token, audience, certificates or google_certificates(settings))
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise AuthError("malformed", "The user ID token carries no email address.")
    if not _is_verified(claims):
        raise AuthError("email_unverified", "The user's email address is not verified.")
    hd = claims.get("hd")
    return GoogleUser(sub=str(claims["sub"]), email=email, hd=hd if isinstance(hd, str) and hd else None)


# Pub/Sub sends the same token with many pushes: a token verified once is remembered by the key
# source that vouched for it (by digest, with the expectations it met) for a few minutes at most.
_VERIFIED_PUSH_SECONDS = 300.0


def verify_pubsub_push(
    authorization_header: str | None,
    settings: Settings,
    *,
    certificates: GoogleCertificates | None = None,
) -> PubSubCaller:
    """Check the OIDC token of a Pub/Sub push (audience PUBSUB_AUDIENCE, PUBSUB_SERVICE_ACCOUNT)."""
    audience = _require_setting(settings.pubsub_audience, "PUBSUB_AUDIENCE")
    expected_email = _require_setting(settings.pubsub_service_account, "PUBSUB_SERVICE_ACCOUNT")
    token = bearer_token(authorization_header)
    source = certificates or google_certificates(settings)
    key = ("pubsub", hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest(), audience, expected_email)
    remembered = source.vouched(key)
    if isinstance(remembered, PubSubCaller):
        return remembered
    claims = _verify_google_token(token, audience, source)
    email = _require_service_account(claims, expected_email)
    caller = PubSubCaller(email=email, subject=str(claims["sub"]))
    expires = claims.get("exp")
    if isinstance(expires, (int, float)):
        # Never longer than the token itself is valid, and never past a few minutes.
        source.vouch(key, caller, min(float(expires) - time.time(), _VERIFIED_PUSH_SECONDS))
    return caller
