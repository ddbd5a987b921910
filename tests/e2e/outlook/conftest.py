"""Browser tests of the Outlook task pane: the demo preview (real pane + stand-in Office) on a live server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from addin_server import create_app
from addin_server.config import Settings
from addin_server.services import accounts, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from tests.browser import launch_chromium, live_server
from tests.builders import World, make_world
from tests.web.outlook import conftest as sso
from tests.web.outlook.sso_tokens import CLIENT_ID


@dataclass
class Enrolled:
    world: World
    jane_enrollment: str  # enrolled by Rita: Otto sees it but may not unenroll
    raj_enrollment: str  # enrolled by Otto


# The SSO signing key and its JWKS on loopback: the same as the web tests'.
ms_key, jwks_url = sso.ms_key, sso.jwks_url


@pytest.fixture
def settings(database_url: str, jwks_url: str) -> Settings:
    # Demo mode: /dev/outlook-preview exists. The SSO settings let a test sign in with a minted token.
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=True, ms_client_id=CLIENT_ID,
                             ms_jwks_url=jwks_url, mail_transport="local")


@pytest.fixture
def enrolled(services: ServiceContext) -> Enrolled:
    world = make_world(services)
    # The seeded demo account: the demo's Outlook preview offers its reps only.
    accounts.install_api_key(services, world.account_id, DEMO_API_KEY, name="demo")

    def enroll(contact: dict[str, Any], by: dict[str, Any]) -> str:
        return str(enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"],
                                      contact_id=contact["id"], sender_user_id=by["id"],
                                      enrolled_by_user_id=by["id"])["id"])

    return Enrolled(world, enroll(world.contact, world.rep), enroll(world.colleague, world.other_rep))


@pytest.fixture
def base_url(settings: Settings, services: ServiceContext, enrolled: Enrolled) -> Iterator[str]:
    app = create_app(settings, services=services)
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module (launching is the slow part); each test gets its own context."""
    browser = launch_chromium()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(chromium: Any, base_url: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()
