"""Mail the contact sent before the enrollment existed never ends it, however late it is read (findings r17 F5).

Pushes held back (the emulator delivers Pub/Sub only when flushed): the pre-send guard reads the
message only after the enrollment was made. It is judged by Gmail's internalDate (when the mailbox
received it), not by when we happened to read it. Real google-api-python-client against the emulator.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from addin_emulator.google.client import GoogleEmulatorControl
from addin_server.services import directory, enrollments
from addin_server.services.context import ServiceContext
from addin_server.worker.loop import run_due_steps
from tests.builders import World
from tests.e2e.gmail.test_gmail_presend_guard import quick_sequence


def lunch(sender: str, mailbox: str, n: str) -> bytes:
    """A plain message from the contact, no thread references, its Date three days old."""
    date = format_datetime(datetime.now(UTC) - timedelta(days=3))
    return (f"From: Pat Lee <{sender}>\r\nTo: {mailbox}\r\nSubject: Lunch next week? {n}\r\nDate: {date}\r\n"
            f"Message-ID: <lunch.{n}@{sender.split('@')[1]}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Are you free for lunch next week?\r\n").encode()


def received(control: GoogleEmulatorControl, mailbox: str, subject: str) -> datetime:
    found = [m for m in control.messages(mailbox) if m["subject"] == subject]
    return datetime.fromtimestamp(int(found[0]["internalDate"]) / 1000, tz=UTC)


def test_with_pushes_held_mail_received_before_the_enrollment_never_ends_it_and_mail_after_does(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    ctx, mailbox = gmail_services, world.rep["mailbox_address"]
    seq = quick_sequence(ctx, world)
    early = directory.create_contact(ctx, world.admin, email=f"pat@contoso-{world.rep['id']}.test", first_name="Pat")
    late = directory.create_contact(ctx, world.admin, email=f"kim@contoso-{world.rep['id']}.test", first_name="Kim")
    control.deliver(mailbox, lunch(early["email"], mailbox, "early"))  # pushes held: nothing reads it yet
    arrived = received(control, mailbox, "Lunch next week? early")

    ctx.clock = lambda: arrived + timedelta(seconds=4)  # the rep enrolls 4 s after it arrived
    before = enrollments.enroll(ctx, world.admin, sequence_id=str(seq["id"]), contact_id=early["id"],
                                sender_user_id=world.rep["id"])
    ctx.clock = lambda: arrived - timedelta(seconds=60)  # enrolled a minute before Kim writes
    after = enrollments.enroll(ctx, world.admin, sequence_id=str(seq["id"]), contact_id=late["id"],
                               sender_user_id=world.rep["id"])
    control.deliver(mailbox, lunch(late["email"], mailbox, "late"))
    assert received(control, mailbox, "Lunch next week? late") >= arrived

    ctx.clock = lambda: arrived + timedelta(seconds=60)  # step 2 due for both; the guard reads the mailbox
    run_due_steps(ctx)

    kept = enrollments.get_enrollment(ctx, world.admin, str(before["id"]))
    assert (kept["status"], kept["end_reason"]) == ("finished", "completed")
    ended = enrollments.get_enrollment(ctx, world.admin, str(after["id"]))
    assert (ended["status"], ended["end_reason"]) == ("unenrolled", "emailed_outside_sequence")
    assert ended["evidence"]["received_at"] >= arrived.isoformat()[:19]
