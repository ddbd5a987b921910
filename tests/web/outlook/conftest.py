"""Fixtures of the Outlook add-in's web tests: settings with an SSO application, keys served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addin_server.config import Settings
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world
from tests.web.outlook.sso_tokens import CLIENT_ID, KEY_ID, SigningKey, serve_jwks


@pytest.fixture(scope="session")
def ms_key() -> SigningKey:
    return SigningKey(KEY_ID)


@pytest.fixture(scope="session")
def intruder_key() -> SigningKey:
    """Never published: tokens it signs must be refused."""
    return SigningKey("intruder-key")


@pytest.fixture(scope="session")
def jwks_url(ms_key: SigningKey) -> Iterator[str]:
    with serve_jwks(ms_key) as url:
        yield url


@pytest.fixture
def settings(database_url: str, jwks_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=False, ms_client_id=CLIENT_ID,
                             ms_jwks_url=jwks_url, mail_transport="local")


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


@pytest.fixture
def demo_app(settings: Settings, services: ServiceContext) -> Any:
    from addin_server import create_app

    application = create_app(settings.with_overrides(demo_mode=True), services=services)
    application.config["TESTING"] = True
    return application
