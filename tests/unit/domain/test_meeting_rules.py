"""The meeting rules, one named case per product sentence (domain/meetings.py).

Rita enrolled Jane (Intro) and Raj (Intro), both at Globex; Otto is another rep.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from addin_server.domain.meetings import (
    MeetingContact,
    MeetingFacts,
    MeetingSource,
    decide_meeting,
    meeting_time_problem,
)
from addin_server.domain.model import AutomationScope, UnenrollReason
from addin_server.domain.rules import OpenEnrollment

RITA, OTTO = 1, 2
GLOBEX = 10
ENROLLED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = ENROLLED_AT + timedelta(days=3)
JANE = OpenEnrollment(100, contact_id=1, company_id=GLOBEX, sequence_id=7, sequence_name="Intro",
                      enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="jane@globex.com",
                      enrolled_at=ENROLLED_AT)
RAJ = replace(JANE, id=101, contact_id=2, contact_address="raj@globex.com")
ENROLLMENTS = {e.id: e for e in (JANE, RAJ)}
COMPANY = {GLOBEX: [JANE.id, RAJ.id]}
AT_JANE = [MeetingContact(JANE.contact_id, GLOBEX, JANE.id)]


def meeting(source: MeetingSource, with_reps: set[int], *, contacts: tuple[int, ...] = (JANE.contact_id,),
            logged_at: datetime = NOW, starts_at: datetime | None = NOW, linked: int | None = None) -> MeetingFacts:
    return MeetingFacts(source, frozenset(with_reps), contacts, logged_at, starts_at=starts_at,
                        linked_enrollment_id=linked)


CASES = [
    pytest.param(meeting(MeetingSource.LOGGED, {RITA}), AT_JANE, {JANE.id},
                 id="a meeting logged by the user who enrolled the contact unenrolls the contact"),
    pytest.param(meeting(MeetingSource.CONTACT_RECORD, {RITA}), AT_JANE, {JANE.id},
                 id="a meeting booked on the contact record with the user who enrolled the contact unenrolls"),
    pytest.param(meeting(MeetingSource.LOGGED, {OTTO}), AT_JANE, set(),
                 id="a meeting logged by another user than the one who enrolled the contact ends nothing"),
    pytest.param(meeting(MeetingSource.LOGGED, {RITA}),
                 [MeetingContact(JANE.contact_id, GLOBEX, JANE.id), MeetingContact(RAJ.contact_id, GLOBEX, RAJ.id)],
                 {JANE.id},
                 id="a meeting logged on an associated record unenrolls only the contacts it is also associated with"),
    pytest.param(meeting(MeetingSource.LOGGED, {RITA}, starts_at=ENROLLED_AT - timedelta(days=200)), AT_JANE,
                 {JANE.id},
                 id="a meeting logged while the contact is enrolled counts even if it took place in the past"),
    pytest.param(meeting(MeetingSource.LOGGED, {RITA}, logged_at=ENROLLED_AT - timedelta(hours=1)), AT_JANE, set(),
                 id="a meeting logged before the contact was enrolled does not count"),
    pytest.param(meeting(MeetingSource.SEQUENCE_LINK, {OTTO}, linked=JANE.id), AT_JANE, {JANE.id},
                 id="booking through a meetings link in a sequence email counts even if it is not your link"),
    pytest.param(meeting(MeetingSource.SEQUENCE_LINK, {OTTO}, linked=999), AT_JANE, set(),
                 id="a link from another enrollment's email counts only with the rep who enrolled the contact"),
    pytest.param(meeting(MeetingSource.BOOKING_PAGE, {RITA}), AT_JANE, set(),
                 id="booking on the enrolling rep's page without the contact's own link is a request that ends nothing"),
    pytest.param(meeting(MeetingSource.BOOKING_PAGE, {OTTO}), AT_JANE, set(),
                 id="booking on another rep's page without a link from the contact's email ends nothing"),
    pytest.param(meeting(MeetingSource.CALENDAR, {RITA}), AT_JANE, {JANE.id},
                 id="a calendar meeting with the user who enrolled the contact unenrolls the contact"),
    pytest.param(meeting(MeetingSource.CALENDAR, {OTTO}), AT_JANE, set(),
                 id="a calendar meeting organised by another rep ends nothing"),
    pytest.param(meeting(MeetingSource.CALENDAR, {OTTO, RITA}), AT_JANE, {JANE.id},
                 id="an invitation the contact organises with the user who enrolled the contact invited unenrolls"),
    pytest.param(meeting(MeetingSource.LOGGED, {RITA}), [MeetingContact(JANE.contact_id, GLOBEX, None)], set(),
                 id="a meeting with a contact who is not enrolled ends nothing"),
]


@pytest.mark.parametrize(("facts", "contacts", "expected"), CASES)
def test_which_meetings_count(facts: MeetingFacts, contacts: list[MeetingContact], expected: set[int]) -> None:
    got = decide_meeting(facts, contacts, enrollments=ENROLLMENTS, company_enrollments=COMPANY, beta=False)
    assert set(got.recorded) == expected
    assert {x.enrollment_id: x.reason for x in got.endings} == {e: UnenrollReason.MEETING_BOOKED for e in expected}
    for x in got.per_contact:
        assert x.rule  # every contact says why it counts or why not


def test_a_meeting_that_counts_reaches_the_company_through_the_shared_precedence() -> None:
    both = {JANE.id: replace(JANE, unenroll_same_company=True), RAJ.id: replace(RAJ, unenroll_same_company=True)}
    got = decide_meeting(meeting(MeetingSource.LOGGED, {RITA}), AT_JANE, enrollments=both,
                         company_enrollments=COMPANY, beta=False)
    assert {x.enrollment_id: x.reason for x in got.endings} == {
        JANE.id: UnenrollReason.MEETING_BOOKED, RAJ.id: UnenrollReason.COMPANY_CONTACT_BOOKED_MEETING}


def test_under_the_beta_a_meeting_trigger_set_to_off_records_the_meeting_and_ends_nobody() -> None:
    off = {e.id: replace(e, on_meeting=AutomationScope.OFF, unenroll_same_company=True) for e in (JANE, RAJ)}
    got = decide_meeting(meeting(MeetingSource.LOGGED, {RITA}), AT_JANE, enrollments=off,
                         company_enrollments=COMPANY, beta=True)
    assert got.recorded == (JANE.id,) and got.endings == ()
    assert got.settings[JANE.id] == {"setting": "when a contact books a meeting: off"}


def test_two_contacts_at_one_meeting_each_end_for_their_own_meeting() -> None:
    both = {JANE.id: replace(JANE, unenroll_same_company=True), RAJ.id: replace(RAJ, unenroll_same_company=True)}
    contacts = [MeetingContact(JANE.contact_id, GLOBEX, JANE.id), MeetingContact(RAJ.contact_id, GLOBEX, RAJ.id)]
    got = decide_meeting(meeting(MeetingSource.CALENDAR, {RITA}, contacts=(JANE.contact_id, RAJ.contact_id)),
                         contacts, enrollments=both, company_enrollments=COMPANY, beta=False)
    assert {x.enrollment_id: x.reason for x in got.endings} == {
        JANE.id: UnenrollReason.MEETING_BOOKED, RAJ.id: UnenrollReason.MEETING_BOOKED}
    assert set(got.recorded) == {JANE.id, RAJ.id}


# Otto enrolled Farah (Otto's own contact at Globex, made up or not); Raj is Rita's, at Globex too.
FARAH = replace(JANE, id=102, contact_id=3, enrolled_by_user_id=OTTO, sender_user_id=OTTO,
                contact_address="farah@globex.com", unenroll_same_company=True)
RAJ_SAME_COMPANY = replace(RAJ, unenroll_same_company=True)
AT_FARAH = [MeetingContact(FARAH.contact_id, GLOBEX, FARAH.id)]


@pytest.mark.parametrize(("source", "raj_ends"), [
    pytest.param(MeetingSource.LOGGED, False,
                 id="a meeting a rep logs through the API does not end a colleague's enrollment at the same company"),
    pytest.param(MeetingSource.CONTACT_RECORD, False,
                 id="a meeting a rep logs on the contact record does not end a colleague's enrollment at the same company"),
    pytest.param(MeetingSource.CALENDAR, True,
                 id="a meeting seen in the rep's calendar still ends the company's other enrollments"),
])
def test_a_meeting_a_rep_logs_ends_only_what_that_rep_could_end_by_hand(source: MeetingSource,
                                                                        raj_ends: bool) -> None:
    enrollments = {FARAH.id: FARAH, RAJ.id: RAJ_SAME_COMPANY}
    for beta in (False, True):
        company_scope = {e.id: replace(e, on_meeting=AutomationScope.COMPANY) for e in enrollments.values()}
        got = decide_meeting(meeting(source, {OTTO}, contacts=(FARAH.contact_id,)), AT_FARAH,
                             enrollments=company_scope if beta else enrollments,
                             company_enrollments={GLOBEX: [FARAH.id, RAJ.id]}, beta=beta)
        ended = {x.enrollment_id for x in got.endings}
        assert FARAH.id in ended and (RAJ.id in ended) is raj_ends, beta


def test_a_meeting_a_rep_logs_still_ends_their_own_enrollments_at_the_same_company() -> None:
    ottos_raj = replace(RAJ_SAME_COMPANY, enrolled_by_user_id=OTTO, sender_user_id=OTTO)
    got = decide_meeting(meeting(MeetingSource.LOGGED, {OTTO}, contacts=(FARAH.contact_id,)), AT_FARAH,
                         enrollments={FARAH.id: FARAH, RAJ.id: ottos_raj},
                         company_enrollments={GLOBEX: [FARAH.id, RAJ.id]}, beta=False)
    assert {x.enrollment_id: x.reason for x in got.endings} == {
        FARAH.id: UnenrollReason.MEETING_BOOKED, RAJ.id: UnenrollReason.COMPANY_CONTACT_BOOKED_MEETING}


# When a meeting may start: one bound for the API, the add-ins, the web app and calendar events.
MEETING_TIMES = [
    pytest.param(timedelta(days=-7), None, id="a meeting last week counts"),
    pytest.param(timedelta(days=-330), None, id="a meeting logged eleven months late counts (a year-end clean-up)"),
    pytest.param(timedelta(days=-366), None, id="a meeting exactly a year and a day ago still counts"),
    pytest.param(timedelta(days=-366, seconds=-1), "more than a year ago", id="a second more than that is refused"),
    pytest.param(timedelta(days=-400), "more than a year ago", id="a meeting thirteen months ago is refused"),
    pytest.param(timedelta(days=-4 * 365), "more than a year ago",
                 id="a meeting four years ago is refused (the API once allowed five)"),
    pytest.param(timedelta(days=-9 * 365), "more than a year ago",
                 id="a meeting nine years ago is refused (the service once allowed ten)"),
    pytest.param(timedelta(days=300), None, id="a renewal meeting booked ten months ahead counts"),
    pytest.param(timedelta(days=2 * 366), None, id="a meeting two years ahead counts"),
    pytest.param(timedelta(days=2 * 366, seconds=1), "more than two years ahead", id="further ahead is refused"),
]


@pytest.mark.parametrize(("offset", "problem"), MEETING_TIMES)
def test_when_a_meeting_may_start(offset: timedelta, problem: str | None) -> None:
    found = meeting_time_problem(NOW + offset, NOW)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_meetings_in_another_era_are_refused() -> None:
    for era in (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)):
        assert meeting_time_problem(era, NOW)
