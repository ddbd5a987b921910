"""Mail the contact sent before the enrollment existed never ends it, however late it is read (findings r17 F5).

Graph notifications held back (the emulator's automatic delivery off): the pre-send guard reads the
message only after the enrollment was made. It is judged by Graph's receivedDateTime (when the
mailbox received it), not by when we happened to read it. Real msal and requests against the emulator.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from addin_server.services import directory, enrollments, sequences
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.e2e.gmail.test_gmail_mail_before_enrollment import lunch
from tests.e2e.outlook_mailbox.test_outlook_presend_guard import FORTY_THREE_SECONDS
from tests.integration.emulator_microsoft.support import MicrosoftSetup


@pytest.fixture(autouse=True)
def _ca_bundle_from_settings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def received(setup: MicrosoftSetup, subject: str) -> datetime:
    found = [m for m in setup.control.messages(setup.address) if m["subject"] == subject]
    return datetime.fromisoformat(found[0]["received"].replace("Z", "+00:00"))


def test_with_notifications_held_mail_received_before_the_enrollment_never_ends_it_and_mail_after_does(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    ctx, admin, rep = outlook["ctx"], outlook["admin"], outlook["rep"]
    seq = sequences.create_sequence(ctx, admin, name="Quick", owner_user_id=rep["id"], steps=[
        StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"),
        StepInput("automated_email", FORTY_THREE_SECONDS, "", "Just following up", True)])
    early = directory.create_contact(ctx, admin, email="pat@contoso-lunch.test", first_name="Pat")
    late = directory.create_contact(ctx, admin, email="kim@contoso-lunch.test", first_name="Kim")
    setup.control.deliver(setup.address, lunch(early["email"], setup.address, "early"))  # not notified
    arrived = received(setup, "Lunch next week? early")

    ctx.clock = lambda: arrived + timedelta(seconds=4)  # the rep enrolls 4 s after it arrived
    before = enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=early["id"], sender_user_id=rep["id"])
    ctx.clock = lambda: arrived - timedelta(seconds=60)  # enrolled a minute before Kim writes
    after = enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=late["id"], sender_user_id=rep["id"])
    setup.control.deliver(setup.address, lunch(late["email"], setup.address, "late"))
    assert received(setup, "Lunch next week? late") >= arrived

    ctx.clock = lambda: arrived + timedelta(seconds=60)  # step 2 due for both; the guard reads the mailbox
    stats = run_due_steps(ctx)

    assert stats.notifications == 0  # nothing was notified: the guard read the mailbox itself
    kept = enrollments.get_enrollment(ctx, admin, before["id"])
    assert (kept["status"], kept["end_reason"]) == ("finished", "completed")
    ended = enrollments.get_enrollment(ctx, admin, after["id"])
    assert (ended["status"], ended["end_reason"]) == ("unenrolled", "emailed_outside_sequence")
