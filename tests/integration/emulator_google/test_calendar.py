"""Google Calendar through google-api-python-client: events, sync tokens, channels and free/busy."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError


def _insert(mailbox, event: dict) -> dict:
    return mailbox.calendar.events().insert(calendarId="primary", body=event).execute()


def _list_all(mailbox, **params) -> tuple[list[dict], str]:
    items, token = [], None
    while True:
        page = mailbox.calendar.events().list(calendarId="primary", pageToken=token, **params).execute()
        items += page["items"]
        token = page.get("nextPageToken")
        if not token:
            return items, page["nextSyncToken"]


def test_an_inserted_event_is_listed_with_a_sync_token(mailbox, read_json_fixture):
    meeting = _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))

    items, sync_token = _list_all(mailbox)

    assert [e["id"] for e in items] == [meeting["id"]]
    assert meeting["status"] == "confirmed" and meeting["kind"] == "calendar#event"
    assert {a["email"]: a["responseStatus"] for a in meeting["attendees"]} == {
        "riley@acme-sales.example": "accepted",
        "pat@prospect.example": "needsAction",
    }
    assert sync_token


def test_a_sync_token_brings_only_what_changed_including_cancellations(mailbox, read_json_fixture):
    focus = _insert(mailbox, read_json_fixture("calendar-focus-block.json"))
    _, sync_token = _list_all(mailbox, maxResults=1)
    meeting = _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))
    mailbox.calendar.events().delete(calendarId="primary", eventId=focus["id"]).execute()

    changed, next_token = _list_all(mailbox, syncToken=sync_token)
    unchanged, _ = _list_all(mailbox, syncToken=next_token)

    assert [(e["id"], e["status"]) for e in changed] == [(meeting["id"], "confirmed"), (focus["id"], "cancelled")]
    assert unchanged == []


def test_full_listing_pages_and_hides_cancelled_events(mailbox, read_json_fixture):
    events = [_insert(mailbox, read_json_fixture("calendar-meeting-booked.json")) for _ in range(3)]
    mailbox.calendar.events().delete(calendarId="primary", eventId=events[0]["id"]).execute()

    items, _ = _list_all(mailbox, maxResults=1)

    assert [e["id"] for e in items] == [events[1]["id"], events[2]["id"]]


def test_an_invalidated_sync_token_answers_410_and_a_full_sync_recovers(mailbox, control, read_json_fixture):
    meeting = _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))
    _, sync_token = _list_all(mailbox)
    control.invalidate_sync_tokens(mailbox.address)

    with pytest.raises(HttpError) as caught:
        mailbox.calendar.events().list(calendarId="primary", syncToken=sync_token).execute()

    assert caught.value.status_code == 410
    assert caught.value.error_details[0]["reason"] == "fullSyncRequired"
    items, fresh_token = _list_all(mailbox)
    assert [e["id"] for e in items] == [meeting["id"]]
    assert _list_all(mailbox, syncToken=fresh_token)[0] == []


def test_a_sync_token_with_a_time_window_is_refused(mailbox):
    _, sync_token = _list_all(mailbox)
    with pytest.raises(HttpError) as caught:
        mailbox.calendar.events().list(
            calendarId="primary", syncToken=sync_token, timeMin="2026-01-01T00:00:00Z"
        ).execute()
    assert caught.value.status_code == 400


def test_a_watch_channel_gets_sync_then_exists_notifications(mailbox, control, receiver, read_json_fixture):
    channel = mailbox.calendar.events().watch(
        calendarId="primary",
        body={"id": "channel-riley-1", "type": "web_hook", "address": receiver.at("/webhooks/google-calendar"),
              "token": "account=7"},
    ).execute()
    _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))
    control.add_calendar_event(mailbox.address, read_json_fixture("calendar-focus-block.json"))

    deliveries = control.flush()

    assert [d["kind"] for d in deliveries] == ["calendar"] * 3
    headers = [r["headers"] for r in receiver.received]
    assert [(h["X-Goog-Resource-State"], h["X-Goog-Message-Number"]) for h in headers] == [
        ("sync", "1"), ("exists", "2"), ("exists", "3"),
    ]
    for h in headers:
        assert h["X-Goog-Channel-Id"] == "channel-riley-1" and h["X-Goog-Channel-Token"] == "account=7"
        assert h["X-Goog-Resource-Id"] == channel["resourceId"]
        assert h["X-Goog-Resource-Uri"] == channel["resourceUri"]
    assert channel["expiration"].isdigit()


def test_a_stopped_channel_gets_nothing_more(mailbox, control, receiver, read_json_fixture):
    channel = mailbox.calendar.events().watch(
        calendarId="primary", body={"id": "channel-stop-1", "type": "web_hook", "address": receiver.at("/cal")}
    ).execute()
    control.flush()

    mailbox.calendar.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()
    _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))

    assert control.flush() == []
    with pytest.raises(HttpError) as caught:
        mailbox.calendar.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()
    assert caught.value.status_code == 404


def test_free_busy_reports_the_busy_periods_inside_the_window(mailbox, read_json_fixture):
    _insert(mailbox, read_json_fixture("calendar-focus-block.json"))
    _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))

    answer = mailbox.calendar.freebusy().query(
        body={"timeMin": "2026-12-02T10:00:00Z", "timeMax": "2026-12-02T18:00:00Z",
              "items": [{"id": "primary"}, {"id": "nobody@elsewhere.example"}]}
    ).execute()

    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T11:00:00Z"},
        {"start": "2026-12-02T15:00:00Z", "end": "2026-12-02T15:30:00Z"},
    ]
    assert answer["calendars"]["nobody@elsewhere.example"]["errors"] == [{"domain": "global", "reason": "notFound"}]


def test_a_rescheduled_event_comes_back_through_the_sync_token(mailbox, read_json_fixture):
    meeting = _insert(mailbox, read_json_fixture("calendar-meeting-booked.json"))
    _, sync_token = _list_all(mailbox)

    moved = mailbox.calendar.events().patch(
        calendarId="primary", eventId=meeting["id"],
        body={"start": {"dateTime": "2026-12-03T15:00:00Z"}, "end": {"dateTime": "2026-12-03T15:30:00Z"}},
    ).execute()
    changed, _ = _list_all(mailbox, syncToken=sync_token)

    assert [(e["id"], e["start"]["dateTime"]) for e in changed] == [(meeting["id"], "2026-12-03T15:00:00Z")]
    assert moved["etag"] != meeting["etag"] and moved["summary"] == meeting["summary"]
    fetched = mailbox.calendar.events().get(calendarId="primary", eventId=meeting["id"]).execute()
    assert fetched == moved


def test_another_mailbox_s_calendar_is_not_visible(mailbox):
    with pytest.raises(HttpError) as caught:
        mailbox.calendar.events().list(calendarId="someone-else@acme-sales.example").execute()
    assert caught.value.status_code == 404
