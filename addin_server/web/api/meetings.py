"""/meetings: meetings logged by reps and what they did to enrollments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from addin_server.web.api.base import Id, Open, Strict, UtcTime, bp, ctx, principal, spec
from addin_server.web.api.enrollments import EnrollmentOut
from addin_server.web.apispec import operation


class MeetingAssociationsIn(Strict):
    company_id: Id | None = None
    deal_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class MeetingIn(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    contact_id: Id | None = None
    contact_ids: Annotated[list[Id], Field(max_length=50)] = []
    logged_by_user_id: Id
    start_time: UtcTime
    end_time: UtcTime | None = None
    title: Annotated[str, Field(max_length=300)] = ""
    associated: MeetingAssociationsIn | None = None
    source: Literal["logged", "contact_record"] = "logged"

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> MeetingIn:
        if self.end_time is not None and self.end_time <= self.start_time:
            raise ValueError("end_time is not after start_time: a meeting ends after it starts")
        return self


class MeetingOutcomeOut(Open):
    contact_id: str
    enrollment_id: str | None
    action: Literal["unenrolled", "recorded", "none"]


class MeetingOut(Open):
    meeting: dict[str, Any]
    outcomes: list[MeetingOutcomeOut]
    ended: list[EnrollmentOut]


@operation(spec, bp, "POST", "/meetings", tag="meetings", body=MeetingIn, response=MeetingOut, status=201,
           errors=(400, 403, 404, 422), summary="Log a meeting with contacts (and a company or deal)",
           description="Unenrolls (meeting_booked) each associated contact enrolled by the user who logged it, "
                       "even for a meeting in the past (it must start at most a year before now and two years after: "
                       "422 `invalid_time`); outside the custom-trigger beta the company's contacts "
                       "in sequences with `unenroll_same_company` on end too (company_contact_booked_meeting), "
                       "under it the sequence's `on_meeting` decides alone. `ended` lists every enrollment it "
                       "ended.")
def log_meeting(body: MeetingIn) -> Any:
    from addin_server.services import meetings  # imported here so this section stays self-contained

    # When a meeting may start is the service's one bound (domain.meetings.meeting_time_problem).
    contact_ids = [*([body.contact_id] if body.contact_id else []), *body.contact_ids]
    associated = body.associated or MeetingAssociationsIn()
    return meetings.log_meeting(
        ctx(), principal(), contact_ids=contact_ids, logged_by_user_id=body.logged_by_user_id,
        start_time=body.start_time, end_time=body.end_time, title=body.title, company_id=associated.company_id,
        deal_id=associated.deal_id, source=body.source)
