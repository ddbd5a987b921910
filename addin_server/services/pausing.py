"""Pausing and resuming enrollments, by hand or on a date."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.domain.model import EnrollmentStatus, EventType
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.enrollment_records import SYSTEM_ACTOR, add_event, iso_z, owners, view_one
from addin_server.services.errors import Conflict, Invalid
from addin_server.services.permissions import authorize

MAX_PAUSE = timedelta(days=366)  # a pause with a date is a leave or a holiday, not "forever"


def pause(ctx: ServiceContext, principal: Principal, enrollment_id: str, *, until: datetime | None,
          reason: str = "paused by hand") -> dict[str, Any]:
    """Pause an active enrollment; with `until`, the worker resumes it then, remaining delays kept."""
    now = ctx.now()
    if until is not None and not now < until <= now + MAX_PAUSE:
        raise Invalid(f"until must be in the future and at most {MAX_PAUSE.days} days away "
                      "(leave it out to pause until resumed by hand)", code="invalid_time")
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.PAUSE_RESUME, owners(s, e),
                  message="you may only pause contacts you enrolled or that are in your sequences")
        if e.status != EnrollmentStatus.ACTIVE.value:
            raise Conflict(f"only an active enrollment can be paused; this one is {e.status}")
        remaining = (e.next_step_at - now).total_seconds() if e.next_step_at else 0
        e.status = EnrollmentStatus.PAUSED.value
        e.paused_until = until
        add_event(s, e, EventType.PAUSED, now, principal.actor, until=iso_z(until), reason=reason,
                  remaining_delay_seconds=max(0, int(remaining)))
        return view_one(s, e)


def resume(ctx: ServiceContext, principal: Principal, enrollment_id: str) -> dict[str, Any]:
    """Resume a paused enrollment; the delay that was left when it paused still applies."""
    now = ctx.now()
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.PAUSE_RESUME, owners(s, e),
                  message="you may only resume contacts you enrolled or that are in your sequences")
        if e.status != EnrollmentStatus.PAUSED.value:
            raise Conflict(f"only a paused enrollment can be resumed; this one is {e.status}")
        last_pause = s.scalar(select(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == e.id, t.EnrollmentEvent.type == EventType.PAUSED.value)
            .order_by(t.EnrollmentEvent.id.desc()).limit(1))
        remaining = int((last_pause.data or {}).get("remaining_delay_seconds", 0)) if last_pause else 0
        e.status = EnrollmentStatus.ACTIVE.value
        e.paused_until = None
        e.next_step_at = now + timedelta(seconds=remaining)
        add_event(s, e, EventType.RESUMED, now, principal.actor, remaining_delay_seconds=remaining)
        return view_one(s, e)


def resume_due_pauses(ctx: ServiceContext, limit: int = 200) -> int:
    """Resume paused enrollments whose pause date has come (e.g. an out-of-office return date)."""
    now = ctx.now()
    with ctx.session() as s:
        due = list(s.scalars(select(t.Enrollment).where(
            t.Enrollment.status == EnrollmentStatus.PAUSED.value, t.Enrollment.paused_until.is_not(None),
            t.Enrollment.paused_until <= now).limit(limit)))
    for e in due:
        system = Principal.system(e.account_id, SYSTEM_ACTOR)
        try:
            resume(ctx, system, str(e.id))
        except Conflict:
            continue  # resumed or ended meanwhile by someone else
    return len(due)
