"""Hypothesis over the webhook bodies and the Gmail add-on's event objects.

Each target is sent with genuine credentials (so the fuzzing reaches past authentication) and
random bodies, items, headers and event fields. Whatever arrives: no server error, and nothing is
persisted for input that is not a genuine notification or action.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin_server.auth.client_state import issue_client_state
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import World, follow_outlook_inbox
from tests.fuzz.limits import fuzzing
from tests.security.conftest import row_counts
from tests.security.credentials import Credentials

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
TEXTISH = st.text(max_size=60) | st.sampled_from(["", "0", "-1", "99999999999999999999999", "1e400", "null",
                                                    "../../etc/passwd", "\x00", "%00", "' OR 1=1 --"])
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
ANY_VALUE = JSON | TEXTISH


def _b64(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


PUSH_DATA = st.one_of(
    st.builds(lambda v: _b64(v), JSON),
    st.builds(lambda a, h: _b64({"emailAddress": a, "historyId": h}), ANY_VALUE, ANY_VALUE),
    st.builds(lambda a, h: _b64({"emailAddress": a, "historyId": h}), st.emails(), st.integers()),
    TEXTISH,
)
PUSH_BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries({"message": st.fixed_dictionaries(
        {"data": PUSH_DATA}, optional={"messageId": ANY_VALUE, "message_id": ANY_VALUE,
                                       "attributes": JSON, "publishTime": ANY_VALUE})},
        optional={"subscription": ANY_VALUE, "deliveryAttempt": ANY_VALUE}),
)


def _graph_item(subscription: str) -> st.SearchStrategy[Any]:
    return st.one_of(JSON, st.fixed_dictionaries(
        {"subscriptionId": st.sampled_from([subscription, "sub-unknown"]) | TEXTISH, "clientState": ANY_VALUE},
        optional={"changeType": ANY_VALUE, "resource": ANY_VALUE, "resourceData": JSON, "tenantId": ANY_VALUE,
                  "lifecycleEvent": ANY_VALUE, "subscriptionExpirationDateTime": ANY_VALUE}))


@pytest.fixture
def followed(services: ServiceContext, world: World) -> str:
    """Otto's Outlook inbox is subscribed (so random items can name a real subscription)."""
    follow_outlook_inbox(services, world, "sub-acme")
    return "sub-acme"


def test_random_pubsub_push_bodies_never_cause_a_server_error_or_a_stored_notification(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    token = creds.pubsub()
    before = row_counts(services)

    @given(body=PUSH_BODIES, content_type=st.sampled_from(["application/json", "text/plain", "", "application/x-www-form-urlencoded"]))
    @fuzzing()
    def push(body: Any, content_type: str) -> None:
        r = client.post("/webhooks/gmail", data=json.dumps(body), content_type=content_type or None,
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code < 500 and r.status_code in (204, 400, 413, 415), r.status_code
        assert row_counts(services) == before

    push()


def test_random_headers_on_the_gmail_webhook_are_refused_and_store_nothing(
        client: Any, services: ServiceContext) -> None:
    before = row_counts(services)

    @given(authorization=st.one_of(HEADER_TEXT, st.builds(lambda t: f"Bearer {t}", HEADER_TEXT)),
           extra=st.dictionaries(st.sampled_from(["X-Goog-Channel-Token", "Content-Encoding", "X-Forwarded-Host",
                                                  "X-Forwarded-Proto", "Host", "Accept"]), HEADER_TEXT, max_size=3))
    @fuzzing()
    def push(authorization: str, extra: dict[str, str]) -> None:
        r = client.post("/webhooks/gmail", json={"message": {"data": _b64({"emailAddress": "rita@acme.test",
                                                                           "historyId": "7"}), "messageId": "x"}},
                        headers={"Authorization": authorization, **extra})
        assert r.status_code in (400, 401, 403, 415), r.status_code
        assert row_counts(services) == before

    push()


@pytest.mark.parametrize("path", ["/webhooks/graph", "/webhooks/graph/lifecycle"])
def test_random_graph_items_never_cause_a_server_error_or_a_stored_notification(
        client: Any, services: ServiceContext, followed: str, path: str) -> None:
    before = row_counts(services)

    @given(body=st.one_of(JSON, st.fixed_dictionaries({"value": st.lists(_graph_item(followed), max_size=5)})),
           query=st.dictionaries(st.sampled_from(["validationToken", "tenant", "x"]), TEXTISH, max_size=1),
           content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=utf-8"]))
    @fuzzing()
    def notify(body: Any, query: dict[str, str], content_type: str) -> None:
        r = client.post(path, data=json.dumps(body), content_type=content_type, query_string=query)
        assert r.status_code in (200, 202, 400, 413, 415), r.status_code
        assert row_counts(services) == before

    notify()


ACTIONS = st.sampled_from(["confirm_unenroll", "unenroll", "cancel", "refresh"]) | st.text(
    st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=20)


def _event(creds: Credentials, email: str, common: Any, gmail: Any, authorization: Any) -> dict[str, Any]:
    event: dict[str, Any] = creds.addon_event(creds.addon_user(email))
    event["commonEventObject"] = common if not isinstance(common, dict) else {**event["commonEventObject"], **common}
    event["gmail"] = gmail
    if isinstance(authorization, dict):
        event["authorizationEventObject"] = {**event["authorizationEventObject"], **authorization}
    return event


COMMON = JSON | st.fixed_dictionaries({}, optional={
    "parameters": st.dictionaries(st.sampled_from(["enrollment_id", "view", "page", "email"]) | st.text(max_size=8),
                                  ANY_VALUE, max_size=4),
    "timeZone": JSON, "userLocale": ANY_VALUE, "hostApp": ANY_VALUE, "formInputs": JSON})
GMAIL = JSON | st.fixed_dictionaries({}, optional={
    "toRecipients": st.lists(TEXTISH | st.emails(), max_size=60) | ANY_VALUE,
    "ccRecipients": st.lists(TEXTISH | st.emails(), max_size=5) | ANY_VALUE,
    "bccRecipients": ANY_VALUE, "messageId": ANY_VALUE, "threadId": ANY_VALUE, "accessToken": ANY_VALUE})
AUTHORIZATION = JSON | st.fixed_dictionaries({}, optional={"userIdToken": ANY_VALUE, "userOAuthToken": ANY_VALUE})


def test_random_add_on_events_never_cause_a_server_error_or_change_anything(
        client: Any, services: ServiceContext, world: World, creds: Credentials) -> None:
    # One genuine request first: a rep's first add-on use may record who they are.
    first = creds.addon_event(creds.addon_user(world.rep["email"]))
    assert client.post("/gmail/homepage", json=first,
                       headers={"Authorization": f"Bearer {creds.addon_system('/gmail/homepage')}"}).status_code == 200
    before = row_counts(services)

    @given(endpoint=st.sampled_from(["/gmail/homepage", "/gmail/compose", "/gmail/message"]) | ACTIONS.map(
        lambda name: f"/gmail/actions/{name}"),
           common=COMMON, gmail=GMAIL, authorization=AUTHORIZATION | st.none())
    @fuzzing()
    def press(endpoint: str, common: Any, gmail: Any, authorization: Any) -> None:
        event = _event(creds, world.rep["email"], common, gmail, authorization)
        r = client.post(endpoint, json=event, headers={"Authorization": f"Bearer {creds.addon_system(endpoint)}"})
        assert r.status_code < 500, (endpoint, r.status_code, r.get_data(as_text=True)[:300])
        assert r.status_code in (200, 400, 401, 403, 404, 413), r.status_code
        assert row_counts(services) == before

    press()


def test_random_event_documents_on_the_add_on_never_cause_a_server_error(
        client: Any, services: ServiceContext, creds: Credentials) -> None:
    before = row_counts(services)

    @given(body=JSON, endpoint=st.sampled_from(["/gmail/compose", "/gmail/actions/unenroll"]))
    @fuzzing()
    def post(body: Any, endpoint: str) -> None:
        r = client.post(endpoint, json=body, headers={"Authorization": f"Bearer {creds.addon_system(endpoint)}"})
        assert r.status_code in (200, 400, 401, 403), r.status_code
        assert row_counts(services) == before

    post()


@pytest.fixture
def channel(services: ServiceContext, world: World) -> str:
    """Rita's Google Calendar is watched through channel chan-acme; returns the channel's token."""
    issued = issue_client_state(services.settings)
    with services.session() as s:
        s.add(t.CalendarWatch(account_id=world.account_id, user_id=int(world.rep["id"]), provider="gmail",
                              mailbox_address=world.rep["mailbox_address"], channel_id="chan-acme",
                              channel_token_hash=issued.stored_hash))
    return issued.secret


def test_random_calendar_channel_headers_never_cause_a_server_error_or_a_stored_notification(
        client: Any, services: ServiceContext, channel: str) -> None:
    before = row_counts(services)
    header_names = ["X-Goog-Channel-ID", "X-Goog-Channel-Token", "X-Goog-Resource-State",
                    "X-Goog-Message-Number", "X-Goog-Resource-ID", "X-Goog-Channel-Expiration"]

    @given(headers=st.fixed_dictionaries({}, optional={
        name: HEADER_TEXT | st.sampled_from(["chan-acme", "exists", "sync", "not_exists", "7", "-1", ""])
        for name in header_names}), body=st.binary(max_size=200))
    @fuzzing()
    def notify(headers: dict[str, str], body: bytes) -> None:
        # A genuine token would make "exists" a real notification: that is the control group's job.
        if headers.get("X-Goog-Channel-Token") == channel:
            headers = {**headers, "X-Goog-Channel-Token": channel + "x"}
        r = client.post("/webhooks/google-calendar", data=body, headers=headers)
        assert r.status_code in (200, 400, 403, 404), r.status_code
        assert row_counts(services) == before

    notify()


def test_a_genuine_calendar_notification_is_kept_once(client: Any, services: ServiceContext, channel: str) -> None:
    """The control group: the genuine channel and token get through, and a repeat is not kept twice."""
    before = row_counts(services)["inbound_notifications"]
    headers = {"X-Goog-Channel-ID": "chan-acme", "X-Goog-Channel-Token": channel,
               "X-Goog-Resource-State": "exists", "X-Goog-Message-Number": "8"}
    assert client.post("/webhooks/google-calendar", headers=headers).status_code == 200
    assert client.post("/webhooks/google-calendar", headers=headers).status_code == 200
    assert row_counts(services)["inbound_notifications"] == before + 1
