"""Logged meetings (POST /api/v1/meetings and the contact record): the product sentences of issue #9."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from addin_server.services import enrollments, meetings
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Forbidden, Invalid
from tests.builders import World
from tests.conftest import FakeClock
from tests.integration.meetings.conftest import enroll


@dataclass(frozen=True)
class Logged:
    logged_by: str = "enrolling rep"  # or "another rep"
    with_contact: bool = True
    company: bool = False
    deal: bool = False
    days_ago: float = 0
    source: str = "logged"
    expect_status: str = "unenrolled"
    expect_reason: str | None = "meeting_booked"


CASES = [
    pytest.param(Logged(), id="logged by the user who enrolled the contact unenrolls with reason meeting_booked"),
    pytest.param(Logged(logged_by="another rep", expect_status="active", expect_reason=None),
                 id="logged by another user than the one who enrolled the contact does not unenroll"),
    pytest.param(Logged(company=True),
                 id="logged on the associated company and also associated with the contact unenrolls"),
    pytest.param(Logged(company=True, with_contact=False, expect_status="active", expect_reason=None),
                 id="logged on the associated company only does not unenroll the company's contact"),
    pytest.param(Logged(deal=True), id="logged on an associated deal and also associated with the contact unenrolls"),
    pytest.param(Logged(deal=True, with_contact=False, expect_status="active", expect_reason=None),
                 id="logged on an associated deal only does not unenroll"),
    pytest.param(Logged(days_ago=10),
                 id="a meeting that took place in the past counts when logged while the contact is enrolled"),
    pytest.param(Logged(source="contact_record"), id="logged from the contact record unenrolls the same way"),
]


@pytest.mark.parametrize("case", CASES)
def test_logged_meeting(services: ServiceContext, world: World, clock: FakeClock, case: Logged) -> None:
    e = enroll(services, world)
    clock.advance(days=1)
    user = world.rep if case.logged_by == "enrolling rep" else world.other_rep
    got = meetings.log_meeting(
        services, world.admin, contact_ids=[world.contact["id"]] if case.with_contact else [],
        logged_by_user_id=user["id"], start_time=clock.now - timedelta(days=case.days_ago),
        company_id=world.company["id"] if case.company else None, deal_id="deal-42" if case.deal else None,
        source=case.source)
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert (after["status"], after["end_reason"]) == (case.expect_status, case.expect_reason)
    booked = [ev for ev in after["events"] if ev["type"] == "meeting_booked"]
    assert len(booked) == (1 if case.expect_status == "unenrolled" else 0)
    assert got["meeting"]["source"] == case.source
    assert [x["id"] for x in got["ended"]] == ([e["id"]] if case.expect_status == "unenrolled" else [])
    if case.expect_status == "unenrolled":
        assert after["end_surface"] == "automatic"
        assert after["evidence"]["meeting_id"] == got["meeting"]["id"]
        assert performance(services, world)["meetings_booked"] == 1


def performance(ctx: ServiceContext, w: World) -> dict[str, Any]:
    return enrollments.performance(ctx, w.admin, w.sequence["id"])


def test_a_meeting_logged_after_the_enrollment_ended_changes_nothing(services: ServiceContext, world: World) -> None:
    e = enroll(services, world)
    enrollments.unenroll(services, world.admin, e["id"])
    got = meetings.log_meeting(services, world.admin, contact_ids=[world.contact["id"]],
                               logged_by_user_id=world.rep["id"], start_time=services.now())
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert after["end_reason"] == "manual" and got["ended"] == []
    assert got["outcomes"] == [{"contact_id": world.contact["id"], "enrollment_id": None, "action": "none",
                                "note": "the contact is not enrolled"}]


@pytest.mark.parametrize("kwargs, error", [
    pytest.param({"contact_ids": []}, Invalid, id="a meeting needs a contact or an associated record"),
    pytest.param({"source": "calendar"}, Invalid, id="only logged and contact_record meetings can be logged"),
])
def test_refused_meetings(services: ServiceContext, world: World, kwargs: dict[str, Any],
                          error: type[Exception]) -> None:
    args: dict[str, Any] = {"contact_ids": [world.contact["id"]], "logged_by_user_id": world.rep["id"],
                            "start_time": services.now(), **kwargs}
    with pytest.raises(error):
        meetings.log_meeting(services, world.admin, **args)


def test_a_rep_may_not_log_a_meeting_for_another_rep(services: ServiceContext, world: World) -> None:
    from addin_server.services.context import Principal

    otto = Principal(account_id=world.account_id, label="user:otto@acme.test", user_id=int(world.other_rep["id"]),
                     role="user")
    with pytest.raises(Forbidden):
        meetings.log_meeting(services, otto, contact_ids=[world.contact["id"]], logged_by_user_id=world.rep["id"],
                             start_time=services.now())


@pytest.mark.parametrize("start, end", [
    pytest.param(timedelta(days=-1), timedelta(days=-1, hours=-1), id="a meeting that ends before it starts"),
    pytest.param(timedelta(days=-11 * 366), None, id="a meeting more than ten years back"),
    pytest.param(timedelta(days=3 * 366), None, id="a meeting more than two years ahead"),
])
def test_every_surface_refuses_impossible_meeting_times(services: ServiceContext, world: World, clock: FakeClock,
                                                        start: timedelta, end: timedelta | None) -> None:
    e = enroll(services, world)
    with pytest.raises(Invalid):
        meetings.log_meeting(services, world.admin, contact_ids=[world.contact["id"]],
                             logged_by_user_id=world.rep["id"], start_time=clock.now + start,
                             end_time=clock.now + end if end is not None else None, source="contact_record")
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"
    assert meetings.list_meetings(services, world.admin) == []
