"""Issue #14: under the custom-trigger beta the sequence's reply trigger decides alone, whatever the
same-company checkbox says; outside the beta the checkbox of each colleague's sequence decides."""

from __future__ import annotations

import pytest

from addin_server.services import accounts, sequences
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.integration.inbound.test_apply_inbound import deliver, enroll, sent_message_id, state


@pytest.mark.parametrize(("beta", "on_reply", "jane", "raj"), [
    pytest.param(True, "off", ("active", None), ("active", None),
                 id="beta, reply trigger off, same-company checkbox on: the reply is recorded and nobody ends"),
    pytest.param(True, "contact", ("unenrolled", "automation_trigger"), ("active", None),
                 id="beta, reply trigger on the contact, same-company checkbox on: only the contact ends"),
    pytest.param(True, "company", ("unenrolled", "automation_trigger"), ("unenrolled", "automation_trigger"),
                 id="beta, reply trigger on the company: the company's contacts in the sequence end"),
    pytest.param(False, "off", ("unenrolled", "replied"), ("unenrolled", "company_contact_replied"),
                 id="outside the beta the same-company checkbox ends the colleague, the trigger does not apply"),
])
def test_who_a_reply_ends(services: ServiceContext, world: World, provider: str, beta: bool, on_reply: str,
                          jane: tuple[str, str | None], raj: tuple[str, str | None]) -> None:
    accounts.update_account_settings(services, world.super_admin, custom_triggers_beta=beta, unenroll_same_company=True)
    sequences.update_automation(services, world.admin, world.sequence["id"], on_reply=on_reply, on_meeting="contact",
                                pause_on_out_of_office=False, unenroll_same_company=True)
    e_jane, e_raj = enroll(services, world), enroll(services, world, world.colleague)
    result = deliver(services, world, provider, "human_reply.eml", in_reply_to=sent_message_id(services, e_jane["id"]))
    got = [state(services, world, e["id"]) for e in (e_jane, e_raj)]
    assert [(g["status"], g["end_reason"]) for g in got] == [jane, raj]
    assert "replied" in [ev["type"] for ev in got[0]["events"]], "the reply is recorded whatever ends"
    assert result["kind"] == "human_reply"
