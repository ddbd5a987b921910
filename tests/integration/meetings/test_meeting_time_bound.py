"""One bound on when a meeting may start (domain.meetings.meeting_time_problem), held by the service
every surface logs through and by calendar events alike: a year back, two years ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import enrollments, meetings
from addin_server.services.calendar_events import CalendarEvent, apply_calendar_event
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Invalid
from tests.builders import World
from tests.conftest import FakeClock
from tests.integration.meetings.conftest import enroll

OFFSETS = [
    pytest.param(timedelta(days=-330), True, id="eleven months ago: counts"),
    pytest.param(timedelta(days=-400), False, id="thirteen months ago: out of bounds"),
    pytest.param(timedelta(days=-4 * 365), False, id="four years ago: out of bounds"),
    pytest.param(timedelta(days=3 * 366), False, id="three years ahead: out of bounds"),
]


@pytest.mark.parametrize(("offset", "counts"), OFFSETS)
def test_a_logged_meeting_is_held_to_the_bound(services: ServiceContext, world: World, clock: FakeClock,
                                               offset: timedelta, counts: bool) -> None:
    e = enroll(services, world)
    log = {"contact_ids": [world.contact["id"]], "logged_by_user_id": world.rep["id"],
           "start_time": clock.now + offset, "source": "contact_record"}
    if counts:
        meetings.log_meeting(services, world.admin, **log)
    else:
        with pytest.raises(Invalid) as refused:
            meetings.log_meeting(services, world.admin, **log)
        assert refused.value.code == "invalid_time"
    status = enrollments.get_enrollment(services, world.admin, e["id"])["status"]
    assert status == ("unenrolled" if counts else "active")


@pytest.mark.parametrize(("offset", "counts"), OFFSETS)
def test_a_calendar_event_is_held_to_the_same_bound(services: ServiceContext, world: World, clock: FakeClock,
                                                    offset: timedelta, counts: bool) -> None:
    """The rep's calendar shows a meeting with the contact (the rep organised it): outside the bound
    it is not a meeting the product counts, exactly as if the rep had logged it."""
    e = enroll(services, world)
    start = clock.now + offset
    event = CalendarEvent("google", world.rep["mailbox_address"], f"ev-{offset.days}", "Intro call",
                          world.rep["mailbox_address"], (world.rep["mailbox_address"], world.contact["email"]),
                          start, start + timedelta(minutes=30), clock.now, False)
    outcome = apply_calendar_event(services, int(world.rep["id"]), event)
    assert outcome == ("meeting" if counts else "out_of_range")
    status = enrollments.get_enrollment(services, world.admin, e["id"])["status"]
    assert status == ("unenrolled" if counts else "active")
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(t.Meeting)) == (1 if counts else 0)
