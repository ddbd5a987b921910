"""The enrollment state machine: legal transitions only."""

from __future__ import annotations

import pytest

from addin_server.domain.model import (
    MANUAL_SURFACES,
    EnrollmentStatus,
    IllegalTransition,
    Surface,
    UnenrollReason,
    can_transition,
    check_transition,
)

A, P, F, U = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.FINISHED,
              EnrollmentStatus.UNENROLLED)


@pytest.mark.parametrize(
    ("current", "target", "legal"),
    [
        pytest.param(A, P, True, id="an active enrollment can pause"),
        pytest.param(A, F, True, id="an active enrollment finishes after its last step"),
        pytest.param(A, U, True, id="an active enrollment can be unenrolled"),
        pytest.param(P, A, True, id="a paused enrollment resumes"),
        pytest.param(P, U, True, id="a paused enrollment can be unenrolled"),
        pytest.param(P, F, False, id="a paused enrollment does not finish without resuming"),
        pytest.param(F, A, False, id="a finished enrollment never restarts"),
        pytest.param(F, U, False, id="a finished enrollment cannot be unenrolled again"),
        pytest.param(U, A, False, id="an unenrolled enrollment never restarts"),
        pytest.param(U, U, False, id="unenrolled is final"),
    ],
)
def test_transitions(current: EnrollmentStatus, target: EnrollmentStatus, legal: bool) -> None:
    assert can_transition(current, target) is legal
    if not legal:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)


def test_open_statuses_hold_the_contacts_one_sequence_slot() -> None:
    assert [s for s in EnrollmentStatus if s.is_open] == [A, P]


def test_the_closed_list_of_unenroll_reasons() -> None:
    assert {r.value for r in UnenrollReason} == {
        "replied", "emailed_outside_sequence", "replied_from_other_address", "emailed_from_alias",
        "company_contact_replied", "meeting_booked", "company_contact_booked_meeting", "unsubscribed",
        "bounced", "workflow", "automation_trigger", "completed", "manual", "user_removed",
    }


def test_people_name_every_surface_but_automatic_and_the_people_page() -> None:
    assert {s.value for s in MANUAL_SURFACES} == {
        "contact_record", "sequence_summary", "scheduled_tab", "bulk", "gmail_addon", "outlook_addin", "api"}
    assert Surface.AUTOMATIC not in MANUAL_SURFACES
    # The People page ends enrollments only by removing their sending rep: no unenroll request names it.
    assert Surface.PEOPLE_PAGE not in MANUAL_SURFACES
