"""History records, their paging and expiry, and watch/stop through google-api-python-client."""

from __future__ import annotations

import base64

import pytest
from googleapiclient.errors import HttpError


def _send(mailbox, data: bytes) -> dict:
    raw = base64.urlsafe_b64encode(data).decode()
    return mailbox.gmail.users().messages().send(userId="me", body={"raw": raw}).execute()


def _all_history(mailbox, start: str, **params) -> list[dict]:
    records, token = [], None
    while True:
        page = mailbox.gmail.users().history().list(
            userId="me", startHistoryId=start, pageToken=token, **params
        ).execute()
        records += page.get("history", [])
        token = page.get("nextPageToken")
        if not token:
            return records


def test_history_pages_through_every_added_message_in_order(mailbox, control, read_fixture):
    start = mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]
    delivered = [control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml")) for _ in range(5)]

    records = _all_history(mailbox, start, historyTypes=["messageAdded"], maxResults=2)

    assert [r["messagesAdded"][0]["message"]["id"] for r in records] == [d["id"] for d in delivered]
    ids = [int(r["id"]) for r in records]
    assert ids == sorted(ids) and ids[0] > int(start)


def test_history_filtered_on_inbox_leaves_out_sent_mail(mailbox, control, read_fixture):
    start = mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]
    _send(mailbox, read_fixture("sequence-step-1-with-message-id.eml"))
    reply = control.deliver(mailbox.address, read_fixture("reply-from-prospect.eml"))

    inbox = _all_history(mailbox, start, labelId="INBOX", historyTypes=["messageAdded"])
    everything = _all_history(mailbox, start)

    assert [r["messagesAdded"][0]["message"]["id"] for r in inbox] == [reply["id"]]
    assert inbox[0]["messagesAdded"][0]["message"]["labelIds"] == ["INBOX", "UNREAD"]
    assert len(everything) == 2


def test_history_from_the_current_id_is_empty_but_names_the_current_id(mailbox):
    current = mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]

    page = mailbox.gmail.users().history().list(userId="me", startHistoryId=current).execute()

    assert page == {"historyId": current}


def test_an_expired_history_id_answers_404_and_a_fresh_one_still_works(mailbox, control, read_fixture):
    old = mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]
    control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))
    control.expire_history(mailbox.address)

    with pytest.raises(HttpError) as caught:
        mailbox.gmail.users().history().list(userId="me", startHistoryId=old).execute()

    assert caught.value.status_code == 404
    assert caught.value.error_details[0]["reason"] == "notFound"
    fresh = mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]
    later = control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))
    records = _all_history(mailbox, fresh)
    assert [r["messages"][0]["id"] for r in records] == [later["id"]]


def test_watch_answers_the_current_history_id_and_an_expiry_seven_days_ahead(mailbox, control):
    now_ms = control.advance_clock(0)

    answer = mailbox.gmail.users().watch(
        userId="me", body={"topicName": "projects/acme/topics/gmail", "labelIds": ["INBOX"]}
    ).execute()

    profile = mailbox.gmail.users().getProfile(userId="me").execute()
    assert answer["historyId"] == profile["historyId"]
    seven_days_ms = 7 * 24 * 3600 * 1000
    assert 0 <= int(answer["expiration"]) - now_ms - seven_days_ms < 60_000
    assert control.watch_of(mailbox.address)["labelIds"] == ["INBOX"]


def test_stop_ends_the_watch(mailbox, control):
    mailbox.gmail.users().watch(userId="me", body={"topicName": "projects/acme/topics/gmail"}).execute()

    assert mailbox.gmail.users().stop(userId="me").execute() == ""
    assert control.watch_of(mailbox.address) is None


def test_a_watch_on_a_malformed_topic_is_refused(mailbox):
    with pytest.raises(HttpError) as caught:
        mailbox.gmail.users().watch(userId="me", body={"topicName": "gmail-topic"}).execute()
    assert caught.value.status_code == 400


def test_history_from_a_cursor_in_the_middle_lists_only_what_came_after_it(mailbox, control, read_fixture):
    first = [control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml")) for _ in range(4)]
    later = [control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml")) for _ in range(3)]

    records = _all_history(mailbox, first[-1]["historyId"], historyTypes=["messageAdded"], maxResults=2)

    assert [r["messagesAdded"][0]["message"]["id"] for r in records] == [m["id"] for m in later]
