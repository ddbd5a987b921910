"""The recipient lookup behind both add-ins: many addresses, one SQL round trip."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from addin_server.db import tables as t
from addin_server.domain.addresses import fold_normalized, try_normalize
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.enrollments import OPEN, can_unenroll, enrollment_view
from addin_server.services.errors import Invalid

MAX_RECIPIENTS = 200

_by = aliased(t.User, name="enrolled_by")
_sender = aliased(t.User, name="sender")

_LOOKUP = (
    select(
        t.ContactAddress.address, t.ContactAddress.canonical,
        t.Contact.id.label("contact_id"), t.Contact.first_name, t.Contact.last_name, t.Contact.primary_email,
        t.Contact.unsubscribed, t.Contact.bounced,
        t.Company.id.label("company_id"), t.Company.name.label("company_name"),
        t.Enrollment.id.label("enrollment_id"), t.Enrollment.status, t.Enrollment.current_step,
        t.Enrollment.next_step_at, t.Enrollment.paused_until, t.Enrollment.enrolled_at,
        t.Enrollment.enrolled_by_user_id, t.Enrollment.sender_user_id, t.Enrollment.sequence_id,
        t.Sequence.name.label("sequence_name"), t.Sequence.steps_total, t.Sequence.owner_user_id,
        _by.name.label("by_name"), _by.email.label("by_email"),
        _sender.mailbox_address.label("sender_mailbox"), _sender.mailbox_provider.label("sender_provider"),
    )
    .select_from(t.ContactAddress)
    .join(t.Contact, t.Contact.id == t.ContactAddress.contact_id)
    .outerjoin(t.Company, t.Company.id == t.Contact.company_id)
    .outerjoin(t.Enrollment, and_(t.Enrollment.contact_id == t.Contact.id, t.Enrollment.status.in_(OPEN)))
    .outerjoin(t.Sequence, t.Sequence.id == t.Enrollment.sequence_id)
    .outerjoin(_by, _by.id == t.Enrollment.enrolled_by_user_id)
    .outerjoin(_sender, _sender.id == t.Enrollment.sender_user_id)
)


def _enrollment_from_row(r: Any) -> dict[str, Any]:
    e = SimpleNamespace(
        id=r.enrollment_id, sequence_id=r.sequence_id, contact_id=r.contact_id, status=r.status,
        current_step=r.current_step, next_step_at=r.next_step_at, paused_until=r.paused_until,
        enrolled_at=r.enrolled_at, ended_at=None, end_reason=None, end_surface=None, end_actor=None,
        end_evidence=None, enrolled_by_user_id=r.enrolled_by_user_id, sender_user_id=r.sender_user_id,
    )
    seq = SimpleNamespace(id=r.sequence_id, name=r.sequence_name, steps_total=r.steps_total)
    by = SimpleNamespace(id=r.enrolled_by_user_id, name=r.by_name, email=r.by_email)
    sender = SimpleNamespace(id=r.sender_user_id, mailbox_address=r.sender_mailbox,
                             mailbox_provider=r.sender_provider)
    return enrollment_view(e, seq, by, sender)  # type: ignore[arg-type]


def lookup_recipients(ctx: ServiceContext, principal: Principal, emails: list[str]) -> list[dict[str, Any]]:
    """Status of each address, in the order asked: contact, company, open enrollment, may unenroll."""
    if len(emails) > MAX_RECIPIENTS:
        raise Invalid(f"at most {MAX_RECIPIENTS} addresses per lookup")
    normalized = [try_normalize(x) if isinstance(x, str) else None for x in emails]
    keys = sorted({fold_normalized(n) for n in normalized if n})
    rows: list[Any] = []
    if keys:
        with ctx.engine.connect() as conn:
            rows = list(conn.execute(_LOOKUP.where(t.ContactAddress.account_id == principal.account_id,
                                                t.ContactAddress.canonical.in_(keys))))
    by_key: dict[str, list[Any]] = {}
    for r in rows:
        by_key.setdefault(r.canonical, []).append(r)
    out = []
    for asked, norm in zip(emails, normalized, strict=True):
        entry: dict[str, Any] = {"email": asked, "contact": None, "enrollment": None, "can_unenroll": False}
        if norm is None:
            entry["error"] = "not an email address"
            out.append(entry)
            continue
        candidates = by_key.get(fold_normalized(norm), [])
        # An exact address wins over a Gmail dot/+tag spelling of another contact's address.
        match = next((r for r in candidates if r.address == norm), candidates[0] if candidates else None)
        if match is not None:
            entry["matched_by"] = "address" if match.address == norm else "alias"
            entry["contact"] = {
                "id": str(match.contact_id),
                "name": " ".join(p for p in (match.first_name, match.last_name) if p) or match.primary_email,
                "email": match.primary_email,
                "company": {"id": str(match.company_id), "name": match.company_name} if match.company_id else None,
                "unsubscribed": match.unsubscribed,
                "bounced": match.bounced,
            }
            if match.enrollment_id is not None:
                entry["enrollment"] = _enrollment_from_row(match)
                entry["can_unenroll"] = can_unenroll(
                    principal,
                    SimpleNamespace(status=match.status, enrolled_by_user_id=match.enrolled_by_user_id,
                                    sender_user_id=match.sender_user_id),  # type: ignore[arg-type]
                    sequence_owner_id=match.owner_user_id,
                )
        out.append(entry)
    return out


def find_contact_id(s: Session, account_id: int, email: str) -> int | None:
    """The contact an address belongs to (exact first, then Gmail alias), or None."""
    norm = try_normalize(email)
    if norm is None:
        return None
    rows = s.execute(select(t.ContactAddress.contact_id, t.ContactAddress.address).where(
        t.ContactAddress.account_id == account_id, t.ContactAddress.canonical == fold_normalized(norm))).all()
    exact = [cid for cid, addr in rows if addr == norm]
    alias = [cid for cid, _ in rows]
    return (exact or alias)[0] if rows else None
