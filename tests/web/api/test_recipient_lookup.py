"""GET /api/v1/recipients/status: what each address answers, read from one statement built once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from addin_server.services import enrollments, lookup
from addin_server.services.context import Principal, ServiceContext
from tests.builders import make_world
from tests.conftest import FakeClock


def test_a_looked_up_enrollment_reads_exactly_like_the_enrollment_itself(
        client: Any, services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    h = {"Authorization": f"Bearer {w.api_key}"}
    active = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                                sender_user_id=w.other_rep["id"], enrolled_by_user_id=w.rep["id"])
    paused = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.colleague["id"],
                                sender_user_id=w.rep["id"])
    enrollments.pause(services, w.admin, paused["id"], until=clock.now + timedelta(days=3))
    got = client.get(f"/api/v1/recipients/status?email={w.contact['email']}&email={w.colleague['email']}",
                     headers=h).json["recipients"]
    for answer, enrollment_id in zip(got, (active["id"], paused["id"]), strict=True):
        itself = client.get(f"/api/v1/enrollments/{enrollment_id}", headers=h).json
        itself.pop("events")
        assert answer["enrollment"] == itself
    assert got[1]["enrollment"]["status"] == "paused" and got[1]["enrollment"]["paused_until"] is not None


def test_answers_stay_right_when_lookups_of_different_sizes_follow_each_other(services: ServiceContext) -> None:
    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])
    for batch in (["JaneDoeHome@googlemail.com"], [w.colleague["email"], "x@y.test", w.contact["email"]],
                  [w.contact["email"]], ["not an address"], [w.colleague["email"]] * 3):
        got = lookup.lookup_recipients(services, w.admin, batch)
        assert [r["email"] for r in got] == batch
        for asked, r in zip(batch, got, strict=True):
            if asked in (w.contact["email"], "JaneDoeHome@googlemail.com"):
                assert r["contact"]["id"] == w.contact["id"] and r["enrollment"]["id"] == e["id"]
            elif asked == w.colleague["email"]:
                assert r["contact"]["id"] == w.colleague["id"] and r["enrollment"] is None
            else:
                assert r["contact"] is None and r["enrollment"] is None


def test_a_rep_may_unenroll_from_the_lookup_only_what_they_enrolled_sent_or_own(services: ServiceContext) -> None:
    w = make_world(services)
    enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                       sender_user_id=w.rep["id"])
    as_rita = Principal(w.account_id, "user:rita", user_id=int(w.rep["id"]), role="user")
    as_otto = Principal(w.account_id, "user:otto", user_id=int(w.other_rep["id"]), role="user")
    assert lookup.lookup_recipients(services, as_rita, [w.contact["email"]])[0]["can_unenroll"] is True
    assert lookup.lookup_recipients(services, as_otto, [w.contact["email"]])[0]["can_unenroll"] is False


def test_another_accounts_contact_is_unknown_to_the_lookup(services: ServiceContext) -> None:
    a, b = make_world(services), make_world(services, name="Beta", domain="beta.test")
    enrollments.enroll(services, a.admin, sequence_id=a.sequence["id"], contact_id=a.contact["id"],
                       sender_user_id=a.rep["id"])
    (r,) = lookup.lookup_recipients(services, b.admin, [a.contact["email"]])
    assert r["contact"] is None and r["enrollment"] is None and r["can_unenroll"] is False
