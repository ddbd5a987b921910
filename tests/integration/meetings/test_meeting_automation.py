"""What else a meeting ends: the sequence's "when a contact books a meeting" setting under the
custom-trigger beta, and outside it each sequence's "unenroll contacts from the same company" checkbox."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from addin_server.services import accounts, enrollments, meetings, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.sequences import StepInput
from tests.builders import World
from tests.integration.meetings.conftest import another_globex_contact, enroll


@dataclass(frozen=True)
class Automation:
    beta: bool
    on_meeting: str = "contact"
    same_company: bool = False  # the checkbox on both sequences
    # Expected (status, reason) of: Jane (who met), Raj (same company, same sequence),
    # Mo (same company, another sequence).
    jane: tuple[str, str | None] = ("unenrolled", "meeting_booked")
    raj: tuple[str, str | None] = ("active", None)
    mo: tuple[str, str | None] = ("active", None)


TRIGGER = ("unenrolled", "automation_trigger")
CASES = [
    pytest.param(Automation(beta=True, on_meeting="off", jane=("active", None)),
                 id="beta, on_meeting off: the meeting is recorded and nothing ends"),
    pytest.param(Automation(beta=True, on_meeting="contact", jane=TRIGGER),
                 id="beta, on_meeting contact: only the contact ends, reason automation_trigger"),
    pytest.param(Automation(beta=True, on_meeting="company", jane=TRIGGER, raj=TRIGGER),
                 id="beta, on_meeting company: every open enrollment of the company's contacts in this sequence "
                    "ends, reason automation_trigger"),
    pytest.param(Automation(beta=False, on_meeting="company"),
                 id="without the beta the sequence's company scope does not apply"),
    pytest.param(Automation(beta=False, same_company=True, raj=("unenrolled", "company_contact_booked_meeting"),
                            mo=("unenrolled", "company_contact_booked_meeting")),
                 id="without the beta, the same-company checkbox ends the company's other contacts, reason "
                    "company_contact_booked_meeting"),
    pytest.param(Automation(beta=True, on_meeting="off", jane=("active", None), same_company=True),
                 id="beta, on_meeting off with the same-company checkbox on: nobody ends, the trigger decides alone"),
    pytest.param(Automation(beta=True, on_meeting="contact", jane=TRIGGER, same_company=True),
                 id="beta, on_meeting contact with the same-company checkbox on: only the contact ends"),
]


@pytest.mark.parametrize("case", CASES)
def test_meeting_automation(services: ServiceContext, world: World, case: Automation) -> None:
    accounts.update_account_settings(services, world.super_admin, custom_triggers_beta=case.beta)
    sequences.update_automation(services, world.admin, world.sequence["id"], on_reply="contact",
                                on_meeting=case.on_meeting, pause_on_out_of_office=False,
                                unenroll_same_company=case.same_company)
    other_sequence = sequences.create_sequence(services, world.admin, name="Event invite",
                                               owner_user_id=world.rep["id"], unenroll_same_company=case.same_company,
                                               steps=[StepInput("automated_email", 0, "Invite", "Come"),
                                                      StepInput("task", 2, "Follow up", "")])
    jane = enroll(services, world)
    raj = enroll(services, world, world.colleague)
    mo = enroll(services, world, another_globex_contact(services, world), sequence=other_sequence)

    meetings.log_meeting(services, world.admin, contact_ids=[world.contact["id"]],
                         logged_by_user_id=world.rep["id"], start_time=services.now())

    def outcome(e: dict[str, str]) -> tuple[str, str | None]:
        got = enrollments.get_enrollment(services, world.admin, e["id"])
        return got["status"], got["end_reason"]

    assert (outcome(jane), outcome(raj), outcome(mo)) == (case.jane, case.raj, case.mo)
    jane_events = [ev["type"] for ev in enrollments.get_enrollment(services, world.admin, jane["id"])["events"]]
    assert "meeting_booked" in jane_events  # recorded whichever way it ends, and when nothing ends
    if case.raj[1] == "automation_trigger":
        evidence = enrollments.get_enrollment(services, world.admin, raj["id"])["evidence"]
        assert evidence["company_name"] == "Globex" and evidence["trigger"] == "meeting_booked"


def test_the_same_company_checkbox_ends_only_the_sequences_that_have_it_on(services: ServiceContext,
                                                                           world: World) -> None:
    """Mo's sequence has the checkbox on, Raj's (the one Jane met from) has it off: only Mo ends."""
    other_sequence = sequences.create_sequence(services, world.admin, name="Event invite",
                                               owner_user_id=world.rep["id"], unenroll_same_company=True,
                                               steps=[StepInput("automated_email", 0, "Invite", "Come"),
                                                      StepInput("task", 2, "Follow up", "")])
    jane, raj = enroll(services, world), enroll(services, world, world.colleague)
    mo = enroll(services, world, another_globex_contact(services, world), sequence=other_sequence)
    meetings.log_meeting(services, world.admin, contact_ids=[world.contact["id"]],
                         logged_by_user_id=world.rep["id"], start_time=services.now())
    got = {name: enrollments.get_enrollment(services, world.admin, e["id"])
           for name, e in (("jane", jane), ("raj", raj), ("mo", mo))}
    assert {k: (v["status"], v["end_reason"]) for k, v in got.items()} == {
        "jane": ("unenrolled", "meeting_booked"), "raj": ("active", None),
        "mo": ("unenrolled", "company_contact_booked_meeting")}
    assert got["mo"]["evidence"]["setting"] == "unenroll contacts from the same company"
    assert got["mo"]["evidence"]["sequence"] == "Event invite"
    assert got["mo"]["evidence"]["booked_by_contact"] == world.contact["email"]


def test_new_sequences_take_the_accounts_same_company_default(services: ServiceContext, world: World) -> None:
    accounts.update_account_settings(services, world.admin, unenroll_same_company=True)
    steps = [StepInput("automated_email", 0, "Hi", "Hello")]
    default = sequences.create_sequence(services, world.admin, name="A", owner_user_id=world.rep["id"], steps=steps)
    chosen = sequences.create_sequence(services, world.admin, name="B", owner_user_id=world.rep["id"], steps=steps,
                                       unenroll_same_company=False)
    assert default["automation"]["unenroll_same_company"] is True
    assert chosen["automation"]["unenroll_same_company"] is False
    # The account's default changes no sequence that exists.
    accounts.update_account_settings(services, world.admin, unenroll_same_company=False)
    assert sequences.get_sequence(services, world.admin, default["id"])["automation"]["unenroll_same_company"] is True
