"""Issue #9 and #14: a new meeting in the rep's calendar unenrolls the contact only when it is with the
rep who enrolled them (that rep organised it, or the contact invited that rep); the sequence's meeting
settings apply as for every meeting;
each event counts once. Through the emulator's Google Calendar channel and Graph events subscription:
the provider notifies our webhook, the worker reads the change from the cursor and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from addin_server.db import tables as t
from addin_server.services import accounts, sequences
from addin_server.services.calendar_events import CalendarEvent
from tests.integration.calendar.support import CalendarWorld, fixture


def _soon() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def _notify_and_work(world: CalendarWorld) -> None:
    assert world.deliver_notifications(), "the provider notified our webhook"
    world.run_worker()


@dataclass(frozen=True)
class Organiser:
    organised_by: str  # rep | other | contact: whose address organises the meeting in the rep's calendar
    enrolled_by: str  # rep | other
    outcome: tuple[str, str | None]


BOTH_PROVIDERS = [
    pytest.param(Organiser("rep", "rep", ("unenrolled", "meeting_booked")),
                 id="a new meeting organised by the rep who enrolled the contact unenrolls the contact"),
    pytest.param(Organiser("rep", "other", ("active", None)),
                 id="a meeting organised by another rep than the one who enrolled the contact ends nothing"),
]
GOOGLE_ONLY = [
    pytest.param(Organiser("other", "other", ("unenrolled", "meeting_booked")),
                 id="a meeting another rep organised and invited this rep to counts when that rep enrolled the contact"),
    pytest.param(Organiser("other", "rep", ("active", None)),
                 id="being invited to someone else's meeting with the contact ends nothing for the rep who enrolled"),
    pytest.param(Organiser("contact", "rep", ("unenrolled", "meeting_booked")),
                 id="an invitation the contact organises in the calendar of the rep who enrolled them unenrolls"),
    pytest.param(Organiser("contact", "other", ("active", None)),
                 id="an invitation the contact organises with another rep than the one who enrolled ends nothing"),
]


def _check_organiser_rule(world: CalendarWorld, case: Organiser) -> None:
    reps = {"rep": world.rep, "other": world.other_rep}
    organisers = {"rep": world.rep["mailbox_address"], "other": world.other_rep["mailbox_address"],
                  "contact": world.contact["email"]}
    enrollment = world.enroll(by=reps[case.enrolled_by])
    world.add_meeting(_soon(), organizer=str(organisers[case.organised_by]))
    _notify_and_work(world)
    got = world.enrollment(enrollment["id"])
    assert (got["status"], got["end_reason"]) == case.outcome
    assert world.count(t.Meeting, source="calendar") == 1, "the meeting is recorded either way"
    if case.outcome[0] == "unenrolled":
        assert got["end_surface"] == "automatic" and got["evidence"]["source"] == "calendar"
        expected = ("an invitation from outside the account with the rep who enrolled the contact invited"
                    if case.organised_by == "contact" else "organised by the rep who enrolled the contact")
        assert expected in got["evidence"]["rule"]
        assert [e["type"] for e in got["events"]].count("meeting_booked") == 1


@pytest.mark.parametrize("case", BOTH_PROVIDERS)
def test_a_new_calendar_meeting_unenrolls_only_when_the_organiser_enrolled_the_contact(
        world: CalendarWorld, case: Organiser) -> None:
    _check_organiser_rule(world, case)


@pytest.mark.parametrize("case", GOOGLE_ONLY)
def test_the_organiser_of_a_meeting_in_the_reps_google_calendar_decides(
        google_world: CalendarWorld, case: Organiser) -> None:
    _check_organiser_rule(google_world, case)


@dataclass(frozen=True)
class MeetingSettings:
    beta: bool
    on_meeting: str
    same_company: bool
    jane: tuple[str, str | None]
    raj: tuple[str, str | None]


SETTINGS = [
    pytest.param(MeetingSettings(True, "off", False, ("active", None), ("active", None)),
                 id="beta, on_meeting off: a calendar meeting is recorded and nothing ends"),
    pytest.param(MeetingSettings(True, "company", False, ("unenrolled", "automation_trigger"),
                          ("unenrolled", "automation_trigger")),
                 id="beta, on_meeting company: the company's contacts in the sequence end, reason automation_trigger"),
    pytest.param(MeetingSettings(False, "contact", True, ("unenrolled", "meeting_booked"),
                          ("unenrolled", "company_contact_booked_meeting")),
                 id="unenroll contacts from the same company: the colleague ends with company_contact_booked_meeting"),
    pytest.param(MeetingSettings(True, "contact", True, ("unenrolled", "automation_trigger"), ("active", None)),
                 id="beta, on_meeting contact: the sequence's same-company checkbox does not apply"),
]


@pytest.mark.parametrize("case", SETTINGS)
def test_the_sequence_and_account_meeting_settings_apply_to_calendar_meetings(
        world: CalendarWorld, case: MeetingSettings) -> None:
    assert world.super_admin is not None
    accounts.update_account_settings(world.ctx, world.super_admin, custom_triggers_beta=case.beta)
    sequences.update_automation(world.ctx, world.admin, world.sequence["id"], on_reply="contact",
                                on_meeting=case.on_meeting, pause_on_out_of_office=False,
                                unenroll_same_company=case.same_company)
    jane, raj = world.enroll(), world.enroll(contact=world.colleague)
    world.add_meeting(_soon())
    _notify_and_work(world)
    assert [(world.enrollment(e["id"])["status"], world.enrollment(e["id"])["end_reason"])
            for e in (jane, raj)] == [case.jane, case.raj]


def test_each_calendar_event_counts_once_whatever_the_notifications_do(world: CalendarWorld) -> None:
    jane = world.enroll(by=world.other_rep)  # so the meeting is recorded without ending anything
    world.add_meeting(_soon())
    _notify_and_work(world)
    world.add_busy_time(_soon() + timedelta(hours=3))  # another change: the meeting is read again
    _notify_and_work(world)
    with world.ctx.sessions() as s:  # a redelivered notification reads from the cursor again
        from addin_server.services.inbox import record_notification

        note = s.query(t.InboundNotification).filter(t.InboundNotification.status == "done").first()
        assert note is not None
        provider, payload, address = note.provider, dict(note.payload), note.mailbox_address
    record_notification(world.ctx, provider=provider, dedupe_key="redelivered", mailbox_address=address,
                        account_id=None, payload=payload)
    world.run_worker()
    assert world.count(t.Meeting, source="calendar") == 1
    assert world.count(t.ProcessedCalendarEvent) == 1
    assert world.enrollment(jane["id"])["status"] == "active"


def test_an_invitation_seen_in_the_enrollers_calendar_without_them_among_its_attendees_ends_nothing(
        google_world: CalendarWorld) -> None:
    """The attack's case: Jane organises a meeting with Otto only; it shows in Rita's calendar, and
    Rita enrolled Jane. Rita is not invited, so the meeting is not with her and nothing ends."""
    world = google_world
    enrollment = world.enroll()
    start = _soon()
    world.google.add_calendar_event(world.rep_address, fixture(
        "google-event-owner-not-invited.json", start=start.isoformat().replace("+00:00", "Z"),
        end=(start + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"), contact=str(world.contact["email"]),
        other=str(world.other_rep["mailbox_address"])))
    _notify_and_work(world)
    got = world.enrollment(enrollment["id"])
    assert (got["status"], got["end_reason"]) == ("active", None)
    assert "meeting_booked" not in [e["type"] for e in got["events"]]
    assert world.count(t.Meeting, source="calendar") == 1, "the meeting is recorded"


def test_an_invitation_the_contact_declined_is_no_meeting_booked(google_world: CalendarWorld) -> None:
    """The rep invites the contact, who declines: the contact booked nothing, so the enrollment goes on."""
    world = google_world
    enrollment = world.enroll()
    start = _soon()
    event = fixture("google-event-meeting.json", start=start.isoformat().replace("+00:00", "Z"),
                    end=(start + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
                    contact=str(world.contact["email"]), rep=world.rep_address, organizer=world.rep_address)
    for attendee in event["attendees"]:
        if attendee["email"] == world.contact["email"]:
            attendee["responseStatus"] = "declined"
    world.google.add_calendar_event(world.rep_address, event)
    _notify_and_work(world)
    got = world.enrollment(enrollment["id"])
    assert (got["status"], got["end_reason"]) == ("active", None)
    assert "meeting_booked" not in [e["type"] for e in got["events"]]
    assert world.count(t.Meeting, source="calendar") == 0


def _google_event(responses: dict[str, str | None]) -> dict[str, Any]:
    return {"id": "e1", "start": {"dateTime": "2026-12-08T10:00:00Z"}, "end": {"dateTime": "2026-12-08T10:30:00Z"},
            "organizer": {"email": "jane@globex.test"},
            "attendees": [{"email": address, **({"responseStatus": r} if r else {})} for address, r in responses.items()]}


def _graph_event(responses: dict[str, str | None]) -> dict[str, Any]:
    return {"id": "e1", "start": {"dateTime": "2026-12-08T10:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-08T10:30:00.0000000", "timeZone": "UTC"},
            "organizer": {"emailAddress": {"address": "jane@globex.test"}},
            "attendees": [{"type": "required", "emailAddress": {"address": address},
                           **({"status": {"response": r, "time": "0001-01-01T00:00:00Z"}} if r else {})}
                          for address, r in responses.items()]}


ATTENDANCE = [
    pytest.param({"jane@globex.test": "declined"}, (), id="a contact who declined is not in the meeting"),
    pytest.param({"jane@globex.test": "accepted"}, ("jane@globex.test",), id="a contact who accepted is"),
    pytest.param({"jane@globex.test": "tentative"}, ("jane@globex.test",), id="a tentative contact is"),
    pytest.param({"jane@globex.test": None}, ("jane@globex.test",), id="a contact who has not answered is"),
    pytest.param({"jane@globex.test": "accepted", "rita@acme.test": "declined"}, ("jane@globex.test",),
                 id="a rep who declined the contact's invitation did not meet them"),
]
GRAPH_WORDS = {"tentative": "tentativelyAccepted", "declined": "declined", "accepted": "accepted"}


@pytest.mark.parametrize(("responses", "attending"), ATTENDANCE)
def test_the_attendees_a_meeting_is_with_leave_out_those_who_declined(
        responses: dict[str, str | None], attending: tuple[str, ...]) -> None:
    assert CalendarEvent.from_google("primary", _google_event(responses)).attendees == attending
    graph = {a: GRAPH_WORDS[r] if r else None for a, r in responses.items()}
    assert CalendarEvent.from_graph("calendar", _graph_event(graph)).attendees == attending
