"""API keys: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ssk_"


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (plaintext to show once, short prefix to recognise it, hash to store)."""
    plaintext = PREFIX + secrets.token_urlsafe(32)
    return plaintext, plaintext[: len(PREFIX) + 6], hash_api_key(plaintext)


def hash_api_key(plaintext: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is enough; no salt needed.
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_api_key(text: str) -> bool:
    return text.startswith(PREFIX) and 20 < len(text) < 100
