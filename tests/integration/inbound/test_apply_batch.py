"""A mailbox's messages applied together give the outcome of applying them one by one, each once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.mail.message import InboundMessage
from addin_server.services import accounts, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.inbound import Arrived, apply_inbound_message, apply_inbound_messages
from addin_server.services.sequences import update_automation
from tests.builders import World
from tests.integration.inbound.test_apply_inbound import render, sent_message_id


def soft_bounce(sender: str, mailbox: str, in_reply_to: str, n: int) -> bytes:
    """The hard-bounce fixture turned into a failed delivery to a full mailbox (5.2.2): a soft bounce.
    (A delay, Action: delayed, is not a bounce at all and counts nothing.)"""
    raw = render("hard_bounce.eml", sender=sender, mailbox=mailbox, in_reply_to=in_reply_to, n=n).decode()
    for old, new in {"Address not found": "Mailbox full", "Status: 5.1.1": "Status: 5.2.2",
                     "because the address couldn't be found": "because the mailbox is full",
                     "550-5.1.1 The email account that you tried to reach does not exist.":
                         "552-5.2.2 The email account that you tried to reach is over quota."}.items():
        raw = raw.replace(old, new)
    return raw.encode()


def messages_for(services: ServiceContext, w: World, contact: dict[str, Any], script: list[str],
                 prefix: str) -> tuple[str, list[Arrived]]:
    """Enroll `contact` and write the messages `script` names, as they would arrive from them."""
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=contact["id"],
                           sender_user_id=w.rep["id"])
    sent, mailbox = sent_message_id(services, e["id"]), w.rep["mailbox_address"]
    out = []
    for n, name in enumerate(script):
        if name == "soft_bounce":  # a report about the sequence email
            raw = soft_bounce(contact["email"], mailbox, sent, n)
        elif name == "soft_bounce_elsewhere":  # a report that names the address, about no email of ours
            raw = soft_bounce(contact["email"], mailbox, f"<{prefix}-{n}@elsewhere.example>", n)
        else:
            raw = render(name, sender=contact["email"], mailbox=mailbox, in_reply_to=sent, n=n)
        out.append(Arrived(f"{prefix}-{n}", InboundMessage.from_bytes(raw)))
    return e["id"], out


def outcome(services: ServiceContext, w: World, enrollment_id: str, address: str,
            results: list[dict[str, Any]]) -> dict[str, Any]:
    got = enrollments.get_enrollment(services, w.admin, enrollment_id)
    with services.session() as s:
        soft = s.scalar(select(t.ContactAddress.soft_bounces).where(t.ContactAddress.address == address))
    return {"status": got["status"], "end_reason": got.get("end_reason"), "soft": soft,
            "events": [ev["type"] for ev in got["events"]],
            "decisions": [[(d["action"], d["reason"], d["evidence"].get("soft_bounces")) for d in r["decisions"]]
                          for r in results]}


SCRIPTS = {
    "two replies": ["human_reply.eml", "human_reply.eml"],
    "out of office, then a reply": ["exchange_automatic_reply.eml", "human_reply.eml"],
    "three soft bounces": ["soft_bounce", "soft_bounce_elsewhere", "soft_bounce_elsewhere"],
    "a reply after the bounce": ["hard_bounce.eml", "human_reply.eml"],
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_messages_applied_together_end_as_when_applied_one_by_one(
        services: ServiceContext, world: World, provider: str, script: str) -> None:
    accounts.update_account_settings(services, world.admin, soft_bounce_threshold=3)
    update_automation(services, world.admin, world.sequence["id"], on_reply="contact", on_meeting="contact",
                      pause_on_out_of_office=True)
    mailbox = world.rep["mailbox_address"]
    one_id, one_by_one = messages_for(services, world, world.contact, SCRIPTS[script], "single")
    singles = [apply_inbound_message(services, provider=provider, mailbox_address=mailbox,
                                     provider_message_id=a.provider_message_id, message=a.message) for a in one_by_one]
    batch_id, together = messages_for(services, world, world.colleague, SCRIPTS[script], "batch")
    batched = apply_inbound_messages(services, provider=provider, mailbox_address=mailbox, messages=together)
    expected = outcome(services, world, one_id, world.contact["email"], singles)
    assert outcome(services, world, batch_id, world.colleague["email"], batched) == expected
    assert expected["status"] == "unenrolled"


def test_three_soft_bounces_in_one_batch_reach_the_threshold(services: ServiceContext, world: World,
                                                               provider: str) -> None:
    accounts.update_account_settings(services, world.admin, soft_bounce_threshold=3)
    e, together = messages_for(services, world, world.contact, SCRIPTS["three soft bounces"], "b")
    assert len({a.message.message_id for a in together}) == 3  # three different reports
    results = apply_inbound_messages(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                     messages=together)
    assert [[(d["action"], d["evidence"]["soft_bounces"]) for d in r["decisions"]] for r in results] == [
        [("record", 1)], [("record", 2)], [("unenroll", 3)]]
    assert enrollments.get_enrollment(services, world.admin, e)["end_reason"] == "bounced"


def test_a_message_twice_in_a_batch_or_already_applied_counts_once(services: ServiceContext, world: World,
                                                                   provider: str) -> None:
    e, (reply,) = messages_for(services, world, world.contact, ["human_reply.eml"], "m")
    mailbox = world.rep["mailbox_address"]
    first = apply_inbound_messages(services, provider=provider, mailbox_address=mailbox, messages=[reply, reply])
    assert [r["already_processed"] for r in first] == [False, False]  # the same message: one result, twice
    assert first[0]["decisions"] == first[1]["decisions"] and first[0]["decisions"]
    again = apply_inbound_messages(services, provider=provider, mailbox_address=mailbox, messages=[reply])
    assert again[0]["already_processed"] is True
    assert again[0]["decisions"] == first[0]["decisions"]  # what was decided then, with its evidence
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.ProcessedMessage)) == 1
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == int(e), t.EnrollmentEvent.type == "unenrolled")) == 1


def test_a_message_another_worker_claimed_first_is_left_to_it(services: ServiceContext, world: World,
                                                              provider: str) -> None:
    from addin_server.services import directory

    e, (reply,) = messages_for(services, world, world.contact, ["human_reply.eml"], "m")
    others = [messages_for(services, world, directory.create_contact(services, world.admin, email=f"o{n}@x.test"),
                           ["human_reply.eml"], f"o{n}") for n in range(2)]
    with services.session() as s:  # the other worker's claim, its transaction not yet applied
        s.add(t.ProcessedMessage(account_id=int(world.admin.account_id), provider=provider,
                                 mailbox_address=world.rep["mailbox_address"], message_id="m-0", kind="human_reply",
                                 evidence={}, decisions={}, processed_at=services.now()))
    result = apply_inbound_messages(services, provider=provider, mailbox_address=world.rep["mailbox_address"],
                                    messages=[others[0][1][0], reply, others[1][1][0]])
    assert [r["already_processed"] for r in result] == [False, True, False]
    assert enrollments.get_enrollment(services, world.admin, e)["status"] == "active"
    assert [enrollments.get_enrollment(services, world.admin, i)["status"] for i, _ in others] == ["unenrolled"] * 2


def test_two_workers_applying_the_same_messages_at_once_apply_each_once(services: ServiceContext, world: World,
                                                                       provider: str) -> None:
    import threading

    from addin_server.services import directory

    batch: list[Arrived] = []
    ids = []
    for n in range(8):
        contact = directory.create_contact(services, world.admin, email=f"race{n}@fabrikam.test")
        e, arrived = messages_for(services, world, contact, ["human_reply.eml"], f"race{n}")
        ids.append(int(e))
        batch += arrived
    mailbox, errors = world.rep["mailbox_address"], []

    def worker(messages: list[Arrived]) -> None:
        try:
            apply_inbound_messages(services, provider=provider, mailbox_address=mailbox, messages=messages)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in (batch, batch[::-1])]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.ProcessedMessage)) == 8
        ended = s.execute(select(t.EnrollmentEvent.enrollment_id, func.count()).where(
            t.EnrollmentEvent.type == "unenrolled").group_by(t.EnrollmentEvent.enrollment_id)).all()
    assert sorted(ended) == [(i, 1) for i in sorted(ids)]


def test_one_bounce_report_delivered_three_times_counts_once(services: ServiceContext, world: World,
                                                             provider: str) -> None:
    """The same report fetched under three provider ids, together and one after another."""
    accounts.update_account_settings(services, world.admin, soft_bounce_threshold=3)
    mailbox = world.rep["mailbox_address"]
    e, (report,) = messages_for(services, world, world.contact, ["soft_bounce"], "r")
    copies = [Arrived(f"copy-{n}", report.message) for n in range(3)]
    first = apply_inbound_messages(services, provider=provider, mailbox_address=mailbox, messages=copies[:2])
    later = apply_inbound_message(services, provider=provider, mailbox_address=mailbox,
                                  provider_message_id=copies[2].provider_message_id, message=report.message)
    got = outcome(services, world, e, world.contact["email"], [*first, later])
    assert (got["status"], got["soft"], got["events"].count("bounced")) == ("active", 1, 1)
    assert "counted already" in later["decisions"][0]["evidence"]["rule"]


def test_two_reports_about_the_same_sequence_email_count_once(services: ServiceContext, world: World,
                                                              provider: str) -> None:
    """A remote server that reports one failed delivery again, under a new Message-ID."""
    accounts.update_account_settings(services, world.admin, soft_bounce_threshold=2)
    e, reports = messages_for(services, world, world.contact, ["soft_bounce", "soft_bounce"], "s")
    assert reports[0].message.message_id != reports[1].message.message_id
    apply_inbound_messages(services, provider=provider, mailbox_address=world.rep["mailbox_address"], messages=reports)
    got = enrollments.get_enrollment(services, world.admin, e)
    assert got["status"] == "active"
    assert [ev["type"] for ev in got["events"]].count("bounced") == 1
