"""The product's vocabulary: plain dataclasses and enums, no framework, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


def person_name(first_name: str | None, last_name: str | None, email: str) -> str:
    """How a contact is named to a rep: first and last name, or the address when neither is known."""
    return " ".join(p for p in (first_name, last_name) if p) or email


class Plan(StrEnum):
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


class Role(StrEnum):
    """A person's role in an account (docs/ARCHITECTURE.md "Permissions" says what each may do)."""

    SUPER_ADMIN = "super_admin"
    ADMIN = "admin"
    USER = "user"


class MailboxProvider(StrEnum):
    GMAIL = "gmail"
    OUTLOOK = "outlook"


class StepType(StrEnum):
    AUTOMATED_EMAIL = "automated_email"
    MANUAL_EMAIL = "manual_email"
    CALL = "call"
    TASK = "task"


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"
    UNENROLLED = "unenrolled"

    @property
    def is_open(self) -> bool:
        """Open enrollments hold the contact's one sequence slot."""
        return self in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


class UnenrollReason(StrEnum):
    """The closed list of reasons an enrollment can end."""

    REPLIED = "replied"
    EMAILED_OUTSIDE_SEQUENCE = "emailed_outside_sequence"
    REPLIED_FROM_OTHER_ADDRESS = "replied_from_other_address"
    EMAILED_FROM_ALIAS = "emailed_from_alias"
    COMPANY_CONTACT_REPLIED = "company_contact_replied"
    MEETING_BOOKED = "meeting_booked"
    COMPANY_CONTACT_BOOKED_MEETING = "company_contact_booked_meeting"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    WORKFLOW = "workflow"
    AUTOMATION_TRIGGER = "automation_trigger"
    COMPLETED = "completed"
    MANUAL = "manual"
    USER_REMOVED = "user_removed"


class Surface(StrEnum):
    """Where an unenrollment was asked for. Automatic endings use AUTOMATIC."""

    CONTACT_RECORD = "contact_record"
    SEQUENCE_SUMMARY = "sequence_summary"
    SCHEDULED_TAB = "scheduled_tab"
    BULK = "bulk"
    GMAIL_ADDON = "gmail_addon"
    OUTLOOK_ADDIN = "outlook_addin"
    API = "api"
    AUTOMATIC = "automatic"
    PEOPLE_PAGE = "people_page"  # an admin removed the sending rep in the web app's People page


# Surfaces a person may name when asking to unenroll (automatic is the system's own; the People page
# ends enrollments only by removing their sending rep).
MANUAL_SURFACES = tuple(s for s in Surface if s not in (Surface.AUTOMATIC, Surface.PEOPLE_PAGE))


class EventType(StrEnum):
    ENROLLED = "enrolled"
    STEP_EXECUTED = "step_executed"
    EMAIL_SENT = "email_sent"
    REPLIED = "replied"
    OUT_OF_OFFICE = "out_of_office"
    MEETING_BOOKED = "meeting_booked"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    PAUSED = "paused"
    RESUMED = "resumed"
    UNENROLLED = "unenrolled"
    FINISHED = "finished"


class AutomationScope(StrEnum):
    """What a sequence does when a contact replies or books a meeting."""

    OFF = "off"
    CONTACT = "contact"
    COMPANY = "company"


class InboundKind(StrEnum):
    """What an inbound message is: the classifier's answer (mail/) and what the rules decide on."""

    HUMAN_REPLY = "human_reply"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE_HARD = "bounce_hard"
    BOUNCE_SOFT = "bounce_soft"
    AUTO_OTHER = "auto_other"

    @property
    def is_bounce(self) -> bool:
        return self in (InboundKind.BOUNCE_HARD, InboundKind.BOUNCE_SOFT)


class IllegalTransition(Exception):
    """An enrollment was asked to move to a state it cannot reach from where it is."""


_TRANSITIONS: dict[EnrollmentStatus, frozenset[EnrollmentStatus]] = {
    EnrollmentStatus.ACTIVE: frozenset(
        {EnrollmentStatus.PAUSED, EnrollmentStatus.FINISHED, EnrollmentStatus.UNENROLLED}
    ),
    EnrollmentStatus.PAUSED: frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.UNENROLLED}),
    EnrollmentStatus.FINISHED: frozenset(),
    EnrollmentStatus.UNENROLLED: frozenset(),
}


def can_transition(current: EnrollmentStatus, target: EnrollmentStatus) -> bool:
    return target in _TRANSITIONS[current]


def check_transition(current: EnrollmentStatus, target: EnrollmentStatus) -> None:
    if not can_transition(current, target):
        raise IllegalTransition(f"an enrollment that is {current} cannot become {target}")


@dataclass(frozen=True)
class Step:
    position: int  # 1-based
    type: StepType
    delay_days: float = 0
    subject: str = ""
    body: str = ""
    thread_with_previous: bool = False

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days)

    @property
    def sends_email(self) -> bool:
        return self.type is StepType.AUTOMATED_EMAIL


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contact:
    id: str
    primary_email: str
    secondary_emails: tuple[str, ...] = ()
    company_id: str | None = None
    first_name: str = ""
    last_name: str = ""
    unsubscribed: bool = False
    bounced: bool = False

    @property
    def name(self) -> str:
        return person_name(self.first_name, self.last_name, self.primary_email)

    @property
    def emails(self) -> tuple[str, ...]:
        return (self.primary_email, *self.secondary_emails)


@dataclass(frozen=True)
class EnrollmentState:
    """What the rules need to know about one open enrollment."""

    id: str
    sequence_id: str
    contact_id: str
    enrolled_by_user_id: str
    sender_user_id: str
    status: EnrollmentStatus
    current_step: int
    steps_total: int


@dataclass(frozen=True)
class EndOfEnrollment:
    """Why, where and by whom an enrollment ended, with the evidence."""

    reason: UnenrollReason
    surface: Surface
    actor: str
    evidence: Mapping[str, object] = field(default_factory=dict)


def next_due(after: datetime, step: Step) -> datetime:
    """When a step falls due, counted from the moment the previous step ran."""
    return after + step.delay
