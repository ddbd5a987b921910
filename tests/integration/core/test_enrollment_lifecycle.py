"""Enrolling, running steps, finishing, unenrolling: the seed behaviours, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Forbidden, NotFound
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.builders import make_world
from tests.conftest import FakeClock


def _outbox(ctx: ServiceContext) -> list[t.LocalOutbox]:
    with ctx.session() as s:
        return list(s.scalars(select(t.LocalOutbox).order_by(t.LocalOutbox.id)))


def _enroll(ctx: ServiceContext, w, contact=None) -> dict:  # type: ignore[no-untyped-def]
    return enrollments.enroll(ctx, w.admin, sequence_id=w.sequence["id"], contact_id=(contact or w.contact)["id"],
                              sender_user_id=w.rep["id"])


def test_enrolling_runs_the_first_step_immediately(services: ServiceContext) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    assert e["status"] == "active"
    assert e["current_step"] == 1 and e["steps_total"] == 3
    sent = _outbox(services)
    assert [(m.mailbox_address, m.recipient, m.subject) for m in sent] == [
        ("rita@acme.test", "jane.doe@globex-acme.test", "Intro")]
    assert [ev["type"] for ev in e["events"]] == ["enrolled", "step_executed", "email_sent"]
    assert e["events"][2]["message_id"] == sent[0].rfc_message_id
    with services.session() as s:
        recorded = s.scalars(select(t.SequenceEmail)).one()
    assert recorded.rfc_message_id == sent[0].rfc_message_id and recorded.thread_id == sent[0].thread_id


def test_later_steps_run_when_due_and_not_before(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    clock.advance(days=1, hours=23)
    assert run_due_steps(services).steps_run == 0
    clock.advance(hours=1)
    assert run_due_steps(services).steps_run == 1  # the call task
    got = enrollments.get_enrollment(services, w.admin, e["id"])
    assert got["current_step"] == 2
    task = [ev for ev in got["events"] if ev["type"] == "step_executed"][-1]
    assert task["task"]["type"] == "call" and task["task"]["assignee_user_id"] == w.rep["id"]
    assert len(_outbox(services)) == 1  # a call step sends nothing


def test_a_threaded_step_continues_the_previous_emails_thread(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    _enroll(services, w)
    clock.advance(days=2)
    run_due_steps(services)
    clock.advance(days=3)
    run_due_steps(services)
    first, second = _outbox(services)
    assert second.thread_id == first.thread_id
    assert second.subject == "Re: Intro"


def test_completing_the_sequence_unenrolls(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    for _ in range(3):
        clock.advance(days=3)
        run_due_steps(services)
    done = enrollments.get_enrollment(services, w.admin, e["id"])
    assert done["status"] == "finished"
    assert done["end_reason"] == "completed"
    assert done["current_step"] == 3
    assert done["events"][-1]["type"] == "finished"
    # The contact's slot is free again.
    again = _enroll(services, w)
    assert again["status"] == "active"


def test_a_one_step_sequence_finishes_at_enrollment(services: ServiceContext) -> None:
    w = make_world(services, steps=[StepInput("automated_email", 0, "Only", "once")])
    e = _enroll(services, w)
    assert e["status"] == "finished" and e["end_reason"] == "completed"


def test_unenrolling_keeps_enrollment_and_performance_data(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    _enroll(services, w, w.colleague)
    before = enrollments.performance(services, w.admin, w.sequence["id"])
    ended = enrollments.unenroll(services, w.admin, e["id"], surface="contact_record")
    after = enrollments.performance(services, w.admin, w.sequence["id"])
    assert ended["status"] == "unenrolled"
    assert (ended["end_reason"], ended["end_surface"], ended["end_actor"]) == ("manual", "contact_record",
                                                                                 w.admin.actor)
    assert [ev["type"] for ev in ended["events"]] == ["enrolled", "step_executed", "email_sent", "unenrolled"]
    for figure in ("enrolled", "emails_sent", "replies", "meetings_booked", "bounces", "unsubscribes"):
        assert after[figure] == before[figure], figure
    assert after["unenrolled"] == {"manual": 1} and after["active"] == before["active"] - 1
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.SequenceEmail)) == 2
    # Unenrolled contacts are not emailed again.
    clock.advance(days=10)
    run_due_steps(services)
    assert [m.recipient for m in _outbox(services)].count(w.contact["email"]) == 1


def test_unenrolling_an_ended_enrollment_answers_its_outcome_without_a_second_event(services: ServiceContext) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    first = enrollments.unenroll(services, w.admin, e["id"], surface="gmail_addon")
    second = enrollments.unenroll(services, w.admin, e["id"], surface="outlook_addin")
    assert second["end_surface"] == "gmail_addon" and second["ended_at"] == first["ended_at"]
    assert [ev["type"] for ev in second["events"]].count("unenrolled") == 1


def test_a_contact_is_in_at_most_one_open_sequence(services: ServiceContext) -> None:
    w = make_world(services)
    _enroll(services, w)
    other = sequences.create_sequence(services, w.admin, name="Other", owner_user_id=w.rep["id"],
                                      steps=[StepInput("task", 0, "t", "")])
    with pytest.raises(Conflict, match="already enrolled in 'Intro outreach'"):
        enrollments.enroll(services, w.admin, sequence_id=other["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])


def test_a_paused_enrollment_still_holds_the_slot(services: ServiceContext) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    enrollments.pause(services, w.admin, e["id"], until=None)
    with pytest.raises(Conflict):
        _enroll(services, w)


@pytest.mark.parametrize("flag", ["unsubscribed", "bounced"])
def test_unsubscribed_or_bounced_contacts_cannot_be_enrolled(services: ServiceContext, flag: str) -> None:
    w = make_world(services)
    with services.session() as s:
        setattr(s.get_one(t.Contact, int(w.contact["id"])), flag, True)
    with pytest.raises(Conflict) as err:
        _enroll(services, w)
    assert err.value.code == f"contact_{flag}"
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.Enrollment)) == 0


def test_pausing_keeps_the_remaining_delay(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    clock.advance(days=1)  # one day of the two-day delay left
    enrollments.pause(services, w.admin, e["id"], until=clock.now + __import__("datetime").timedelta(days=5))
    clock.advance(days=5)
    stats = run_due_steps(services)
    assert stats.resumed == 1 and stats.steps_run == 0
    resumed = enrollments.get_enrollment(services, w.admin, e["id"])
    assert resumed["status"] == "active"
    clock.advance(hours=23)
    assert run_due_steps(services).steps_run == 0
    clock.advance(hours=1)
    assert run_due_steps(services).steps_run == 1


def test_bulk_unenroll_ends_exactly_the_listed_enrollments(services: ServiceContext) -> None:
    w = make_world(services)
    a = _enroll(services, w)
    b = _enroll(services, w, w.colleague)
    result = enrollments.bulk_unenroll(services, w.admin, w.sequence["id"], [a["id"]])
    assert result["ended"] == [a["id"]]
    assert enrollments.get_enrollment(services, w.admin, b["id"])["status"] == "active"
    assert enrollments.get_enrollment(services, w.admin, a["id"])["end_surface"] == "bulk"


def test_bulk_unenroll_with_an_unknown_id_changes_nothing(services: ServiceContext) -> None:
    w = make_world(services)
    a = _enroll(services, w)
    with pytest.raises(NotFound):
        enrollments.bulk_unenroll(services, w.admin, w.sequence["id"], [a["id"], "99999"])
    assert enrollments.get_enrollment(services, w.admin, a["id"])["status"] == "active"


def test_workflow_unenrollment_only_on_enterprise(services: ServiceContext) -> None:
    pro = make_world(services, plan="professional", name="Pro", domain="pro.test")
    ent = make_world(services, plan="enterprise", name="Ent", domain="ent.test")
    pe, ee = _enroll(services, pro), _enroll(services, ent)
    with pytest.raises(Forbidden, match="Enterprise"):
        enrollments.workflow_unenroll(services, pro.admin, contact_id=pro.contact["id"], email=None,
                                      sequence_id=None, workflow="Closed won")
    assert enrollments.get_enrollment(services, pro.admin, pe["id"])["status"] == "active"
    ended = enrollments.workflow_unenroll(services, ent.admin, contact_id=None, email="JANE.DOE@globex-ent.test",
                                          sequence_id=None, workflow="Closed won")
    assert ended["id"] == ee["id"]
    assert (ended["end_reason"], ended["evidence"]["workflow"]) == ("workflow", "Closed won")


def test_a_rep_may_unenroll_only_their_own_contacts(services: ServiceContext) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    otto = Principal(w.account_id, "user:otto@acme.test", user_id=int(w.other_rep["id"]), role="user")
    rita = Principal(w.account_id, "user:rita@acme.test", user_id=int(w.rep["id"]), role="user")
    with pytest.raises(Forbidden):
        enrollments.unenroll(services, otto, e["id"], surface="outlook_addin")
    assert enrollments.unenroll(services, rita, e["id"], surface="gmail_addon")["end_actor"] == "user:rita@acme.test"


def test_another_accounts_enrollment_is_not_found(services: ServiceContext) -> None:
    a = make_world(services, name="A", domain="a.test")
    b = make_world(services, name="B", domain="b.test")
    e = _enroll(services, a)
    with pytest.raises(NotFound):
        enrollments.unenroll(services, b.admin, e["id"])
    with pytest.raises(NotFound):
        enrollments.enroll(services, b.admin, sequence_id=a.sequence["id"], contact_id=b.contact["id"],
                           sender_user_id=b.rep["id"])
    assert enrollments.get_enrollment(services, a.admin, e["id"])["status"] == "active"


def test_two_workers_never_claim_the_same_enrollment(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    for i in range(6):
        c = directory.create_contact(services, w.admin, email=f"p{i}@globex-acme.test")
        _enroll(services, w, c)
    clock.advance(days=2)
    first = enrollments.claim_due_enrollments(services, "worker-1", limit=4)
    second = enrollments.claim_due_enrollments(services, "worker-2", limit=10)
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)
    clock.advance(minutes=5)  # leases ran out: a crashed worker's claims come back
    assert len(enrollments.claim_due_enrollments(services, "worker-3", limit=10)) == 6


class FailingSender:
    """A connected mailbox whose provider is down."""

    def can_send_from(self, session, user):  # type: ignore[no-untyped-def]
        return True

    def send(self, session, email):  # type: ignore[no-untyped-def]
        raise ConnectionError("provider unavailable")


def test_a_failed_send_keeps_the_enrollment_and_retries_later(services: ServiceContext, clock: FakeClock) -> None:
    w = make_world(services)
    e = _enroll(services, w)
    clock.advance(days=2)
    assert run_due_steps(services).steps_run == 1  # the call task
    clock.advance(days=3)
    services.mail_sender, real = FailingSender(), services.mail_sender
    stats = run_due_steps(services)
    assert stats.failures == 1 and stats.steps_run == 0
    got = enrollments.get_enrollment(services, w.admin, e["id"])
    assert got["status"] == "active" and got["current_step"] == 2  # the email step is still to run
    services.mail_sender = real
    clock.advance(minutes=1)
    assert run_due_steps(services).steps_run == 1
    assert enrollments.get_enrollment(services, w.admin, e["id"])["status"] == "finished"


def test_the_api_key_of_an_account_authenticates_only_that_account(services: ServiceContext) -> None:
    w = make_world(services)
    p = accounts.authenticate_api_key(services, w.api_key)
    assert p.account_id == w.account_id
