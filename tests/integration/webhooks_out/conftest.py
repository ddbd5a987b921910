"""Outgoing webhooks against the real database: an account (Acme), a demo-mode context whose
receivers listen on loopback, and the same context outside demo mode (`production`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world
from tests.webhook_receiver import WebhookReceiver


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Demo mode: the receiver listens on loopback, which production refuses (tested below).
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=True, mail_transport="local",
                             encryption_key=generate_encryption_key())


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def production(services: ServiceContext) -> ServiceContext:
    return ServiceContext(settings=services.settings.with_overrides(demo_mode=False), engine=services.engine,
                          sessions=services.sessions, mail_sender=services.mail_sender, clock=services.clock)
