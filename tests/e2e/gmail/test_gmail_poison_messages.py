"""One message a Gmail mailbox cannot serve never holds back the mailbox (issue 14, item 7).

Real google-api-python-client against the emulator: the bad message is parked by itself with its
error, the cursor and the messages after it move on, and the parked message is tried again later.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_server.db import tables as t
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.gmail.sync import sync_gmail_mailbox
from addin_server.services.grants import gmail_for
from addin_server.services.inbox import inbox_listing
from addin_server.worker.loop import run_due_steps
from tests.builders import World
from tests.e2e.gmail.test_gmail_end_to_end import reply, sent_id

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


def raw_fixture(name: str, w: World, in_reply_to: str, sender: str, n: str) -> bytes:
    """A fixture as bytes (it may hold bytes that are not UTF-8), placeholders filled in."""
    data = (FIXTURES / name).read_bytes()
    for key, value in {"sender": sender, "mailbox": w.rep["mailbox_address"], "in_reply_to": in_reply_to,
                       "n": n, "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        data = data.replace(b"{" + key.encode() + b"}", value.encode())
    return data.replace(b"\n", b"\r\n")


def cursor(ctx: ServiceContext) -> int:
    with ctx.session() as s:
        return int(s.scalars(select(t.MailboxWatch.history_id)).one() or 0)


def test_a_reply_in_an_unknown_charset_is_served_by_the_emulator_and_applied(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    raw = raw_fixture("unknown_charset_reply.eml", world, sent_id(gmail_services, e["id"]),
                      world.contact["email"], "1")
    delivered = control.deliver(world.rep["mailbox_address"], raw)
    # Gmail serves such a message in every format; the emulator used to answer 500.
    with gmail_services.session() as s:
        gmail = gmail_for(gmail_services.settings, s.get_one(t.User, int(world.rep["id"])))
    for fmt in ("raw", "full", "metadata", "minimal"):
        got = gmail._messages.get(userId="me", id=delivered["id"], format=fmt).execute(num_retries=0)
        assert got["id"] == delivered["id"] and "Thursday" in got["snippet"]
    control.flush()
    run_due_steps(gmail_services)
    got_e = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got_e["status"], got_e["end_reason"]) == ("unenrolled", "replied")


def test_a_message_gmail_cannot_serve_is_parked_alone_and_the_reply_behind_it_applies_at_once(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    e2 = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                            contact_id=world.colleague["id"], sender_user_id=world.rep["id"])
    before = cursor(gmail_services)
    poison = control.deliver(world.rep["mailbox_address"], raw_fixture(
        "unknown_charset_reply.eml", world, sent_id(gmail_services, e2["id"]), world.colleague["email"], "2"))
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    # Gmail refuses this one message every time it is asked (as it did with the emulator's crash).
    control.inject_fault(f"*/messages/{poison['id']}", 400, count=100, reason="failedPrecondition")
    control.flush()
    run_due_steps(gmail_services)

    # The genuine reply behind the bad message is applied in the same pass, and the cursor moved on.
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert cursor(gmail_services) > before
    # The bad message waits by itself, with its error, visible to the operator.
    parked = [row for row in inbox_listing(gmail_services) if row["provider"] == "gmail_message"]
    assert len(parked) == 1
    assert parked[0]["message_id"] == poison["id"] and "400" in parked[0]["last_error"]
    assert parked[0]["status"] == "pending" and parked[0]["attempts"] == 1
    push_rows = [row for row in inbox_listing(gmail_services) if row["provider"] == "gmail"]
    assert push_rows == []  # the push itself is done: nothing retries the whole mailbox
    assert enrollments.get_enrollment(gmail_services, world.admin, e2["id"])["status"] == "active"

    # Reading the mailbox again does not park it twice.
    sync_gmail_mailbox(gmail_services, world.rep["mailbox_address"])
    assert len([r for r in inbox_listing(gmail_services) if r["provider"] == "gmail_message"]) == 1

    # Later, when Gmail serves it again, the parked message is applied on its own.
    control.clear_faults()
    later = gmail_services.now() + timedelta(minutes=5)
    gmail_services.clock = lambda: later
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e2["id"])["end_reason"] == "replied"
    assert [r for r in inbox_listing(gmail_services) if r["provider"] == "gmail_message"] == []


def test_a_parked_message_that_never_comes_back_ends_dead_and_can_be_requeued(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    from addin_server.services.inbox import MAX_ATTEMPTS, requeue

    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    poison = control.deliver(world.rep["mailbox_address"], raw_fixture(
        "unknown_charset_reply.eml", world, sent_id(gmail_services, e["id"]), world.contact["email"], "3"))
    control.inject_fault(f"*/messages/{poison['id']}", 400, count=1000, reason="failedPrecondition")
    control.flush()
    run_due_steps(gmail_services)
    moment = gmail_services.now()
    for _ in range(MAX_ATTEMPTS):
        moment += timedelta(hours=2)
        gmail_services.clock = lambda at=moment: at  # type: ignore[misc]
        run_due_steps(gmail_services)
    dead = [r for r in inbox_listing(gmail_services) if r["provider"] == "gmail_message"]
    assert [r["status"] for r in dead] == ["dead"] and dead[0]["message_id"] == poison["id"]
    control.clear_faults()
    assert requeue(gmail_services, ids=[dead[0]["id"]]) == 1
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["end_reason"] == "replied"


def test_a_message_gmail_answers_500_for_is_parked_at_once_without_stalling_the_worker(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    e2 = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                            contact_id=world.colleague["id"], sender_user_id=world.rep["id"])
    poison = control.deliver(world.rep["mailbox_address"], raw_fixture(
        "unknown_charset_reply.eml", world, sent_id(gmail_services, e2["id"]), world.colleague["email"], "4"))
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    # A 5xx is what the client library retries with long sleeps; inside the worker it must not.
    control.inject_fault(f"*/messages/{poison['id']}*", 500, count=1000)
    control.flush()
    started = time.monotonic()
    run_due_steps(gmail_services)
    assert time.monotonic() - started < 5
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    parked = [row for row in inbox_listing(gmail_services) if row["provider"] == "gmail_message"]
    assert [(r["message_id"], r["status"]) for r in parked] == [(poison["id"], "pending")]
    assert "500" in parked[0]["last_error"]

    # Its later try is just as quick, and it keeps waiting on the queue's backoff.
    later = gmail_services.now() + timedelta(minutes=5)
    gmail_services.clock = lambda: later
    started = time.monotonic()
    run_due_steps(gmail_services)
    assert time.monotonic() - started < 5
    parked = [row for row in inbox_listing(gmail_services) if row["provider"] == "gmail_message"]
    assert [(r["status"], r["attempts"]) for r in parked] == [("pending", 2)]
    assert enrollments.get_enrollment(gmail_services, world.admin, e2["id"])["status"] == "active"
