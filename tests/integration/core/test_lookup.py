"""The recipient lookup: one SQL round trip, the order asked, aliases, companies, tenants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from addin_server.services import directory, enrollments, lookup
from addin_server.services.context import Principal, ServiceContext
from tests.builders import make_world


class StatementCounter:
    def __init__(self, ctx: ServiceContext) -> None:
        self.count = 0
        self.engine = ctx.engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


def test_one_sql_round_trip_whatever_the_number_of_addresses(services: ServiceContext) -> None:
    w = make_world(services)
    emails = []
    for i in range(50):
        c = directory.create_contact(services, w.admin, email=f"p{i}@globex-acme.test")
        if i % 2:
            enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=c["id"],
                               sender_user_id=w.rep["id"])
        emails.append(c["email"])
    for batch in (emails[:1], emails[:10], emails):
        with StatementCounter(services) as counter:
            found = lookup.lookup_recipients(services, w.admin, batch)
        assert counter.count == 1
        assert [r["email"] for r in found] == batch
        assert sum(r["enrollment"] is not None for r in found) == sum(i % 2 for i in range(len(batch)))


def test_lookup_reports_contact_company_enrollment_and_who_enrolled(services: ServiceContext) -> None:
    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])
    (r,) = lookup.lookup_recipients(services, w.admin, ["Jane Doe <JANE.DOE@globex-acme.test>"])
    assert r["contact"]["name"] == "Jane Doe" and r["contact"]["company"]["name"] == "Globex"
    assert r["enrollment"]["id"] == e["id"]
    assert r["enrollment"]["sequence"]["name"] == "Intro outreach"
    assert (r["enrollment"]["current_step"], r["enrollment"]["steps_total"]) == (1, 3)
    assert r["enrollment"]["next_step_at"] == e["next_step_at"]
    assert r["enrollment"]["enrolled_by"]["name"] == "Rita Rep"
    assert r["enrollment"]["sender"]["mailbox_address"] == "rita@acme.test"
    assert r["can_unenroll"] is True and r["matched_by"] == "address"


def test_a_secondary_address_and_its_gmail_spellings_find_the_contact(services: ServiceContext) -> None:
    w = make_world(services)
    got = lookup.lookup_recipients(services, w.admin, ["jane.doe.home@gmail.com", "JaneDoeHome+x@googlemail.com"])
    assert [r["contact"]["id"] for r in got] == [w.contact["id"]] * 2
    assert [r["matched_by"] for r in got] == ["address", "alias"]


def test_unknown_and_invalid_addresses_are_answered_in_place(services: ServiceContext) -> None:
    w = make_world(services)
    got = lookup.lookup_recipients(services, w.admin, ["nobody@nowhere.test", "not-an-address", w.contact["email"]])
    assert got[0]["contact"] is None and "error" not in got[0]
    assert got[1]["error"] == "not an email address"
    assert got[2]["contact"]["id"] == w.contact["id"] and got[2]["enrollment"] is None


def test_a_contact_at_a_free_mail_domain_has_no_company(services: ServiceContext) -> None:
    w = make_world(services)
    c = directory.create_contact(services, w.admin, email="solo@gmail.com")
    (r,) = lookup.lookup_recipients(services, w.admin, [c["email"]])
    assert r["contact"]["company"] is None


def test_another_accounts_contacts_are_invisible(services: ServiceContext) -> None:
    a = make_world(services, name="A", domain="a.test")
    b = make_world(services, name="B", domain="b.test")
    (r,) = lookup.lookup_recipients(services, b.admin, [a.contact["email"]])
    assert r["contact"] is None


def test_a_rep_sees_can_unenroll_only_for_their_own(services: ServiceContext) -> None:
    w = make_world(services)
    enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                       sender_user_id=w.rep["id"])
    otto = Principal(w.account_id, "user:otto", user_id=int(w.other_rep["id"]), role="user")
    rita = Principal(w.account_id, "user:rita", user_id=int(w.rep["id"]), role="user")
    assert lookup.lookup_recipients(services, otto, [w.contact["email"]])[0]["can_unenroll"] is False
    assert lookup.lookup_recipients(services, rita, [w.contact["email"]])[0]["can_unenroll"] is True
