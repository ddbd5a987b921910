"""/recipients/status: each address's contact and sequence status, for the add-ins."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from addin_server.services import lookup
from addin_server.web.api.base import Open, Strict, bp, ctx, principal, spec
from addin_server.web.api.enrollments import EnrollmentOut
from addin_server.web.apispec import operation


class RecipientsQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    email: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(min_length=1, max_length=200)]


class RecipientsIn(Strict):
    emails: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(min_length=1, max_length=200)]


class RecipientOut(Open):
    email: str
    contact: dict[str, Any] | None
    enrollment: EnrollmentOut | None
    can_unenroll: bool


class RecipientsOut(Open):
    recipients: list[RecipientOut]


@operation(spec, bp, "GET", "/recipients/status", summary="Status of each address, in the order asked",
           tag="lookup", query=RecipientsQuery, response=RecipientsOut, errors=(400, 422))
def recipients_status(query: RecipientsQuery) -> Any:
    return {"recipients": lookup.lookup_recipients(ctx(), principal(), query.email)}


@operation(spec, bp, "POST", "/recipients/status", summary="Status of each address (JSON list)", tag="lookup",
           body=RecipientsIn, response=RecipientsOut, errors=(400, 422))
def recipients_status_post(body: RecipientsIn) -> Any:
    return {"recipients": lookup.lookup_recipients(ctx(), principal(), body.emails)}
