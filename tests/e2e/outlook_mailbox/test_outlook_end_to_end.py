"""Outlook end to end over loopback: connect with the tenant's consent (the subscription handshake
hits our webhook), send through Graph, a reply arrives, Graph notifies, the worker fetches the
message with its headers and message class and ends the enrollment.

Real msal, O365 and requests against the emulator's Microsoft side; no mocks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator, start_emulator
from addin_server import create_app
from addin_server.db import tables as t
from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal
from addin_server.services.inbox_worker import process_due_notifications
from addin_server.services.mailboxes import connect_outlook
from addin_server.services.sequences import StepInput
from addin_server.services.startup import open_services
from addin_server.worker.loop import run_due_steps
from tests.browser import free_port, live_server
from tests.builders import link_proven_tenant
from tests.integration.emulator_microsoft.support import MicrosoftSetup, make_setup
from tests.integration.providers_graph.support import settings_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"
_n = itertools.count(1)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    running = start_emulator(tls_port=0)
    yield running
    running.stop()


@pytest.fixture
def setup(emulator: RunningEmulator) -> Iterator[MicrosoftSetup]:
    control = MicrosoftEmulatorControl(emulator.base_url)
    control.set_auto_delivery(False)
    made = make_setup(emulator, control)
    yield made
    made.close()



@pytest.fixture
def outlook(database_url: str, setup: MicrosoftSetup) -> Iterator[dict[str, Any]]:
    port = free_port()
    settings = settings_for(setup).with_overrides(
        database_url=database_url, public_url=f"http://127.0.0.1:{port}", secret_key="test-secret",
        mail_transport="providers")
    ctx = open_services(settings)
    with live_server(create_app(settings, services=ctx), port=port):
        made = accounts.create_account(ctx, name="Contoso", plan="enterprise", admin_email=f"admin{next(_n)}@x.test")
        admin = Principal.for_api_key(made.account_id, "test", "admin")
        rep = directory.create_user(ctx, admin, email=setup.address, name="Omar Rep", role="user",
                                    mailbox_provider="outlook", mailbox_address=setup.address)
        link_proven_tenant(ctx, made.account_id, setup.tenant_id)  # as its Global Administrator's sign-in would
        connect_outlook(ctx, admin, rep["id"], tenant_id=setup.tenant_id, graph_user_id=setup.user_id)
        contact = directory.create_contact(ctx, admin, email="jane.doe@fabrikam.test", first_name="Jane")
        seq = sequences.create_sequence(ctx, admin, name="Intro", owner_user_id=rep["id"], steps=[
            StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"), StepInput("task", 3, "t", "")])
        e = enrollments.enroll(ctx, admin, sequence_id=seq["id"], contact_id=contact["id"], sender_user_id=rep["id"])
        # The whole mailbox is followed, so Graph notifies the first email's draft and its copy in
        # Sent Items too: both are fetched and passed over (never mail in), before each test starts.
        setup.control.flush_notifications()
        assert process_due_notifications(ctx, "worker-0") == {"done": 2}
        with ctx.session() as s:
            assert s.scalars(select(t.ProcessedMessage)).all() == []
            before = s.scalar(select(func.max(t.InboundNotification.id))) or 0
        yield {"ctx": ctx, "admin": admin, "rep": rep, "contact": contact, "enrollment": e, "notified_before": before}
    ctx.engine.dispose()


def reply(name: str, w: dict[str, Any], in_reply_to: str) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in {"sender": w["contact"]["email"], "mailbox": w["rep"]["mailbox_address"],
                       "in_reply_to": in_reply_to, "n": "1", "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def sent_id(w: dict[str, Any]) -> str:
    with w["ctx"].session() as s:
        return s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(w["enrollment"]["id"]))).one()


def state(w: dict[str, Any]) -> dict[str, Any]:
    return enrollments.get_enrollment(w["ctx"], w["admin"], w["enrollment"]["id"])


def test_the_first_email_goes_out_from_the_reps_outlook_mailbox(setup: MicrosoftSetup,
                                                                outlook: dict[str, Any]) -> None:
    sent = setup.control.messages(setup.address, folder="sentitems")
    assert len(sent) == 1 and "Hello Jane" in str(sent[0])
    with outlook["ctx"].session() as s:
        row = s.scalars(select(t.SequenceEmail)).one()
    assert row.provider == "outlook" and row.rfc_message_id == sent[0]["internet_message_id"]


def test_a_reply_notified_by_graph_unenrolls(setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()
    assert run_due_steps(outlook["ctx"]).notifications == 1
    got = state(outlook)
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["evidence"]["provider"] == "outlook" and got["evidence"]["matched_by"] == "In-Reply-To"


@pytest.mark.parametrize(("fixture", "kind"), [
    pytest.param("exchange_automatic_reply.eml", "oof", id="exchange out-of-office with its message class"),
    pytest.param("gmail_vacation.eml", "note", id="gmail vacation reply arriving in an outlook inbox"),
])
def test_out_of_office_replies_in_an_outlook_inbox_never_unenroll(
        setup: MicrosoftSetup, outlook: dict[str, Any], fixture: str, kind: str) -> None:
    setup.control.deliver(setup.address, reply(fixture, outlook, sent_id(outlook)), kind=kind)
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    got = state(outlook)
    assert got["status"] == "active" and got["events"][-1]["type"] == "out_of_office"


def test_a_reply_whose_html_part_reads_like_an_absence_notice_is_a_reply_as_in_the_dry_run(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    # Graph's body is the HTML alternative; Gmail and the dry run read the text/plain one ("Yes, let's talk").
    raw = reply("alternative_reply_html_notice.eml", outlook, sent_id(outlook))
    assert classify(InboundMessage.from_bytes(raw)).kind is InboundKind.HUMAN_REPLY
    setup.control.deliver(setup.address, raw)
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    got = state(outlook)
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")


def test_an_absence_notice_whose_declared_charset_is_wrong_pauses_on_outlook_as_in_the_dry_run(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    # UTF-8 bytes declared iso-2022-jp: Graph's body is U+FFFD mojibake, the MIME ($value) reads right.
    raw = reply("mislabelled_charset_notice.eml", outlook, sent_id(outlook))
    assert classify(InboundMessage.from_bytes(raw)).kind is InboundKind.OUT_OF_OFFICE
    setup.control.deliver(setup.address, raw)
    assert any("\ufffd" in str(m) for m in setup.control.messages(setup.address, folder="inbox"))
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    got = state(outlook)
    assert got["status"] != "unenrolled"
    assert "out_of_office" in [event["type"] for event in got["events"]]


def test_an_absence_notice_in_an_unknown_charset_pauses_on_outlook_as_on_gmail_and_in_the_dry_run(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    # Latin-1 bytes under a charset nobody knows: Graph's body loses the umlauts (U+FFFD) and "nicht im
    # B\ufffdro" no longer reads as an absence. Any character lost in decoding sends the reader to the MIME,
    # which Gmail and the dry run read.
    raw = reply("unknown_charset_notice.eml", outlook, sent_id(outlook)).decode("utf-8").encode("latin-1")
    assert classify(InboundMessage.from_bytes(raw)).kind is InboundKind.OUT_OF_OFFICE
    setup.control.deliver(setup.address, raw)
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    got = state(outlook)
    assert got["status"] == "active"
    assert got["events"][-1]["type"] == "out_of_office"


def test_a_missed_lifecycle_event_catches_up_by_delta(setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    setup.control.notification_fault("drop", count=1)
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()
    with outlook["ctx"].session() as s:
        subscription = s.scalars(select(t.MailboxWatch.subscription_id)).one()
    setup.control.send_lifecycle(subscription, "missed")
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    assert state(outlook)["end_reason"] == "replied"


def test_a_removed_subscription_is_recreated(setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    with outlook["ctx"].session() as s:
        old = s.scalars(select(t.MailboxWatch.subscription_id)).one()
    setup.control.send_lifecycle(old, "subscriptionRemoved")
    setup.control.flush_notifications()
    run_due_steps(outlook["ctx"])
    with outlook["ctx"].session() as s:
        new = s.scalars(select(t.MailboxWatch.subscription_id)).one()
    assert new and new != old
