"""Nothing goes out after a reply, even when Graph's notification is late (issue 17, the pre-send guard).

Graph notifications held back (the emulator's automatic delivery off), a sequence whose second
email follows 43 seconds after the first, the contact's reply delivered into the rep's inbox, the
step falling due. Real msal and requests against the emulator's Graph; no mocks.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import directory, enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.mailboxes import connect_outlook
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.e2e.outlook_mailbox.test_outlook_end_to_end import reply
from tests.integration.emulator_microsoft.support import MicrosoftSetup

DELTA_ROUTE = "/graph/v1.0/users/*/messages/delta*"
FORTY_THREE_SECONDS = 43 / 86400


@pytest.fixture
def quick(outlook: dict[str, Any]) -> dict[str, Any]:
    """Two contacts in a sequence whose second email follows 43 seconds after the first."""
    ctx, admin = outlook["ctx"], outlook["admin"]
    seq = sequences.create_sequence(ctx, admin, name="Quick", owner_user_id=outlook["rep"]["id"], steps=[
        StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"),
        StepInput("automated_email", FORTY_THREE_SECONDS, "", "Just following up", True)])
    made = []
    for address, name in (("li@northwind.test", "Li"), ("sam@northwind.test", "Sam")):
        contact = directory.create_contact(ctx, admin, email=address, first_name=name)
        made.append(enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=contact["id"],
                                       sender_user_id=outlook["rep"]["id"]))
    return {**outlook, "replier": made[0], "quiet": made[1], "contact": {"email": "li@northwind.test"}}


def first_email(w: dict[str, Any]) -> str:
    with w["ctx"].session() as s:
        return s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(w["replier"]["id"]))).one()


def sent_count(setup: MicrosoftSetup) -> int:
    return len(setup.control.messages(setup.address, folder="sentitems"))


def at(ctx: ServiceContext, seconds: float) -> None:
    moment = ctx.now() + timedelta(seconds=seconds)
    ctx.clock = lambda: moment


def view(w: dict[str, Any], key: str) -> dict[str, Any]:
    return enrollments.get_enrollment(w["ctx"], w["admin"], w[key]["id"])


def next_step_at(w: dict[str, Any], key: str) -> datetime:
    with w["ctx"].session() as s:
        value = s.get_one(t.Enrollment, int(w[key]["id"])).next_step_at
    assert value is not None
    return value


def test_with_notifications_held_back_a_reply_stops_step_two_and_ends_the_enrollment_as_replied(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    before = sent_count(setup)
    setup.control.deliver(setup.address, reply("human_reply.eml", quick, first_email(quick)))
    at(quick["ctx"], 44)

    stats = run_due_steps(quick["ctx"])

    assert stats.notifications == 0  # nothing was notified: the guard read the inbox itself
    got = view(quick, "replier")
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    assert view(quick, "quiet")["status"] == "finished"
    assert sent_count(setup) == before + 1  # only the contact who did not answer got step 2

    # The notification, when it finally comes, changes nothing.
    setup.control.flush_notifications()
    run_due_steps(quick["ctx"])
    with quick["ctx"].session() as s:
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == int(quick["replier"]["id"]),
            t.EnrollmentEvent.type == "unenrolled")) == 1
    assert sent_count(setup) == before + 1


@pytest.mark.parametrize("status", [
    pytest.param(503, id="graph answers 503"),
    pytest.param(500, id="graph answers 500"),
    pytest.param(429, id="graph answers 429 (throttled)"),
])
def test_the_guard_never_sends_when_graph_cannot_answer_and_the_step_waits_a_bounded_delay(
        setup: MicrosoftSetup, quick: dict[str, Any], status: int) -> None:
    ctx = quick["ctx"]
    ctx.settings = ctx.settings.with_overrides(presend_retry_max_seconds=20)
    before = sent_count(setup)
    setup.control.deliver(setup.address, reply("human_reply.eml", quick, first_email(quick)))
    setup.control.inject_fault(DELTA_ROUTE, status, count=1000, method="GET", retry_after=0)
    waits = []
    for _ in range(3):
        at(ctx, 60)
        stats = run_due_steps(ctx)
        assert (stats.held, stats.steps_run) == (2, 0)  # both of the mailbox's steps wait
        assert view(quick, "replier")["current_step"] == view(quick, "quiet")["current_step"] == 1
        waits.append((next_step_at(quick, "replier") - ctx.now()).total_seconds())
    assert waits == [15, 20, 20]
    assert sent_count(setup) == before

    setup.control.clear_faults()
    at(ctx, 21)
    run_due_steps(ctx)
    assert view(quick, "replier")["end_reason"] == "replied"
    assert view(quick, "quiet")["status"] == "finished"
    assert sent_count(setup) == before + 1


def test_consent_withdrawn_before_the_guard_reads_sends_nothing_and_holds_while_disconnected(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    ctx = quick["ctx"]
    before = sent_count(setup)
    setup.control.set_consent(setup.client_id, setup.tenant_id, False)
    setup.control.revoke_refresh_tokens(address=setup.address)
    at(ctx, 60)
    first = run_due_steps(ctx)
    assert first.steps_run == 0 and first.held + first.failures == 2
    # Disconnected, the mailbox is no longer read: its steps stay held (never sent unchecked nor
    # through the local outbox), with the reason, looked at again after a minute or more.
    for _ in range(2):
        at(ctx, 600)
        later = run_due_steps(ctx)
        assert (later.held, later.steps_run, later.failures) == (2, 0, 0)
        for key in ("replier", "quiet"):
            assert (next_step_at(quick, key) - ctx.now()).total_seconds() >= 60
            with ctx.session() as s:
                assert "is disconnected" in (s.get_one(t.Enrollment, int(quick[key]["id"])).last_error or "")
    assert view(quick, "replier")["current_step"] == view(quick, "quiet")["current_step"] == 1
    assert view(quick, "quiet")["status"] == "active"
    # An API user sees why the step waits and until when.
    held = view(quick, "quiet")["held"]
    assert "is disconnected" in held["reason"] and held["retry_at"] == view(quick, "quiet")["next_step_at"]
    assert sent_count(setup) == before
    with ctx.session() as s:  # nor any other way (the local outbox records a SequenceEmail too)
        assert s.scalar(select(func.count()).select_from(t.SequenceEmail).where(t.SequenceEmail.enrollment_id.in_(
            [int(quick["replier"]["id"]), int(quick["quiet"]["id"])]))) == 2


def test_a_reply_landing_while_earlier_steps_of_the_batch_go_out_slowly_stops_the_later_step(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    ctx = quick["ctx"]
    before = sent_count(setup)
    with ctx.session() as s:
        sam_first = s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(quick["quiet"]["id"]))).one()
    # Each send takes 4 s; Sam answers 1.5 s into the pass, after the guard's first read, while
    # Li's step 2 is still going out and before his own step 2 would.
    setup.control.inject_fault("/graph/v1.0/users/*/messages/*/send", None, count=2, method="POST",
                               delay_seconds=4)
    sam = {**quick, "contact": {"email": "sam@northwind.test"}}
    late = threading.Timer(1.5, lambda: setup.control.deliver(setup.address, reply("human_reply.eml", sam, sam_first)))
    at(ctx, 44)
    late.start()
    try:
        run_due_steps(ctx)
    finally:
        late.join()

    assert view(quick, "replier")["status"] == "finished"
    got = view(quick, "quiet")
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    assert sent_count(setup) == before + 1


def test_a_graph_delta_that_hangs_holds_the_steps_within_the_read_timeout(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    ctx = quick["ctx"]
    ctx.settings = ctx.settings.with_overrides(presend_read_timeout_seconds=1.0)
    before = sent_count(setup)
    setup.control.inject_fault(DELTA_ROUTE, None, count=2, method="GET", delay_seconds=10)
    at(ctx, 60)
    started = time.monotonic()
    stats = run_due_steps(ctx)
    assert time.monotonic() - started < 6  # two tries of 1 s, not Graph's 30 s timeout
    assert (stats.held, stats.steps_run) == (2, 0)
    with ctx.session() as s:
        assert "held before sending" in (s.get_one(t.Enrollment, int(quick["replier"]["id"])).last_error or "")
    assert sent_count(setup) == before


@pytest.mark.parametrize(("retry_after", "bound", "wait"), [
    pytest.param(40, 300, 40, id="graph's Retry-After longer than the doubling is honoured"),
    pytest.param(900, 300, 300, id="a Retry-After past the operator's bound waits only the bound"),
])
def test_a_throttled_guard_read_waits_as_long_as_graph_asks_within_the_bound(
        setup: MicrosoftSetup, quick: dict[str, Any], retry_after: int, bound: int, wait: int) -> None:
    ctx = quick["ctx"]
    ctx.settings = ctx.settings.with_overrides(presend_retry_max_seconds=bound)
    setup.control.inject_fault(DELTA_ROUTE, 429, count=1000, method="GET", retry_after=retry_after)
    at(ctx, 60)
    assert run_due_steps(ctx).held == 2
    for key in ("replier", "quiet"):
        assert (next_step_at(quick, key) - ctx.now()).total_seconds() == wait
    setup.control.clear_faults()


def test_outside_finding_c_withdrawn_microsoft_consent_makes_the_rep_not_connected(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    ctx, admin, rep_id = quick["ctx"], quick["admin"], quick["rep"]["id"]
    assert directory.get_user(ctx, admin, rep_id)["mailbox_connected"] is True
    setup.control.set_consent(setup.client_id, setup.tenant_id, False)
    setup.control.revoke_refresh_tokens(address=setup.address)
    at(ctx, 60)
    run_due_steps(ctx)  # the guard's read is refused: that is when we learn consent is gone
    assert directory.get_user(ctx, admin, rep_id)["mailbox_connected"] is False
    with ctx.session() as s:
        watch = s.scalars(select(t.MailboxWatch).where(t.MailboxWatch.user_id == int(rep_id))).one()
        assert watch.status == "disconnected"


@pytest.fixture
def second_mailbox(setup: MicrosoftSetup, quick: dict[str, Any]) -> dict[str, Any]:
    """A second rep of the same tenant, connected, with one contact due a step 43 seconds after the first."""
    ctx, admin = quick["ctx"], quick["admin"]
    address = "second." + setup.address
    made = setup.control.create_mailbox(address, setup.tenant_id, display_name="Second Rep")
    rep = directory.create_user(ctx, admin, email=address, name="Second Rep", role="user",
                                mailbox_provider="outlook", mailbox_address=address)
    connect_outlook(ctx, admin, rep["id"], tenant_id=setup.tenant_id, graph_user_id=made["user_id"])
    seq = sequences.create_sequence(ctx, admin, name="Quick too", owner_user_id=rep["id"], steps=[
        StepInput("automated_email", 0, "Hi", "Hello {{first_name}}"),
        StepInput("automated_email", FORTY_THREE_SECONDS, "", "Following up", True)])
    contact = directory.create_contact(ctx, admin, email="kim@northwind.test", first_name="Kim")
    enrolled = enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=contact["id"],
                                  sender_user_id=rep["id"])
    return {"address": address, "enrollment": enrolled}


@pytest.mark.parametrize("parallel", [pytest.param(4, id="four reads at once"),
                                      pytest.param(2, id="two reads at once")])
def test_a_slow_mailbox_holds_only_its_own_steps_and_never_sends_them_unread(
        setup: MicrosoftSetup, quick: dict[str, Any], second_mailbox: dict[str, Any], parallel: int) -> None:
    ctx = quick["ctx"]
    # Each of the slow mailbox's answers would take 10 s; one read is given 3 s in all.
    ctx.settings = ctx.settings.with_overrides(presend_read_timeout_seconds=5.0, presend_mailbox_deadline_seconds=3.0,
                                               presend_parallel_reads=parallel)
    slow_before = sent_count(setup)
    setup.control.inject_fault(f"/graph/v1.0/users/{setup.user_id}/*messages/delta*", None, count=10, method="GET",
                               delay_seconds=10)
    at(ctx, 60)
    sent_meanwhile: list[int] = []
    probe = threading.Timer(2.0, lambda: sent_meanwhile.append(
        len(setup.control.messages(second_mailbox["address"], folder="sentitems"))))
    started = time.monotonic()
    probe.start()
    try:
        stats = run_due_steps(ctx)
    finally:
        probe.join()
    elapsed = time.monotonic() - started

    # The other rep's step went out at once; the slow mailbox's two steps wait, unsent.
    assert (stats.steps_run, stats.held) == (1, 2)
    kim = enrollments.get_enrollment(ctx, quick["admin"], second_mailbox["enrollment"]["id"])
    assert kim["status"] == "finished" and [ev["step"] for ev in kim["events"] if ev["type"] == "email_sent"] == [1, 2]
    assert len(setup.control.messages(second_mailbox["address"], folder="sentitems")) == 2
    assert sent_meanwhile == [2]  # step 2 went out while the slow mailbox was still being read
    for key in ("replier", "quiet"):
        got = view(quick, key)
        assert (got["status"], got["current_step"]) == ("active", 1)
        assert "within 3 s" in got["held"]["reason"]
    assert sent_count(setup) == slow_before
    # The pass ended at the slow mailbox's deadline, not after its provider's 10 s answers.
    assert elapsed < 7, elapsed
