"""Booking pages: free slots, and what a booking ends (through a sequence email's link or not)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from addin_server.auth.signed_links import MeetingLink, read_meeting_token
from addin_server.services import enrollments, meetings, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound
from addin_server.services.meetings import BookingRep, booking_page_url, free_slots, working_slots
from addin_server.services.sequences import StepInput
from addin_server.services.unsubscribe import bind_booking_links
from tests.builders import World
from tests.integration.meetings.conftest import enroll, outbox, sequence_emails

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the test clock's start


@pytest.mark.parametrize("now, first, last, count", [
    pytest.param(MONDAY_9, datetime(2026, 3, 2, 9, 30, tzinfo=UTC), datetime(2026, 3, 6, 16, 30, tzinfo=UTC),
                 5 * 16 - 1, id="five working days of 30-minute slots from 9:00 to 17:00 UTC, after now"),
    pytest.param(datetime(2026, 3, 6, 18, 0, tzinfo=UTC), datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
                 datetime(2026, 3, 13, 16, 30, tzinfo=UTC), 5 * 16,
                 id="weekends and a day whose working hours are over do not count"),
    pytest.param(datetime(2026, 3, 7, 12, 0, tzinfo=UTC), datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
                 datetime(2026, 3, 13, 16, 30, tzinfo=UTC), 5 * 16, id="on a Saturday the next five working days"),
])
def test_working_slots(now: datetime, first: datetime, last: datetime, count: int) -> None:
    slots = working_slots(now)
    assert (slots[0][0], slots[-1][0], len(slots)) == (first, last, count)
    assert all(end - start == timedelta(minutes=30) for start, end in slots)


def test_busy_times_are_not_free() -> None:
    slots = working_slots(MONDAY_9)
    busy = [(datetime(2026, 3, 2, 10, 15, tzinfo=UTC), datetime(2026, 3, 2, 11, 0, tzinfo=UTC))]
    free = {s for s, _ in free_slots(slots, busy)}
    assert datetime(2026, 3, 2, 10, 0, tzinfo=UTC) not in free and datetime(2026, 3, 2, 10, 30, tzinfo=UTC) not in free
    assert datetime(2026, 3, 2, 9, 30, tzinfo=UTC) in free and datetime(2026, 3, 2, 11, 0, tzinfo=UTC) in free


class BusyTuesdayMorning:
    """A calendar stand-in: the rep is busy Tuesday 9:00-12:00."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, datetime, datetime]] = []

    def busy(self, user: BookingRep, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        self.asked.append((user.id, start, end))
        return [(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 12, 0, tzinfo=UTC))]


def test_the_page_shows_free_slots_minus_the_reps_busy_times(services: ServiceContext, world: World) -> None:
    calendar = BusyTuesdayMorning()
    page = meetings.booking_page(services, world.rep["id"], busy_times=calendar)
    tuesday = next(d for d in page["days"] if d["date"] == "2026-03-03")
    assert tuesday["slots"][0] == {"value": "2026-03-03T12:00Z", "label": "12:00–12:30"}
    assert [d["date"] for d in page["days"]] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    assert calendar.asked[0][0] == int(world.rep["id"])


def _book(ctx: ServiceContext, rep: dict[str, Any], *, token: str | None = None, slot: str = "2026-03-03T10:00Z",
          name: str, email: str) -> dict[str, Any]:
    page = meetings.booking_page(ctx, rep["id"], meeting_token=token)
    return meetings.book_meeting(ctx, rep["id"], slot=slot, form_token=page["form_token"], meeting_token=token,
                                 name=name, email=email)


@dataclass(frozen=True)
class Booking:
    page_of: str  # "enrolling rep" | "another rep"
    through_link: bool
    booker_email: str = "jane.doe@globex-acme.test"
    expect: tuple[str, str | None] = ("unenrolled", "meeting_booked")
    source: str = "sequence_link"


CASES = [
    pytest.param(Booking("enrolling rep", True),
                 id="booking through a sequence email's link unenrolls the enrolled contact"),
    pytest.param(Booking("another rep", True, expect=("active", None), source="booking_page"),
                 id="a sequence email's link token on another rep's page is no link from the email: it ends nothing"),
    pytest.param(Booking("enrolling rep", True, booker_email="jane.doe.home@gmail.com"),
                 id="booking through the email's link with one of the contact's other addresses unenrolls"),
    pytest.param(Booking("enrolling rep", True, booker_email="stranger@example.org", expect=("active", None),
                         source="booking_page"),
                 id="a forwarded link booked by someone else is their meeting request and ends nothing"),
    pytest.param(Booking("enrolling rep", True, booker_email="raj@globex-acme.test", expect=("active", None),
                         source="booking_page"),
                 id="a link booked with another contact's address ends neither enrollment"),
    pytest.param(Booking("enrolling rep", False, expect=("active", None), source="booking_page"),
                 id="booking without a link, typing an enrolled contact's address, is a request that ends nothing"),
    pytest.param(Booking("enrolling rep", False, booker_email="jane.doe.home@gmail.com", expect=("active", None),
                         source="booking_page"),
                 id="booking without a link from the contact's secondary address is a request that ends nothing"),
    pytest.param(Booking("another rep", False, expect=("active", None), source="booking_page"),
                 id="booking without a link with another rep than the one who enrolled does not unenroll"),
    pytest.param(Booking("enrolling rep", False, booker_email="stranger@example.org", expect=("active", None),
                         source="booking_page"),
                 id="a booker who is no contact is recorded and ends nothing"),
]


@pytest.mark.parametrize("case", CASES)
def test_booking(services: ServiceContext, world: World, case: Booking) -> None:
    e = enroll(services, world)
    token = sequence_emails(services, e["id"])[0].meeting_token if case.through_link else None
    rep = world.rep if case.page_of == "enrolling rep" else world.other_rep
    got = _book(services, rep, token=token, name="Jane D", email=case.booker_email)
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert (after["status"], after["end_reason"]) == case.expect
    assert got["meeting"]["source"] == case.source
    assert got["meeting"]["start_time"] == "2026-03-03T10:00:00Z" and got["meeting"]["user_id"] == rep["id"]
    if case.expect[0] == "unenrolled":
        assert after["end_actor"] == "contact"
        assert [ev["type"] for ev in after["events"]][-2:] == ["meeting_booked", "unenrolled"]


def test_a_booked_slot_is_no_longer_free(services: ServiceContext, world: World) -> None:
    _book(services, world.rep, name="Someone", email="someone@example.org")
    page = meetings.booking_page(services, world.rep["id"])
    assert "2026-03-03T10:00Z" not in {s["value"] for d in page["days"] for s in d["slots"]}
    with pytest.raises(Conflict):
        _book(services, world.rep, name="Another", email="another@example.org")
    # Another rep's calendar is their own.
    _book(services, world.other_rep, name="Another", email="another@example.org")


def test_sending_the_same_booking_twice_books_once(services: ServiceContext, world: World) -> None:
    first = _book(services, world.rep, name="Pat", email="pat@example.org")
    again = _book(services, world.rep, name="Pat", email="PAT@example.org")
    assert again["already_booked"] is True and again["meeting"]["id"] == first["meeting"]["id"]
    assert len(meetings.list_meetings(services, world.admin)) == 1


def test_two_people_booking_the_same_slot_at_once_get_one_meeting(services: ServiceContext, world: World) -> None:
    pages = [meetings.booking_page(services, world.rep["id"]) for _ in range(2)]
    start = threading.Barrier(2)
    answers: list[str] = []

    def book(i: int) -> None:
        start.wait()
        try:
            meetings.book_meeting(services, world.rep["id"], slot="2026-03-03T10:00Z",
                                  form_token=pages[i]["form_token"], name=f"Booker {i}", email=f"b{i}@example.org")
            answers.append("booked")
        except Conflict:
            answers.append("slot taken")

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(answers) == ["booked", "slot taken"]
    assert len(meetings.list_meetings(services, world.admin)) == 1


@pytest.mark.parametrize("change, error", [
    pytest.param({"slot": "2026-03-03T10:10Z"}, Invalid, id="a time that is not a slot is refused"),
    pytest.param({"slot": "2026-03-02T08:00Z"}, Invalid, id="a time outside working hours is refused"),
    pytest.param({"slot": "garbage"}, Invalid, id="a malformed time is refused"),
    pytest.param({"form_token": "forged"}, meetings.BadBookingForm, id="a forged form token is refused"),
    pytest.param({"form_of": "another rep"}, meetings.BadBookingForm,
                 id="a form token shown on another rep's page is refused"),
    pytest.param({"email": "not an address"}, Invalid, id="without a link, a valid email address is needed"),
    pytest.param({"name": " "}, Invalid, id="without a link, a name is needed"),
])
def test_refused_bookings(services: ServiceContext, world: World, change: dict[str, str],
                          error: type[Exception]) -> None:
    page_rep = world.other_rep if change.get("form_of") else world.rep
    args = {"slot": "2026-03-03T10:00Z", "form_token": meetings.booking_page(services, page_rep["id"])["form_token"],
            "name": "Jane", "email": "jane@example.org"}
    args.update({k: v for k, v in change.items() if k != "form_of"})
    with pytest.raises(error):
        meetings.book_meeting(services, world.rep["id"], **args)
    assert meetings.list_meetings(services, world.admin) == []


def test_an_invalid_link_still_shows_the_page_without_it(services: ServiceContext, world: World) -> None:
    page = meetings.booking_page(services, world.rep["id"], meeting_token="tampered.token.value")
    assert page["link_state"] == "invalid" and page["link"] is None and page["meeting_token"] == ""


def test_a_page_for_no_rep_is_not_found(services: ServiceContext, world: World) -> None:
    with pytest.raises(NotFound):
        meetings.booking_page(services, "999999")
    with pytest.raises(NotFound):
        meetings.booking_page(services, "rita")


def _token_in(body: str, page_url: str) -> str:
    """The meeting token of the link to `page_url` written in an email's body."""
    found = re.search(re.escape(page_url) + r"\?t=([A-Za-z0-9_.\-]+)", body)
    assert found, f"no link to {page_url} in the email"
    return found.group(1)


def test_a_teammates_booking_link_written_in_a_step_counts_as_a_meeting_from_the_sequence(
        services: ServiceContext, world: World) -> None:
    """"Even if it is not your link": Otto's page, written into Rita's step, ends Jane's enrollment."""
    otto_page = booking_page_url(services.settings, world.other_rep["id"])
    seq = sequences.create_sequence(services, world.admin, name="With Otto", owner_user_id=world.rep["id"], steps=[
        StepInput("automated_email", 0, "Intro", f"Book Otto, our specialist: {otto_page} (30 minutes)."),
        StepInput("task", 2, "Follow up", "")])
    e = enroll(services, world, sequence=seq)
    body = outbox(services)[-1].body
    token = _token_in(body, otto_page)
    assert "(30 minutes)" in body, "the text around the link is kept"
    got = _book(services, world.other_rep, token=token, name="Jane", email=world.contact["email"])
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert (after["status"], after["end_reason"]) == ("unenrolled", "meeting_booked")
    assert got["meeting"]["source"] == "sequence_link" and got["meeting"]["user_id"] == world.other_rep["id"]
    assert after["evidence"]["rule"] == "booked through a meetings link in a sequence email sent to the contact"


def test_a_token_minted_for_a_teammates_link_does_not_work_on_the_senders_page(
        services: ServiceContext, world: World) -> None:
    otto_page = booking_page_url(services.settings, world.other_rep["id"])
    seq = sequences.create_sequence(services, world.admin, name="With Otto", owner_user_id=world.rep["id"], steps=[
        StepInput("automated_email", 0, "Intro", f"Book Otto: {otto_page}"), StepInput("task", 2, "Follow up", "")])
    e = enroll(services, world, sequence=seq)
    token = _token_in(outbox(services)[-1].body, otto_page)
    page = meetings.booking_page(services, world.other_rep["id"], meeting_token=token)
    assert page["link_state"] == "valid"
    assert meetings.booking_page(services, world.rep["id"], meeting_token=token)["link_state"] == "invalid"
    # On Rita's page the token is no link: the booker is asked who they are, and Rita enrolled Jane.
    with pytest.raises(Invalid):
        _book(services, world.rep, token=token, name="", email="")
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"


def test_a_link_that_is_not_one_of_our_booking_pages_is_left_as_written(services: ServiceContext) -> None:
    page = booking_page_url(services.settings, 12)
    forged = page[:-3] + ("abc" if not page.endswith("abc") else "xyz")
    body = f"Ours: {page}?utm=x&t=old. Forged: {forged}. Elsewhere: https://example.org/meet/12-abcdefghijklmnop"
    got = bind_booking_links(services.settings, body, 5)
    ours = re.search(re.escape(f"Ours: {page}?t=") + r"([A-Za-z0-9_.\-]+)&utm=x\. ", got)
    assert ours, got
    assert read_meeting_token(ours.group(1), services.settings) == MeetingLink("5", "12")
    assert f"Forged: {forged}." in got and "Elsewhere: https://example.org/meet/12-abcdefghijklmnop" in got


# Each form a rep may write a booking link in: what the contact's mail client will open must be
# the page with this email's token as its own parameter, the rest of the link and text kept.
# A signed token: payload, timestamp and signature joined by dots (a full stop after it is the text's).
_TOKEN = r"([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)"
LINK_FORMS = [
    pytest.param("Book: {page}/ today", "Book: {bound} today", id="a link written with a trailing slash"),
    pytest.param("Book: {page}/.", "Book: {bound}.", id="a trailing slash then a full stop"),
    pytest.param("Book: {page}?utm_source=seq today", "Book: {bound}&utm_source=seq today",
                 id="a link with a query of its own keeps it after the token"),
    pytest.param("Book: {page}/?utm_source=seq&t=old.", "Book: {bound}&utm_source=seq.",
                 id="a slash, a query and an old token: the old token is replaced"),
    pytest.param("Book: {page}#slots", "Book: {bound}#slots", id="a link with a fragment keeps it after the token"),
    pytest.param("Book: {page}?a=1#slots!", "Book: {bound}&a=1#slots!", id="a query and a fragment"),
    pytest.param('<a href="{page}/?a=1&amp;b=2">book</a>', '<a href="{bound}&amp;a=1&amp;b=2">book</a>',
                 id="an HTML href with an escaped query keeps its spelling"),
    pytest.param("Book: <{page}/>", "Book: <{bound}>", id="a link in angle brackets"),
    pytest.param("Book ({page}), or call.", "Book ({bound}), or call.", id="a link in brackets"),
    pytest.param("Book: {page}?", "Book: {bound}?", id="a question mark after the link is the sentence's"),
    pytest.param("Book: {page}, {page}/ or {page}; thanks", "Book: {bound}, {bound} or {bound}; thanks",
                 id="every link in the body is bound"),
]


@pytest.mark.parametrize("written, expected", LINK_FORMS)
def test_a_booking_link_is_bound_to_the_email_whatever_form_it_is_written_in(
        services: ServiceContext, written: str, expected: str) -> None:
    page = booking_page_url(services.settings, 12)
    got = bind_booking_links(services.settings, written.format(page=page), 5)
    tokens = re.findall(re.escape(page) + r"\?t=" + _TOKEN, got)
    assert tokens, got
    assert all(read_meeting_token(tok, services.settings) == MeetingLink("5", "12") for tok in tokens)
    assert re.sub(r"\?t=" + _TOKEN, "?t=TOKEN", got) == expected.format(bound=f"{page}?t=TOKEN")


def test_a_deeper_path_under_a_booking_page_is_left_as_written(services: ServiceContext) -> None:
    page = booking_page_url(services.settings, 12)
    assert bind_booking_links(services.settings, f"See {page}/help.", 5) == f"See {page}/help."


def test_a_teammates_link_written_with_a_trailing_slash_counts(services: ServiceContext, world: World) -> None:
    """The attack's case: Otto's link with a slash at its end, booked through, ends Jane's enrollment."""
    otto_page = booking_page_url(services.settings, world.other_rep["id"])
    seq = sequences.create_sequence(services, world.admin, name="Slash", owner_user_id=world.rep["id"], steps=[
        StepInput("automated_email", 0, "Intro", f"Book Otto: {otto_page}/"), StepInput("task", 2, "Follow up", "")])
    e = enroll(services, world, sequence=seq)
    body = outbox(services)[-1].body
    assert f"{otto_page}/" not in body and not re.search(r"\?t=[^\s&]*/", body), body
    token = _token_in(body, otto_page)
    _book(services, world.other_rep, token=token, name="Jane", email=world.contact["email"])
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert (after["status"], after["end_reason"]) == ("unenrolled", "meeting_booked")


def test_a_stranger_booking_through_a_forwarded_link_never_sees_the_contacts_name(
        services: ServiceContext, world: World) -> None:
    """The attack's case: Jane forwards her link; "Someone" books with their own address."""
    e = enroll(services, world)
    token = sequence_emails(services, e["id"])[0].meeting_token
    page = meetings.booking_page(services, world.rep["id"], meeting_token=token)
    assert "Jane" not in repr(page) and world.contact["email"] not in repr(page)
    got = _book(services, world.rep, token=token, name="Someone", email="stranger@example.org")
    assert got["booker"] == {"name": "Someone", "email": "stranger@example.org"}
    assert "Jane" not in repr(got) and world.contact["email"] not in repr(got)
    assert got["request"] is True and got["ended"] == [] and got["meeting"]["contact_ids"] == []
    assert got["meeting"]["booker"] == {"name": "Someone", "email": "stranger@example.org"}
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"


def test_a_visitor_typing_an_enrolled_contacts_address_leaves_a_request_the_rep_sees(
        services: ServiceContext, world: World) -> None:
    """No token (or a forged one): the address typed is only a claim, so the booking ends nothing;
    the rep sees who asked, and logging the meeting on Jane's record is what counts."""
    e = enroll(services, world)
    for token in (None, "forged.token.value"):
        slot = "2026-03-03T10:00Z" if token is None else "2026-03-03T11:00Z"
        got = _book(services, world.rep, token=token, slot=slot, name="Jane?", email=world.contact["email"])
        assert got["request"] is True and got["meeting"]["source"] == "booking_page" and got["ended"] == []
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"
    listed = meetings.list_meetings(services, world.admin)
    assert [m["booker"]["email"] for m in listed] == [world.contact["email"]] * 2
    confirmed = meetings.log_meeting(services, world.admin, contact_ids=[world.contact["id"]],
                                     logged_by_user_id=world.rep["id"], start_time=MONDAY_9 + timedelta(days=1))
    assert [x["id"] for x in confirmed["ended"]] == [e["id"]]
