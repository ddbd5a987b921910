"""Outlook SSO tokens for tests: a signing key made at run time, its JWKS served on 127.0.0.1, a minter.

Shared by the web tests (tests/web/outlook) and the browser tests (tests/e2e/outlook). Nothing here
reaches the internet.
"""

from __future__ import annotations

import copy
import json
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.keyserver import serving

FIXTURES = Path(__file__).parent / "fixtures"
CLIENT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"
TENANT = "3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17"
KEY_ID = "outlook-test-key"


class SigningKey:
    """An RSA key pair standing in for one of Microsoft's token-signing keys."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        key: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        key.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return key


def serve_jwks(*keys: SigningKey) -> AbstractContextManager[str]:
    """Serve {"keys": [...]} at http://127.0.0.1:<port>/keys for a with-block; it yields the URL."""
    return serving({"keys": [k.jwk() for k in keys]})


def sso_claims(drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    """The fixture's claims, valid from a moment ago for an hour, with overrides applied."""
    claims: dict[str, Any] = copy.deepcopy(json.loads((FIXTURES / "outlook_sso_access_token.json").read_text()))
    now = int(time.time())
    claims.update({"iat": now - 10, "nbf": now - 10, "exp": now + 3600})
    claims.update(overrides)
    for name in drop:
        claims.pop(name, None)
    return claims


def mint(key: SigningKey, claims: dict[str, Any], kid: str | None = None) -> str:
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid})
