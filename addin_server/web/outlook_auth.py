"""Who is calling /api/v1 from the Outlook task pane: an SSO access token, or a pane token after dialog sign-in.

Registered in `app.extensions["api_authenticators"]`; the API tries each authenticator before its
API-key lookup. For a token that is ours to judge (a Microsoft JWT, a pane token) a refusal is an
AuthError (401, or 503 when keys cannot be fetched), never a fall-through: the pane must learn that
its token was refused, and nothing may happen on the caller's behalf.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from addin_server.auth.bearer import looks_like_jwt
from addin_server.auth.errors import AuthError
from addin_server.auth.microsoft_tokens import verify_outlook_sso_token
from addin_server.config import Settings
from addin_server.services import identity, outlook_addin
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Unauthorized

log = logging.getLogger(__name__)

# Pane tokens are not JWTs (':' never appears in one), so the two kinds cannot be confused.
PANE_TOKEN_PREFIX = "sspane:"  # noqa: S105 - a marker, not a secret
PANE_TOKEN_SALT = "outlook-pane-sign-in"  # noqa: S105 - a purpose label; SECRET_KEY signs
# A working day: the dialog sign-in is a fallback, and asking again each morning is acceptable.
PANE_TOKEN_MAX_AGE_SECONDS = 8 * 3600
_MICROSOFT_ISSUER_HOSTS = ("https://login.microsoftonline.com/", "https://sts.windows.net/")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=PANE_TOKEN_SALT)


def issue_pane_token(ctx: ServiceContext, user_id: int) -> str:
    """A token the pane sends as Bearer after the dialog sign-in, signed with SECRET_KEY; names the rep
    and their access generation, so a removal ends it for good (outlook_addin.principal_for_rep_id)."""
    return PANE_TOKEN_PREFIX + _serializer(ctx.settings).dumps(
        {"rep": user_id, "gen": outlook_addin.access_generation(ctx, user_id)})


def principal_for_pane_token(ctx: ServiceContext, token: str) -> Principal:
    """The rep a pane token names, or AuthError."""
    try:
        data = _serializer(ctx.settings).loads(token[len(PANE_TOKEN_PREFIX):], max_age=PANE_TOKEN_MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        raise AuthError("token_expired", "The sign-in has expired; sign in again.") from exc
    except BadSignature as exc:
        raise AuthError("bad_signature", "The pane token does not verify.") from exc
    rep = data.get("rep") if isinstance(data, dict) else None
    gen = data.get("gen", 0) if isinstance(data, dict) else None
    found = outlook_addin.principal_for_rep_id(ctx, rep, gen) \
        if isinstance(rep, int) and isinstance(gen, int) else None
    if found is None:
        raise Unauthorized("this sign-in no longer names a rep; sign in again")
    return found


def _unverified_claims(token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        return claims
    except jwt.PyJWTError:
        return {}


def _is_microsoft_token(token: str) -> bool:
    """Whether a JWT claims to come from Microsoft (only a routing hint; verification decides)."""
    iss = _unverified_claims(token).get("iss")
    # Unreadable tokens are judged (and refused) here rather than passed on to the API-key lookup.
    return not isinstance(iss, str) or iss.startswith(_MICROSOFT_ISSUER_HOSTS)


def principal_for_sso_token(ctx: ServiceContext, token: str) -> Principal:
    """Verify an Outlook SSO access token and map its user to a rep, or raise AuthError/Unauthorized."""
    # verify_outlook_sso_token asks about the tenant only after the signature, audience and issuer
    # checks have passed, so the username read here is by then a verified claim.
    username = _unverified_claims(token).get("preferred_username")
    user = verify_outlook_sso_token(
        f"Bearer {token}",
        ctx.settings,
        is_known_tenant=lambda tid: outlook_addin.tenant_is_served(
            ctx, tid, username if isinstance(username, str) else None),
    )
    principal = identity.principal_for_microsoft_user(ctx, oid=user.oid, tid=user.tid,
                                                      username=user.preferred_username or "", wids=user.wids)
    if principal is None:
        log.info("Outlook SSO user of tenant %s is not a rep here", user.tid)
        if not identity.is_known_tenant(ctx, user.tid):
            raise Unauthorized(f"this Microsoft 365 organisation is not linked to a Sequence Sidebar account yet: "
                               f"{identity.HOW_TO_LINK}", code="tenant_not_linked")
        raise Unauthorized("your Microsoft 365 account is not a rep of any Sequence Sidebar account")
    return principal


def authenticate_outlook_caller(token: str) -> Principal | None:
    """The API authenticator: a Principal for add-in tokens, None for tokens that are not ours (API keys)."""
    services: ServiceContext = current_app.extensions["services"]
    if token.startswith(PANE_TOKEN_PREFIX):
        return principal_for_pane_token(services, token)
    if looks_like_jwt(token) and _is_microsoft_token(token):
        return principal_for_sso_token(services, token)
    return None


def register_outlook_authenticator(app: Flask) -> None:
    """Let /api/v1 accept the add-in's tokens (idempotent)."""
    authenticators: list[Any] = app.extensions.setdefault("api_authenticators", [])
    if authenticate_outlook_caller not in authenticators:
        authenticators.append(authenticate_outlook_caller)
