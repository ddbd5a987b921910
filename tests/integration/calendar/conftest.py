"""Calendar tests against the emulator: one emulator per module, a fresh world (and database) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from addin_emulator.runner import RunningEmulator
from tests.integration.calendar.support import CalendarWorld, calendar_world


@pytest.fixture(params=["gmail", "outlook"], ids=["google calendar", "outlook calendar"])
def world(request: pytest.FixtureRequest, emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world(request.param, emulator, database_url) as made:
        yield made


@pytest.fixture
def google_world(emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world("gmail", emulator, database_url) as made:
        yield made


@pytest.fixture
def outlook_world(emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world("outlook", emulator, database_url) as made:
        yield made
