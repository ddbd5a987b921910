"""The JSON API under /api/v1: thin views over the services, validated by pydantic models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from addin_server.domain.model import MANUAL_SURFACES
from addin_server.services import accounts, directory, enrollments, lookup, outbox, outgoing_webhooks, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Invalid, Unauthorized
from addin_server.web.apispec import ApiSpec, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
spec = ApiSpec(title="Sequence Sidebar API", version="1.0.0", prefix="/api/v1")


def _id_text(value: Any) -> Any:
    # Ids are strings; integrators often send the number itself, which is unambiguous.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_id_text), Field(min_length=1, max_length=20, pattern=r"^[0-9]+$")]
def _in_utc(value: datetime) -> datetime:
    # "9999-12-31T23:59:59-14:00" is a valid time that UTC cannot write (past year 9999).
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range: it must be writable in UTC before year 10000") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Email = Annotated[str, Field(min_length=3, max_length=320)]
Name = Annotated[str, Field(max_length=200)]
SurfaceName = Literal[tuple(s.value for s in MANUAL_SURFACES)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- request models --------------------------------------------------------------------------


class CompanyIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    domains: Annotated[list[Annotated[str, Field(min_length=3, max_length=255)]], Field(max_length=50)] = []


class UserIn(Strict):
    email: Email
    name: Name = ""
    role: Literal["super_admin", "admin", "user"] = "user"
    mailbox_provider: Literal["gmail", "outlook"]
    mailbox_address: Email | None = None
    mailbox_aliases: Annotated[list[Email], Field(max_length=20)] = []


class RoleIn(Strict):
    role: Literal["super_admin", "admin", "user"]


class ApiKeyIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Literal["admin", "integration", "read_only"]


class ApiKeyOut(Open):
    api_key: str
    prefix: str
    name: str
    role: str


class ContactIn(Strict):
    email: Email
    secondary_emails: Annotated[list[Email], Field(max_length=20)] = []
    first_name: Name = ""
    last_name: Name = ""
    company_id: Id | None = None


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


class RecipientsQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    email: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(min_length=1, max_length=200)]


class RecipientsIn(Strict):
    emails: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(min_length=1, max_length=200)]


class EnrollmentListQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    sequence_id: Id | None = None
    contact_id: Id | None = None
    status: Literal["active", "paused", "finished", "unenrolled"] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class AccountSettingsIn(Strict):
    unenroll_same_company: bool | None = None
    soft_bounce_threshold: Annotated[int, Field(ge=1, le=20)] | None = None
    custom_triggers_beta: bool | None = None


# --- response models (documentation; extra fields welcome) -----------------------------------


class Ref(Open):
    id: str
    name: str


class CompanyOut(Open):
    id: str
    name: str
    domains: list[str]


class UserOut(Open):
    id: str
    email: str
    name: str
    role: str
    mailbox_provider: str
    mailbox_address: str


class ContactOut(Open):
    id: str
    email: str
    secondary_emails: list[str]
    first_name: str
    last_name: str
    company_id: str | None


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
    evidence: dict[str, Any] | None
    events: list[EventOut] = []


class EnrollmentList(Open):
    enrollments: list[EnrollmentOut]


class BulkOut(Open):
    enrollments: list[EnrollmentOut]
    ended: list[str]
    already_ended: list[str]


class RecipientOut(Open):
    email: str
    contact: dict[str, Any] | None
    enrollment: EnrollmentOut | None
    can_unenroll: bool


class RecipientsOut(Open):
    recipients: list[RecipientOut]


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


class AccountOut(Open):
    id: str
    name: str
    plan: str
    custom_triggers_beta: bool
    # The default of new sequences' "unenroll contacts from the same company" checkbox.
    unenroll_same_company: bool
    soft_bounce_threshold: int


class OutboxOut(Open):
    emails: list[dict[str, Any]]


# --- plumbing --------------------------------------------------------------------------------

Authenticator = Callable[[str], Principal | None]


def ctx() -> ServiceContext:
    services: ServiceContext = current_app.extensions["services"]
    return services


def principal() -> Principal:
    who: Principal = g.principal
    return who


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi_document" or request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <API key or add-in token>'")
    token = token.strip()
    # Other surfaces (the Outlook add-in's SSO token) register their own authenticators.
    for authenticate in current_app.extensions.get("api_authenticators", []):
        found = authenticate(token)
        if found is not None:
            g.principal = found
            return
    g.principal = accounts.authenticate_api_key(ctx(), token)


@bp.get("/openapi.json")
def openapi_document() -> Any:
    settings = ctx().settings
    return jsonify(spec.document(settings.public_url))


# --- account ---------------------------------------------------------------------------------


def _account_view(a: Any) -> dict[str, Any]:
    return {"id": str(a.id), "name": a.name, "plan": a.plan, "custom_triggers_beta": a.custom_triggers_beta,
            "unenroll_same_company": a.unenroll_same_company, "soft_bounce_threshold": a.soft_bounce_threshold}


@operation(spec, bp, "GET", "/account", summary="The calling account and its settings", tag="account",
           response=AccountOut, errors=())
def get_account() -> Any:
    return _account_view(accounts.get_account(ctx(), principal().account_id))


class MeUserOut(Open):
    id: str
    name: str
    email: str


class MeOut(Open):
    kind: str
    actor: str
    role: str
    user: MeUserOut | None


@operation(spec, bp, "GET", "/me", summary="Who is calling: a rep (with their id and name) or an API key",
           tag="account", response=MeOut, errors=(),
           description="`actor` is the value an ending made by this caller carries as `end_actor`.")
def me() -> Any:
    return directory.who_am_i(ctx(), principal())


class MailboxStatusOut(Open):
    can_send: bool
    notice: str | None
    connect_url: str | None


@operation(spec, bp, "GET", "/me/mailbox", summary="Whether the calling rep's mailbox can send sequence emails",
           tag="account", response=MailboxStatusOut)
def my_mailbox() -> Any:
    # The add-ins ask once per pane: a rep who cannot send sees why and where to connect.
    notice = enrollments.own_mailbox_notice(ctx(), principal())
    return {"can_send": notice is None, "notice": notice,
            "connect_url": ctx().settings.public_endpoint("/app/settings#mailboxes") if notice else None}


@operation(spec, bp, "PATCH", "/account/settings", summary="Change account settings", tag="account",
           body=AccountSettingsIn, response=AccountOut, errors=(400, 403, 422),
           description="`unenroll_same_company` is the default of new sequences' checkbox; each sequence "
                       "keeps its own (`PUT /sequences/{id}/automation`).")
def patch_account_settings(body: AccountSettingsIn) -> Any:
    return _account_view(accounts.update_account_settings(ctx(), principal(), **body.model_dump(exclude_none=True)))


# --- directory -------------------------------------------------------------------------------


@operation(spec, bp, "POST", "/companies", summary="Create a company", tag="directory", body=CompanyIn,
           response=CompanyOut, status=201, errors=(400, 409, 422),
           description="Free-mail domains (gmail.com, outlook.com, ...) are never company domains; "
                       "they are listed in ignored_domains.")
def create_company(body: CompanyIn) -> Any:
    return directory.create_company(ctx(), principal(), name=body.name, domains=body.domains)


@operation(spec, bp, "GET", "/companies/{company_id}", summary="Read a company", tag="directory",
           response=CompanyOut)
def get_company(company_id: str) -> Any:
    return directory.get_company(ctx(), principal(), company_id)


@operation(spec, bp, "POST", "/users", summary="Create a user (a rep)", tag="directory", body=UserIn,
           response=UserOut, status=201, errors=(400, 409, 422))
def create_user(body: UserIn) -> Any:
    return directory.create_user(ctx(), principal(), **body.model_dump())


@operation(spec, bp, "PATCH", "/users/{user_id}", summary="Change a user's role", tag="directory", body=RoleIn,
           response=UserOut, errors=(400, 403, 404, 422),
           description="Nobody grants or takes away a role above their own; the user's web sessions end.")
def change_user_role(user_id: str, body: RoleIn) -> Any:
    return directory.change_role(ctx(), principal(), user_id, body.role)


@operation(spec, bp, "POST", "/api-keys", summary="Create an API key (shown once)", tag="account", body=ApiKeyIn,
           response=ApiKeyOut, status=201, errors=(400, 403, 422),
           description="Admins only (a person, not a key); the key's role is never above the creator's.")
def create_api_key(body: ApiKeyIn) -> Any:
    return accounts.issue_api_key(ctx(), principal(), name=body.name, role=body.role)


@operation(spec, bp, "GET", "/users/{user_id}", summary="Read a user", tag="directory", response=UserOut)
def get_user(user_id: str) -> Any:
    return directory.get_user(ctx(), principal(), user_id)


@operation(spec, bp, "POST", "/contacts", summary="Create a contact", tag="directory", body=ContactIn,
           response=ContactOut, status=201, errors=(400, 404, 409, 422))
def create_contact(body: ContactIn) -> Any:
    return directory.create_contact(ctx(), principal(), **body.model_dump())


@operation(spec, bp, "GET", "/contacts/{contact_id}", summary="Read a contact", tag="directory",
           response=ContactOut)
def get_contact(contact_id: str) -> Any:
    return directory.get_contact(ctx(), principal(), contact_id)


class ContactChangesIn(Strict):
    first_name: Name | None = None
    last_name: Name | None = None
    company_id: Id | None = None


@operation(spec, bp, "PATCH", "/contacts/{contact_id}", summary="Change a contact's name or company",
           tag="directory", body=ContactChangesIn, response=ContactOut, errors=(400, 404, 422))
def update_contact(contact_id: str, body: ContactChangesIn) -> Any:
    return directory.update_contact(ctx(), principal(), contact_id, changes=body.model_dump(exclude_unset=True))


@operation(spec, bp, "POST", "/contacts/{contact_id}/addresses/{address}/clear-bounce", tag="directory",
           response=ContactOut, errors=(403, 404, 422), summary="Clear a bounced address (admins)",
           description="For a bounce judged wrong that no undo reaches (it came after the contact's enrollment "
                       "had ended): clears the address's bounced mark and soft-bounce count.")
def clear_bounce(contact_id: str, address: str) -> Any:
    return directory.clear_bounce(ctx(), principal(), contact_id, address)


# --- sequences -------------------------------------------------------------------------------


@operation(spec, bp, "POST", "/sequences", summary="Create a sequence with its steps", tag="sequences",
           body=SequenceIn, response=SequenceOut, status=201, errors=(400, 404, 422))
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


@operation(spec, bp, "POST", "/sequences/{sequence_id}/unenroll", tag="enrollments", body=BulkUnenrollIn,
           response=BulkOut, summary="Unenroll many enrollments of one sequence", errors=(400, 403, 404, 422),
           description="Unknown ids refuse the whole request; ended ones are reported in already_ended.")
def bulk_unenroll(sequence_id: str, body: BulkUnenrollIn) -> Any:
    return enrollments.bulk_unenroll(ctx(), principal(), sequence_id, body.enrollment_ids, surface=body.surface)


# --- enrollments -----------------------------------------------------------------------------


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


# --- lookup ----------------------------------------------------------------------------------


@operation(spec, bp, "GET", "/recipients/status", summary="Status of each address, in the order asked",
           tag="lookup", query=RecipientsQuery, response=RecipientsOut, errors=(400, 422))
def recipients_status(query: RecipientsQuery) -> Any:
    return {"recipients": lookup.lookup_recipients(ctx(), principal(), query.email)}


@operation(spec, bp, "POST", "/recipients/status", summary="Status of each address (JSON list)", tag="lookup",
           body=RecipientsIn, response=RecipientsOut, errors=(400, 422))
def recipients_status_post(body: RecipientsIn) -> Any:
    return {"recipients": lookup.lookup_recipients(ctx(), principal(), body.emails)}


# --- local outbox ----------------------------------------------------------------------------


@operation(spec, bp, "GET", "/outbox", summary="Emails sent through the local outbox (embedded default)",
           tag="outbox", response=OutboxOut, errors=())
def list_outbox() -> Any:
    return {"emails": outbox.recent_outbox(ctx(), principal())}


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


# --- meetings --------------------------------------------------------------------------------


MEETING_PAST, MEETING_FUTURE = timedelta(days=5 * 365), timedelta(days=2 * 365)


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
                       "even for a meeting in the past; outside the custom-trigger beta the company's contacts "
                       "in sequences with `unenroll_same_company` on end too (company_contact_booked_meeting), "
                       "under it the sequence's `on_meeting` decides alone. `ended` lists every enrollment it "
                       "ended.")
def log_meeting(body: MeetingIn) -> Any:
    from addin_server.services import meetings  # imported here so this section stays self-contained

    now = ctx().now()
    # A logged meeting may be in the past, but not in another era: year 1 or 9999 is a typo or a probe.
    if not now - MEETING_PAST <= body.start_time <= now + MEETING_FUTURE:
        raise Invalid(f"start_time must be within {MEETING_PAST.days // 365} years before and "
                      f"{MEETING_FUTURE.days // 365} years after now", code="invalid_time")
    contact_ids = [*([body.contact_id] if body.contact_id else []), *body.contact_ids]
    associated = body.associated or MeetingAssociationsIn()
    return meetings.log_meeting(
        ctx(), principal(), contact_ids=contact_ids, logged_by_user_id=body.logged_by_user_id,
        start_time=body.start_time, end_time=body.end_time, title=body.title, company_id=associated.company_id,
        deal_id=associated.deal_id, source=body.source)


class UndoIn(Strict):
    why: Annotated[str, Field(min_length=1, max_length=500)]


@operation(spec, bp, "POST", "/enrollments/{enrollment_id}/undo", tag="enrollments", body=UndoIn,
           response=EnrollmentOut, status=201, errors=(400, 404, 409, 422),
           summary="Undo an automatic unenrollment: enroll again at the step where it stopped")
def undo_unenrollment(enrollment_id: str, body: UndoIn) -> Any:
    return enrollments.undo_unenrollment(ctx(), principal(), enrollment_id, why=body.why)


class SimulateIn(Strict):
    mailbox: Email
    raw: Annotated[str, Field(min_length=1, max_length=5_000_000)]


class SimulateOut(Open):
    kind: str
    decisions: list[dict[str, Any]]


@operation(spec, bp, "POST", "/inbound/simulate", tag="inbound", body=SimulateIn, response=SimulateOut,
           errors=(400, 404, 422),
           summary="What a raw RFC 822 message would do in a rep's mailbox (dry run: nothing changes)")
def simulate_inbound(body: SimulateIn) -> Any:
    from addin_server.services import inbound

    return inbound.simulate(ctx(), principal(), body.raw.encode("utf-8", "surrogateescape"), body.mailbox)


# --- outgoing webhooks -----------------------------------------------------------------------

WebhookEventType = Literal["enrollment.unenrolled", "enrollment.finished", "enrollment.paused",
                           "enrollment.resumed", "enrollment.undone"]


class WebhookEndpointIn(Strict):
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    events: Annotated[list[WebhookEventType], Field(min_length=1, max_length=5)]
    description: Annotated[str, Field(max_length=200)] = ""


class WebhookEndpointOut(Open):
    id: str
    url: str
    events: list[str]
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    previous_secret_expires_at: str | None


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str


class WebhookEndpointList(Open):
    webhook_endpoints: list[WebhookEndpointOut]


def _delivery_id(value: Any) -> Any:
    text = _id_text(value)
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and 1 <= len(text) <= 20):
        raise ValueError("must be a delivery id (the `id` of a delivery in this log)")
    return text


class DeliveryQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: Literal["pending", "delivered", "failed"] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    before: Annotated[str, BeforeValidator(_delivery_id)] | None = None


class DeliveryOut(Open):
    id: str
    webhook_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    payload: dict[str, Any]


class DeliveryList(Open):
    deliveries: list[DeliveryOut]
    next_before: str | None


class NoBody(Strict):
    pass


_WEBHOOK_SIGNING = ("Each delivery is a POST of `{\"type\", \"timestamp\", \"data\"}` signed per Standard Webhooks: "
                    "headers `webhook-id` (the same on every retry), `webhook-timestamp` and `webhook-signature` "
                    "(`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the secret's bytes after `whsec_`).")


@operation(spec, bp, "POST", "/webhook-endpoints", tag="webhooks", body=WebhookEndpointIn,
           response=WebhookEndpointCreated, status=201, errors=(400, 403, 409, 422),
           summary="Add an endpoint for enrollment events; its secret is in this answer only",
           description=_WEBHOOK_SIGNING + " Outside demo mode the URL must be https and must not lead to a "
                                          "private, loopback or link-local address.")
def create_webhook_endpoint(body: WebhookEndpointIn) -> Any:
    return outgoing_webhooks.create_endpoint(ctx(), principal(), url=body.url, events=list(body.events),
                                             description=body.description)


@operation(spec, bp, "GET", "/webhook-endpoints", tag="webhooks", response=WebhookEndpointList, errors=(403,),
           summary="The account's webhook endpoints (never their secrets)")
def list_webhook_endpoints() -> Any:
    return {"webhook_endpoints": outgoing_webhooks.list_endpoints(ctx(), principal())}


@operation(spec, bp, "GET", "/webhook-endpoints/{endpoint_id}", tag="webhooks", response=WebhookEndpointOut,
           errors=(403, 404), summary="One webhook endpoint, with whether it is disabled and why")
def get_webhook_endpoint(endpoint_id: str) -> Any:
    return outgoing_webhooks.get_endpoint(ctx(), principal(), endpoint_id)


@operation(spec, bp, "DELETE", "/webhook-endpoints/{endpoint_id}", tag="webhooks", status=204, errors=(403, 404),
           summary="Remove a webhook endpoint and its delivery log")
def delete_webhook_endpoint(endpoint_id: str) -> Any:
    outgoing_webhooks.delete_endpoint(ctx(), principal(), endpoint_id)
    return None


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/rotate-secret", tag="webhooks", body=NoBody,
           response=WebhookEndpointCreated, errors=(400, 403, 404, 409, 422),
           summary="A new signing secret (in this answer only); the old one also signs for 24 hours",
           description="While a replaced secret still signs, another rotation answers 409 `rotation_in_grace`: it "
                       "would cut that secret's day short for receivers still using it.")
def rotate_webhook_secret(endpoint_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.rotate_secret(ctx(), principal(), endpoint_id)


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/enable", tag="webhooks", body=NoBody,
           response=WebhookEndpointOut, errors=(400, 403, 404, 422),
           summary="Enable an endpoint disabled after a day of failures; what waited is sent now")
def enable_webhook_endpoint(endpoint_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.enable_endpoint(ctx(), principal(), endpoint_id)


@operation(spec, bp, "GET", "/webhook-endpoints/{endpoint_id}/deliveries", tag="webhooks", query=DeliveryQuery,
           response=DeliveryList, errors=(403, 404, 422),
           summary="The endpoint's delivery log, newest first (page with `before`)")
def list_webhook_deliveries(endpoint_id: str, query: DeliveryQuery) -> Any:
    return outgoing_webhooks.list_deliveries(ctx(), principal(), endpoint_id, status=query.status,
                                             limit=query.limit, before=query.before)


@operation(spec, bp, "POST", "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry", tag="webhooks",
           body=NoBody, response=DeliveryOut, status=202, errors=(400, 403, 404, 409, 422),
           summary="Send a delivery again now, with the same webhook-id")
def retry_webhook_delivery(endpoint_id: str, delivery_id: str, body: NoBody) -> Any:
    return outgoing_webhooks.retry_delivery(ctx(), principal(), endpoint_id, delivery_id)
