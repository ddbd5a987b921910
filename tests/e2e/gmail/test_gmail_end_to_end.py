"""Gmail end to end over loopback: send through the rep's mailbox, a reply arrives, Pub/Sub pushes
to our webhook, the worker reads history from the cursor and ends the enrollment.

Real google-api-python-client and google-auth against the emulator; no mocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.db import tables as t
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.mailboxes import connect_gmail
from addin_server.services.startup import open_services
from addin_server.worker.loop import run_due_steps
from tests.browser import live_server
from tests.builders import World, make_world
from tests.emulated import PUSH_ACCOUNT, PUSH_AUDIENCE, google_emulator_settings, manual_google_control

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


@pytest.fixture
def control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    return manual_google_control(emulator)


@pytest.fixture
def gmail_services(database_url: str, control: GoogleEmulatorControl) -> Iterator[ServiceContext]:
    ctx = open_services(google_emulator_settings(control, database_url))
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def app_url(gmail_services: ServiceContext) -> Iterator[str]:
    app = create_app(gmail_services.settings, services=gmail_services)
    with live_server(app) as url:
        yield url


_n = iter(range(10_000))


@pytest.fixture
def world(gmail_services: ServiceContext, control: GoogleEmulatorControl, app_url: str) -> World:
    domain = f"acme{next(_n)}.test"
    w = make_world(gmail_services, domain=domain)
    box = control.create_mailbox(w.rep["mailbox_address"])
    connect_gmail(gmail_services, w.admin, w.rep["id"], box["refresh_token"])
    control.set_push(app_url + "/webhooks/gmail", address=w.rep["mailbox_address"], audience=PUSH_AUDIENCE,
                     service_account=PUSH_ACCOUNT)
    return w


def reply(name: str, w: World, in_reply_to: str, sender: str | None = None) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in {"sender": sender or w.contact["email"], "mailbox": w.rep["mailbox_address"],
                       "in_reply_to": in_reply_to, "n": "1", "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def sent_id(ctx: ServiceContext, enrollment_id: str) -> str:
    with ctx.session() as s:
        return s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(enrollment_id))).one()


def test_enrolling_sends_the_first_email_from_the_reps_gmail(gmail_services: ServiceContext,
                                                             control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    sent = control.messages(world.rep["mailbox_address"], label="SENT")
    assert len(sent) == 1
    with gmail_services.session() as s:
        row = s.scalars(select(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == int(e["id"]))).one()
    assert row.provider_message_id == sent[0]["id"] and row.thread_id == sent[0]["threadId"]
    assert row.rfc_message_id.strip("<>") in str(sent[0])


def test_a_reply_pushed_by_pubsub_unenrolls_within_one_worker_pass(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    pushes = control.flush()
    assert [p.get("status") for p in pushes if p.get("kind", "pubsub") != "calendar"][:1] == [204]
    stats = run_due_steps(gmail_services)
    assert stats.notifications == 1
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["evidence"]["provider"] == "gmail" and got["evidence"]["matched_by"] == "In-Reply-To"


def test_a_gmail_out_of_office_never_unenrolls(gmail_services: ServiceContext, control: GoogleEmulatorControl,
                                               world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    control.deliver(world.rep["mailbox_address"], reply("gmail_vacation.eml", world, sent_id(gmail_services, e["id"])))
    control.flush()
    run_due_steps(gmail_services)
    got = enrollments.get_enrollment(gmail_services, world.admin, e["id"])
    assert got["status"] == "active" and got["events"][-1]["type"] == "out_of_office"


def test_duplicate_and_lost_pushes_change_nothing(gmail_services: ServiceContext, control: GoogleEmulatorControl,
                                                  world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    control.notification_fault("duplicate", count=1)
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    control.flush()
    run_due_steps(gmail_services)
    run_due_steps(gmail_services)
    with gmail_services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.type == "unenrolled")) == 1
    # A push that never comes: the sweep still reads the mailbox.
    e2 = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                            contact_id=world.colleague["id"], sender_user_id=world.rep["id"])
    control.notification_fault("drop", count=1)
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e2["id"]),
                                                        sender=world.colleague["email"]))
    control.flush()
    from addin_server.services.inbox_worker import sweep_mailboxes

    later = datetime.now(UTC) + timedelta(minutes=30)  # past the sweep interval
    gmail_services.clock = lambda: later
    assert sweep_mailboxes(gmail_services, "test") == 1
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e2["id"])["end_reason"] == "replied"


def test_an_expired_history_id_resyncs_instead_of_skipping(gmail_services: ServiceContext,
                                                           control: GoogleEmulatorControl, world: World) -> None:
    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    control.expire_history(world.rep["mailbox_address"])
    control.flush()
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["end_reason"] == "replied"


@pytest.mark.parametrize(("flaw", "email"), [
    pytest.param("expired", PUSH_ACCOUNT, id="expired token"),
    pytest.param("wrong_audience", PUSH_ACCOUNT, id="wrong audience"),
    pytest.param("wrong_issuer", PUSH_ACCOUNT, id="wrong issuer"),
    pytest.param("unknown_key", PUSH_ACCOUNT, id="signed by a key google does not publish"),
    pytest.param(None, "someone-else@evil.iam.gserviceaccount.com", id="another service account"),
])
def test_a_forged_push_is_refused_and_stores_nothing(gmail_services: ServiceContext, control: GoogleEmulatorControl,
                                                     app_url: str, flaw: str | None, email: str) -> None:
    import base64
    import json

    token = control.mint_id_token("pubsub", audience=PUSH_AUDIENCE, email=email, flaw=flaw)
    data = base64.b64encode(json.dumps({"emailAddress": "rita@x.test", "historyId": "9"}).encode()).decode()
    r = requests.post(app_url + "/webhooks/gmail", headers={"Authorization": f"Bearer {token}"},
                      json={"message": {"data": data, "messageId": "1"}, "subscription": "s"}, timeout=10)
    assert r.status_code in (401, 403)
    with gmail_services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.InboundNotification)) == 0


def test_gmail_watches_are_renewed_daily_before_their_expiry(gmail_services: ServiceContext,
                                                              control: GoogleEmulatorControl, world: World) -> None:
    from addin_server.services.gmail.following import renew_gmail_watches

    assert renew_gmail_watches(gmail_services) == 0  # just watched: six days before renewal is due
    later = datetime.now(UTC) + timedelta(days=1, hours=1)
    gmail_services.clock = lambda: later
    assert renew_gmail_watches(gmail_services) == 1
    with gmail_services.session() as s:
        watch = s.scalars(select(t.MailboxWatch)).one()
    assert watch.watch_expires_at is not None and watch.watch_expires_at > datetime.now(UTC) + timedelta(days=6)


def test_a_revoked_grant_marks_the_mailbox_disconnected_and_keeps_the_work(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    from addin_server.services.mailboxes import mailbox_status

    e = enrollments.enroll(gmail_services, world.admin, sequence_id=world.sequence["id"],
                           contact_id=world.contact["id"], sender_user_id=world.rep["id"])
    control.revoke(address=world.rep["mailbox_address"])
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services, e["id"])))
    control.flush()
    stats = run_due_steps(gmail_services)
    assert stats.notifications == 1
    status = {m["mailbox"]: m for m in mailbox_status(gmail_services, world.admin)}[world.rep["mailbox_address"]]
    assert status["connected"] is False and status["watch_status"] == "disconnected"
    with gmail_services.session() as s:
        waiting = s.scalars(select(t.InboundNotification)).one()
    assert (waiting.status, waiting.attempts) == ("pending", 0)  # kept, retries not used up
    # The rep reconnects: the waiting notification is read at once and the reply applied.
    box = control.issue_grant(world.rep["mailbox_address"])
    connect_gmail(gmail_services, world.admin, world.rep["id"], box["refresh_token"])
    run_due_steps(gmail_services)
    assert enrollments.get_enrollment(gmail_services, world.admin, e["id"])["end_reason"] == "replied"
