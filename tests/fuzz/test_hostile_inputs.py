"""Inputs a client can send that once answered 500: each now gets a clear 4xx and changes nothing,
on SQLite and on PostgreSQL. One case per sentence of the product's promise; hypothesis then
varies the same inputs (NUL and other control characters, malformed addresses, non-ASCII digits,
far-future times) across the operations they reach."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.fuzz.limits import fuzzing
from tests.security.conftest import row_counts
from tests.web.app.conftest import sign_in

FAR_FUTURE = "9999-12-31T23:59:59-14:00"  # past datetime.max once written in UTC
NESTED = "[" * 100_000


def _enroll(services: ServiceContext, world: World) -> str:
    return str(enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"],
                                  contact_id=world.contact["id"], sender_user_id=world.rep["id"])["id"])


def _refused_and_unchanged(services: ServiceContext, send: Any, *statuses: int) -> Any:
    before = row_counts(services)
    response = send()
    assert response.status_code in (statuses or (400, 404, 409, 422)), (response.status_code, response.data[:300])
    if response.is_json and response.status_code >= 400 and response.json and "error" in response.json:
        assert response.json["error"]["message"]
    assert row_counts(services) == before
    return response


# --- one case per promise --------------------------------------------------------------------


def test_a_newline_in_next_on_sign_in_after_the_session_started_goes_to_the_app_not_a_500(
        client: Any, world: World) -> None:
    sign_in(client, world.rep["id"], world.account_id)
    for target in ("/app/contacts%0d%0aSet-Cookie:%20x=1", "/app/%0a", "/app/%09/x", "/app/x%0d"):
        response = client.get(f"/app/sign-in?next={target}")
        assert response.status_code == 302
        assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
        assert response.headers["Location"].startswith("/app/")


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/enrollments", "/api/v1/recipients/status",
                                  "/api/v1/meetings", "/webhooks/graph", "/webhooks/gmail", "/gmail/homepage"])
def test_a_json_body_nested_a_hundred_thousand_deep_is_a_400(
        client: Any, services: ServiceContext, world: World, path: str) -> None:
    _refused_and_unchanged(services, lambda: client.post(path, data=NESTED, content_type="application/json",
                                                         headers=world.headers), 400, 401, 403)


def test_pausing_until_the_last_second_of_year_9999_west_of_utc_is_a_422(
        client: Any, services: ServiceContext, world: World) -> None:
    eid = _enroll(services, world)
    response = _refused_and_unchanged(services, lambda: client.post(
        f"/api/v1/enrollments/{eid}/pause", json={"until": FAR_FUTURE}, headers=world.headers), 422)
    assert "until" in response.json["error"]["message"]


def test_a_meeting_at_the_last_second_of_year_9999_west_of_utc_is_a_422(
        client: Any, services: ServiceContext, world: World) -> None:
    _enroll(services, world)
    _refused_and_unchanged(services, lambda: client.post("/api/v1/meetings", json={
        "contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"], "start_time": FAR_FUTURE},
        headers=world.headers), 422)


def test_a_meeting_that_ends_before_it_starts_is_a_422(client: Any, services: ServiceContext, world: World) -> None:
    _enroll(services, world)
    response = _refused_and_unchanged(services, lambda: client.post("/api/v1/meetings", json={
        "contact_id": world.contact["id"], "logged_by_user_id": world.rep["id"],
        "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T09:30:00Z"}, headers=world.headers), 422)
    assert "end" in response.json["error"]["message"]


@pytest.mark.parametrize("body", [
    pytest.param({"email": "nul\x00@globex.test"}, id="a NUL in a contact's address"),
    pytest.param({"email": "ok@globex.test", "first_name": "Ja\x00ne"}, id="a NUL in a contact's name"),
    pytest.param({"email": "ok@globex.test", "secondary_emails": ["x\x00@y.test"]}, id="a NUL in a second address"),
])
def test_a_nul_in_a_contact_is_a_400(client: Any, services: ServiceContext, world: World, body: dict[str, Any]) -> None:
    response = _refused_and_unchanged(services, lambda: client.post("/api/v1/contacts", json=body,
                                                                    headers=world.headers), 400)
    assert "NUL" in response.json["error"]["message"]


def test_a_nul_in_a_company_or_rep_is_a_400(client: Any, services: ServiceContext, world: World) -> None:
    _refused_and_unchanged(services, lambda: client.post(
        "/api/v1/companies", json={"name": "Glo\x00bex", "domains": ["globex2.test"]}, headers=world.headers), 400)
    _refused_and_unchanged(services, lambda: client.post("/api/v1/users", json={
        "email": "n@acme.test", "name": "N\x00", "mailbox_provider": "gmail"}, headers=world.headers), 400)


@pytest.mark.parametrize("query", ["email=a%00b@globex.test", "email=jane.doe@globex-acme.test&email=%00"])
def test_a_nul_in_a_recipients_status_query_is_a_400(client: Any, services: ServiceContext, world: World,
                                                    query: str) -> None:
    _refused_and_unchanged(services, lambda: client.get(f"/api/v1/recipients/status?{query}",
                                                        headers=world.headers), 400)
    _refused_and_unchanged(services, lambda: client.post(
        "/api/v1/recipients/status", json={"emails": ["a\x00@x.test"]}, headers=world.headers), 400)


def test_a_nul_in_a_web_app_form_or_an_add_in_query_is_a_400(client: Any, services: ServiceContext,
                                                             world: World) -> None:
    sign_in(client, world.rep["id"], world.account_id)
    _refused_and_unchanged(services, lambda: client.post("/app/settings", data={"soft_bounce_threshold": "3\x00"}),
                           400)
    _refused_and_unchanged(services, lambda: client.get("/app/sequences?q=%00"), 400)


@pytest.mark.parametrize("address", ["a@x..com", "a@[127.0.0.1]", "a@.x.com", "a@x..", "a@-x.com", "a@x-.com",
                                     "a@x.123", "a\x01b@x.com",
                                     "a@x", "a b@x.com", "@x.com", "a@@x.com"])
def test_an_address_no_mail_can_reach_is_refused_as_a_contact_and_a_rep(
        client: Any, services: ServiceContext, world: World, address: str) -> None:
    _refused_and_unchanged(services, lambda: client.post("/api/v1/contacts", json={"email": address},
                                                         headers=world.headers), 422)
    _refused_and_unchanged(services, lambda: client.post("/api/v1/users", json={
        "email": address, "mailbox_provider": "gmail"}, headers=world.headers), 422)


@pytest.mark.parametrize("written", ["\u0661", "\u0967", "\uff11", " 1", "1_0", "+1", "1 "])
def test_an_id_written_other_than_in_ascii_digits_names_nothing(
        client: Any, services: ServiceContext, world: World, written: str) -> None:
    # Contact 1 exists: "١" (Arabic-Indic one) or "１" must not find it.
    for path in (f"/api/v1/contacts/{written}", f"/api/v1/sequences/{written}", f"/api/v1/enrollments/{written}"):
        _refused_and_unchanged(services, lambda p=path: client.get(p, headers=world.headers), 404)
    _refused_and_unchanged(services, lambda: client.post("/api/v1/enrollments", json={
        "sequence_id": written, "contact_id": world.contact["id"], "sender_user_id": world.rep["id"]},
        headers=world.headers), 404, 422)


# --- the same inputs, varied -----------------------------------------------------------------

CONTROL = st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\u0000x", "\ud7ff\x00"])
TEXT_WITH_CONTROL = st.builds(lambda a, c, b: a + c + b, st.text(max_size=20), CONTROL, st.text(max_size=20))


def test_random_names_and_addresses_with_control_characters_never_cause_a_server_error(
        client: Any, services: ServiceContext, world: World) -> None:
    @given(name=TEXT_WITH_CONTROL, address=st.one_of(TEXT_WITH_CONTROL, st.emails().map(lambda e: "\x00" + e)))
    @fuzzing()
    def send(name: str, address: str) -> None:
        for response in (
            client.post("/api/v1/contacts", json={"email": address, "first_name": name}, headers=world.headers),
            client.post("/api/v1/contacts", json={"email": "ok@globex.test", "last_name": name}, headers=world.headers),
            client.post("/api/v1/companies", json={"name": name}, headers=world.headers),
            client.post("/api/v1/recipients/status", json={"emails": [address]}, headers=world.headers),
            client.get("/api/v1/recipients/status", query_string={"email": address}, headers=world.headers),
        ):
            assert response.status_code < 500, response.data[:300]

    send()


def test_random_far_times_never_cause_a_server_error(client: Any, services: ServiceContext, world: World) -> None:
    eid = _enroll(services, world)

    @given(when=st.datetimes(min_value=__import__("datetime").datetime(9999, 12, 30)).map(
        lambda d: d.isoformat() + "-14:00"))
    @fuzzing()
    def send(when: str) -> None:
        for response in (
            client.post(f"/api/v1/enrollments/{eid}/pause", json={"until": when}, headers=world.headers),
            client.post("/api/v1/meetings", json={"contact_id": world.contact["id"],
                                                  "logged_by_user_id": world.rep["id"], "start_time": when},
                        headers=world.headers),
        ):
            assert response.status_code < 500, response.data[:300]

    send()


def test_a_nul_in_the_mailbox_to_simulate_is_refused_while_the_raw_message_may_hold_any_byte(
        client: Any, services: ServiceContext, world: World) -> None:
    _refused_and_unchanged(services, lambda: client.post("/api/v1/inbound/simulate", json={
        "mailbox": "rita\x00@acme.test", "raw": "Subject: hi\r\n\r\nhello"}, headers=world.headers), 404, 422)
    kept = client.post("/api/v1/inbound/simulate", json={
        "mailbox": world.rep["mailbox_address"], "raw": "Subject: hi\r\n\r\nhel\x00lo"}, headers=world.headers)
    assert kept.status_code == 200
