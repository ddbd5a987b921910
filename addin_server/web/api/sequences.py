"""/sequences: sequences with their steps, their automation and their performance."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from addin_server.services import enrollments, sequences
from addin_server.web.api.base import Id, Open, Strict, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class StepIn(Strict):
    type: Literal["automated_email", "manual_email", "call", "task"]
    delay_days: Annotated[float, Field(ge=0, le=365)] = 0
    subject: Annotated[str, Field(max_length=998)] = ""
    body: Annotated[str, Field(max_length=100_000)] = ""
    thread_with_previous: bool = False


class AutomationIn(Strict):
    on_reply: Literal["off", "contact", "company"] = "contact"
    on_meeting: Literal["off", "contact", "company"] = "contact"
    pause_on_out_of_office: bool = False
    # "Unenroll contacts from the same company"; omitted: the account's default (new sequences) or
    # unchanged (saving automation).
    unenroll_same_company: bool | None = None


class SequenceIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    owner_user_id: Id
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=50)]
    automation: AutomationIn | None = None


class AutomationUpdateIn(AutomationIn):
    save_as_new: bool = False
    new_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class AutomationOut(Open):
    on_reply: str
    on_meeting: str
    pause_on_out_of_office: bool
    unenroll_same_company: bool


class SequenceOut(Open):
    id: str
    name: str
    owner_user_id: str
    steps_total: int
    steps: list[dict[str, Any]]
    automation: AutomationOut


class SequenceList(Open):
    sequences: list[SequenceOut]


class PerformanceOut(Open):
    enrolled: int
    active: int
    finished: int
    unenrolled: dict[str, int]
    emails_sent: int
    replies: int
    meetings_booked: int
    bounces: int  # contacts whose address bounced (hard, or soft up to the threshold)
    soft_bounces: int  # contacts with soft bounces counted that did not reach the threshold
    unsubscribes: int


@operation(spec, bp, "POST", "/sequences", summary="Create a sequence with its steps", tag="sequences",
           body=SequenceIn, response=SequenceOut, status=201, errors=(400, 403, 404, 422))
def create_sequence(body: SequenceIn) -> Any:
    auto = body.automation or AutomationIn()
    return sequences.create_sequence(
        ctx(), principal(), name=body.name, owner_user_id=body.owner_user_id,
        steps=[sequences.StepInput(**x.model_dump()) for x in body.steps], **auto.model_dump())


@operation(spec, bp, "GET", "/sequences", summary="List sequences", tag="sequences", response=SequenceList,
           errors=())
def list_sequences() -> Any:
    return {"sequences": sequences.list_sequences(ctx(), principal())}


@operation(spec, bp, "GET", "/sequences/{sequence_id}", summary="Read a sequence", tag="sequences",
           response=SequenceOut)
def get_sequence(sequence_id: str) -> Any:
    return sequences.get_sequence(ctx(), principal(), sequence_id)


@operation(spec, bp, "PUT", "/sequences/{sequence_id}/automation", tag="sequences", body=AutomationUpdateIn,
           response=SequenceOut, summary="Save automation settings on this sequence or as a new one",
           description="`unenroll_same_company`: the sequence's contacts leave it when someone at their company "
                       "replies or books a meeting (outside the custom-trigger beta); omitted, it stays as it is.")
def put_automation(sequence_id: str, body: AutomationUpdateIn) -> Any:
    return sequences.change_automation(ctx(), principal(), sequence_id, **body.model_dump())


@operation(spec, bp, "GET", "/sequences/{sequence_id}/performance", tag="sequences", response=PerformanceOut,
           summary="A sequence's figures; unenrolling never lowers them")
def get_performance(sequence_id: str) -> Any:
    return enrollments.performance(ctx(), principal(), sequence_id)
