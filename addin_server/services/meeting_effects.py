"""What a meeting that counts ends: the one decision shared by meetings logged by a rep, booked on
a booking page (services/meetings) and seen in a rep's calendar (services/calendar_events).

The meeting rules (domain/meetings.py) decide; this module gathers their facts (the contacts'
open enrollments and their companies') and applies the outcome: a `meeting_booked` event on every
enrollment the meeting counts for, then the endings `rules.who_ends` gives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.meetings import MeetingContact, MeetingFacts, decide_meeting
from addin_server.domain.model import EndOfEnrollment, EventType, Surface
from addin_server.services.enrollment_records import add_event, end_enrollment, iso_z
from addin_server.services.open_enrollments import involving, open_enrollment_facts

SLOT_MINUTES = 30


def add_meeting(s: Session, meeting: t.Meeting, contacts: list[t.Contact]) -> None:
    """Record the meeting and the contacts it is with (flushed: it has its id)."""
    s.add(meeting)
    s.flush()
    for c in contacts:
        s.add(t.MeetingContact(account_id=meeting.account_id, meeting_id=meeting.id, contact_id=c.id))


def apply_meeting(s: Session, meeting: t.Meeting, facts: MeetingFacts, contacts: list[t.Contact],
                   actor: str, now: datetime) -> tuple[list[dict[str, Any]], list[int]]:
    """Let the meeting rules (domain/meetings) decide, record the meeting and end what they say.

    Returns what happened per contact, and the ids of every enrollment it ended.
    """
    account = s.get_one(t.Account, meeting.account_id)
    rep = s.get_one(t.User, meeting.user_id)
    beta = account.custom_triggers_beta
    contact_ids = [c.id for c in contacts]
    read = open_enrollment_facts(s, account.id, involving(
        contact_ids=contact_ids, company_ids={c.company_id for c in contacts if c.company_id is not None},
        same_company_only=not beta))
    enrollments = {eid: e for eid, (e, _) in read.items()}
    company_enrollments: dict[int, list[int]] = {}
    for e in enrollments.values():
        if e.company_id is not None:
            company_enrollments.setdefault(e.company_id, []).append(e.id)
    own = {e.contact_id: e.id for e in enrollments.values() if e.contact_id in contact_ids}
    decision = decide_meeting(facts, [MeetingContact(c.id, c.company_id, own.get(c.id)) for c in contacts],
                              enrollments=enrollments, company_enrollments=company_enrollments, beta=beta)
    by_id = {c.id: c for c in contacts}
    evidence_of: dict[int, dict[str, Any]] = {}  # enrollment id -> the meeting's evidence for its contact
    booked_by: dict[int, t.Contact] = {}  # company id -> the contact whose meeting reached it
    outcomes: list[dict[str, Any]] = []
    for x in decision.per_contact:
        outcome: dict[str, Any] = {"contact_id": str(x.contact_id),
                                   "enrollment_id": str(x.enrollment_id) if x.enrollment_id else None,
                                   "action": "none"}
        outcomes.append(outcome)
        if not x.counts or x.enrollment_id is None:
            outcome["note"] = x.rule
            continue
        contact = by_id[x.contact_id]
        evidence: dict[str, Any] = {
            "rule": x.rule, "meeting_id": str(meeting.id), "meeting_at": iso_z(meeting.start_time),
            "source": meeting.source, "booked_with": rep.email, "contact_email": contact.primary_email,
        }
        if meeting.sequence_email_id is not None:
            evidence["sequence_email_id"] = str(meeting.sequence_email_id)
        evidence_of[x.enrollment_id] = evidence
        if contact.company_id is not None:
            booked_by.setdefault(contact.company_id, contact)
    rows = {e.id: e for e in s.scalars(select(t.Enrollment).where(t.Enrollment.id.in_(
        set(decision.recorded) | {x.enrollment_id for x in decision.endings})))}
    for eid in decision.recorded:
        add_event(s, rows[eid], EventType.MEETING_BOOKED, now, actor, **evidence_of[eid])
    ended: list[int] = []
    ending_of = {x.enrollment_id: x for x in decision.endings}
    for x in decision.per_contact:
        if x.counts and x.enrollment_id is not None and x.enrollment_id not in ending_of:
            outcome = next(o for o in outcomes if o["enrollment_id"] == str(x.enrollment_id))
            outcome.update(action="recorded", note="meeting recorded; the sequence does not unenroll")
    for ending in decision.endings:
        eid = ending.enrollment_id
        if eid in evidence_of:
            evidence = {**evidence_of[eid], **decision.settings.get(eid, {}), **ending.evidence}
        else:  # a colleague: the evidence of the meeting that reached their company
            company_id = int(str(ending.evidence["company_id"]))
            contact = booked_by[company_id]
            company = s.get_one(t.Company, company_id)
            first = next(i for i, v in evidence_of.items() if v["contact_email"] == contact.primary_email)
            evidence = {**evidence_of[first], **ending.evidence, "company_id": str(company_id),
                        "company_name": company.name, "booked_by_contact": contact.primary_email}
        if not end_enrollment(s, eid, EndOfEnrollment(ending.reason, Surface.AUTOMATIC, actor, evidence), now):
            continue  # ended meanwhile by someone else; its first ending stands
        ended.append(eid)
        for o in outcomes:
            if o["enrollment_id"] == str(eid):
                o.update(action="unenrolled", reason=ending.reason.value)
    return outcomes, ended
