"""Reading enrollments: one, a list, a sequence's performance, the latest automatic endings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain import merge_fields
from addin_server.domain.model import EnrollmentStatus, EventType, Surface, UnenrollReason
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import contact_name, owned
from addin_server.services.enrollment_records import HELD_FOR_MERGE_FIELDS, enrollment_views, view_one
from addin_server.services.errors import Invalid
from addin_server.services.permissions import authorize, own


def get_enrollment(ctx: ServiceContext, principal: Principal, enrollment_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        return view_one(s, e)


def list_enrollments(
    ctx: ServiceContext, principal: Principal, *, sequence_id: str | None = None, contact_id: str | None = None,
    status: str | None = None, limit: int = 100,
) -> list[dict[str, Any]]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        q = select(t.Enrollment).where(t.Enrollment.account_id == principal.account_id)
        if sequence_id:
            q = q.where(t.Enrollment.sequence_id == owned(s, t.Sequence, sequence_id, principal, "sequence").id)
        if contact_id:
            q = q.where(t.Enrollment.contact_id == owned(s, t.Contact, contact_id, principal, "contact").id)
        if status:
            try:
                q = q.where(t.Enrollment.status == EnrollmentStatus(status).value)
            except ValueError:
                raise Invalid(f"status must be one of {', '.join(EnrollmentStatus)}") from None
        rows = s.scalars(q.order_by(t.Enrollment.id.desc()).limit(max(1, min(limit, 500))))
        return enrollment_views(s, rows)


def performance(ctx: ServiceContext, principal: Principal, sequence_id: str) -> dict[str, Any]:
    """Figures from enrollments and the append-only event log: unenrolling never lowers them."""
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        by_status = dict(s.execute(
            select(t.Enrollment.status, func.count()).where(t.Enrollment.sequence_id == seq.id)
            .group_by(t.Enrollment.status)).all())
        by_reason = dict(s.execute(
            select(t.Enrollment.end_reason, func.count())
            .where(t.Enrollment.sequence_id == seq.id, t.Enrollment.status == EnrollmentStatus.UNENROLLED.value)
            .group_by(t.Enrollment.end_reason)).all())
        events = dict(s.execute(
            select(t.EnrollmentEvent.type, func.count()).where(t.EnrollmentEvent.sequence_id == seq.id)
            .group_by(t.EnrollmentEvent.type)).all())
        # Bounces count contacts as they are now, not reports: a contact whose mail bounced three
        # times is one bounce, and one whose bounce a rep undid (the mark cleared) is none.
        bounced_contacts = (select(t.Enrollment.contact_id)
                            .join(t.Contact, t.Contact.id == t.Enrollment.contact_id)
                            .where(t.Enrollment.sequence_id == seq.id,
                                   t.Enrollment.end_reason == UnenrollReason.BOUNCED.value,
                                   t.Contact.bounced.is_(True)))
        bounces = s.scalar(select(func.count()).select_from(bounced_contacts.distinct().subquery())) or 0
        # Soft bounces: contacts of this sequence with soft bounces counted on an address now,
        # below the threshold (not bounced).
        with_soft = select(t.ContactAddress.contact_id).where(t.ContactAddress.soft_bounces > 0)
        soft_only = s.scalar(select(func.count(func.distinct(t.EnrollmentEvent.contact_id))).where(
            t.EnrollmentEvent.sequence_id == seq.id, t.EnrollmentEvent.type == EventType.BOUNCED.value,
            t.EnrollmentEvent.contact_id.in_(with_soft), t.EnrollmentEvent.contact_id.not_in(bounced_contacts))) or 0
        # An undo continues an enrollment: its new row is no new enrollment in `enrolled`.
        undone = sum(1 for data in s.scalars(select(t.EnrollmentEvent.data).where(
            t.EnrollmentEvent.sequence_id == seq.id, t.EnrollmentEvent.type == EventType.RESUMED.value))
            if (data or {}).get("continued_as"))
        held_steps, held_now = _held_counts(s, seq.id)
        return {
            "sequence_id": str(seq.id),
            "enrolled": events.get(EventType.ENROLLED.value, 0) - undone,
            "undone": undone,
            "active": by_status.get(EnrollmentStatus.ACTIVE.value, 0),
            "paused": by_status.get(EnrollmentStatus.PAUSED.value, 0),
            "finished": by_status.get(EnrollmentStatus.FINISHED.value, 0),
            "unenrolled": {str(k): v for k, v in sorted(by_reason.items(), key=lambda kv: str(kv[0]))},
            "emails_sent": events.get(EventType.EMAIL_SENT.value, 0),
            "replies": events.get(EventType.REPLIED.value, 0),
            "meetings_booked": events.get(EventType.MEETING_BOOKED.value, 0),
            "bounces": bounces,
            "soft_bounces": soft_only,
            "unsubscribes": events.get(EventType.UNSUBSCRIBED.value, 0),
            # Steps held because a merge field had no value, and enrollments still held now.
            "held_steps": held_steps,
            "held_now": held_now,
        }


def _held_counts(s: Session, sequence_id: int) -> tuple[int, int]:
    pauses = list(s.execute(
        select(t.EnrollmentEvent.enrollment_id, t.EnrollmentEvent.data).where(
            t.EnrollmentEvent.sequence_id == sequence_id, t.EnrollmentEvent.type == EventType.PAUSED.value)
        .order_by(t.EnrollmentEvent.id)).all())
    held = [eid for eid, data in pauses if (data or {}).get("reason") == HELD_FOR_MERGE_FIELDS]
    if not held:
        return 0, 0
    last_pause = {eid: (data or {}).get("reason") for eid, data in pauses}  # the latest pause of each
    paused = set(s.scalars(select(t.Enrollment.id).where(
        t.Enrollment.id.in_(set(held)), t.Enrollment.status == EnrollmentStatus.PAUSED.value)))
    return len(held), sum(1 for eid in paused if last_pause.get(eid) == HELD_FOR_MERGE_FIELDS)


def held_from_events(status: str, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """For an enrollment paused because a merge field had no value (its latest pause event says so):
    which step, which fields, and what the rep must do. None otherwise."""
    if status != EnrollmentStatus.PAUSED.value:
        return None
    last = next((ev for ev in reversed(events) if ev["type"] == EventType.PAUSED.value), None)
    if last is None or last.get("reason") != HELD_FOR_MERGE_FIELDS:
        return None
    fields = [str(f) for f in last.get("missing_fields") or []]
    return {"step": last.get("step"), "missing_fields": fields,
            "message": f"Step {last.get('step')} is held: its email uses {merge_fields.in_words(fields)}, which "
                       "this contact does not have. Add it to the contact, then resume the enrollment."}


def recent_automatic_endings(ctx: ServiceContext, principal: Principal, limit: int = 10) -> list[dict[str, Any]]:
    """The latest enrollments ended without a person (replies, meetings, bounces...) for this rep.

    For an admin or an API key, the whole account's; for a rep, those they enrolled or send from.
    """
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        q = select(t.Enrollment).where(
            t.Enrollment.account_id == principal.account_id, t.Enrollment.end_surface == Surface.AUTOMATIC.value,
            t.Enrollment.status == EnrollmentStatus.UNENROLLED.value)
        if principal.user_id is not None and not principal.is_admin:
            q = q.where((t.Enrollment.enrolled_by_user_id == principal.user_id)
                        | (t.Enrollment.sender_user_id == principal.user_id))
        rows = list(s.scalars(q.order_by(t.Enrollment.ended_at.desc(), t.Enrollment.id.desc()).limit(limit)))
        views = enrollment_views(s, rows)
        contacts = {c.id: c for c in s.scalars(select(t.Contact).where(t.Contact.id.in_([e.contact_id for e in rows])))}
        for view, e in zip(views, rows, strict=True):
            c = contacts[e.contact_id]
            view["contact"] = {"id": str(c.id), "email": c.primary_email,
                               "name": contact_name(c)}
        return views
