"""Graph subscription clientState: the shared secret that proves a change notification is ours.

Each subscription gets its own random clientState. Graph echoes it in every notification; we keep
only a keyed hash (HMAC-SHA256 with SECRET_KEY), so a leaked database row does not let anyone forge
notifications, and compare in constant time. Changing SECRET_KEY invalidates stored hashes: the
subscriptions then need to be recreated (the renewal job does that on bad_client_state).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from addin_server.auth.errors import AuthError
from addin_server.config import Settings

# Graph accepts up to 128 characters; 32 random bytes make 43 URL-safe ones.
_CLIENT_STATE_BYTES = 32
_PURPOSE = b"graph-subscription-client-state\x00"


@dataclass(frozen=True)
class IssuedClientState:
    """A new clientState: `secret` goes to Graph once, `stored_hash` goes in the database."""

    secret: str
    stored_hash: str

    def __repr__(self) -> str:
        return f"IssuedClientState(secret=<hidden>, stored_hash={self.stored_hash!r})"


def hash_client_state(client_state: str, settings: Settings) -> str:
    """The value we store for a clientState (hex HMAC-SHA256, keyed with SECRET_KEY)."""
    key = settings.secret_key.encode("utf-8")
    return hmac.new(key, _PURPOSE + client_state.encode("utf-8"), hashlib.sha256).hexdigest()


def issue_client_state(settings: Settings) -> IssuedClientState:
    """A fresh clientState for one subscription, with the hash to store."""
    secret = secrets.token_urlsafe(_CLIENT_STATE_BYTES)
    return IssuedClientState(secret=secret, stored_hash=hash_client_state(secret, settings))


def client_state_matches(received: str | None, stored_hash: str, settings: Settings) -> bool:
    """Whether a notification's clientState is the one issued for the subscription (constant time)."""
    if not received or not stored_hash or not received.isascii():
        return False  # ours are URL-safe ASCII; anything else cannot match (and may not even encode)
    return hmac.compare_digest(hash_client_state(received, settings), stored_hash)


def verify_client_state(received: str | None, stored_hash: str, settings: Settings) -> None:
    """Raise AuthError(bad_client_state) unless the clientState matches the stored hash."""
    if not client_state_matches(received, stored_hash, settings):
        raise AuthError("bad_client_state", "The notification's clientState does not match its subscription.")
