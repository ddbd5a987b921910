"""One precedence for replies and meetings: who ends under which setting, one named case per sentence.

Jane (sequence Intro, enrolled by Rita) replied or booked a meeting; Raj is at the same company in
the same sequence; Lena is at the same company in another sequence (Follow-up, enrolled by Otto).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from addin_server.domain.model import AutomationScope, UnenrollReason
from addin_server.domain.rules import OpenEnrollment, Trigger, who_ends

RITA, OTTO = 1, 2
GLOBEX = 10
INTRO, FOLLOW_UP = 7, 8
JANE = OpenEnrollment(100, contact_id=1, company_id=GLOBEX, sequence_id=INTRO, sequence_name="Intro",
                      enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="jane@globex.com")
RAJ = OpenEnrollment(101, contact_id=2, company_id=GLOBEX, sequence_id=INTRO, sequence_name="Intro",
                     enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="raj@globex.com")
LENA = OpenEnrollment(102, contact_id=3, company_id=GLOBEX, sequence_id=FOLLOW_UP, sequence_name="Follow-up",
                      enrolled_by_user_id=OTTO, sender_user_id=OTTO, contact_address="lena@globex.com")
COMPANY = {GLOBEX: [JANE.id, RAJ.id, LENA.id]}

# (trigger, the sequence field of its beta setting, the acting contact's reason, a colleague's reason)
TRIGGERS = [
    pytest.param(Trigger.REPLY, "on_reply", UnenrollReason.REPLIED, UnenrollReason.COMPANY_CONTACT_REPLIED,
                 id="reply"),
    pytest.param(Trigger.MEETING, "on_meeting", UnenrollReason.MEETING_BOOKED,
                 UnenrollReason.COMPANY_CONTACT_BOOKED_MEETING, id="meeting"),
]

OWN, COLLEAGUE, TRIGGERED = "own reason", "colleague reason", "automation_trigger"


@dataclass(frozen=True)
class Case:
    beta: bool
    # The same-company checkbox per sequence, and the beta trigger per sequence.
    checkbox: frozenset[int] = frozenset()
    scope: dict[int, AutomationScope] | None = None
    company: int | None = GLOBEX
    ends: dict[int, str] | None = None
    kept: tuple[int, ...] = ()


CASES = [
    pytest.param(Case(beta=False, ends={JANE.id: OWN}),
                 id="outside the beta the contact who acted ends with their own reason"),
    pytest.param(Case(beta=False, checkbox=frozenset({FOLLOW_UP}), ends={JANE.id: OWN, LENA.id: COLLEAGUE}),
                 id="outside the beta the company's contacts end in the sequences whose same-company checkbox is on"),
    pytest.param(Case(beta=False, checkbox=frozenset({INTRO}), ends={JANE.id: OWN, RAJ.id: COLLEAGUE}),
                 id="a sequence without the same-company checkbox keeps its enrollments whatever other sequences say"),
    pytest.param(Case(beta=False, checkbox=frozenset({INTRO, FOLLOW_UP}), company=None, ends={JANE.id: OWN}),
                 id="someone who belongs to no company ends alone"),
    pytest.param(Case(beta=False, scope={INTRO: AutomationScope.COMPANY, FOLLOW_UP: AutomationScope.COMPANY},
                      ends={JANE.id: OWN}),
                 id="outside the beta the sequence's trigger does not apply"),
    pytest.param(Case(beta=True, checkbox=frozenset({INTRO, FOLLOW_UP}), scope={INTRO: AutomationScope.OFF},
                      ends={}, kept=(JANE.id,)),
                 id="under the beta a trigger set to off ends nobody and the fact is only recorded"),
    pytest.param(Case(beta=True, checkbox=frozenset({INTRO, FOLLOW_UP}), scope={INTRO: AutomationScope.CONTACT},
                      ends={JANE.id: TRIGGERED}),
                 id="under the beta a trigger set to the contact ends only the contact"),
    pytest.param(Case(beta=True, checkbox=frozenset({INTRO, FOLLOW_UP}), scope={INTRO: AutomationScope.COMPANY},
                      ends={JANE.id: TRIGGERED, RAJ.id: TRIGGERED}),
                 id="under the beta a trigger set to the company ends the company's contacts in this sequence only"),
    pytest.param(Case(beta=True, checkbox=frozenset({FOLLOW_UP}), scope={INTRO: AutomationScope.CONTACT,
                                                                         FOLLOW_UP: AutomationScope.COMPANY},
                      ends={JANE.id: TRIGGERED}),
                 id="under the beta the same-company checkbox and other sequences' triggers do not apply"),
]


@pytest.mark.parametrize(("trigger", "field", "own", "colleague"), TRIGGERS)
@pytest.mark.parametrize("case", CASES)
def test_who_ends(trigger: Trigger, field: str, own: UnenrollReason, colleague: UnenrollReason, case: Case) -> None:
    def configured(e: OpenEnrollment) -> OpenEnrollment:
        scope = (case.scope or {}).get(e.sequence_id, AutomationScope.CONTACT)
        return replace(e, unenroll_same_company=e.sequence_id in case.checkbox, **{field: scope})

    enrollments = {e.id: configured(e) for e in (JANE, RAJ, LENA)}
    got = who_ends(trigger, {JANE.id: own}, company_id=case.company, enrollments=enrollments,
                   company_enrollments=COMPANY, beta=case.beta)
    words = {own: OWN, colleague: COLLEAGUE, UnenrollReason.AUTOMATION_TRIGGER: TRIGGERED}
    assert {x.enrollment_id: words[x.reason] for x in got.endings} == case.ends
    assert got.kept == case.kept


@pytest.mark.parametrize(("trigger", "field", "own", "colleague"), TRIGGERS)
def test_each_ending_says_which_setting_decided(trigger: Trigger, field: str, own: UnenrollReason,
                                                colleague: UnenrollReason) -> None:
    outside = who_ends(trigger, {JANE.id: own}, company_id=GLOBEX, company_enrollments=COMPANY, beta=False,
                       enrollments={e.id: replace(e, unenroll_same_company=True) for e in (JANE, RAJ, LENA)})
    lena = next(x for x in outside.endings if x.enrollment_id == LENA.id)
    assert lena.evidence["setting"] == "unenroll contacts from the same company"
    assert lena.evidence["sequence"] == "Follow-up" and lena.evidence["company_id"] == GLOBEX
    beta = who_ends(trigger, {JANE.id: own}, company_id=GLOBEX, company_enrollments=COMPANY, beta=True,
                    enrollments={e.id: replace(e, **{field: AutomationScope.COMPANY}) for e in (JANE, RAJ, LENA)})
    words = "when a contact replies" if trigger is Trigger.REPLY else "when a contact books a meeting"
    assert {x.enrollment_id: (x.evidence["setting"], x.evidence["trigger"]) for x in beta.endings} == {
        JANE.id: (f"{words}: company", own.value), RAJ.id: (f"{words}: company", own.value)}


def test_an_enrollment_that_acted_is_never_also_ended_as_a_colleague() -> None:
    both = {JANE.id: UnenrollReason.REPLIED, RAJ.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE}
    got = who_ends(Trigger.REPLY, both, company_id=GLOBEX, company_enrollments=COMPANY, beta=False,
                   enrollments={e.id: replace(e, unenroll_same_company=True) for e in (JANE, RAJ, LENA)})
    assert [(x.enrollment_id, x.reason) for x in got.endings] == [
        (JANE.id, UnenrollReason.REPLIED), (RAJ.id, UnenrollReason.EMAILED_OUTSIDE_SEQUENCE),
        (LENA.id, UnenrollReason.COMPANY_CONTACT_REPLIED)]
