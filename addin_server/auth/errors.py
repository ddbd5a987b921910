"""The one failure every verifier raises: a typed, loggable refusal the web layer turns into a response.

401 means "we could not establish who is calling" (no token, a forged, expired or misdirected one).
403 means "we know who is calling, and that caller may not do this" (another service account, a
token without our scope, a link that is not for this action). 503 means we could not check at all
(signing keys unreachable, or the server is missing a setting): the caller should retry later, and a
Pub/Sub or Graph delivery is then redelivered instead of lost.

Messages are short, human and never contain the token, a claim value the caller sent, or a secret.
"""

from __future__ import annotations

from typing import Final, Literal

AuthErrorCode = Literal[
    "missing_token",
    "malformed",
    "bad_signature",
    "token_expired",
    "token_not_yet_valid",
    "wrong_audience",
    "wrong_issuer",
    "wrong_email",
    "email_unverified",
    "unknown_tenant",
    "missing_scope",
    "bad_client_state",
    "bad_link",
    "expired_link",
    "keys_unavailable",
    "not_configured",
]

_FORBIDDEN: Final = frozenset(
    {"wrong_email", "email_unverified", "missing_scope", "bad_client_state", "bad_link", "expired_link"}
)
_UNAVAILABLE: Final = frozenset({"keys_unavailable", "not_configured"})


def status_for(code: AuthErrorCode) -> int:
    """The HTTP status a refusal with this code deserves."""
    if code in _FORBIDDEN:
        return 403
    if code in _UNAVAILABLE:
        return 503
    return 401


class AuthError(Exception):
    """A refused credential: `status` (401, 403 or 503), a machine `code` and a human `message`."""

    def __init__(self, code: AuthErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: AuthErrorCode = code
        self.message = message
        self.status = status_for(code)

    def __repr__(self) -> str:
        return f"AuthError(code={self.code!r}, status={self.status}, message={self.message!r})"

    def www_authenticate(self) -> str:
        """A `WWW-Authenticate` value for bearer-token endpoints (RFC 6750 section 3)."""
        if self.code == "missing_token":
            return 'Bearer realm="sequence-sidebar"'
        error = "insufficient_scope" if self.code == "missing_scope" else "invalid_token"
        return f'Bearer realm="sequence-sidebar", error="{error}", error_description="{self.code}"'
