"""Fixtures: the emulator over loopback (HTTP + HTTPS), one tenant, app and rep mailbox per test,
and the Graph provider pointed at them through Settings only.

REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE are left as the machine sets them: the provider must use
CA_BUNDLE despite them (that is one of the things these tests prove).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator, start_emulator
from addin_server.config import Settings
from addin_server.providers.graph import GraphMailbox, GraphTokens
from tests.integration.emulator_microsoft.support import MicrosoftSetup, Receiver, make_setup
from tests.integration.providers_graph.support import settings_for


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    running = start_emulator(tls_port=0)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def control(emulator: RunningEmulator) -> Iterator[MicrosoftEmulatorControl]:
    handle = MicrosoftEmulatorControl(emulator.base_url)
    yield handle
    handle.session.close()


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "control" in request.fixturenames:
        request.getfixturevalue("control").clear_faults()


@pytest.fixture
def setup(emulator: RunningEmulator, control: MicrosoftEmulatorControl) -> Iterator[MicrosoftSetup]:
    made = make_setup(emulator, control)
    yield made
    made.close()


@pytest.fixture
def settings(setup: MicrosoftSetup) -> Settings:
    return settings_for(setup)


@pytest.fixture
def tokens(settings: Settings, setup: MicrosoftSetup) -> GraphTokens:
    return GraphTokens(settings, setup.tenant_id)


@pytest.fixture
def mailbox(settings: Settings, setup: MicrosoftSetup, tokens: GraphTokens) -> Iterator[GraphMailbox]:
    # A short backoff keeps the retry tests fast; Retry-After values are honoured as given.
    made = GraphMailbox(settings, setup.user_id, tokens.app_token, retry_base_seconds=0.05)
    yield made
    made.close()


@pytest.fixture(scope="module")
def _receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(_receiver: Receiver) -> Receiver:
    _receiver.reset()
    return _receiver

