"""Calendar end to end: the app on loopback, the emulator's Google and Microsoft sides, a browser-free
HTTP client reading the public booking page the way a contact's browser posts it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from addin_emulator.runner import RunningEmulator
from tests.integration.calendar.support import CalendarWorld, calendar_world


@pytest.fixture(params=["gmail", "outlook"], ids=["google rep", "outlook rep"])
def world(request: pytest.FixtureRequest, emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world(request.param, emulator, database_url) as made:
        yield made


class BookingPage:
    """The public page as a browser gets it: the form's hidden fields and the slots it offers."""

    def __init__(self, url: str) -> None:
        self.url = url
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, response.text[:300]
        self.html = response.text
        self.form_token = _field(self.html, "form_token")
        self.meeting_token = _field(self.html, "t", required=False)
        self.slots = [datetime.strptime(v, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
                      for v in re.findall(r'name="slot" value="([^"]+)"', self.html)]

    def book(self, slot: datetime, **fields: str) -> requests.Response:
        form = {"form_token": self.form_token, "slot": slot.strftime("%Y-%m-%dT%H:%MZ"), **fields}
        if self.meeting_token:
            form["t"] = self.meeting_token
        return requests.post(self.url.split("?")[0], data=form, timeout=30)


def _field(html: str, name: str, *, required: bool = True) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found or not required, f"no {name} on the page"
    return found.group(1) if found else ""
