"""GET/POST /meet/<key>: the booking page, booking through a sequence email's link, and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.web.links.conftest import (
    booking_path,
    enroll_over_api,
    first_slot,
    hidden_fields,
    last_sent,
    meeting_path,
)


def test_the_page_lists_free_slots_by_day(client: Any, world: World) -> None:
    page = client.get(booking_path(client, world.rep))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Book a meeting with Rita Rep" in html
    assert "<legend>Monday 2 March</legend>" in html and "<legend>Friday 6 March</legend>" in html
    assert html.count('name="slot"') == 5 * 16 - 1  # the test clock stands at Monday 9:00 UTC
    assert 'name="name"' in html and 'name="email"' in html
    assert "form_token" in hidden_fields(html)


def test_booking_through_a_sequence_emails_link(client: Any, services: ServiceContext, world: World) -> None:
    e = enroll_over_api(client, world)
    path = meeting_path(last_sent(services))
    html = client.get(path).get_data(as_text=True)
    # A link can be forwarded: the page names nobody, and the booker says who they are.
    assert "Jane" not in html and world.contact["email"] not in html and 'name="email"' in html
    fields = hidden_fields(html)
    booked = client.post(path.split("?")[0], data={**fields, "slot": first_slot(html), "name": "Jane",
                                                   "email": "Jane.Doe@globex-acme.test"})
    assert booked.status_code == 200, booked.get_data(as_text=True)
    assert "Your meeting is booked" in booked.get_data(as_text=True)
    got = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()
    assert (got["status"], got["end_reason"], got["evidence"]["source"]) == (
        "unenrolled", "meeting_booked", "sequence_link")


def test_an_emails_link_token_on_another_reps_page_is_no_link_from_the_email(
        client: Any, services: ServiceContext, world: World) -> None:
    """The token is bound to the link it was minted for: on Otto's page it does not book as Jane."""
    e = enroll_over_api(client, world)
    path = meeting_path(last_sent(services))
    path = path.replace(f"{booking_path(client, world.rep)}?", f"{booking_path(client, world.other_rep)}?")
    html = client.get(path).get_data(as_text=True)
    assert "Jane" not in html and 'name="email"' in html
    booked = client.post(path.split("?")[0], data={**hidden_fields(html), "slot": first_slot(html)})
    assert booked.status_code == 422, "the booker must say who they are"
    booked = client.post(path.split("?")[0], data={**hidden_fields(html), "slot": first_slot(html),
                                                   "name": "Jane", "email": world.contact["email"]})
    assert booked.status_code == 200
    got = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()
    assert got["status"] == "active"


def test_booking_without_a_link_typing_an_enrolled_contacts_address_is_a_request(
        client: Any, services: ServiceContext, world: World) -> None:
    """Anyone can type Jane's address on Rita's public page: that ends nothing by itself."""
    e = enroll_over_api(client, world)
    html = client.get(booking_path(client, world.rep)).get_data(as_text=True)
    booked = client.post(booking_path(client, world.rep), data={
        **hidden_fields(html), "slot": first_slot(html), "name": "Jane", "email": "Jane.Doe@globex-acme.test"})
    assert booked.status_code == 200
    got = client.get(f"/api/v1/enrollments/{e['id']}", headers=world.headers).get_json()
    assert got["status"] == "active"


@pytest.mark.parametrize("change, status, message", [
    pytest.param({"form_token": "forged"}, 400, "please choose a time again", id="a forged form is refused"),
    pytest.param({"email": "nope"}, 422, "please give a valid email address", id="a bad email address is refused"),
    pytest.param({"slot": "2026-03-02T03:00Z"}, 422, "choose one of the times shown",
                 id="a time that was not offered is refused"),
])
def test_refused_bookings_show_the_page_again(client: Any, world: World, change: dict[str, str], status: int,
                                              message: str) -> None:
    html = client.get(booking_path(client, world.rep)).get_data(as_text=True)
    form = {**hidden_fields(html), "slot": first_slot(html), "name": "Pat", "email": "pat@example.org", **change}
    answer = client.post(booking_path(client, world.rep), data=form)
    body = answer.get_data(as_text=True)
    assert answer.status_code == status and message in body and 'role="alert"' in body
    assert 'value="Pat"' in body  # what was typed is kept


def test_a_slot_taken_meanwhile_is_refused(client: Any, world: World) -> None:
    html = client.get(booking_path(client, world.rep)).get_data(as_text=True)
    form = {**hidden_fields(html), "slot": first_slot(html), "name": "Pat", "email": "pat@example.org"}
    assert client.post(booking_path(client, world.rep), data=form).status_code == 200
    again = client.post(booking_path(client, world.rep), data={**form, "name": "Sam", "email": "sam@example.org"})
    assert again.status_code == 409 and "no longer free" in again.get_data(as_text=True)


def test_sending_the_same_booking_twice_answers_the_booking(client: Any, world: World) -> None:
    html = client.get(booking_path(client, world.rep)).get_data(as_text=True)
    form = {**hidden_fields(html), "slot": first_slot(html), "name": "Pat", "email": "pat@example.org"}
    first = client.post(booking_path(client, world.rep), data=form)
    again = client.post(booking_path(client, world.rep), data=form)
    assert again.status_code == 200 and again.get_data(as_text=True) == first.get_data(as_text=True)


@pytest.mark.parametrize("path_of", [
    pytest.param(lambda client, world: "/meet/999999", id="an unknown rep has no page"),
    pytest.param(lambda client, world: "/meet/rita", id="a rep is not named by name"),
    pytest.param(lambda client, world: f"/meet/{world.rep['id']}", id="a rep's user id alone opens no page"),
    pytest.param(lambda client, world: f"/meet/{world.rep['id']}-" + booking_path(client, world.other_rep).split("-")[1],
                 id="another rep's page key does not open this rep's page"),
    pytest.param(lambda client, world: f"/meet/999999-{'A' * 16}", id="a made-up page key opens no page"),
])
def test_unknown_pages(client: Any, world: World, path_of: Any) -> None:
    path = path_of(client, world)
    for answer in (client.get(path), client.post(path, data={})):
        assert answer.status_code == 404 and "No booking page here" in answer.get_data(as_text=True)


def test_a_rep_without_a_connected_calendar_is_never_a_silent_success(client: Any, world: World) -> None:
    """Rita never connected her mailbox: the page says her calendar is not checked, the booking
    stands, and the confirmation says it is not in her calendar yet."""
    html = client.get(booking_path(client, world.rep)).get_data(as_text=True)
    assert 'id="calendar-not-connected"' in html and "calendar is not connected" in html
    booked = client.post(booking_path(client, world.rep), data={
        **hidden_fields(html), "slot": first_slot(html), "name": "Pat", "email": "pat@example.org"})
    text = booked.get_data(as_text=True)
    assert booked.status_code == 200 and "Your meeting is booked" in text
    assert 'id="calendar-state"' in text and "not in it yet" in text
