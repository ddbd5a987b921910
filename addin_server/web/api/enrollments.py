"""/enrollments: enrolling, listing, unenrolling (one, many, by workflow), pausing, resuming, undoing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from addin_server.services import enrollments
from addin_server.web.api.base import Email, Id, Open, Strict, SurfaceName, UtcTime, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class EnrollmentIn(Strict):
    sequence_id: Id
    contact_id: Id
    sender_user_id: Id
    enrolled_by_user_id: Id | None = None


class UnenrollIn(Strict):
    surface: SurfaceName | None = None  # type: ignore[valid-type]


class BulkUnenrollIn(Strict):
    enrollment_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    surface: SurfaceName | None = None  # type: ignore[valid-type]


class WorkflowUnenrollIn(Strict):
    contact_id: Id | None = None
    email: Email | None = None
    sequence_id: Id | None = None
    workflow: Annotated[str, Field(max_length=200)] | None = None


class EnrollmentListQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    sequence_id: Id | None = None
    contact_id: Id | None = None
    status: Literal["active", "paused", "finished", "unenrolled"] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class EventOut(Open):
    type: str
    at: str
    actor: str | None


class EnrollmentOut(Open):
    id: str
    sequence_id: str
    contact_id: str
    status: Literal["active", "paused", "finished", "unenrolled"]
    current_step: int
    steps_total: int
    next_step_at: str | None
    enrolled_by: dict[str, Any]
    enrolled_at: str
    ended_at: str | None
    end_reason: str | None
    end_surface: str | None
    end_actor: str | None
    evidence: Annotated[dict[str, Any] | None, Field(description=(
        "What the ending was decided on. `matched_by` is how the message was tied to the enrollment, in "
        "words (\"In-Reply-To\", \"gmail alias\"); `matched_by_code` beside it is the stable code "
        "(in_reply_to, references, thread_id, bounce_report, bounced_recipient, enrolled_address, "
        "secondary_address, gmail_alias): compare codes, not words."))]
    events: list[EventOut] = []


class EnrollmentList(Open):
    enrollments: list[EnrollmentOut]


class BulkOut(Open):
    enrollments: list[EnrollmentOut]
    ended: list[str]
    already_ended: list[str]


@operation(spec, bp, "POST", "/sequences/{sequence_id}/unenroll", tag="enrollments", body=BulkUnenrollIn,
           response=BulkOut, summary="Unenroll many enrollments of one sequence", errors=(400, 403, 404, 422),
           description="Unknown ids refuse the whole request; ended ones are reported in already_ended.")
def bulk_unenroll(sequence_id: str, body: BulkUnenrollIn) -> Any:
    return enrollments.bulk_unenroll(ctx(), principal(), sequence_id, body.enrollment_ids, surface=body.surface)


@operation(spec, bp, "POST", "/enrollments", summary="Enroll a contact; the first step runs at once",
           tag="enrollments", body=EnrollmentIn, response=EnrollmentOut, status=201, errors=(400, 404, 409, 422))
def create_enrollment(body: EnrollmentIn) -> Any:
    return enrollments.enroll(ctx(), principal(), **body.model_dump())


@operation(spec, bp, "GET", "/enrollments", summary="List enrollments", tag="enrollments",
           query=EnrollmentListQuery, response=EnrollmentList)
def list_enrollments(query: EnrollmentListQuery) -> Any:
    return {"enrollments": enrollments.list_enrollments(ctx(), principal(), **query.model_dump())}


@operation(spec, bp, "GET", "/enrollments/{enrollment_id}", summary="An enrollment with its events and evidence",
           tag="enrollments", response=EnrollmentOut)
def get_enrollment(enrollment_id: str) -> Any:
    return enrollments.get_enrollment(ctx(), principal(), enrollment_id)


@operation(spec, bp, "POST", "/enrollments/{enrollment_id}/unenroll", tag="enrollments", body=UnenrollIn,
           response=EnrollmentOut, errors=(400, 403, 404, 422),
           summary="Unenroll (reason manual); an ended enrollment answers its existing outcome")
def unenroll(enrollment_id: str, body: UnenrollIn) -> Any:
    return enrollments.unenroll(ctx(), principal(), enrollment_id, surface=body.surface)


@operation(spec, bp, "POST", "/workflow-actions/unenroll", tag="enrollments", body=WorkflowUnenrollIn,
           response=EnrollmentOut, errors=(400, 403, 404, 422),
           summary="Unenroll from a workflow (reason workflow; Enterprise accounts only)")
def workflow_unenroll(body: WorkflowUnenrollIn) -> Any:
    return enrollments.workflow_unenroll(ctx(), principal(), **body.model_dump())


class PauseIn(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    until: UtcTime | None = None


@operation(spec, bp, "POST", "/enrollments/{enrollment_id}/pause", tag="enrollments", body=PauseIn,
           response=EnrollmentOut, errors=(400, 404, 409, 422),
           summary="Pause an active enrollment (until a date, or until resumed)")
def pause_enrollment(enrollment_id: str, body: PauseIn) -> Any:
    return enrollments.pause(ctx(), principal(), enrollment_id, until=body.until)


class ResumeIn(Strict):
    pass


@operation(spec, bp, "POST", "/enrollments/{enrollment_id}/resume", tag="enrollments", body=ResumeIn,
           response=EnrollmentOut, errors=(400, 404, 409, 422),
           summary="Resume a paused enrollment; the delay left when it paused still applies")
def resume_enrollment(enrollment_id: str, body: ResumeIn) -> Any:
    return enrollments.resume(ctx(), principal(), enrollment_id)


class UndoIn(Strict):
    why: Annotated[str, Field(min_length=1, max_length=500)]


@operation(spec, bp, "POST", "/enrollments/{enrollment_id}/undo", tag="enrollments", body=UndoIn,
           response=EnrollmentOut, status=201, errors=(400, 404, 409, 422),
           summary="Undo an automatic unenrollment: enroll again at the step where it stopped")
def undo_unenrollment(enrollment_id: str, body: UndoIn) -> Any:
    return enrollments.undo_unenrollment(ctx(), principal(), enrollment_id, why=body.why)
