"""The web app's world: Rita's sequence with Jane and Raj enrolled, keys for sign-in tokens.

Google and Microsoft token signing keys are made here and their public halves served from
127.0.0.1, so sign-in tests verify real signatures without reaching the internet.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.web.sessions import SESSION_TOKEN
from tests.builders import World, make_world
from tests.keyserver import KeyServer

GOOGLE_CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"
MS_CLIENT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5"
TENANT = "3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Signer:
    kid: str
    key: rsa.RSAPrivateKey

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def certificate_pem(self) -> str:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keys.test")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=7)).sign(self.key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def jwk(self) -> dict[str, Any]:
        key: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**key, "kid": self.kid, "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="session")
def signers() -> dict[str, Signer]:
    return {name: Signer(f"{name}-key", rsa.generate_private_key(public_exponent=65537, key_size=2048))
            for name in ("google", "microsoft", "intruder")}


@pytest.fixture
def key_servers(signers: dict[str, Signer]) -> Iterator[dict[str, KeyServer]]:
    servers = {"google": KeyServer({signers["google"].kid: signers["google"].certificate_pem()}),
               "microsoft": KeyServer({"keys": [signers["microsoft"].jwk()]})}
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture
def settings(database_url: str, key_servers: dict[str, KeyServer]) -> Settings:
    return Settings.from_env(
        {}, database_url=database_url, public_url="https://sidebar.test", secret_key="test-secret",
        demo_mode=False, google_oauth_client_id=GOOGLE_CLIENT_ID, google_certs_url=key_servers["google"].url,
        ms_client_id=MS_CLIENT_ID, ms_jwks_url=key_servers["microsoft"].url, mail_transport="local")


def google_id_token(signer: Signer, email: str, sub: str = "g-sub-1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": "https://accounts.google.com", "aud": GOOGLE_CLIENT_ID, "azp": GOOGLE_CLIENT_ID, "sub": sub,
              "email": email, "email_verified": True, "iat": now - 10, "exp": now + 3600, **overrides}
    return signer.sign(claims)


def microsoft_token(signer: Signer, username: str, oid: str = "ms-oid-1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"aud": MS_CLIENT_ID, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "tid": TENANT,
              "oid": oid, "preferred_username": username, "name": "Someone", "scp": "access_as_user",
              "iat": now - 10, "nbf": now - 10, "exp": now + 3600, "ver": "2.0", **overrides}
    return signer.sign(claims)


@dataclass
class AppWorld:
    world: World
    jane_enrollment: str
    raj_enrollment: str

    @property
    def sequence_id(self) -> str:
        return str(self.world.sequence["id"])


@pytest.fixture
def app_world(services: ServiceContext) -> AppWorld:
    """Rita enrolled Jane and Raj in her 'Intro outreach'; Otto is a rep with no part in it."""
    w = make_world(services)
    rita = w.rep["id"]
    jane = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                              sender_user_id=rita, enrolled_by_user_id=rita)
    raj = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.colleague["id"],
                             sender_user_id=rita, enrolled_by_user_id=rita)
    return AppWorld(w, str(jane["id"]), str(raj["id"]))


class Browserless:
    """A signed-in test client that reads the CSRF token from the page it posts from."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def token(self, page: str) -> str:
        html = self.client.get(page).get_data(as_text=True)
        found = CSRF.search(html)
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def post_from(self, page: str, action: str, data: dict[str, Any]) -> Any:
        return self.client.post(action, data={**data, "csrf_token": self.token(page)})


@pytest.fixture
def https_client(app: Any) -> Any:
    # PUBLIC_URL is https, so the session cookie is Secure (Werkzeug's test client sends it anyway).
    return app.test_client()


def plain(html: str) -> str:
    """A page as its words read: entities decoded, names' <bdi> isolation and FSI/PDI marks dropped."""
    return unescape(re.sub(r"</?bdi>|[\u2068\u2069]", "", html))


def super_admin_id(services: ServiceContext, account_id: int) -> int:
    """The account's first super admin (the one `create_account` made)."""
    with services.session() as s:
        found = s.scalar(select(t.User.id).where(t.User.account_id == account_id, t.User.role == "super_admin")
                         .order_by(t.User.id).limit(1))
    assert found is not None
    return found


def sign_in(client: Any, user_id: str | int, account_id: int) -> Browserless:
    """A session started on the server for this rep, as a real sign-in leaves it."""
    from addin_server.db import tables as t
    from addin_server.services import web_sessions
    from addin_server.services.identity import principal_for_user

    services = client.application.extensions["services"]
    with services.session() as s:
        user = s.get_one(t.User, int(user_id))
        assert user.account_id == account_id
        principal = principal_for_user(user)
    token = web_sessions.start(services, principal)
    with client.session_transaction() as session:
        session[SESSION_TOKEN] = token
    return Browserless(client)


def sign_in_from_link_page(client: Any, link_path: str, t: str, login_hint: str | None = None) -> Any:
    """Open an organisation link's page (the one naming the account) and press its sign-in button:
    the page's form, with its CSRF token, is the only way to start that sign-in."""
    page = client.get(link_path, query_string={"t": t, **({"login_hint": login_hint} if login_hint else {})})
    assert page.status_code == 200, page.status_code
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.get_data(as_text=True)))
    return client.post("/app/organisation/link/go", data={k: unescape(v) for k, v in fields.items()})
