"""Every Gmail (and Calendar) response the emulator gives validates against the bundled discovery schemas."""

from __future__ import annotations

import base64

import pytest
from googleapiclient.http import BatchHttpRequest

from addin_emulator.google.conformance import DiscoverySchemas, check_recorded

GMAIL = DiscoverySchemas.bundled("gmail", "v1")
CALENDAR = DiscoverySchemas.bundled("calendar", "v3")
SCRIPTED_GMAIL_METHODS = {
    "gmail.users.getProfile",
    "gmail.users.messages.send",
    "gmail.users.messages.get",
    "gmail.users.messages.list",
    "gmail.users.threads.get",
    "gmail.users.history.list",
    "gmail.users.watch",
    "gmail.users.stop",
    "gmail.users.labels.list",
    "gmail.users.messages.attachments.get",
}


def _raw(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _gmail_session(box, control, read_fixture) -> None:
    """A provider's whole day on one mailbox: every Gmail call the providers make, in every format."""
    users = box.gmail.users()
    start = users.getProfile(userId="me").execute()["historyId"]
    users.labels().list(userId="me").execute()
    users.watch(userId="me", body={"topicName": "projects/acme/topics/gmail", "labelIds": ["INBOX"]}).execute()
    first = users.messages().send(userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}).execute()
    users.messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-2-threaded.eml")), "threadId": first["threadId"]}
    ).execute()
    users.messages().send(userId="me", body={"raw": _raw(read_fixture("sequence-step-1.eml"))}).execute()
    reply = control.deliver(box.address, read_fixture("reply-from-prospect.eml"))
    control.deliver(box.address, read_fixture("unrelated-newsletter.eml"))
    attached = control.deliver(box.address, read_fixture("reply-with-attachment.eml"))
    part = next(p for p in users.messages().get(userId="me", id=attached["id"]).execute()["payload"]["parts"]
                if p["filename"])
    users.messages().attachments().get(userId="me", messageId=attached["id"], id=part["body"]["attachmentId"]).execute()
    for message_id in (first["id"], reply["id"]):
        for fmt in ("minimal", "metadata", "full", "raw"):
            users.messages().get(userId="me", id=message_id, format=fmt).execute()
        users.messages().get(userId="me", id=message_id, format="metadata",
                             metadataHeaders=["From", "Subject", "Message-ID"]).execute()
    for fmt in ("minimal", "metadata", "full"):
        users.threads().get(userId="me", id=first["threadId"], format=fmt).execute()
    users.messages().list(userId="me", labelIds=["INBOX"]).execute()
    page = users.messages().list(userId="me", q="newer_than:2d", maxResults=2).execute()
    users.messages().list(userId="me", q="newer_than:2d", maxResults=2, pageToken=page["nextPageToken"]).execute()
    users.messages().list(userId="me", q="from:nobody@nowhere.example").execute()
    page = users.history().list(userId="me", startHistoryId=start, maxResults=2).execute()
    users.history().list(userId="me", startHistoryId=start, pageToken=page["nextPageToken"],
                         historyTypes=["messageAdded"], labelId="INBOX").execute()
    users.history().list(userId="me", startHistoryId=users.getProfile(userId="me").execute()["historyId"]).execute()
    batch = BatchHttpRequest(batch_uri=control.gmail_batch_uri)
    batch.add(users.messages().get(userId="me", id=first["id"], format="full"))
    batch.add(users.messages().get(userId="me", id=reply["id"], format="raw"))
    batch.execute()
    users.stop(userId="me").execute()


def _calendar_session(box, control, receiver, read_json_fixture) -> None:
    events = box.calendar.events()
    channel = events.watch(calendarId="primary", body={"id": "conformance-1", "type": "web_hook",
                                                        "address": receiver.at("/cal"), "token": "t"}).execute()
    meeting = events.insert(calendarId="primary", body=read_json_fixture("calendar-meeting-booked.json")).execute()
    events.insert(calendarId="primary", body=read_json_fixture("calendar-focus-block.json")).execute()
    events.get(calendarId="primary", eventId=meeting["id"]).execute()
    listed = events.list(calendarId="primary", maxResults=1).execute()
    listed = events.list(calendarId="primary", maxResults=1, pageToken=listed["nextPageToken"]).execute()
    events.delete(calendarId="primary", eventId=meeting["id"]).execute()
    events.list(calendarId="primary", syncToken=listed["nextSyncToken"]).execute()
    box.calendar.freebusy().query(body={"timeMin": "2026-12-02T00:00:00Z", "timeMax": "2026-12-03T00:00:00Z",
                                        "items": [{"id": "primary"}]}).execute()
    box.calendar.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()


def test_every_gmail_response_of_a_scripted_session_validates(mailbox, control, read_fixture):
    control.clear_requests()

    _gmail_session(mailbox, control, read_fixture)

    covered, problems = check_recorded(control.requests(), GMAIL, ("/gmail/", "/upload/gmail/"))
    assert problems == []
    assert covered == SCRIPTED_GMAIL_METHODS


def test_every_calendar_response_of_a_scripted_session_validates(mailbox, control, receiver, read_json_fixture):
    control.clear_requests()

    _calendar_session(mailbox, control, receiver, read_json_fixture)

    covered, problems = check_recorded(control.requests(), CALENDAR, ("/calendar/",))
    assert problems == []
    assert covered == {
        "calendar.events.watch", "calendar.events.insert", "calendar.events.get", "calendar.events.list",
        "calendar.events.delete", "calendar.freebusy.query", "calendar.channels.stop",
    }


def test_error_answers_use_google_s_error_shape(mailbox, control):
    mailbox.gmail.users().getProfile(userId="me").execute()
    control.clear_requests()
    control.inject_fault("/gmail/v1/users/*/labels", 503)
    for call in (
        mailbox.gmail.users().messages().get(userId="me", id="0000000000000000"),
        mailbox.gmail.users().history().list(userId="me", startHistoryId="1"),
        mailbox.gmail.users().labels().list(userId="me"),
    ):
        with pytest.raises(Exception):  # noqa: B017 - the shape of the recorded answer is what is checked
            call.execute()

    errors = [r["body"]["error"] for r in control.requests() if r["status"] >= 400]

    assert [e["code"] for e in errors] == [404, 404, 503]
    for error in errors:
        assert set(error) == {"code", "message", "errors", "status"}
        assert set(error["errors"][0]) == {"message", "domain", "reason"}


def _nonconforming_cases():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "fixtures" / "google" / "gmail-nonconforming-bodies.json"
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(c["schema"], c["body"], c["error"], id=c["id"]) for c in cases]


@pytest.mark.parametrize(("schema", "body", "error"), _nonconforming_cases())
def test_the_validator_rejects_bodies_gmail_could_not_have_sent(schema, body, error):
    problems = GMAIL.validate(body, schema)

    assert any(error in p for p in problems), problems
