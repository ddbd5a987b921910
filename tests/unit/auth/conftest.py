"""Keys, a loopback key server and a token minter for the auth unit tests.

Nothing here reaches the internet: signing keys are made per test session, and the certificate /
JWKS documents are served from 127.0.0.1 by a tiny HTTP server that counts how often it is asked.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from addin_emulator.tls import make_tls_files
from addin_server.config import Settings
from tests.keyserver import KeyServer

FIXTURES = Path(__file__).parent / "fixtures"

PUBLIC_URL = "https://sidebar.example.com"
ADDON_SERVICE_ACCOUNT = "service-884921307712@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
OAUTH_CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"
PUBSUB_AUDIENCE = "https://sidebar.example.com/webhooks/gmail"
PUBSUB_SERVICE_ACCOUNT = "gmail-push@sequence-sidebar.iam.gserviceaccount.com"
MS_CLIENT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"
KNOWN_TENANT = "3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17"


def load_claims(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def certificate_pem(self) -> str:
        """A self-signed certificate of the public key, as Google publishes its keys (v1 certs)."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.googleapis.example")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=14))
            .sign(self.private_key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def jwk(self) -> dict[str, Any]:
        key: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        key.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return key


def _new_key(kid: str) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


@dataclass(frozen=True)
class Keys:
    google: SigningKey
    google_rotated: SigningKey
    microsoft: SigningKey
    microsoft_rotated: SigningKey
    intruder: SigningKey  # never published anywhere


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(
        google=_new_key("google-key-1"),
        google_rotated=_new_key("google-key-2"),
        microsoft=_new_key("ms-key-1"),
        microsoft_rotated=_new_key("ms-key-2"),
        intruder=_new_key("intruder-key"),
    )


def google_certs_document(*signing_keys: SigningKey) -> dict[str, str]:
    return {key.kid: key.certificate_pem() for key in signing_keys}


def jwks_document(*signing_keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.jwk() for key in signing_keys]}


@pytest.fixture
def google_certs_server(keys: Keys) -> Iterator[KeyServer]:
    server = KeyServer()
    server.document = google_certs_document(keys.google)
    server.cache_control = "public, max-age=19809, must-revalidate, no-transform"
    yield server
    server.close()


@pytest.fixture
def ms_jwks_server(keys: Keys) -> Iterator[KeyServer]:
    server = KeyServer()
    server.document = jwks_document(keys.microsoft)
    yield server
    server.close()


@pytest.fixture
def https_jwks_server(keys: Keys, tmp_path: Path) -> Iterator[tuple[KeyServer, str]]:
    """A JWKS served over TLS with a throwaway CA, as the emulator does; yields (server, CA bundle path)."""
    tls = make_tls_files(tmp_path / "tls")
    server = KeyServer(context=tls.server_context())
    server.document = jwks_document(keys.microsoft)
    yield server, str(tls.ca_bundle)
    server.close()


@pytest.fixture
def settings(google_certs_server: KeyServer, ms_jwks_server: KeyServer) -> Settings:
    return Settings(
        public_url=PUBLIC_URL,
        secret_key="unit-test-secret-key-not-for-production",
        google_certs_url=google_certs_server.url,
        google_addon_service_account=ADDON_SERVICE_ACCOUNT,
        google_oauth_client_id=OAUTH_CLIENT_ID,
        pubsub_audience=PUBSUB_AUDIENCE,
        pubsub_service_account=PUBSUB_SERVICE_ACCOUNT,
        ms_client_id=MS_CLIENT_ID,
        ms_jwks_url=ms_jwks_server.url,
    )


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Minter:
    """Builds tokens from fixture claim sets, valid from a moment ago for an hour unless told."""

    def claims(self, fixture: str, drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
        claims = copy.deepcopy(load_claims(fixture))
        now = int(time.time())
        claims["iat"] = now - 10
        claims["exp"] = now + 3600
        if "nbf" in claims:
            claims["nbf"] = now - 10
        claims.update(overrides)
        for name in drop:
            claims.pop(name, None)
        return claims

    def sign(self, claims: dict[str, Any], key: SigningKey, kid: str | None = None) -> str:
        """RS256 by hand, so tests can also sign claims PyJWT's encoder refuses (a non-string iss)."""
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid or key.kid}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = key.private_key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"

    def unsigned(self, claims: dict[str, Any], kid: str) -> str:
        header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
        return f"{header}.{_b64(json.dumps(claims).encode())}."

    def hs256_keyed_with_public_key(self, claims: dict[str, Any], key: SigningKey) -> str:
        """The algorithm-confusion forgery: HMAC keyed with the (public) PEM of a published key."""
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = hmac.new(key.public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"


@pytest.fixture
def mint() -> Minter:
    return Minter()
