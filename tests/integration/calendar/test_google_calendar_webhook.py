"""POST /webhooks/google-calendar: only our channels with their own token are heard; "sync" is
acknowledged and nothing else; "exists" is kept once per channel and message number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests

from addin_server.db import tables as t
from tests.integration.calendar.support import CalendarWorld, fixture


@dataclass(frozen=True)
class Delivery:
    channel: str  # ours | unknown
    token: str  # ours | wrong | none
    state: str
    numbers: tuple[str, ...]  # X-Goog-Message-Number of each POST
    status: int
    stored: int


CASES = [
    pytest.param(Delivery("ours", "ours", "exists", ("7",), 200, 1),
                 id="a change on our channel with its token is kept for the worker"),
    pytest.param(Delivery("ours", "ours", "exists", ("7", "7"), 200, 1),
                 id="the same message delivered twice is kept once"),
    pytest.param(Delivery("ours", "ours", "exists", ("7", "8"), 200, 2),
                 id="each message number is its own notification"),
    pytest.param(Delivery("ours", "ours", "sync", ("1",), 200, 0),
                 id="the sync message of a new channel is acknowledged and nothing is stored"),
    pytest.param(Delivery("unknown", "ours", "exists", ("7",), 404, 0),
                 id="a channel that is not ours is refused and nothing is stored"),
    pytest.param(Delivery("ours", "wrong", "exists", ("7",), 403, 0),
                 id="a bad channel token is refused and nothing is stored"),
    pytest.param(Delivery("ours", "none", "exists", ("7",), 403, 0),
                 id="a missing channel token is refused and nothing is stored"),
    pytest.param(Delivery("ours", "ours", "exists", ("seven",), 400, 0),
                 id="a malformed message number is refused and nothing is stored"),
]


def _our_channel(world: CalendarWorld) -> tuple[str, str]:
    """The channel id and token Google would send, read from a notification the emulator queued."""
    world.add_busy_time(datetime.now(UTC) + timedelta(days=1))
    queued = [n for n in world.google.notifications(kind="calendar") if n["status"] == "queued"]
    world.google.discard_notifications()
    headers = queued[-1]["headers"]
    return headers["X-Goog-Channel-ID"], headers["X-Goog-Channel-Token"]


@pytest.mark.parametrize("case", CASES)
def test_google_calendar_notifications_are_verified_before_anything_is_stored(
        google_world: CalendarWorld, case: Delivery) -> None:
    channel_id, token = _our_channel(google_world)
    statuses = []
    for number in case.numbers:
        headers = fixture("google-channel-notification.json",
                          channel_id=channel_id if case.channel == "ours" else "4ba78bf0-6a47-11e2-bcfd-0800200c9a66",
                          token={"ours": token, "wrong": token[:-2] + "xx", "none": ""}[case.token],
                          state=case.state, number=number)
        if case.token == "none":
            del headers["X-Goog-Channel-Token"]
        response = requests.post(f"{google_world.app_url}/webhooks/google-calendar", headers=headers, timeout=10)
        statuses.append(response.status_code)
    assert set(statuses) == {case.status}
    assert google_world.count(t.InboundNotification, provider="google_calendar") == case.stored
