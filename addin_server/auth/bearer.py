"""Reading bearer tokens and checking signed JWTs, shared by the Google and Microsoft verifiers.

Only RS256 is accepted: Google ID tokens and Microsoft v2 access tokens are both RS256, and pinning
the algorithm closes the classic confusions (`alg: none`, HS256 keyed with the public key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWTError,
)

from addin_server.auth.errors import AuthError

ACCEPTED_ALGORITHM = "RS256"
# Small tolerance for clocks that disagree a little; tokens live for an hour.
CLOCK_SKEW_SECONDS = 30
# A generous bound: real ID and access tokens are 1-3 kB; anything far larger is not one of them.
MAX_TOKEN_CHARS = 16_384

_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def bearer_token(authorization_header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or AuthError(missing_token/malformed)."""
    if authorization_header is None or not authorization_header.strip():
        raise AuthError("missing_token", "An Authorization: Bearer token is required.")
    scheme, _, token = authorization_header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("malformed", "The Authorization header must use the Bearer scheme.")
    return token.strip()


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer token has the three-part JWT shape (API keys do not)."""
    return len(token) <= MAX_TOKEN_CHARS and bool(_JWT_SHAPE.match(token))


def signing_key_id(token: str) -> str:
    """The `kid` of a token's header after checking its shape and algorithm (nothing is trusted yet)."""
    if not token:
        raise AuthError("missing_token", "A token is required.")
    if not looks_like_jwt(token):
        raise AuthError("malformed", "The token is not a well-formed JWT.")
    try:
        header = jwt.get_unverified_header(token)
    except PyJWTError as exc:
        raise AuthError("malformed", "The token header cannot be read.") from exc
    if header.get("alg") != ACCEPTED_ALGORITHM:
        raise AuthError("bad_signature", "The token is not signed with an accepted algorithm.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthError("bad_signature", "The token does not name its signing key.")
    return kid


def decode_signed(
    token: str,
    key: Any,
    *,
    audience: str | Sequence[str],
    issuer: str | Sequence[str] | None = None,
    required: Sequence[str] = ("exp", "iat", "aud", "iss", "sub"),
) -> Mapping[str, Any]:
    """Check signature, times, audience (and issuer if given); the claims, or a typed AuthError."""
    if not audience:
        # PyJWT (like google-auth) silently skips the audience check when none is given.
        raise AuthError("not_configured", "The expected token audience is not configured.")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ACCEPTED_ALGORITHM],
            audience=audience if isinstance(audience, str) else list(audience),
            issuer=issuer if isinstance(issuer, str) or issuer is None else tuple(issuer),
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": list(required), "verify_iss": issuer is not None},
        )
    except ExpiredSignatureError as exc:
        raise AuthError("token_expired", "The token has expired.") from exc
    except ImmatureSignatureError as exc:
        raise AuthError("token_not_yet_valid", "The token is not valid yet.") from exc
    except InvalidAudienceError as exc:
        raise AuthError("wrong_audience", "The token was issued for another audience.") from exc
    except InvalidIssuerError as exc:
        raise AuthError("wrong_issuer", "The token was issued by an unexpected issuer.") from exc
    except (InvalidSignatureError, InvalidAlgorithmError) as exc:
        raise AuthError("bad_signature", "The token signature does not verify.") from exc
    except MissingRequiredClaimError as exc:
        raise AuthError("malformed", f"The token lacks the required claim {exc.claim!r}.") from exc
    except (DecodeError, InvalidIssuedAtError, PyJWTError) as exc:
        raise AuthError("malformed", "The token cannot be decoded.") from exc
    return claims
