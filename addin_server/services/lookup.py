"""The recipient lookup behind both add-ins: many addresses, one SQL round trip."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from addin_server.db import tables as t
from addin_server.domain.addresses import fold_normalized, try_normalize
from addin_server.domain.model import EnrollmentStatus, person_name
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.enrollment_records import OPEN, can_unenroll, held_view, iso_z
from addin_server.services.errors import Invalid
from addin_server.services.permissions import authorize, own

MAX_RECIPIENTS = 200
_ACTIVE = EnrollmentStatus.ACTIVE.value

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
        t.Enrollment.last_error, t.Enrollment.attempts,
    )
    .select_from(t.ContactAddress)
    .join(t.Contact, t.Contact.id == t.ContactAddress.contact_id)
    .outerjoin(t.Company, t.Company.id == t.Contact.company_id)
    .outerjoin(t.Enrollment, and_(t.Enrollment.contact_id == t.Contact.id, t.Enrollment.status.in_(OPEN)))
    .outerjoin(t.Sequence, t.Sequence.id == t.Enrollment.sequence_id)
    .outerjoin(_by, _by.id == t.Enrollment.enrolled_by_user_id)
    .outerjoin(_sender, _sender.id == t.Enrollment.sender_user_id)
)
# Built once with bound parameters: SQLAlchemy then reuses its compiled form and result layout
# instead of rebuilding, re-keying and re-matching a new statement on every lookup.
_LOOKUP_KEYS = _LOOKUP.where(t.ContactAddress.account_id == bindparam("account_id"),
                             t.ContactAddress.canonical.in_(bindparam("keys", expanding=True)))


def _contact_and_enrollment(principal: Principal, row: Any) -> tuple[dict[str, Any], dict[str, Any] | None, bool]:
    """The contact, its open enrollment and whether the caller may end it, from one lookup row.

    Built straight from the row's columns (the shape of enrollments.enrollment_view; a test holds
    the two together): this runs for every address of every lookup.
    """
    (_, _, contact_id, first_name, last_name, primary_email, unsubscribed, bounced, company_id, company_name,
     enrollment_id, status, current_step, next_step_at, paused_until, enrolled_at, by_id, sender_id, sequence_id,
     sequence_name, steps_total, owner_id, by_name, by_email, sender_mailbox, sender_provider, last_error,
     attempts) = row
    contact = {
        "id": str(contact_id),
        "name": person_name(first_name, last_name, primary_email),
        "email": primary_email,
        "company": {"id": str(company_id), "name": company_name} if company_id else None,
        "unsubscribed": unsubscribed,
        "bounced": bounced,
    }
    if enrollment_id is None:
        return contact, None, False
    enrollment = {
        "id": str(enrollment_id),
        "sequence_id": str(sequence_id),
        "sequence": {"id": str(sequence_id), "name": sequence_name},
        "contact_id": str(contact_id),
        "status": status,
        "current_step": current_step,
        "steps_total": steps_total,
        "next_step_at": iso_z(next_step_at) if status == _ACTIVE else None,
        "paused_until": iso_z(paused_until),
        "held": held_view(status, last_error, attempts or 0, next_step_at),
        "enrolled_by": {"id": str(by_id), "name": by_name, "email": by_email},
        "sender": {"id": str(sender_id), "mailbox_address": sender_mailbox, "mailbox_provider": sender_provider},
        "enrolled_at": iso_z(enrolled_at),
        # Only open enrollments are joined: nothing has ended them.
        "ended_at": None, "end_reason": None, "end_surface": None, "end_actor": None, "ended_because": None,
        "evidence": None,
    }
    allowed = can_unenroll(
        principal,
        SimpleNamespace(status=status, enrolled_by_user_id=by_id, sender_user_id=sender_id),  # type: ignore[arg-type]
        sequence_owner_id=owner_id,
    )
    return contact, enrollment, allowed


def lookup_recipients(ctx: ServiceContext, principal: Principal, emails: list[str]) -> list[dict[str, Any]]:
    """Status of each address, in the order asked: contact, company, open enrollment, may unenroll."""
    authorize(principal, Action.READ, own(principal))
    if len(emails) > MAX_RECIPIENTS:
        raise Invalid(f"at most {MAX_RECIPIENTS} addresses per lookup")
    normalized = [try_normalize(x) if isinstance(x, str) else None for x in emails]
    folded = [fold_normalized(n) if n else None for n in normalized]
    keys = sorted({f for f in folded if f})
    rows: Sequence[Any] = ()
    if keys:
        # One statement needs no transaction. On PostgreSQL, autocommit saves the BEGIN and the
        # ROLLBACK round trips, and since psycopg forgets its prepared statements at every
        # ROLLBACK, it also lets the lookup run as a prepared statement (no planning per call).
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            rows = conn.execute(_LOOKUP_KEYS, {"account_id": principal.account_id, "keys": keys}).all()
    by_key: dict[str, list[Any]] = {}
    for r in rows:
        by_key.setdefault(r[1], []).append(r)  # r[1]: the canonical address
    out = []
    for asked, norm, key in zip(emails, normalized, folded, strict=True):
        entry: dict[str, Any] = {"email": asked, "contact": None, "enrollment": None, "can_unenroll": False}
        if norm is None or key is None:
            entry["error"] = "not an email address"
            out.append(entry)
            continue
        candidates = by_key.get(key)
        if candidates:
            # An exact address wins over a Gmail dot/+tag spelling of another contact's address.
            match = next((r for r in candidates if r[0] == norm), candidates[0])
            entry["matched_by"] = "address" if match[0] == norm else "alias"
            entry["contact"], entry["enrollment"], entry["can_unenroll"] = _contact_and_enrollment(principal, match)
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


def unenroll_choice(ctx: ServiceContext, principal: Principal, enrollment_id: str) -> dict[str, Any]:
    """Whether the caller may end this enrollment, and the reps who may besides admins (who enrolled
    the contact, who sends, who owns the sequence), so a surface offers the button only when the
    permission table allows it and otherwise says whom to ask."""
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        owner_id = s.get_one(t.Sequence, e.sequence_id).owner_user_id
        allowed = can_unenroll(principal, e, sequence_owner_id=owner_id)
        names: dict[int, str] = {}
        for user_id in (e.enrolled_by_user_id, e.sender_user_id, owner_id):
            user = s.get(t.User, user_id) if user_id is not None else None
            if user is not None and user.id != principal.user_id:
                names.setdefault(user.id, user.name or user.email)
        return {"can_unenroll": allowed, "open": e.status in OPEN, "who_can": list(names.values())}
