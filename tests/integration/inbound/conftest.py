"""Both inbound test modules run each case once per provider: the enrolling rep reads mail in Gmail or Outlook."""

from __future__ import annotations

import pytest

from addin_server.services.context import ServiceContext
from tests.builders import World, make_world


@pytest.fixture(params=["gmail", "outlook"])
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(services: ServiceContext, provider: str) -> World:
    w = make_world(services)
    if provider == "outlook":  # the enrolling rep reads mail in Outlook
        w.rep, w.other_rep = w.other_rep, w.rep
    return w
