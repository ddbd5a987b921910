"""Undoing an automatic unenrollment a rep judged wrong: the contact continues where it stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.model import EnrollmentStatus, EventType, Surface, UnenrollReason
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.enrollment_records import OPEN, add_event, iso_z, owners, view_one
from addin_server.services.errors import Conflict, Invalid
from addin_server.services.permissions import authorize
from addin_server.services.sequences import load_steps


def _clear_bounce_of(s: Session, ended: t.Enrollment, contact: t.Contact) -> list[str]:
    """Undoing a bounce judged wrong clears what that bounce did to the contact's own addresses: the
    bounced mark and the soft-bounce count. Other contacts named in the same report keep theirs."""
    evidence = ended.end_evidence or {}
    named = {str(a) for a in evidence.get("bounced_recipients") or [] if isinstance(a, str)}
    if isinstance(evidence.get("sent_to"), str):
        named.add(evidence["sent_to"])
    rows = list(s.scalars(select(t.ContactAddress).where(
        t.ContactAddress.contact_id == contact.id, t.ContactAddress.address.in_(named))))
    cleared = []
    for row in rows:
        if row.bounced or row.soft_bounces:
            cleared.append(row.address)
        row.bounced, row.soft_bounces = False, 0
    if contact.bounced and not any(a.bounced for a in s.scalars(select(t.ContactAddress).where(
            t.ContactAddress.contact_id == contact.id, t.ContactAddress.is_primary.is_(True)))):
        contact.bounced = False
    return sorted(cleared)


def _pause_running_at_end(s: Session, ended: t.Enrollment, ended_event_id: int,
                          now: datetime) -> tuple[datetime | None, int] | None:
    """The pause the ended enrollment was in when it ended (its date, None for "until resumed", and
    the delay that was left), unless its date has passed since: the continuation keeps it."""
    last = s.scalar(select(t.EnrollmentEvent).where(
        t.EnrollmentEvent.enrollment_id == ended.id,
        t.EnrollmentEvent.type.in_([EventType.PAUSED.value, EventType.RESUMED.value]),
        t.EnrollmentEvent.id < ended_event_id).order_by(t.EnrollmentEvent.id.desc()).limit(1))
    if last is None or last.type != EventType.PAUSED.value:
        return None
    data = last.data or {}
    try:
        until = datetime.fromisoformat(str(data["until"]).replace("Z", "+00:00")) if data.get("until") else None
        remaining = max(0, int(data.get("remaining_delay_seconds") or 0))
    except (TypeError, ValueError):
        return None
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until is not None and until <= now:
        return None
    return until, remaining


def undo_unenrollment(ctx: ServiceContext, principal: Principal, enrollment_id: str, *, why: str) -> dict[str, Any]:
    """A rep judged an automatic ending wrong: enroll again at the step where it stopped.

    The ended enrollment and its history stay as they are; the new enrollment records who undid
    what and why, and continues with the steps that had not run.
    """
    if not why.strip():
        raise Invalid("say why the automatic unenrollment was wrong")
    now = ctx.now()
    with ctx.session() as s:
        old = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.UNDO, owners(s, old),
                  message="you may only undo the unenrollment of contacts you enrolled or that are in your sequences")
        if old.status in OPEN:
            raise Conflict(f"this enrollment has not ended (it is {old.status}); there is nothing to undo",
                           code="not_ended")
        if old.status != EnrollmentStatus.UNENROLLED.value or old.end_surface != Surface.AUTOMATIC.value:
            how = ("by finishing its steps" if old.status == EnrollmentStatus.FINISHED.value
                   else "because its sender was removed from the account"
                   if old.end_reason == UnenrollReason.USER_REMOVED.value else "by hand")
            raise Conflict(f"only an automatic unenrollment can be undone; this one ended {how}",
                           code="not_automatic")
        if old.end_reason == UnenrollReason.UNSUBSCRIBED.value:
            raise Conflict("the contact unsubscribed: that is the contact's own choice, and a rep cannot undo it",
                           code="contact_unsubscribed")
        # Only a resume written after the ending is an undo: a pause and resume before it are not.
        ended = s.scalar(select(func.max(t.EnrollmentEvent.id)).where(
            t.EnrollmentEvent.enrollment_id == old.id, t.EnrollmentEvent.type == EventType.UNENROLLED.value)) or 0
        if s.scalar(select(t.EnrollmentEvent.id).where(
                t.EnrollmentEvent.enrollment_id == old.id, t.EnrollmentEvent.type == EventType.RESUMED.value,
                t.EnrollmentEvent.id > ended)):
            raise Conflict("this unenrollment was already undone", code="already_undone")
        if old.end_reason == UnenrollReason.BOUNCED.value and s.scalar(select(t.EnrollmentEvent.id).where(
                t.EnrollmentEvent.enrollment_id == old.id, t.EnrollmentEvent.type == EventType.REPLIED.value,
                t.EnrollmentEvent.id > ended)):
            # The contact answered after the bounce: continuing would email someone who replied.
            raise Conflict("the contact replied after this bounce: the sequence does not continue for a contact "
                           "who answered", code="contact_replied")
        seq = s.get_one(t.Sequence, old.sequence_id)
        if old.current_step >= seq.steps_total:
            raise Conflict("every step had already run; there is nothing left to continue", code="nothing_left")
        contact = s.get_one(t.Contact, old.contact_id)
        if contact.unsubscribed:
            raise Conflict("the contact has unsubscribed since; it cannot be enrolled again",
                           code="contact_unsubscribed")
        cleared = _clear_bounce_of(s, old, contact) if old.end_reason == UnenrollReason.BOUNCED.value else []
        if contact.bounced:
            raise Conflict("another delivery report marked this contact's address bounced since; it cannot be "
                           "enrolled again until the address is corrected", code="contact_bounced")
        steps = load_steps(s, seq.id)
        new = t.Enrollment(
            account_id=old.account_id, sequence_id=old.sequence_id, contact_id=old.contact_id,
            enrolled_by_user_id=old.enrolled_by_user_id, sender_user_id=old.sender_user_id,
            status=EnrollmentStatus.ACTIVE.value, current_step=old.current_step,
            next_step_at=now + timedelta(days=steps[old.current_step].delay_days), enrolled_at=now, attempts=0)
        s.add(new)
        try:
            s.flush()
        except IntegrityError:
            raise Conflict("this contact is enrolled in a sequence again already", code="already_enrolled") from None
        add_event(s, new, EventType.ENROLLED, now, principal.actor, undo_of=str(old.id), why=why.strip()[:500],
                  undone_reason=old.end_reason, continues_at_step=old.current_step + 1)
        # A wrong ending during a pause (a "reply" while the contact is away) must not bring the next
        # step forward: the continuation is paused as the ended enrollment was, to the same date.
        pause = _pause_running_at_end(s, old, ended, now)
        if pause is not None:
            until, remaining = pause
            new.status, new.paused_until = EnrollmentStatus.PAUSED.value, until
            new.next_step_at = (until or now) + timedelta(seconds=remaining)
            add_event(s, new, EventType.PAUSED, now, principal.actor, until=iso_z(until),
                      reason="the pause running when the undone ending came", remaining_delay_seconds=remaining)
        add_event(s, old, EventType.RESUMED, now, principal.actor, undone_by=principal.actor, why=why.strip()[:500],
                  continued_as=str(new.id), **({"cleared_bounced_addresses": cleared} if cleared else {}))
        return view_one(s, new)
