"""Stored evidence moves from match phrases to stable match codes, and back on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.db.migrate import downgrade, upgrade
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.builders import make_world

BEFORE = "issue13x"  # the revision before the codes
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _stored(services: ServiceContext, enrollment_id: int) -> tuple[Any, list[Any], Any]:
    with services.session() as s:
        e = s.get(t.Enrollment, enrollment_id)
        assert e is not None
        events = [ev.data for ev in s.scalars(select(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == enrollment_id, t.EnrollmentEvent.type.in_(["replied", "unenrolled"]))
            .order_by(t.EnrollmentEvent.id))]
        processed = s.scalar(select(t.ProcessedMessage.decisions).where(t.ProcessedMessage.message_id == "m-1"))
        return e.end_evidence, events, processed


def test_evidence_written_with_phrases_reads_as_codes_after_the_upgrade_and_as_phrases_after_the_downgrade(
        services: ServiceContext) -> None:
    w = make_world(services)
    made = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                              sender_user_id=w.rep["id"])
    eid = int(made["id"])
    downgrade(services.engine, BEFORE)
    # Rows as the product wrote them before the codes: a reply matched by In-Reply-To, a colleague's
    # ending by a bounced recipient, a decision by a Gmail alias, and a value no phrase names.
    reply = {"rule": "reply to a sequence email", "matched_by": "In-Reply-To", "step": 1}
    with services.session() as s:
        e = s.get(t.Enrollment, eid)
        assert e is not None
        e.status, e.end_reason, e.end_evidence = "unenrolled", "replied", reply
        common = dict(account_id=e.account_id, enrollment_id=eid, sequence_id=e.sequence_id,
                      contact_id=e.contact_id, at=AT, actor="system")
        s.add(t.EnrollmentEvent(type="replied", data=reply, **common))
        s.add(t.EnrollmentEvent(type="unenrolled", data={
            "reason": "bounced", "evidence": {"matched_by": "bounced recipient", "sent_to": "jane@x.test"}}, **common))
        s.add(t.ProcessedMessage(
            account_id=e.account_id, provider="gmail", mailbox_address="rita@acme.test", message_id="m-1",
            kind="human_reply", evidence={}, processed_at=AT, decisions={"applied": [
                {"enrollment_id": str(eid), "evidence": {"matched_by": "gmail alias"}},
                {"enrollment_id": str(eid), "evidence": {"matched_by": "something else"}}]}))

    upgrade(services.engine)
    ending, events, processed = _stored(services, eid)
    assert ending == {**reply, "matched_by": "in_reply_to"}
    assert events == [{**reply, "matched_by": "in_reply_to"},
                      {"reason": "bounced", "evidence": {"matched_by": "bounced_recipient", "sent_to": "jane@x.test"}}]
    assert [d["evidence"]["matched_by"] for d in processed["applied"]] == ["gmail_alias", "something else"]

    # The API keeps showing the words, the code beside them.
    shown = enrollments.get_enrollment(services, w.admin, str(eid))
    assert shown["evidence"]["matched_by"] == "In-Reply-To"
    assert shown["evidence"]["matched_by_code"] == "in_reply_to"

    downgrade(services.engine, BEFORE)
    ending, events, processed = _stored(services, eid)
    assert ending == reply
    assert events[1]["evidence"]["matched_by"] == "bounced recipient"
    assert [d["evidence"]["matched_by"] for d in processed["applied"]] == ["gmail alias", "something else"]
    upgrade(services.engine)
