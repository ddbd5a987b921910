"""One-click unsubscribe: what every sequence email carries, and what unsubscribing does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from addin_server.auth.signed_links import make_meeting_token, make_unsubscribe_token
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import directory, enrollments, unsubscribe
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict
from addin_server.services.meetings import booking_page_url
from tests.builders import World
from tests.conftest import FakeClock
from tests.integration.meetings.conftest import enroll, outbox, sequence_emails


def test_every_sequence_email_carries_its_unsubscribe_link_and_one_click_headers(
        services: ServiceContext, world: World) -> None:
    e = enroll(services, world)
    (row,) = sequence_emails(services, e["id"])
    (sent,) = outbox(services)
    url = f"https://sidebar.test/u/{row.unsubscribe_token}"
    assert sent.headers == {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert url in sent.body
    assert booking_page_url(services.settings, world.rep["id"], row.meeting_token) in sent.body
    assert sent.body.startswith("Hello there")  # the step's own text comes first
    # The row was recorded with the provider's ids once the email left.
    assert row.provider_message_id == f"local-{sent.id}" and row.thread_id == sent.thread_id
    assert row.rfc_message_id == sent.rfc_message_id


def test_each_sequence_email_has_its_own_tokens(services: ServiceContext, world: World, clock: FakeClock) -> None:
    from addin_server.worker.loop import run_due_steps

    e = enroll(services, world)
    for _ in range(2):
        clock.advance(days=3)
        run_due_steps(services)
    first, second = sequence_emails(services, e["id"])
    assert first.unsubscribe_token != second.unsubscribe_token
    assert first.meeting_token != second.meeting_token


@pytest.mark.parametrize("how", [
    pytest.param("page", id="the page's button unsubscribes and unenrolls with reason unsubscribed"),
    pytest.param("one_click", id="a mail client's one-click POST unsubscribes and unenrolls with reason unsubscribed"),
])
def test_unsubscribing(services: ServiceContext, world: World, how: str) -> None:
    e = enroll(services, world)
    (row,) = sequence_emails(services, e["id"])
    got = unsubscribe.unsubscribe(services, row.unsubscribe_token or "", how=how)
    assert got["already_unsubscribed"] is False and got["ended_enrollment_id"] == e["id"]
    after = enrollments.get_enrollment(services, world.admin, e["id"])
    assert (after["status"], after["end_reason"], after["end_surface"], after["end_actor"]) == (
        "unenrolled", "unsubscribed", "automatic", "contact")
    assert after["evidence"]["how"] == how and after["evidence"]["sequence_email_id"] == str(row.id)
    assert [ev["type"] for ev in after["events"]][-2:] == ["unsubscribed", "unenrolled"]
    assert directory.get_contact(services, world.admin, world.contact["id"])["unsubscribed"] is True
    assert enrollments.performance(services, world.admin, world.sequence["id"])["unsubscribes"] == 1


def test_a_second_unsubscribe_is_harmless(services: ServiceContext, world: World) -> None:
    e = enroll(services, world)
    token = sequence_emails(services, e["id"])[0].unsubscribe_token or ""
    unsubscribe.unsubscribe(services, token, how="one_click")
    events_before = _event_count(services)
    again = unsubscribe.unsubscribe(services, token, how="page")
    assert again["already_unsubscribed"] is True and again["ended_enrollment_id"] is None
    assert _event_count(services) == events_before
    assert enrollments.get_enrollment(services, world.admin, e["id"])["evidence"]["how"] == "one_click"


def test_an_unsubscribed_contact_cannot_be_enrolled_again(services: ServiceContext, world: World) -> None:
    e = enroll(services, world)
    unsubscribe.unsubscribe(services, sequence_emails(services, e["id"])[0].unsubscribe_token or "")
    with pytest.raises(Conflict) as refused:
        enroll(services, world)
    assert refused.value.code == "contact_unsubscribed"


def test_the_link_of_an_older_email_ends_the_contacts_current_enrollment(
        services: ServiceContext, world: World) -> None:
    first = enroll(services, world)
    old_token = sequence_emails(services, first["id"])[0].unsubscribe_token or ""
    enrollments.unenroll(services, world.admin, first["id"])
    current = enroll(services, world)
    unsubscribe.unsubscribe(services, old_token)
    assert enrollments.get_enrollment(services, world.admin, current["id"])["end_reason"] == "unsubscribed"
    assert enrollments.get_enrollment(services, world.admin, first["id"])["end_reason"] == "manual"


BAD_TOKENS = [
    pytest.param(lambda tok, s: tok[:-3] + ("AAA" if not tok.endswith("AAA") else "BBB"), id="a tampered token"),
    pytest.param(lambda tok, s: make_meeting_token("1", "1", s), id="a meeting token (made for another purpose)"),
    pytest.param(lambda tok, s: "not a token!", id="a malformed token"),
    pytest.param(lambda tok, s: make_unsubscribe_token("999999", s), id="a token for an email that does not exist"),
    pytest.param(lambda tok, s: "x" * 2000, id="an overlong token"),
]


@pytest.mark.parametrize("make_bad", BAD_TOKENS)
def test_bad_links_change_nothing(services: ServiceContext, world: World,
                                  make_bad: Callable[[str, Settings], str]) -> None:
    e = enroll(services, world)
    good = sequence_emails(services, e["id"])[0].unsubscribe_token or ""
    bad = make_bad(good, services.settings)
    events_before = _event_count(services)
    with pytest.raises(unsubscribe.BadLink):
        unsubscribe.describe_unsubscribe(services, bad)
    with pytest.raises(unsubscribe.BadLink):
        unsubscribe.unsubscribe(services, bad, how="one_click")
    assert _event_count(services) == events_before
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"


def _event_count(ctx: ServiceContext) -> int:
    with ctx.session() as s:
        return s.scalar(select(func.count()).select_from(t.EnrollmentEvent)) or 0


def test_two_simultaneous_unsubscribes_end_once(services: ServiceContext, world: World) -> None:
    import threading

    e = enroll(services, world)
    token = sequence_emails(services, e["id"])[0].unsubscribe_token or ""
    start = threading.Barrier(2)
    answers: list[bool] = []

    def click() -> None:
        start.wait()
        answers.append(unsubscribe.unsubscribe(services, token, how="one_click")["already_unsubscribed"])

    threads = [threading.Thread(target=click) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(answers) == [False, True]
    events = [ev["type"] for ev in enrollments.get_enrollment(services, world.admin, e["id"])["events"]]
    assert events.count("unsubscribed") == 1 and events.count("unenrolled") == 1
