"""Open enrollments as the rules see them (domain.rules.OpenEnrollment), read in one query.

Shared by inbound messages and meetings, so both decide from the same facts: the enrollment, its
contact's company and address, and its sequence's automation settings.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.model import AutomationScope
from addin_server.domain.rules import OpenEnrollment
from addin_server.services.enrollment_records import OPEN


def open_enrollment_facts(s: Session, account_id: int, conditions: list[ColumnElement[bool]],
                          keep: list[t.Enrollment] | None = None) -> dict[int, tuple[OpenEnrollment, int | None]]:
    """The account's open enrollments matching any of `conditions`, with their contact's company.

    `keep` receives the rows themselves, for callers that change them afterwards.
    """
    if not conditions:
        return {}
    rows = s.execute(
        select(t.Enrollment, t.Contact.company_id, t.Contact.primary_email, t.Sequence)
        .join(t.Contact, t.Contact.id == t.Enrollment.contact_id)
        .join(t.Sequence, t.Sequence.id == t.Enrollment.sequence_id)
        .where(t.Enrollment.account_id == account_id, t.Enrollment.status.in_(OPEN), or_(*conditions))
        .order_by(t.Enrollment.id)
    ).all()
    if keep is not None:
        keep.extend(e for e, *_ in rows)
    return {
        e.id: (OpenEnrollment(
            id=e.id, contact_id=e.contact_id, company_id=company, sequence_id=seq.id, sequence_name=seq.name,
            enrolled_by_user_id=e.enrolled_by_user_id, sender_user_id=e.sender_user_id, contact_address=primary,
            on_reply=AutomationScope(seq.on_reply), pause_on_out_of_office=seq.pause_on_out_of_office,
            status=e.status, on_meeting=AutomationScope(seq.on_meeting),
            unenroll_same_company=seq.unenroll_same_company, enrolled_at=e.enrolled_at), company)
        for e, company, primary, seq in rows
    }


def involving(ids: Iterable[int] = (), contact_ids: Iterable[int] = (), company_ids: Iterable[int] = (), *,
              same_company_only: bool = False) -> list[ColumnElement[bool]]:
    """Which open enrollments to read: these ids, these contacts', these companies' contacts'.

    With `same_company_only`, a company's contacts' enrollments are read only in sequences whose
    same-company checkbox is on: the others cannot end for a colleague outside the beta.
    """
    ids, contact_ids, company_ids = set(ids), set(contact_ids), set(company_ids)
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(t.Enrollment.id.in_(ids))
    if contact_ids:
        conditions.append(t.Enrollment.contact_id.in_(contact_ids))
    if company_ids:
        by_company = t.Contact.company_id.in_(company_ids)
        conditions.append(by_company & t.Sequence.unenroll_same_company.is_(True) if same_company_only else by_company)
    return conditions
