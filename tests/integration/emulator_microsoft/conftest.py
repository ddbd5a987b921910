"""Fixtures: the emulator on loopback (HTTP + HTTPS), a webhook receiver, and Microsoft-side setups.

Each test module gets its own emulator (its own clock); each test makes its own tenant, app and
mailbox, so tests never see each other's mail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator, start_emulator
from tests.integration.emulator_microsoft.support import MicrosoftSetup, Receiver, make_setup


@pytest.fixture(scope="module", autouse=True)
def _ca_bundle_from_settings_only() -> Iterator[None]:
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's verify=, which is how
    msal passes its CA bundle; without this the emulator's own CA would be ignored."""
    names = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    yield
    os.environ.update(saved)


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


@pytest.fixture(scope="module")
def _receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(_receiver: Receiver) -> Receiver:
    _receiver.reset()
    return _receiver
