"""The security tests' world: every identity provider on loopback, an encryption key, two accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world
from tests.security.credentials import (
    ADDON_SERVICE_ACCOUNT,
    MS_CLIENT_ID,
    OAUTH_CLIENT_ID,
    PUBLIC_URL,
    PUBSUB_AUDIENCE,
    PUBSUB_SERVICE_ACCOUNT,
    Credentials,
    KeyServer,
    Signer,
)

ENCRYPTION_KEY = generate_encryption_key()
SECRET_KEY = "security-test-secret-key-4f1d0c"


@pytest.fixture(scope="session")
def signers() -> dict[str, Signer]:
    return {name: Signer(f"{name}-key", rsa.generate_private_key(public_exponent=65537, key_size=2048))
            for name in ("google", "microsoft", "intruder")}


@pytest.fixture(scope="session")
def key_servers(signers: dict[str, Signer]) -> Iterator[dict[str, KeyServer]]:
    servers = {"google": KeyServer({signers["google"].kid: signers["google"].certificate_pem()}),
               "microsoft": KeyServer({"keys": [signers["microsoft"].jwk()]})}
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture
def settings(database_url: str, key_servers: dict[str, KeyServer]) -> Settings:
    return Settings.from_env(
        {}, database_url=database_url, public_url=PUBLIC_URL, secret_key=SECRET_KEY, demo_mode=False,
        mail_transport="local", encryption_key=ENCRYPTION_KEY,
        google_certs_url=key_servers["google"].url, google_addon_service_account=ADDON_SERVICE_ACCOUNT,
        google_oauth_client_id=OAUTH_CLIENT_ID, pubsub_audience=PUBSUB_AUDIENCE,
        pubsub_service_account=PUBSUB_SERVICE_ACCOUNT, ms_client_id=MS_CLIENT_ID,
        ms_jwks_url=key_servers["microsoft"].url)


@pytest.fixture
def creds(signers: dict[str, Signer]) -> Credentials:
    return Credentials(signers["google"], signers["microsoft"], signers["intruder"])


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


@pytest.fixture
def rival(services: ServiceContext) -> World:
    """A second customer account with the same shape of data."""
    return make_world(services, name="Initech", domain="initech.test")


def row_counts(services: ServiceContext) -> dict[str, int]:
    """Rows in every table: what 'nothing persisted' and 'nothing changed' compare."""
    with services.session() as s:
        return {table.name: s.scalar(select(func.count()).select_from(table)) or 0
                for table in t.Base.metadata.sorted_tables}


def enrollment_states(services: ServiceContext) -> list[tuple[Any, ...]]:
    with services.session() as s:
        return [tuple(r) for r in s.execute(select(t.Enrollment.id, t.Enrollment.status, t.Enrollment.current_step)
                                             .order_by(t.Enrollment.id))]
