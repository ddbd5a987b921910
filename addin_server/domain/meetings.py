"""The meeting rules: given one meeting and the contacts it is with, decide what it ends.

Pure: facts in, decisions out, no I/O. The service layer (services/meetings, services/calendar_events)
gathers the facts and applies the decisions. Who else ends is the precedence replies use too
(`rules.who_ends`), so the two cannot drift apart.

The product sentences, in the order they are applied:
- A meeting counts only for the contacts it is associated with: one logged on an associated record
  (a company, a deal) ends only the enrollments of contacts the meeting is also associated with.
- A meeting counts when it is logged while the contact is enrolled, even if it took place earlier,
  but only when it starts at most a year before now and at most two years after (`meeting_time_problem`),
  whether a rep logs it (API, add-ins, web app) or a calendar shows it. A year back covers late
  logging, quarter- and year-end clean-ups and a whole annual sales cycle; a sequence runs for weeks,
  so an older meeting says nothing about today's enrollment (a contact met years ago and prospected
  again must not be unenrolled by a backfill of old meetings). Two years ahead covers renewals booked
  a year out; anything further, or in another era (0001, 9999), is a typo or a probe.
- A meeting booked through a meetings link in a sequence email sent to the contact counts, whoever's
  link it is (the sender's footer link, or any rep's booking link written in the email), when the
  booker gives one of the contact's addresses (a forwarded link booked by someone else is theirs).
- A meeting booked on a public booking page without such a link is a meeting request: anyone can
  type any address there, so it ends nothing by itself; the rep sees it (and the invitation goes to
  the address typed), and logging it on the contact record makes it count.
- A meeting logged on the contact record or through the API, or seen in a calendar, counts only
  when the rep the contact met with is the rep who enrolled the contact. In a calendar that rep is
  the organiser when a rep organised the event, or each rep among its attendees when the contact
  (or anyone outside the account) organised it.
- Every meeting that counts records `meeting_booked` on the contact's enrollment; who ends is
  `rules.who_ends`: outside the beta the contact (`meeting_booked`) and the company's contacts in
  sequences whose same-company checkbox is on (`company_contact_booked_meeting`); under the beta the
  sequence's "when a contact books a meeting" trigger alone (`automation_trigger`).
- A meeting a rep logs (on the contact record or through the API) is that rep's word, not evidence:
  it ends the company's other contacts only in enrollments that rep enrolled or sends, never a
  colleague's, which the rep could not end by hand either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from addin_server.domain.model import UnenrollReason
from addin_server.domain.rules import Ending, OpenEnrollment, Trigger, who_ends

# The one bound on when a meeting may start, for every surface (see the sentence above).
MEETING_REACH_BACK = timedelta(days=366)
MEETING_REACH_AHEAD = timedelta(days=2 * 366)


def meeting_time_problem(starts_at: datetime, now: datetime) -> str | None:
    """Why a meeting starting at `starts_at` is not one the product counts, or None when it may."""
    earliest, latest = now - MEETING_REACH_BACK, now + MEETING_REACH_AHEAD
    if starts_at < earliest:
        return (f"start_time is more than a year ago (before {_z(earliest)}): a meeting that old says nothing "
                "about an enrollment today")
    if starts_at > latest:
        return f"start_time is more than two years ahead (after {_z(latest)})"
    return None


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class MeetingSource(StrEnum):
    SEQUENCE_LINK = "sequence_link"
    BOOKING_PAGE = "booking_page"
    LOGGED = "logged"
    CONTACT_RECORD = "contact_record"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class MeetingFacts:
    """One meeting, as the rules need it."""

    source: MeetingSource
    # The reps the contact met with: the page's rep, the rep who logged it, or in a calendar the
    # organiser (a rep) or the invited reps (when someone outside the account organised it).
    with_reps: frozenset[int]
    # The contacts the meeting is associated with (attendees, the booker, the logged contacts).
    contact_ids: tuple[int, ...]
    logged_at: datetime
    # When it takes place: for the evidence only, since a meeting in the past counts too.
    starts_at: datetime | None = None
    # The enrollment whose sequence email carried the link the contact booked through, when the
    # link's token was minted for this very booking page.
    linked_enrollment_id: int | None = None
    # A calendar event: whether a rep of the account organised it (then `with_reps` is that rep),
    # or someone outside the account did, the contact usually (then the reps it invites).
    organised_by_rep: bool = True
    # For the evidence: where the meeting was seen.
    how: str = ""


@dataclass(frozen=True)
class MeetingContact:
    """A contact the meeting is with, their company, and their open enrollment if any."""

    contact_id: int
    company_id: int | None
    enrollment_id: int | None


@dataclass(frozen=True)
class ContactOutcome:
    contact_id: int
    enrollment_id: int | None
    counts: bool
    rule: str  # why it counts, or why not


@dataclass(frozen=True)
class MeetingOutcome:
    per_contact: tuple[ContactOutcome, ...] = ()
    # Enrollments the meeting is recorded on (meeting_booked), whatever ends.
    recorded: tuple[int, ...] = ()
    endings: tuple[Ending, ...] = ()
    # The setting that decided each recorded enrollment (under the beta), for its evidence.
    settings: Mapping[int, Mapping[str, object]] = field(default_factory=dict)


_WITH_ENROLLER = {
    MeetingSource.BOOKING_PAGE: "booked on the booking page of the rep who enrolled the contact",
    MeetingSource.SEQUENCE_LINK: "booked on the booking page of the rep who enrolled the contact",
    MeetingSource.LOGGED: "meeting logged by the rep who enrolled the contact",
    MeetingSource.CONTACT_RECORD: "meeting logged on the contact record by the rep who enrolled the contact",
    MeetingSource.CALENDAR: "a meeting organised by the rep who enrolled the contact",
}
_NOT_WITH_ENROLLER = {
    MeetingSource.BOOKING_PAGE: "booked with another rep than the one who enrolled the contact",
    MeetingSource.SEQUENCE_LINK: "booked with another rep than the one who enrolled the contact",
    MeetingSource.LOGGED: "logged by another rep than the one who enrolled the contact",
    MeetingSource.CONTACT_RECORD: "logged by another rep than the one who enrolled the contact",
    MeetingSource.CALENDAR: "a meeting organised by another rep than the one who enrolled the contact",
}
REQUEST_RULE = ("booked on a public booking page without the contact's own link: a meeting request, "
                "which ends nothing until the rep logs it on the contact record")
INVITATION_RULE = "an invitation from outside the account with the rep who enrolled the contact invited"
NOT_INVITED_RULE = "an invitation from outside the account without the rep who enrolled the contact"
LINK_RULE = "booked through a meetings link in a sequence email sent to the contact"


def counts_for(meeting: MeetingFacts, contact_id: int, e: OpenEnrollment) -> tuple[bool, str]:
    """Whether the meeting counts for this open enrollment of this contact, and the rule that says so."""
    if contact_id not in meeting.contact_ids or e.contact_id != contact_id:
        return False, "the meeting is not associated with the contact"
    if e.enrolled_at is not None and meeting.logged_at < e.enrolled_at:
        return False, "the meeting was logged before the contact was enrolled"
    if meeting.source is MeetingSource.SEQUENCE_LINK and meeting.linked_enrollment_id == e.id:
        return True, LINK_RULE
    if meeting.source is MeetingSource.BOOKING_PAGE:
        return False, REQUEST_RULE
    invitation = meeting.source is MeetingSource.CALENDAR and not meeting.organised_by_rep
    if e.enrolled_by_user_id in meeting.with_reps:
        rule = INVITATION_RULE if invitation else _WITH_ENROLLER[meeting.source]
        return True, f"{rule} ({meeting.how})" if meeting.how else rule
    return False, NOT_INVITED_RULE if invitation else _NOT_WITH_ENROLLER[meeting.source]


def decide_meeting(meeting: MeetingFacts, contacts: Sequence[MeetingContact], *,
                   enrollments: Mapping[int, OpenEnrollment], company_enrollments: Mapping[int, Sequence[int]],
                   beta: bool) -> MeetingOutcome:
    """Which enrollments record the meeting and which end, for every contact the meeting is with.

    `enrollments` holds every open enrollment involved (the contacts' own and their companies'),
    `company_enrollments` the open enrollments of each company's contacts.
    """
    per_contact: list[ContactOutcome] = []
    counted: list[tuple[MeetingContact, OpenEnrollment]] = []
    for c in contacts:
        e = enrollments.get(c.enrollment_id) if c.enrollment_id is not None else None
        if e is None:
            per_contact.append(ContactOutcome(c.contact_id, None, False, "the contact is not enrolled"))
            continue
        counts, rule = counts_for(meeting, c.contact_id, e)
        per_contact.append(ContactOutcome(c.contact_id, e.id, counts, rule))
        if counts and all(e.id != x.id for _, x in counted):
            counted.append((c, e))
    own = {e.id for _, e in counted}
    endings: list[Ending] = []
    settings: dict[int, Mapping[str, object]] = {}
    decided: set[int] = set()
    for c, e in counted:
        decision = who_ends(Trigger.MEETING, {e.id: UnenrollReason.MEETING_BOOKED}, company_id=c.company_id,
                            enrollments=enrollments, company_enrollments=company_enrollments, beta=beta)
        settings.update(decision.settings)
        for ending in decision.endings:
            # A contact the meeting counts for ends for their own meeting, not as someone's colleague.
            if ending.enrollment_id in decided or (ending.enrollment_id in own and ending.enrollment_id != e.id):
                continue
            if ending.enrollment_id != e.id and not _may_end_colleague(meeting, enrollments.get(ending.enrollment_id)):
                continue
            decided.add(ending.enrollment_id)
            endings.append(ending)
    return MeetingOutcome(tuple(per_contact), tuple(e.id for _, e in counted), tuple(endings), settings)


_LOGGED_BY_A_REP = frozenset({MeetingSource.LOGGED, MeetingSource.CONTACT_RECORD})


def _may_end_colleague(meeting: MeetingFacts, other: OpenEnrollment | None) -> bool:
    """Whether the meeting may end another contact's enrollment (same company, or a company trigger)."""
    if meeting.source not in _LOGGED_BY_A_REP:
        return True
    return other is not None and bool({other.enrolled_by_user_id, other.sender_user_id} & meeting.with_reps)
