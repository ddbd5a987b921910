"""Nothing goes out after a reply, even when Gmail's push is late (issue 17, the pre-send guard).

The reproduction: Pub/Sub pushes held back (the emulator's delivery mode `manual`), a sequence whose
second email follows 43 seconds after the first, the contact's reply delivered into the rep's
mailbox, the step falling due. Real google-api-python-client against the emulator; no mocks.
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_server.db import tables as t
from addin_server.services import enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.grants import gmail_for
from addin_server.services.mailboxes import connect_gmail
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.builders import World
from tests.e2e.gmail.test_gmail_end_to_end import reply, sent_id

FORTY_THREE_SECONDS = 43 / 86400  # in days, as steps count their delays


def quick_sequence(ctx: ServiceContext, w: World) -> dict[str, object]:
    return sequences.create_sequence(ctx, w.admin, name="Quick follow-up", owner_user_id=w.rep["id"], steps=[
        StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"),
        StepInput("automated_email", FORTY_THREE_SECONDS, "", "Just following up", True)])


def sent_count(control: GoogleEmulatorControl, w: World) -> int:
    return len(control.messages(w.rep["mailbox_address"], label="SENT"))


def at(ctx: ServiceContext, seconds: float) -> None:
    """Move the service's clock `seconds` past what it says now."""
    moment = ctx.now() + timedelta(seconds=seconds)
    ctx.clock = lambda: moment


def history_reads(control: GoogleEmulatorControl) -> int:
    return sum(1 for r in control.requests() if r["path"].endswith("/history"))


def test_with_pushes_held_back_a_reply_stops_step_two_and_ends_the_enrollment_as_replied(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    quiet = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]),
                               contact_id=world.colleague["id"], sender_user_id=world.rep["id"])
    assert sent_count(control, world) == 2
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    assert control.notifications()  # the push is there, held back
    control.clear_requests()
    at(gmail_services, 44)

    stats = run_due_steps(gmail_services)

    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["evidence"]["matched_by"] == "In-Reply-To"
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    # The colleague who did not answer gets step 2 in the same pass; one history read served both.
    assert enrollments.get_enrollment(gmail_services, world.admin, quiet["id"])["status"] == "finished"
    assert sent_count(control, world) == 3 and stats.steps_run == 1
    assert history_reads(control) == 1

    # The push, when it finally comes, changes nothing.
    control.flush()
    run_due_steps(gmail_services)
    with gmail_services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == int(e["id"]), t.EnrollmentEvent.type == "unenrolled")) == 1
    assert sent_count(control, world) == 3


@pytest.mark.parametrize("labels", [
    pytest.param(["Label_42"], id="a filter skipped the inbox and applied a label"),
    pytest.param(["Label_42", "UNREAD"], id="skipped the inbox, unread"),
])
def test_a_reply_a_filter_kept_out_of_the_inbox_still_stops_step_two(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World, labels: list[str]) -> None:
    """"A contact who answered hears nothing more", wherever the rep's filters file the answer."""
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])),
                    labels=labels)
    at(gmail_services, 44)
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert sent_count(control, world) == 1


def trash_by_hand(ctx: ServiceContext, w: World, message_id: str) -> None:
    """The rep deletes a message after it landed: users.messages.trash, as Gmail's own apps do."""
    with ctx.session() as s:
        gmail = gmail_for(ctx.settings, s.get_one(t.User, int(w.rep["id"])))
    got = gmail._messages.trash(userId="me", id=message_id).execute(num_retries=0)
    assert "TRASH" in got["labelIds"] and "INBOX" not in got["labelIds"]


@pytest.mark.parametrize("pushes", [
    pytest.param(False, id="pushes held back"),
    pytest.param(True, id="pushes working"),
])
def test_a_reply_the_rep_trashed_before_it_was_read_still_stops_step_two(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World, pushes: bool) -> None:
    """"A contact who answered hears nothing more", even when the rep deleted the answer at once."""
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    delivered = control.deliver(world.rep["mailbox_address"],
                                reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    time.sleep(0.3)
    trash_by_hand(gmail_services, world, delivered["id"])
    if pushes:
        control.flush()
    at(gmail_services, 44)
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    assert sent_count(control, world) == 1


def test_our_own_sent_step_the_rep_trashed_is_not_read_as_a_reply(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    for sent in control.messages(world.rep["mailbox_address"], label="SENT"):
        trash_by_hand(gmail_services, world, sent["id"])
    at(gmail_services, 44)
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["status"] == "finished"
    assert sent_count(control, world) == 2


def test_the_reps_own_sent_steps_are_not_read_back_as_replies(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    control.clear_requests()
    at(gmail_services, 44)
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["status"] == "finished"
    # Step 1 (SENT, in the history since the cursor) was skipped from the history record itself.
    assert not [r for r in control.requests() if "/messages/" in r["path"] and r["method"] == "GET"]
    assert sent_count(control, world) == 2


@pytest.mark.parametrize("status", [
    pytest.param(503, id="gmail answers 503"),
    pytest.param(500, id="gmail answers 500"),
    pytest.param(429, id="gmail answers 429 (rate limit)"),
])
def test_the_guard_never_sends_when_gmail_cannot_answer_and_the_step_waits_a_bounded_delay(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World, status: int) -> None:
    gmail_services.settings = gmail_services.settings.with_overrides(presend_retry_max_seconds=20)
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    control.inject_fault("*/history", status, count=1000, reason="rateLimitExceeded" if status == 429 else None)

    waits = []
    for _ in range(3):
        at(gmail_services, 60)
        stats = run_due_steps(gmail_services)
        assert (stats.held, stats.steps_run) == (1, 0)
        got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
        assert got["status"] == "active" and got["current_step"] == 1
        waits.append((enrollments_next(gmail_services, e["id"]) - gmail_services.now()).total_seconds())
        with gmail_services.session() as s:
            assert f"answered {status}" in (s.get_one(t.Enrollment, int(e["id"])).last_error or "")
    assert waits == [15, 20, 20]  # doubling, never past PRESEND_RETRY_MAX_SECONDS
    held = enrollments.get_enrollment(gmail_services, world.admin, e["id"])["held"]
    assert f"answered {status}" in held["reason"] and held["tries"] == 3
    assert sent_count(control, world) == 1

    control.clear_faults()
    at(gmail_services, 21)
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["held"] is None
    assert sent_count(control, world) == 1


@pytest.mark.parametrize(("retry_after", "waited"), [
    pytest.param("120", 120, id="Retry-After 120: the step waits 120 s"),
    pytest.param("86400", 300, id="Retry-After a day: the step waits the operator's bound"),
])
def test_a_gmail_429_with_retry_after_holds_the_step_at_least_that_long(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World,
        retry_after: str, waited: int) -> None:
    """"Within each provider's quota": Gmail's Retry-After is honoured as Graph's is."""
    gmail_services.settings = gmail_services.settings.with_overrides(presend_retry_max_seconds=300)
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    control.inject_fault("*/history", 429, count=1000, retry_after=retry_after, reason="rateLimitExceeded")
    at(gmail_services, 60)
    assert run_due_steps(gmail_services).held == 1
    assert (enrollments_next(gmail_services, e["id"]) - gmail_services.now()).total_seconds() == waited
    assert sent_count(control, world) == 1


def test_the_guard_never_sends_when_gmail_cannot_be_reached(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    reachable = gmail_services.settings
    gmail_services.settings = reachable.with_overrides(gmail_api_endpoint="http://127.0.0.1:9/")  # nothing listens
    at(gmail_services, 60)
    assert run_due_steps(gmail_services).held == 1
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["current_step"] == 1
    gmail_services.settings = reachable
    at(gmail_services, 20)
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert got["status"] == "finished" and got["held"] is None
    assert sent_count(control, world) == 2


def enrollments_next(ctx: ServiceContext, enrollment_id: str):  # type: ignore[no-untyped-def]
    with ctx.session() as s:
        return s.get_one(t.Enrollment, int(enrollment_id)).next_step_at


def test_a_grant_revoked_before_the_guard_reads_sends_nothing_and_holds_until_the_rep_reconnects(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    control.revoke(address=world.rep["mailbox_address"])
    at(gmail_services, 60)
    assert run_due_steps(gmail_services).held == 1
    with gmail_services.session() as s:
        rep = s.get_one(t.User, int(world.rep["id"]))
        assert rep.mailbox_connected is False  # the rep is told to reconnect
    # The reply lands while the mailbox is disconnected.
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    # Disconnected, the mailbox is no longer read, so its steps stay held, with the reason, and are
    # looked at again only after a minute, not every few seconds.
    for _ in range(2):
        at(gmail_services, 300)
        stats = run_due_steps(gmail_services)
        assert (stats.held, stats.steps_run, stats.failures) == (1, 0, 0)
        assert (enrollments_next(gmail_services, e["id"]) - gmail_services.now()).total_seconds() >= 60
        with gmail_services.session() as s:
            assert "is disconnected" in (s.get_one(t.Enrollment, int(e["id"])).last_error or "")
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["current_step"] == 1
    assert sent_count(control, world) == 1

    # Reconnected, the mailbox is read from where it stopped: the reply ends the enrollment, and
    # step 2 never goes out.
    connect_gmail(gmail_services, world.admin, world.rep["id"],
                  control.create_mailbox(world.rep["mailbox_address"])["refresh_token"])
    at(gmail_services, 300)
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert sent_count(control, world) == 1


def test_a_gmail_that_never_answers_holds_the_step_within_the_read_timeout(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    seq = quick_sequence(gmail_services, world)
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=str(seq["id"]), contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    reachable = gmail_services.settings
    with socket.socket() as hanging:  # accepts connections (the backlog) and never answers
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        gmail_services.settings = reachable.with_overrides(
            gmail_api_endpoint=f"http://127.0.0.1:{hanging.getsockname()[1]}/", presend_read_timeout_seconds=1.0)
        at(gmail_services, 60)
        started = time.monotonic()
        assert run_due_steps(gmail_services).held == 1
        assert time.monotonic() - started < 8  # one retry of a 1 s timeout, not the library's minute
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["current_step"] == 1
    assert sent_count(control, world) == 1
