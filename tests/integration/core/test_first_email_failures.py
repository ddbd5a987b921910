"""When the first email of an enrollment cannot be sent, nothing stays enrolled and the caller gets a
clear 4xx/502 with a code, never a 500; and no database write lock is held while the provider works.
The provider stand-in is a MailSender (the services' own port); Gmail's own refusals come from the
emulator over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.providers.gmail import GmailError
from addin_server.services import directory, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict
from addin_server.services.mail_port import LocalOutboxSender, OutgoingEmail, SentEmail
from addin_server.services.sending import ProviderMailSender
from addin_server.services.startup import open_services
from addin_server.worker.loop import run_due_steps
from tests.builders import World, make_world
from tests.integration.calendar.support import CalendarWorld, calendar_world


class ScriptedSender(LocalOutboxSender):
    """The local outbox, failing with the given errors first; `during_send` runs while it sends."""

    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.during_send: Any = None

    def send(self, session: Session, email: OutgoingEmail) -> SentEmail:
        if self.during_send is not None:
            self.during_send()
        if self.failures:
            raise self.failures.pop(0)
        return super().send(session, email)


@pytest.fixture
def sender() -> ScriptedSender:
    return ScriptedSender([])


@pytest.fixture
def scripted(settings: Settings, clock: Any, sender: ScriptedSender) -> Iterator[ServiceContext]:
    ctx = open_services(settings, clock=clock, mail_sender=sender)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def api(scripted: ServiceContext, settings: Settings) -> Any:
    app = create_app(settings, services=scripted)
    app.config["TESTING"] = True
    return app.test_client()


def _count(ctx: ServiceContext, table: Any) -> int:
    with ctx.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _enroll(api: Any, world: World) -> Any:
    return api.post("/api/v1/enrollments", headers=world.headers, json={
        "sequence_id": world.sequence["id"], "contact_id": world.contact["id"], "sender_user_id": world.rep["id"]})


@pytest.mark.parametrize(("failure", "status", "code"), [
    pytest.param(GmailError("Gmail answered 500", status=500), 502, "provider_unavailable",
                 id="a provider failing after its retries is a 502 provider_unavailable and nothing is enrolled"),
    pytest.param(GmailError("Gmail answered 429", status=429), 502, "provider_unavailable",
                 id="a throttled provider is a 502 provider_unavailable and nothing is enrolled"),
    pytest.param(GmailError("no answer", status=0), 502, "provider_unavailable",
                 id="a provider that does not answer is a 502 provider_unavailable and nothing is enrolled"),
    pytest.param(GmailError("Gmail answered 400 (invalidArgument)", status=400, mailbox_wide=False), 409,
                 "mailbox_cannot_send", id="a provider refusing the email is a 409 mailbox_cannot_send"),
    pytest.param(ValueError("Header values may not contain linefeed"), 502, "provider_unavailable",
                 id="an email that cannot be built is no 500 and nothing is enrolled"),
])
def test_a_first_email_that_cannot_be_sent_leaves_nothing_enrolled_and_the_call_can_be_made_again(
        api: Any, scripted: ServiceContext, sender: ScriptedSender, failure: Exception, status: int,
        code: str) -> None:
    world = make_world(scripted)
    sender.failures.append(failure)
    refused = _enroll(api, world)
    assert refused.status_code == status, refused.json
    assert refused.json["error"]["code"] == code and "Nothing was enrolled" in refused.json["error"]["message"]
    assert (_count(scripted, t.Enrollment), _count(scripted, t.SequenceEmail), _count(scripted, t.LocalOutbox)) \
        == (0, 0, 0)
    again = _enroll(api, world)
    assert again.status_code == 201 and again.json["current_step"] == 1, again.json
    assert _count(scripted, t.LocalOutbox) == 1


def test_no_write_lock_is_held_while_the_provider_sends(api: Any, scripted: ServiceContext,
                                                        sender: ScriptedSender) -> None:
    world = make_world(scripted)
    written: list[str] = []

    def another_rep_writes() -> None:
        # On SQLite a write lock held across the send would make this wait, then fail "database is locked".
        made = directory.create_contact(scripted, world.admin, email="meanwhile@prospect.test", first_name="Mia")
        written.append(made["id"])

    sender.during_send = another_rep_writes
    assert _enroll(api, world).status_code == 201
    assert len(written) == 1


def test_a_step_the_worker_cannot_send_stays_where_it_was_and_goes_out_on_a_later_pass(
        scripted: ServiceContext, sender: ScriptedSender, clock: Any) -> None:
    world = make_world(scripted)
    enrolled = enrollments.enroll(scripted, world.admin, sequence_id=world.sequence["id"],
                                  contact_id=world.colleague["id"], sender_user_id=world.rep["id"])
    with scripted.session() as s:  # the second email step, due now
        e = s.get_one(t.Enrollment, int(enrolled["id"]))
        e.current_step, e.next_step_at = 2, clock()
    sender.failures.append(GmailError("Gmail answered 503", status=503))
    assert run_due_steps(scripted).failures == 1
    with scripted.session() as s:
        e = s.get_one(t.Enrollment, int(enrolled["id"]))
        assert (e.status, e.current_step, e.attempts, e.lease_owner) == ("active", 2, 1, None)
        assert s.scalar(select(func.count()).select_from(t.SequenceEmail)
                        .where(t.SequenceEmail.step_position == 3)) == 0
        e.next_step_at = clock()
    assert run_due_steps(scripted).steps_run == 1
    with scripted.session() as s:
        e = s.get_one(t.Enrollment, int(enrolled["id"]))
        assert (e.status, e.current_step) == ("finished", 3)


@pytest.fixture
def gmail_world(emulator: RunningEmulator, database_url: str) -> Iterator[CalendarWorld]:
    with calendar_world("gmail", emulator, database_url) as made:
        yield made


@pytest.mark.parametrize(("status", "reason"), [
    pytest.param(403, "insufficientPermissions", id="gmail refusing the mailbox's permission is a 409 naming it"),
    pytest.param(400, "invalidArgument", id="gmail refusing the email as invalid is a 409 naming it"),
])
def test_gmail_refusing_the_first_email_is_a_409_naming_its_reason_and_nothing_is_enrolled(
        gmail_world: CalendarWorld, status: int, reason: str) -> None:
    world = gmail_world
    # The real sender, through Gmail (the world's own context keeps a local outbox).
    ctx = open_services(world.ctx.settings, engine=world.ctx.engine, clock=world.clock,
                                mail_sender=ProviderMailSender(world.ctx.settings))
    world.google.inject_fault("*messages/send*", status, reason=reason, count=1)
    with pytest.raises(Conflict) as refused:
        enrollments.enroll(ctx, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                           sender_user_id=world.rep["id"])
    assert refused.value.code == "mailbox_cannot_send" and reason in refused.value.message
    assert world.count(t.Enrollment) == 0 and world.count(t.SequenceEmail) == 0
    sent = enrollments.enroll(ctx, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                              sender_user_id=world.rep["id"])
    assert sent["current_step"] == 1 and world.count(t.SequenceEmail) == 1
