"""Every unenrollment reason reads as a plain sentence, never as a code."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.domain.model import UnenrollReason
from addin_server.domain.rules import MatchKind
from addin_server.domain.wording import (
    MATCH_WORDS,
    actor_in_words,
    already_left_in_words,
    ended_because,
    ending_in_words,
    evidence_in_words,
)

REPLY = {"rule": "reply to a sequence email", "from": "j.doe@acme.com", "subject": "Re: Intro",
         "sequence_email_subject": "Intro", "step": 2}

CASES: list[tuple[str, str | None, dict[str, Any] | None, dict[str, str], str]] = [
    ("a reply names the address, the email and the step", "replied", REPLY, {},
     "Replied from j.doe@acme.com to 'Intro' (step 2)"),
    ("a reply without the sequence email's subject uses the reply's subject without Re:", "replied",
     {"from": "j.doe@acme.com", "subject": "RE: Re: Pricing"}, {}, "Replied from j.doe@acme.com to 'Pricing'"),
    ("a reply with no evidence still reads", "replied", None, {}, "Replied"),
    ("a reply from another address says so", "replied_from_other_address",
     {**REPLY, "from": "jane@home.example"}, {},
     "Replied from another address, jane@home.example, to 'Intro' (step 2)"),
    ("an email outside the sequence names the address", "emailed_outside_sequence",
     {"matched_address": "j.doe@acme.com"}, {}, "Emailed the rep from j.doe@acme.com outside the sequence"),
    ("an email from an alias names both addresses", "emailed_from_alias",
     {"matched_address": "jdoe@gmail.com", "enrolled_address": "j.doe@gmail.com"}, {},
     "Emailed the rep from jdoe@gmail.com, an alias of j.doe@gmail.com"),
    ("a colleague's reply names who replied", "company_contact_replied",
     {"from": "raj@acme.com", "company_name": "Acme"}, {}, "Someone at Acme replied from raj@acme.com"),
    ("a meeting says when", "meeting_booked", {"meeting_at": "next Tuesday 10:00"}, {},
     "Booked a meeting for next Tuesday 10:00"),
    ("a colleague's meeting reads", "company_contact_booked_meeting", {}, {},
     "Someone at the same company booked a meeting"),
    ("an unsubscribe reads", "unsubscribed", {}, {}, "Unsubscribed from sequence emails"),
    ("a hard bounce names the address", "bounced", {"sent_to": "j.doe@acme.com", "rule": "hard bounce"}, {},
     "Email to j.doe@acme.com bounced"),
    ("soft bounces over the threshold say how many", "bounced",
     {"sent_to": "j.doe@acme.com", "soft_bounces": 3, "threshold": 3}, {},
     "Email to j.doe@acme.com bounced (3 soft bounces of 3 allowed)"),
    ("a workflow is named", "workflow", {"workflow": "Deal moved to Closed Won"}, {},
     "Workflow 'Deal moved to Closed Won'"),
    ("an automation trigger reads as the reply that fired it", "automation_trigger",
     {**REPLY, "trigger": "replied"}, {}, "Replied from j.doe@acme.com to 'Intro' (step 2)"),
    ("a completed sequence reads", "completed", {"rule": "last step ran"}, {}, "Completed the sequence"),
    ("a rep's unenroll names the rep and the add-on", "manual", {"rule": "unenrolled by hand"},
     {"surface": "gmail_addon", "actor_name": "Ava Reed"}, "Unenrolled by Ava Reed from the Gmail add-on"),
    ("a bulk unenroll says so", "manual", {}, {"surface": "bulk", "actor_name": "Ava Reed"},
     "Unenrolled by Ava Reed in a bulk unenroll"),
    ("an unknown reason is shown rather than hidden", "teleported", {}, {}, "Ended (teleported)"),
]


@pytest.mark.parametrize(("reason", "evidence", "extra", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_ending_reads_as_a_sentence(reason: str | None, evidence: dict[str, Any] | None, extra: dict[str, str],
                                    expected: str) -> None:
    assert ending_in_words(reason, evidence, **extra) == expected


@pytest.mark.parametrize("reason", [r.value for r in UnenrollReason], ids=[r.value for r in UnenrollReason])
def test_every_reason_of_the_closed_list_has_words_of_its_own(reason: str) -> None:
    words = ending_in_words(reason, {})
    assert words and not words.startswith("Ended") and "_" not in words


@pytest.mark.parametrize(("actor", "expected"), [
    ("user:ava@northwind.example", "Ava Reed"),
    ("user:someone@else.example", "someone@else.example"),
    ("system", "Sequence Sidebar"),
    ("api_key:ssk_ab12", "an integration (API key)"),
], ids=["a rep by name", "an unknown rep by address", "the system", "an API key"])
def test_actor_in_words(actor: str, expected: str) -> None:
    assert actor_in_words(actor, {"ava@northwind.example": "Ava Reed"}) == expected


@pytest.mark.parametrize(("meeting_at", "expected"), [
    pytest.param("2026-11-26T10:30:00Z", "Booked a meeting for 26 Nov 2026, 10:30 UTC", id="a meeting time reads as a date and time"),
    pytest.param("next Tuesday 10:00", "Booked a meeting for next Tuesday 10:00", id="a time written in words stays as written"),
])
def test_meeting_times_read_as_people_write_them(meeting_at: str, expected: str) -> None:
    from addin_server.domain.wording import ending_in_words

    assert ending_in_words("meeting_booked", {"meeting_at": meeting_at}) == expected


def test_every_match_kind_has_words() -> None:
    assert set(MATCH_WORDS) == {m.value for m in MatchKind}


EVIDENCE_SHOWN_CASES = [
    pytest.param({"rule": "reply", "matched_by": "in_reply_to"}, True,
                 {"rule": "reply", "matched_by": "In-Reply-To", "matched_by_code": "in_reply_to"},
                 id="a stored match code is shown in words with the code beside it"),
    pytest.param({"matched_by": "gmail_alias"}, False, {"matched_by": "gmail alias"},
                 id="pages show the words only"),
    pytest.param({"reason": "bounced", "evidence": {"matched_by": "bounced_recipient"}}, True,
                 {"reason": "bounced",
                  "evidence": {"matched_by": "bounced recipient", "matched_by_code": "bounced_recipient"}},
                 id="an unenrolled event's ending evidence is shown the same way"),
    pytest.param({"matched_by": "In-Reply-To"}, True, {"matched_by": "In-Reply-To"},
                 id="a value that is not a code is shown as stored"),
    pytest.param({"matched_by": 3}, True, {"matched_by": 3}, id="a value that is not text is shown as stored"),
    pytest.param(None, True, None, id="no evidence stays none"),
]


@pytest.mark.parametrize(("stored", "with_codes", "shown"), EVIDENCE_SHOWN_CASES)
def test_evidence_in_words(stored: dict | None, with_codes: bool, shown: dict | None) -> None:
    assert evidence_in_words(stored, with_codes=with_codes) == shown


@pytest.mark.parametrize(("ended_because", "said"), [
    pytest.param("Replied from raj@globex.test to 'Intro' (step 1)",
                 "Raj had already left Intro outreach: replied from raj@globex.test to 'Intro' (step 1)",
                 id="the contact's reply ended it: the pane says so"),
    pytest.param("Unenrolled by rita@acme.test from the contact record",
                 "Raj had already left Intro outreach: unenrolled by rita@acme.test from the contact record",
                 id="a colleague ended it elsewhere: the pane names them and where"),
    pytest.param(None, "Raj had already left Intro outreach", id="nothing recorded: the plain sentence"),
])
def test_a_pane_says_who_or_what_ended_an_enrollment_the_rep_was_about_to_end(ended_because: str | None,
                                                                                said: str) -> None:
    assert already_left_in_words("Raj", "Intro outreach", ended_because) == said


@pytest.mark.parametrize(("reason", "surface", "actor", "said"), [
    pytest.param("manual", "contact_record", "user:rita@acme.test",
                 "Unenrolled by rita@acme.test from the contact record", id="a person, by address, and where"),
    pytest.param("manual", "api", "api_key:7", "Unenrolled by an integration (API key) through the API",
                 id="an integration"),
    pytest.param("completed", "automatic", "system", "Completed the sequence", id="finished"),
    pytest.param(None, None, None, None, id="still running: nothing"),
])
def test_why_an_enrollment_ended_names_the_person_by_address(reason: str | None, surface: str | None,
                                                              actor: str | None, said: str | None) -> None:
    assert ended_because(reason, {}, surface, actor) == said


def test_an_ending_by_a_removed_sending_rep_names_them() -> None:
    from addin_server.domain.wording import REASON_LABELS, ending_in_words

    assert ending_in_words("user_removed", {"removed_user": "rita@acme.test"}, surface="people_page") == (
        "The sending rep (rita@acme.test) was removed from the account")
    assert ending_in_words("user_removed", {}) == "The sending rep was removed from the account"
    assert REASON_LABELS["user_removed"] == "The sending rep was removed"
