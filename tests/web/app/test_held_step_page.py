"""A step held for a missing merge field, as the rep sees it on the contact page: what to add,
a Resume button for those who may, and the step sent once the contact is fixed."""

from __future__ import annotations

from typing import Any

from addin_server.services import directory, enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import run_due_steps
from tests.builders import World, make_world
from tests.web.app.conftest import sign_in


def _held(services: ServiceContext) -> tuple[World, dict[str, Any], dict[str, Any]]:
    w = make_world(services)
    seq = sequences.create_sequence(services, w.admin, name="Company intro", owner_user_id=w.rep["id"], steps=[
        StepInput("automated_email", 0, "About {{company}}", "Hello"), StepInput("task", 2, "Call", "")])
    contact = directory.create_contact(services, w.admin, email="solo@freelance.test", first_name="Sol")
    e = enrollments.enroll(services, w.admin, sequence_id=seq["id"], contact_id=contact["id"],
                           sender_user_id=w.rep["id"], enrolled_by_user_id=w.rep["id"])
    assert e["status"] == "paused"
    return w, contact, e


def test_the_contact_page_says_what_holds_the_step_and_resuming_after_the_fix_sends_it(
        client: Any, services: ServiceContext) -> None:
    w, contact, e = _held(services)
    browser = sign_in(client, w.rep["id"], w.account_id)
    page = client.get(f"/app/contacts/{contact['id']}").get_data(as_text=True)
    assert 'id="held-step"' in page and "uses a company, which this contact does not have" in page
    assert 'id="resume-held"' in page
    assert "held: the contact has no company" in page  # the event in the history, in words

    directory.update_contact(services, w.admin, contact["id"], changes={"company_id": w.company["id"]})
    done = browser.post_from(f"/app/contacts/{contact['id']}", f"/app/contacts/{contact['id']}/resume",
                             {"enrollment_id": e["id"]})
    assert done.status_code == 302
    assert run_due_steps(services).steps_run == 1
    now = enrollments.get_enrollment(services, w.admin, e["id"])
    assert (now["status"], now["current_step"]) == ("active", 1)
    assert 'id="held-step"' not in client.get(f"/app/contacts/{contact['id']}").get_data(as_text=True)


def test_a_rep_with_no_part_in_the_enrollment_cannot_resume_it(client: Any, services: ServiceContext) -> None:
    w, contact, e = _held(services)
    browser = sign_in(client, w.other_rep["id"], w.account_id)
    page = client.get(f"/app/contacts/{contact['id']}").get_data(as_text=True)
    assert 'id="held-step"' in page and 'id="resume-held"' not in page
    refused = browser.post_from(f"/app/contacts/{contact['id']}", f"/app/contacts/{contact['id']}/resume",
                                {"enrollment_id": e["id"]})
    assert refused.status_code == 403
    assert enrollments.get_enrollment(services, w.admin, e["id"])["status"] == "paused"


def test_a_stale_resume_changes_nothing(client: Any, services: ServiceContext) -> None:
    w, contact, e = _held(services)
    browser = sign_in(client, w.rep["id"], w.account_id)
    enrollments.unenroll(services, w.admin, e["id"])
    stale = browser.post_from(f"/app/contacts/{contact['id']}", f"/app/contacts/{contact['id']}/resume",
                              {"enrollment_id": e["id"]})
    assert stale.status_code == 302
    assert "no such paused enrollment" in client.get(f"/app/contacts/{contact['id']}").get_data(as_text=True)
    assert enrollments.get_enrollment(services, w.admin, e["id"])["status"] == "unenrolled"


def test_the_sequence_page_shows_which_merge_fields_each_step_uses(client: Any, services: ServiceContext) -> None:
    w = make_world(services)
    seq = sequences.create_sequence(services, w.admin, name="Fields", owner_user_id=w.rep["id"], steps=[
        StepInput("automated_email", 0, "About {{company}}", "Hi {{first_name | there}}")])
    sign_in(client, w.rep["id"], w.account_id)
    page = client.get(f"/app/sequences/{seq['id']}/enrollments").get_data(as_text=True)
    assert "<code>company</code> (held for contacts without it)" in page
    assert "<code>first_name</code> (else “there”)" in page
