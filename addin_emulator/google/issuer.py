"""Google's ID-token issuer: an RSA key made at start, its certificate, and minted JWTs.

Serves the add-on's system ID tokens, userIdTokens and Pub/Sub push OIDC tokens. Tokens carry the
wall-clock time, not the emulator clock, because the verifier (google-auth) checks them against
the wall clock; moving the emulator clock forward must not make every push unverifiable.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

GOOGLE_ISSUER = "https://accounts.google.com"
ADDON_SERVICE_ACCOUNT = "service-000000000000@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
PUSH_SERVICE_ACCOUNT = "gmail-push@sequence-sidebar-emulator.iam.gserviceaccount.com"
OAUTH_CLIENT_ID = "000000000000-emulator.apps.googleusercontent.com"

FLAWS: tuple[str, ...] = ("expired", "wrong_audience", "wrong_issuer", "unknown_key")
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class _SigningKey:
    key: rsa.RSAPrivateKey
    certificate_pem: str
    kid: str


def _make_key(common_name: str) -> _SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return _SigningKey(
        key=key,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        kid=hashlib.sha1(der, usedforsecurity=False).hexdigest(),
    )


class TokenIssuer:
    """Mints RS256 ID tokens signed by a key whose certificate is published at /oauth2/v1/certs."""

    def __init__(self) -> None:
        self._published = _make_key("federated-signon.system.gserviceaccount.com")
        # A key nobody publishes, to mint tokens a verifier must reject.
        self._unpublished = _make_key("not-google.example")

    def certificates(self) -> dict[str, str]:
        """The {kid: PEM certificate} map Google serves at oauth2/v1/certs."""
        return {self._published.kid: self._published.certificate_pem}

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The same key as a JSON Web Key Set (oauth2/v3/certs)."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._published.key.public_key(), as_dict=True)
        jwk.update({"kid": self._published.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def mint(self, claims: dict[str, Any], flaw: str | None = None) -> str:
        """Sign `claims` (iss, iat, exp are filled in unless given); `flaw` breaks the token on purpose."""
        if flaw is not None and flaw not in FLAWS:
            raise ValueError(f"unknown flaw {flaw!r}; expected one of {FLAWS}")
        now = int(time.time())
        payload = {"iss": GOOGLE_ISSUER, "iat": now, "exp": now + TOKEN_LIFETIME, **claims}
        signing = self._published
        if flaw == "expired":
            payload["iat"] = now - 2 * TOKEN_LIFETIME
            payload["exp"] = now - TOKEN_LIFETIME
        elif flaw == "wrong_audience":
            payload["aud"] = "https://wrong-audience.example/"
        elif flaw == "wrong_issuer":
            payload["iss"] = "https://issuer.example"
        elif flaw == "unknown_key":
            signing = self._unpublished
        return jwt.encode(payload, signing.key, algorithm="RS256", headers={"kid": signing.kid})

    def addon_system_token(
        self, audience: str, service_account: str = ADDON_SERVICE_ACCOUNT, flaw: str | None = None
    ) -> str:
        """The system ID token Google sends with every HTTP add-on request (aud = endpoint URL)."""
        return self.mint(_service_account_claims(audience, service_account), flaw)

    def user_id_token(
        self,
        email: str,
        client_id: str = OAUTH_CLIENT_ID,
        sub: str | None = None,
        flaw: str | None = None,
        hd: str | None = None,
    ) -> str:
        """The add-on event's userIdToken (and the ID token of a code exchange with `openid`): aud = the
        OAuth client id; `hd` for an account of a Google Workspace domain."""
        claims = {
            "aud": client_id,
            "azp": client_id,
            "sub": sub or _numeric_id(email),
            "email": email,
            "email_verified": True,
            **({"hd": hd} if hd else {}),
        }
        return self.mint(claims, flaw)

    def pubsub_token(
        self, audience: str, service_account: str = PUSH_SERVICE_ACCOUNT, flaw: str | None = None
    ) -> str:
        """The OIDC token a Pub/Sub push subscription puts in `Authorization: Bearer`."""
        return self.mint(_service_account_claims(audience, service_account), flaw)


def _numeric_id(text: str) -> str:
    # Google subjects are long decimal strings; derive one so the same email keeps the same sub.
    return str(int(hashlib.sha256(text.encode()).hexdigest()[:16], 16))


def _service_account_claims(audience: str, service_account: str) -> dict[str, Any]:
    return {
        "aud": audience,
        "azp": _numeric_id(service_account),
        "sub": _numeric_id(service_account),
        "email": service_account,
        "email_verified": True,
    }
