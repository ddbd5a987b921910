"""Gmail watch -> inbound mail -> Pub/Sub push to our webhook, with a verifiable OIDC token."""

from __future__ import annotations

import base64
import json

import google.auth.transport.requests
import pytest
from google.oauth2 import id_token

TOPIC = "projects/acme/topics/gmail"
PUSH_ACCOUNT = "gmail-push@acme.iam.gserviceaccount.com"


@pytest.fixture
def watched(mailbox, control, receiver):
    """A mailbox watching INBOX whose pushes go to the receiver's /webhooks/gmail."""
    control.set_push(
        receiver.at("/webhooks/gmail"),
        address=mailbox.address,
        audience="https://addin.acme.example/webhooks/gmail",
        service_account=PUSH_ACCOUNT,
        subscription="projects/acme/subscriptions/gmail-push",
    )
    mailbox.gmail.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    return mailbox


def _data(push: dict) -> dict:
    return json.loads(base64.b64decode(json.loads(push["body"])["message"]["data"]))


def test_an_inbound_message_pushes_a_notification_with_a_verifiable_oidc_token(
    watched, control, receiver, read_fixture, read_json_fixture
):
    delivered = control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))

    deliveries = control.flush()

    assert [(d["kind"], d["status"], d["outcome"]) for d in deliveries] == [("pubsub", 204, "delivered")]
    [push] = receiver.received
    body = json.loads(push["body"])
    keys = read_json_fixture("pubsub-push-keys.json")
    assert sorted(body) == keys["body"] and sorted(body["message"]) == keys["message"]
    assert body["message"]["messageId"] == body["message"]["message_id"]
    assert body["subscription"] == "projects/acme/subscriptions/gmail-push"
    assert _data(push) == {"emailAddress": watched.address, "historyId": delivered["historyId"]}
    scheme, _, token = push["headers"]["Authorization"].partition(" ")
    claims = id_token.verify_token(
        token,
        google.auth.transport.requests.Request(),
        audience="https://addin.acme.example/webhooks/gmail",
        certs_url=control.certs_url,
    )
    assert scheme == "Bearer"
    assert (claims["iss"], claims["email"], claims["email_verified"]) == (
        "https://accounts.google.com",
        PUSH_ACCOUNT,
        True,
    )


def test_the_history_id_in_the_push_leads_to_the_new_message(watched, control, receiver, read_fixture):
    before = watched.gmail.users().getProfile(userId="me").execute()["historyId"]
    delivered = control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))
    control.flush()

    pushed_history_id = _data(receiver.received[0])["historyId"]
    history = watched.gmail.users().history().list(
        userId="me", startHistoryId=before, historyTypes=["messageAdded"], labelId="INBOX"
    ).execute()

    assert history["historyId"] == pushed_history_id
    assert [r["messagesAdded"][0]["message"]["id"] for r in history["history"]] == [delivered["id"]]


def test_sent_mail_is_not_pushed_when_the_watch_covers_only_the_inbox(watched, control, receiver, read_fixture):
    raw = base64.urlsafe_b64encode(read_fixture("sequence-step-1.eml")).decode()
    watched.gmail.users().messages().send(userId="me", body={"raw": raw}).execute()

    assert control.flush() == [] and receiver.received == []


def test_a_push_the_receiver_refuses_is_retried_after_backoff_and_then_delivered(
    watched, control, receiver, read_fixture
):
    receiver.answers.extend([503])
    control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))

    first = control.flush()
    too_early = control.flush()
    control.advance_clock(10)
    second = control.flush()

    assert [(d["status"], d["outcome"]) for d in first] == [(503, "queued")]
    assert too_early == []
    assert [(d["status"], d["outcome"], d["attempt"]) for d in second] == [(204, "delivered", 2)]
    first_body, second_body = (json.loads(r["body"]) for r in receiver.received)
    assert first_body["message"]["messageId"] == second_body["message"]["messageId"]


def test_a_push_is_abandoned_after_the_last_attempt(watched, control, receiver, read_fixture):
    receiver.answers.extend([500] * 5)
    control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))

    outcomes = []
    for _ in range(5):
        outcomes += [d["outcome"] for d in control.flush()]
        control.advance_clock(600)

    assert outcomes == ["queued"] * 4 + ["failed"]
    assert control.flush() == []


@pytest.mark.parametrize(
    ("action", "seconds", "pushes_now", "pushes_later"),
    [
        pytest.param("drop", 0, 0, 0, id="a dropped push never arrives"),
        pytest.param("duplicate", 0, 2, 0, id="a duplicated push arrives twice with one message id"),
        pytest.param("delay", 30, 0, 1, id="a delayed push arrives once the clock reaches it"),
    ],
)
def test_pushes_can_be_dropped_duplicated_or_delayed(
    watched, control, receiver, read_fixture, action, seconds, pushes_now, pushes_later
):
    control.notification_fault(action, count=1, seconds=seconds, kind="pubsub")
    control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))

    now = control.flush()
    control.advance_clock(seconds + 1)
    later = control.flush()

    assert (len(now), len(later)) == (pushes_now, pushes_later)
    assert len({json.loads(r["body"])["message"]["messageId"] for r in receiver.received}) <= 1


def test_no_push_arrives_once_the_watch_has_expired(watched, control, receiver, read_fixture):
    control.advance_clock(7 * 24 * 3600 + 1)

    control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))

    assert control.flush() == [] and control.watch_of(watched.address)["active"] is False


def test_the_background_delivery_mode_pushes_without_a_flush(watched, control, receiver, read_fixture):
    import time

    control.set_delivery("auto", interval=0.05)
    try:
        control.deliver(watched.address, read_fixture("reply-from-prospect.eml"))
        deadline = time.monotonic() + 5
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        control.set_delivery("manual")

    assert len(receiver.received) == 1


def test_the_push_data_can_carry_the_history_id_as_a_number(mailbox, control, receiver, read_fixture):
    control.set_push(receiver.at("/webhooks/gmail"), address=mailbox.address, numeric_history_id=True)
    mailbox.gmail.users().watch(userId="me", body={"topicName": TOPIC}).execute()
    delivered = control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))

    control.flush()

    assert _data(receiver.received[0])["historyId"] == int(delivered["historyId"])
