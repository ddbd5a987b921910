"""Ending enrollments by hand, in bulk and from a workflow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.domain.model import MANUAL_SURFACES, EndOfEnrollment, Plan, Surface, UnenrollReason
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned, parse_id
from addin_server.services.enrollment_records import (
    OPEN,
    can_unenroll,
    end_enrollment,
    enrollment_views,
    owners,
    view_one,
)
from addin_server.services.errors import Forbidden, Invalid, NotFound
from addin_server.services.lookup import find_contact_id
from addin_server.services.permissions import REFUSALS, authorize, own


def _surface(value: str | None, default: Surface) -> Surface:
    if value is None:
        return default
    try:
        surface = Surface(value)
    except ValueError:
        raise Invalid(f"surface must be one of {', '.join(MANUAL_SURFACES)}") from None
    if surface not in MANUAL_SURFACES:
        raise Invalid(f"surface must be one of {', '.join(MANUAL_SURFACES)}")
    return surface


def unenroll(
    ctx: ServiceContext,
    principal: Principal,
    enrollment_id: str,
    *,
    surface: str | None = None,
    reason: UnenrollReason = UnenrollReason.MANUAL,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """End one enrollment by hand. Ending an ended enrollment answers its existing outcome."""
    where = _surface(surface, Surface.API)
    now = ctx.now()
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        # An ended one answers its outcome to whoever may unenroll at all (a read-only key may not).
        authorize(principal, Action.UNENROLL, owners(s, e) if e.status in OPEN else own(principal))
        end = EndOfEnrollment(reason, where, principal.actor, evidence or {"rule": "unenrolled by hand"})
        end_enrollment(s, e.id, end, now)
        s.refresh(e)
        return view_one(s, e)


def bulk_unenroll(
    ctx: ServiceContext, principal: Principal, sequence_id: str, enrollment_ids: list[str], *,
    surface: str | None = None,
) -> dict[str, Any]:
    """End many enrollments of one sequence at once. Unknown ids refuse the whole request."""
    where = _surface(surface, Surface.BULK)
    if not enrollment_ids:
        raise Invalid("enrollment_ids must list at least one enrollment")
    if len(enrollment_ids) > 1000:
        raise Invalid("at most 1000 enrollments per request")
    authorize(principal, Action.BULK_UNENROLL, own(principal))  # refused kinds learn nothing of the rows
    now = ctx.now()
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        parsed = [parse_id(i) for i in enrollment_ids]
        if None in parsed:
            raise NotFound("enrollment ids must be ids of this sequence's enrollments")
        wanted = list(dict.fromkeys(i for i in parsed if i is not None))
        rows = list(s.scalars(select(t.Enrollment).where(
            t.Enrollment.id.in_(wanted), t.Enrollment.sequence_id == seq.id,
            t.Enrollment.account_id == principal.account_id)))
        missing = sorted(set(wanted) - {e.id for e in rows})
        if missing:
            raise NotFound(f"not enrollments of sequence {seq.id}: {', '.join(map(str, missing))}")
        refused = [e.id for e in rows if e.status in OPEN
                   and not can_unenroll(principal, e, s, seq.owner_user_id, Action.BULK_UNENROLL)]
        if refused:
            # The reason and who can, as for one enrollment; the ids are for programs (details).
            whose = "is another rep's" if len(refused) == 1 else "are other reps'"
            raise Forbidden(f"{len(refused)} of these enrollments {whose}: {REFUSALS[Action.UNENROLL]}; "
                            "nothing was unenrolled",
                            details={"refused_enrollment_ids": [str(i) for i in refused]})
        ended = []
        for eid in wanted:
            end = EndOfEnrollment(UnenrollReason.MANUAL, where, principal.actor,
                                  {"rule": "unenrolled by hand", "bulk_size": len(wanted)})
            if end_enrollment(s, eid, end, now):
                ended.append(eid)
        for e in rows:
            s.refresh(e)
        by_id = {e.id: e for e in rows}
        return {
            "enrollments": enrollment_views(s, [by_id[i] for i in wanted]),
            "ended": [str(i) for i in ended],
            "already_ended": [str(i) for i in wanted if i not in ended],
        }


def workflow_unenroll(
    ctx: ServiceContext, principal: Principal, *, contact_id: str | None, email: str | None,
    sequence_id: str | None, workflow: str | None,
) -> dict[str, Any]:
    """A workflow action: end the contact's open enrollment (Enterprise accounts only)."""
    authorize(principal, Action.WORKFLOW_UNENROLL)
    now = ctx.now()
    with ctx.session() as s:
        account = s.get_one(t.Account, principal.account_id)
        if account.plan != Plan.ENTERPRISE.value:
            raise Forbidden("unenrolling from a workflow is available on the Enterprise plan only; "
                            "this account is on Professional", code="plan_required")
        if contact_id:
            contact = owned(s, t.Contact, contact_id, principal, "contact")
        elif email:
            found = find_contact_id(s, principal.account_id, email)
            if found is None:
                raise NotFound(f"no contact with address {email}")
            contact = s.get_one(t.Contact, found)
        else:
            raise Invalid("give contact_id or email")
        q = select(t.Enrollment).where(t.Enrollment.contact_id == contact.id, t.Enrollment.status.in_(OPEN))
        if sequence_id:
            q = q.where(t.Enrollment.sequence_id == owned(s, t.Sequence, sequence_id, principal, "sequence").id)
        e = s.scalar(q)
        if e is None:
            raise NotFound("this contact has no open enrollment" + (" in that sequence" if sequence_id else ""),
                           code="not_enrolled")
        evidence = {"rule": "workflow action", "workflow": workflow or "unnamed workflow"}
        end_enrollment(s, e.id, EndOfEnrollment(UnenrollReason.WORKFLOW, Surface.API, principal.actor, evidence), now)
        s.refresh(e)
        return view_one(s, e)
