"""An enrollment's rows as every use case shares them: its events, its views, and the one ending.

Endings use one conditional UPDATE (`... WHERE status IN ('active','paused')`), so two callers
racing to end the same enrollment produce exactly one ending and one event on any database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, EnrollmentStatus, EventType, Surface, UnenrollReason
from addin_server.domain.outgoing_webhooks import webhook_event_type
from addin_server.domain.permissions import Action
from addin_server.domain.wording import ended_because, evidence_in_words
from addin_server.services.context import Principal
from addin_server.services.permissions import may

OPEN = (EnrollmentStatus.ACTIVE.value, EnrollmentStatus.PAUSED.value)
SYSTEM_ACTOR = "system"


def iso_z(value: datetime | None) -> str | None:
    """A UTC time as the API writes it (ISO 8601 with Z), or None."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def add_event(
    s: Session, e: t.Enrollment, kind: EventType, at: datetime, actor: str | None = None, **data: Any
) -> t.EnrollmentEvent:
    event = t.EnrollmentEvent(
        account_id=e.account_id, enrollment_id=e.id, sequence_id=e.sequence_id, contact_id=e.contact_id,
        type=kind.value, at=at, actor=actor, data=data,
        # The outbox of outgoing webhooks: committed, or rolled back, with the change itself.
        webhook_pending=webhook_event_type(kind.value, data) is not None,
    )
    s.add(event)
    if event.webhook_pending:
        s.info["announced"] = True  # ServiceContext.session wakes an in-process worker after the commit
    return event


def event_view(ev: t.EnrollmentEvent) -> dict[str, Any]:
    return {**(evidence_in_words(ev.data) or {}), "type": ev.type, "at": iso_z(ev.at), "actor": ev.actor}


def enrollment_views(s: Session, rows: Iterable[t.Enrollment], with_events: bool = False) -> list[dict[str, Any]]:
    rows = list(rows)
    if not rows:
        return []
    seqs = {q.id: q for q in s.scalars(select(t.Sequence).where(t.Sequence.id.in_({e.sequence_id for e in rows})))}
    user_ids = {e.enrolled_by_user_id for e in rows} | {e.sender_user_id for e in rows}
    users = {u.id: u for u in s.scalars(select(t.User).where(t.User.id.in_(user_ids)))}
    events: dict[int, list[dict[str, Any]]] = {}
    if with_events:
        for ev in s.scalars(
            select(t.EnrollmentEvent)
            .where(t.EnrollmentEvent.enrollment_id.in_([e.id for e in rows]))
            .order_by(t.EnrollmentEvent.id)
        ):
            events.setdefault(ev.enrollment_id, []).append(event_view(ev))
    out = []
    for e in rows:
        seq, by, sender = seqs[e.sequence_id], users[e.enrolled_by_user_id], users[e.sender_user_id]
        view = enrollment_view(e, seq, by, sender)
        if with_events:
            view["events"] = events.get(e.id, [])
        out.append(view)
    return out


# A step the pre-send guard held carries this at the start of last_error (see services/presend).
HELD_PREFIX = "held before sending: "


def held_view(status: str, last_error: str | None, attempts: int,
              next_step_at: datetime | None) -> dict[str, Any] | None:
    """Why the next step waits, when the pre-send guard held it; None otherwise."""
    if status != EnrollmentStatus.ACTIVE.value or not (last_error or "").startswith(HELD_PREFIX):
        return None
    return {"reason": (last_error or "")[len(HELD_PREFIX):], "tries": attempts, "retry_at": iso_z(next_step_at)}


def enrollment_view(e: t.Enrollment, seq: t.Sequence, by: t.User, sender: t.User) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "sequence_id": str(e.sequence_id),
        "sequence": {"id": str(seq.id), "name": seq.name},
        "contact_id": str(e.contact_id),
        "status": e.status,
        "current_step": e.current_step,
        "steps_total": seq.steps_total,
        "next_step_at": iso_z(e.next_step_at) if e.status == EnrollmentStatus.ACTIVE.value else None,
        "paused_until": iso_z(e.paused_until),
        "held": held_view(e.status, e.last_error, e.attempts, e.next_step_at),
        "enrolled_by": {"id": str(by.id), "name": by.name, "email": by.email},
        "sender": {"id": str(sender.id), "mailbox_address": sender.mailbox_address,
                   "mailbox_provider": sender.mailbox_provider},
        "enrolled_at": iso_z(e.enrolled_at),
        "ended_at": iso_z(e.ended_at),
        "end_reason": e.end_reason,
        "end_surface": e.end_surface,
        "end_actor": e.end_actor,
        "ended_because": ended_because(e.end_reason, e.end_evidence, e.end_surface, e.end_actor),
        "evidence": evidence_in_words(e.end_evidence),
    }


def view_one(s: Session, e: t.Enrollment, with_events: bool = True) -> dict[str, Any]:
    return enrollment_views(s, [e], with_events=with_events)[0]


HELD_FOR_MERGE_FIELDS = "missing_merge_field"



def ending_values(end: EndOfEnrollment, now: datetime) -> dict[str, Any]:
    """The columns an ending writes: the one list, for this module and for applying inbound mail."""
    return {"status": EnrollmentStatus.UNENROLLED.value, "ended_at": now, "next_step_at": None, "paused_until": None,
            "end_reason": end.reason.value, "end_surface": end.surface.value, "end_actor": end.actor,
            "end_evidence": dict(end.evidence), "lease_owner": None, "lease_until": None}


def _end_open_statement() -> Any:
    # Core, compiled once: the ORM's UPDATE would evaluate its criteria against every enrollment
    # the session holds (costly in a batch of inbound messages).
    table = cast(Table, t.Enrollment.__table__)
    columns = ending_values(EndOfEnrollment(UnenrollReason.MANUAL, Surface.API, ""), datetime.now())
    return (update(table).where(table.c.id == bindparam("eid"), table.c.status.in_(OPEN))
            .values({name: bindparam(f"v_{name}") for name in columns}))


END_OPEN = _end_open_statement()


def end_open_row(s: Session, e: t.Enrollment, end: EndOfEnrollment, now: datetime) -> bool:
    """The conditional UPDATE that ends `e` if it is still open; the session's copy is brought up to
    date. False when it had already ended: only the caller whose UPDATE changed the row goes on to
    write the `unenrolled` event, so two racing endings make one event."""
    if inspect(e).modified:
        s.flush()  # the row's pending changes go first, so that nothing writes over the ending
    values = ending_values(end, now)
    result = s.connection().execute(END_OPEN, {"eid": e.id, **{f"v_{k}": v for k, v in values.items()}})
    if result.rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(e, name, value)
    return True


def end_enrollment(s: Session, enrollment_id: int, end: EndOfEnrollment, now: datetime) -> bool:
    """End one open enrollment. False when it had already ended (then nothing is written)."""
    e = s.get_one(t.Enrollment, enrollment_id)
    if not end_open_row(s, e, end, now):
        return False
    add_event(s, e, EventType.UNENROLLED, now, end.actor, reason=end.reason.value, surface=end.surface.value,
              evidence=dict(end.evidence))
    return True


def owners(s: Session, e: t.Enrollment, sequence_owner_id: int | None = None) -> tuple[int | None, ...]:
    """The reps an enrollment belongs to: who enrolled it, who sends it, who owns its sequence."""
    if sequence_owner_id is None:
        sequence_owner_id = s.get_one(t.Sequence, e.sequence_id).owner_user_id
    return (e.enrolled_by_user_id, e.sender_user_id, sequence_owner_id)


def can_unenroll(principal: Principal, e: t.Enrollment, s: Session | None = None,
                 sequence_owner_id: int | None = None, action: Action = Action.UNENROLL) -> bool:
    """Whether the permission table lets this principal end this open enrollment."""
    if e.status not in OPEN:
        return False
    if sequence_owner_id is None and s is not None:
        sequence_owner_id = s.get_one(t.Sequence, e.sequence_id).owner_user_id
    return may(principal, action, (e.enrolled_by_user_id, e.sender_user_id, sequence_owner_id))
