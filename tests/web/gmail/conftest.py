"""The Gmail add-on's tests: Google stood in for by a loopback app, tokens signed with keys made here.

`fake_google` serves Google's certificate document and the one Gmail API route the add-on calls
(users.messages.get, metadata format) on 127.0.0.1, and records what it was asked. `addon` signs
system and user ID tokens, loads event fixtures and posts them the way Google does.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from addin_server.config import Settings
from addin_server.services import enrollments
from tests.builders import World, make_world

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gmail"
PUBLIC_URL = "https://sidebar.test"
ADDON_SERVICE_ACCOUNT = "service-884921307712@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
OAUTH_CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def certificate_pem(self) -> str:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.googleapis.example")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.private_key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=7))
                .sign(self.private_key, hashes.SHA256()))
        from cryptography.hazmat.primitives import serialization

        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def sign(self, claims: dict[str, Any], alg: str = "RS256") -> str:
        header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": self.kid}).encode())
        payload = _b64(json.dumps(claims).encode())
        if alg == "none":
            return f"{header}.{payload}."
        signature = self.private_key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"


@dataclass(frozen=True)
class Keys:
    google: SigningKey
    intruder: SigningKey  # never published


@pytest.fixture(scope="session")
def keys() -> Keys:
    def make(kid: str) -> SigningKey:
        return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    return Keys(google=make("google-addon-key-1"), intruder=make("intruder-key"))


@dataclass
class FakeGoogle:
    """Google's certificate endpoint and the Gmail metadata route, on loopback."""

    certificates: dict[str, str]
    message: dict[str, Any] = field(default_factory=lambda: load_fixture("gmail-message-metadata.json"))
    gmail_status: int = 200
    certificate_fetches: int = 0
    gmail_requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Flask:
        app = Flask("fake_google")

        @app.get("/oauth2/v1/certs")
        def certs() -> Any:
            self.certificate_fetches += 1
            response = jsonify(self.certificates)
            response.headers["Cache-Control"] = "public, max-age=21600, must-revalidate, no-transform"
            return response

        @app.get("/gmail/v1/users/<user_id>/messages/<message_id>")
        def get_message(user_id: str, message_id: str) -> Any:
            self.gmail_requests.append({
                "user_id": user_id, "message_id": message_id, "args": request.args.to_dict(flat=False),
                "authorization": request.headers.get("Authorization"),
                "gmail_access_token": request.headers.get("X-Goog-Gmail-Access-Token"),
            })
            if self.gmail_status != 200:
                body = {"error": {"code": self.gmail_status, "message": "Request had invalid authentication "
                                  "credentials.", "status": "UNAUTHENTICATED"}}
                return jsonify(body), self.gmail_status
            return jsonify(self.message)

        return app


@pytest.fixture
def fake_google(keys: Keys) -> Iterator[FakeGoogle]:
    google = FakeGoogle(certificates={keys.google.kid: keys.google.certificate_pem()})
    server = make_server("127.0.0.1", 0, google.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    google.url = f"http://127.0.0.1:{server.server_port}"
    yield google
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def settings(settings: Settings, fake_google: FakeGoogle) -> Settings:
    """The suite's settings, with Google (certificates, Gmail) on loopback and the add-on's identities."""
    return settings.with_overrides(
        public_url=PUBLIC_URL, google_certs_url=f"{fake_google.url}/oauth2/v1/certs",
        google_addon_service_account=ADDON_SERVICE_ACCOUNT, google_oauth_client_id=OAUTH_CLIENT_ID,
        gmail_api_endpoint=f"{fake_google.url}/",
    )


@pytest.fixture
def world(services: Any) -> World:
    return make_world(services)


@pytest.fixture
def enrolled(services: Any, world: World) -> dict[str, Any]:
    """Jane, enrolled by Rita (who sends) in the 3-step sequence; its first email has gone out."""
    return enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"],
                              contact_id=world.contact["id"], sender_user_id=world.rep["id"],
                              enrolled_by_user_id=world.rep["id"])


class Addon:
    """Signs tokens and posts events to the add-on as Google would."""

    def __init__(self, client: Any, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    def claims(self, fixture: str, **overrides: Any) -> dict[str, Any]:
        claims = load_fixture(fixture)
        now = int(time.time())
        claims.update(iat=now - 10, exp=now + 3600)
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def system_token(self, path: str, *, key: SigningKey | None = None, alg: str = "RS256", **overrides: Any) -> str:
        claims = self.claims("system-id-token.json", **{"aud": PUBLIC_URL + path, **overrides})
        return (key or self.keys.google).sign(claims, alg)

    def user_token(self, *, key: SigningKey | None = None, **overrides: Any) -> str:
        return (key or self.keys.google).sign(self.claims("user-id-token.json", **overrides))

    def event(self, fixture: str, *, parameters: dict[str, str] | None = None, **gmail: Any) -> dict[str, Any]:
        event = copy.deepcopy(load_fixture(fixture))
        event["authorizationEventObject"]["userIdToken"] = self.user_token()
        event["authorizationEventObject"]["systemIdToken"] = "<not read: the header carries it>"
        if parameters is not None:
            event["commonEventObject"]["parameters"] = parameters
        if gmail:
            event.setdefault("gmail", {}).update(gmail)
        return event

    def post(self, path: str, event: dict[str, Any], *, authorization: str | None = "sign") -> Any:
        headers = {}
        if authorization == "sign":
            headers["Authorization"] = f"Bearer {self.system_token(path)}"
        elif authorization is not None:
            headers["Authorization"] = authorization
        return self.client.post(path, json=event, headers=headers)

    def press(self, name: str, parameters: dict[str, str], fixture: str = "action-event.json",
              **gmail: Any) -> dict[str, Any]:
        response = self.post(f"/gmail/actions/{name}", self.event(fixture, parameters=parameters, **gmail))
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body


@pytest.fixture
def addon(client: Any, keys: Keys) -> Addon:
    return Addon(client, keys)
