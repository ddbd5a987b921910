"""Sending, reading, listing and threading Gmail messages through google-api-python-client."""

from __future__ import annotations

import base64
import email
import email.policy

import pytest
from googleapiclient.errors import HttpError


def _raw(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _headers(message: dict) -> dict[str, str]:
    return {h["name"]: h["value"] for h in message["payload"]["headers"]}


def test_a_sent_sequence_email_gets_ids_a_sent_label_and_a_message_id_header(mailbox, read_fixture, control):
    sent = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1.eml"))}
    ).execute()

    assert sent["labelIds"] == ["SENT"]
    assert sent["threadId"] == sent["id"]
    full = mailbox.gmail.users().messages().get(userId="me", id=sent["id"], format="full").execute()
    headers = _headers(full)
    assert headers["Message-ID"].startswith("<") and headers["Message-ID"].endswith("@mail.gmail.com>")
    assert headers["Subject"] == "Quick question about your onboarding"
    assert "Date" in headers
    stored = control.messages(mailbox.address, label="SENT")
    assert [(m["id"], m["threadId"], m["messageIdHeader"]) for m in stored] == [
        (sent["id"], sent["threadId"], headers["Message-ID"])
    ]


def test_a_message_id_the_sender_chose_is_kept(mailbox, read_fixture):
    sent = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}
    ).execute()

    metadata = mailbox.gmail.users().messages().get(
        userId="me", id=sent["id"], format="metadata", metadataHeaders=["Message-ID"]
    ).execute()

    assert metadata["payload"]["headers"] == [
        {"name": "Message-ID", "value": "<step1.enrollment-42@sequence-sidebar.example>"}
    ]
    assert "parts" not in metadata["payload"] and "body" not in metadata["payload"]


@pytest.mark.parametrize(
    ("fmt", "present", "absent"),
    [
        pytest.param("raw", {"raw"}, {"payload"}, id="raw format returns the whole RFC 822 message"),
        pytest.param("full", {"payload"}, {"raw"}, id="full format returns the parsed payload"),
        pytest.param("metadata", {"payload"}, {"raw"}, id="metadata format returns headers only"),
        pytest.param("minimal", set(), {"raw", "payload"}, id="minimal format returns ids and labels only"),
    ],
)
def test_each_format_returns_what_gmail_returns(mailbox, read_fixture, fmt, present, absent):
    sent = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}
    ).execute()

    message = mailbox.gmail.users().messages().get(userId="me", id=sent["id"], format=fmt).execute()

    assert present <= set(message) and not absent & set(message)
    assert {"id", "threadId", "labelIds", "snippet", "sizeEstimate", "historyId", "internalDate"} <= set(message)
    assert message["internalDate"].isdigit() and message["historyId"].isdigit()


def test_raw_format_returns_the_sent_bytes_with_gmail_s_added_headers(mailbox, read_fixture):
    original = read_fixture("sequence-step-1-with-message-id.eml")
    sent = mailbox.gmail.users().messages().send(userId="me", body={"raw": _raw(original)}).execute()

    raw = mailbox.gmail.users().messages().get(userId="me", id=sent["id"], format="raw").execute()["raw"]

    assert base64.urlsafe_b64decode(raw) == original


def test_full_format_of_a_multipart_reply_has_parts_with_decoded_bodies(mailbox, control, read_fixture):
    delivered = control.deliver(mailbox.address, read_fixture("reply-from-prospect.eml"))

    full = mailbox.gmail.users().messages().get(userId="me", id=delivered["id"]).execute()

    payload = full["payload"]
    assert payload["mimeType"] == "multipart/alternative" and payload["partId"] == ""
    assert [p["partId"] for p in payload["parts"]] == ["0", "1"]
    text = base64.urlsafe_b64decode(payload["parts"][0]["body"]["data"]).decode()
    assert "happy with our current vendor" in text
    assert full["labelIds"] == ["INBOX", "UNREAD"]
    assert full["snippet"].startswith("Hi Riley, Thanks, but we&#39;re happy")


def test_a_reply_lands_in_the_thread_of_the_sequence_email_it_answers(mailbox, control, read_fixture):
    sent = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}
    ).execute()

    reply = control.deliver(mailbox.address, read_fixture("reply-from-prospect.eml"))
    other = control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))

    assert reply["threadId"] == sent["threadId"]
    assert other["threadId"] == other["id"] != sent["threadId"]
    thread = mailbox.gmail.users().threads().get(userId="me", id=sent["threadId"], format="minimal").execute()
    assert [m["id"] for m in thread["messages"]] == [sent["id"], reply["id"]]


def test_a_reply_whose_in_reply_to_is_unknown_threads_by_its_references(mailbox, control):
    first = (
        b"To: jane@globex.example\r\nSubject: Intro\r\nMessage-ID: <step-1@acme-sales.example>\r\n\r\nHello.\r\n"
    )
    sent = mailbox.gmail.users().messages().send(userId="me", body={"raw": _raw(first)}).execute()
    answer = (
        f"To: {mailbox.address}\r\nSubject: Re: Intro\r\nIn-Reply-To: <not-here@globex.example>\r\n"
        "References: <step-1@acme-sales.example> <not-here@globex.example>\r\n\r\nYes.\r\n"
    ).encode()

    reply = control.deliver(mailbox.address, answer)

    assert reply["threadId"] == sent["threadId"]
    thread = mailbox.gmail.users().threads().get(userId="me", id=sent["threadId"], format="minimal").execute()
    assert [m["id"] for m in thread["messages"]] == [sent["id"], reply["id"]]


def test_a_threaded_step_is_sent_into_the_thread_it_names(mailbox, read_fixture):
    first = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}
    ).execute()

    second = mailbox.gmail.users().messages().send(
        userId="me",
        body={"raw": _raw(read_fixture("sequence-step-2-threaded.eml")), "threadId": first["threadId"]},
    ).execute()

    assert second["threadId"] == first["threadId"] and second["id"] != first["id"]


def test_sending_into_an_unknown_thread_is_not_found(mailbox, read_fixture):
    request = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-2-threaded.eml")), "threadId": "ffffffffffffffff"}
    )
    with pytest.raises(HttpError) as caught:
        request.execute()
    assert caught.value.status_code == 404


def test_a_message_uploaded_as_media_is_sent_too(mailbox, emulator, read_fixture):
    # The client keeps rootUrl's https scheme for upload URLs, so uploads need the emulator's TLS port.
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build
    from googleapiclient.http import MediaInMemoryUpload

    http = google_auth_httplib2.AuthorizedHttp(mailbox.credentials, http=httplib2.Http(ca_certs=emulator.ca_bundle))
    gmail = build("gmail", "v1", http=http, static_discovery=True,
                  client_options={"api_endpoint": f"{emulator.tls_base_url}/"})
    media = MediaInMemoryUpload(read_fixture("sequence-step-1.eml"), mimetype="message/rfc822")

    sent = gmail.users().messages().send(userId="me", body={"threadId": None}, media_body=media).execute()

    message = mailbox.gmail.users().messages().get(userId="me", id=sent["id"], format="raw").execute()
    parsed = email.message_from_bytes(base64.urlsafe_b64decode(message["raw"]), policy=email.policy.default)
    assert parsed["Subject"] == "Quick question about your onboarding"
    assert sent["labelIds"] == ["SENT"]


@pytest.mark.parametrize(
    ("query", "label_ids", "expected"),
    [
        pytest.param("", ["INBOX"], ["newsletter", "reply"], id="labelIds INBOX lists inbound mail newest first"),
        pytest.param("", ["SENT"], ["step1"], id="labelIds SENT lists what the rep sent"),
        pytest.param("newer_than:1d", [], ["newsletter", "reply", "step1"], id="newer_than finds mail of today"),
        pytest.param("after:{today}", ["INBOX"], ["newsletter", "reply"], id="after a date before today finds it"),
        pytest.param("before:{today}", [], [], id="before a date before today finds nothing"),
        pytest.param("from:pat@prospect.example", [], ["reply"], id="from finds the prospect's reply"),
        pytest.param("in:inbox is:unread -from:digest", [], ["reply"], id="terms combine and negate"),
        pytest.param("rfc822msgid:step1.enrollment-42@sequence-sidebar.example", [], ["step1"],
                     id="rfc822msgid finds the sequence email by Message-ID"),
    ],
)
def test_listing_messages_supports_labels_and_basic_search(mailbox, control, read_fixture, query, label_ids, expected):
    from datetime import UTC, datetime, timedelta

    names = {}
    names["step1"] = mailbox.gmail.users().messages().send(
        userId="me", body={"raw": _raw(read_fixture("sequence-step-1-with-message-id.eml"))}
    ).execute()["id"]
    control.advance_clock(1)
    names["reply"] = control.deliver(mailbox.address, read_fixture("reply-from-prospect.eml"))["id"]
    control.advance_clock(1)
    names["newsletter"] = control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))["id"]
    yesterday = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y/%m/%d")

    listed = mailbox.gmail.users().messages().list(
        userId="me", q=query.format(today=yesterday), labelIds=label_ids
    ).execute()

    by_id = {v: k for k, v in names.items()}
    assert [by_id[m["id"]] for m in listed.get("messages", [])] == expected
    assert listed["resultSizeEstimate"] == len(expected)


def test_listing_pages_through_every_message_once(mailbox, control, read_fixture):
    delivered = [control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))["id"] for _ in range(5)]

    seen, token = [], None
    while True:
        page = mailbox.gmail.users().messages().list(userId="me", maxResults=2, pageToken=token).execute()
        seen += [m["id"] for m in page["messages"]]
        token = page.get("nextPageToken")
        if not token:
            break

    assert sorted(seen) == sorted(delivered) and len(seen) == 5


def test_the_profile_and_labels_describe_the_mailbox(new_mailbox, control, read_fixture):
    box = new_mailbox(aliases=["sales@acme-sales.example"])
    control.deliver(box.address, read_fixture("unrelated-newsletter.eml"))

    profile = box.gmail.users().getProfile(userId="sales@acme-sales.example").execute()
    labels = box.gmail.users().labels().list(userId="me").execute()["labels"]

    assert profile["emailAddress"] == box.address
    assert (profile["messagesTotal"], profile["threadsTotal"]) == (1, 1)
    assert {"INBOX", "SENT", "UNREAD"} <= {label["id"] for label in labels}


def test_another_user_s_mailbox_is_refused(mailbox):
    with pytest.raises(HttpError) as caught:
        mailbox.gmail.users().getProfile(userId="someone-else@acme-sales.example").execute()
    assert caught.value.status_code == 403


def test_mail_sent_to_another_emulated_mailbox_arrives_in_its_inbox_and_a_reply_threads_back(
    new_mailbox, control
):
    rep, prospect = new_mailbox("rep"), new_mailbox("prospect")
    outgoing = (
        f"To: {prospect.address}\r\nBcc: manager@acme-sales.example\r\nSubject: Intro\r\n"
        "Message-ID: <intro-1@acme-sales.example>\r\n\r\nHello there.\r\n"
    ).encode()
    rep.gmail.users().messages().send(userId="me", body={"raw": _raw(outgoing)}).execute()

    [received] = control.messages(prospect.address)
    answer = (
        f"To: {rep.address}\r\nSubject: Re: Intro\r\nIn-Reply-To: <intro-1@acme-sales.example>\r\n"
        "References: <intro-1@acme-sales.example>\r\n\r\nSure, call me.\r\n"
    ).encode()
    prospect.gmail.users().messages().send(userId="me", body={"raw": _raw(answer)}).execute()

    assert received["labelIds"] == ["INBOX", "UNREAD"] and "Bcc" not in received["raw"]
    rep_messages = control.messages(rep.address)
    assert [m["labelIds"] for m in rep_messages] == [["SENT"], ["INBOX", "UNREAD"]]
    assert rep_messages[0]["threadId"] == rep_messages[1]["threadId"]


def test_an_attachment_is_referenced_in_the_payload_and_fetched_by_its_id(mailbox, control, read_fixture):
    delivered = control.deliver(mailbox.address, read_fixture("reply-with-attachment.eml"))
    full = mailbox.gmail.users().messages().get(userId="me", id=delivered["id"]).execute()
    [attached] = [p for p in full["payload"]["parts"] if p["filename"]]

    fetched = mailbox.gmail.users().messages().attachments().get(
        userId="me", messageId=delivered["id"], id=attached["body"]["attachmentId"]
    ).execute()

    assert attached["filename"] == "seats.csv" and "data" not in attached["body"]
    assert base64.urlsafe_b64decode(fetched["data"]) == b"team,seats\nSales,12\nSupport,8\n"
    assert fetched["size"] == attached["body"]["size"] == 30


def test_a_landed_message_is_trashed_untrashed_and_relabelled_and_each_change_moves_the_history_on(
        mailbox, control):
    delivered = control.deliver(mailbox.address, b"From: a@customer.example\r\nSubject: hi\r\n\r\nhello\r\n")
    messages = mailbox.gmail.users().messages()
    before = int(mailbox.gmail.users().getProfile(userId="me").execute()["historyId"])

    trashed = messages.trash(userId="me", id=delivered["id"]).execute()
    assert set(trashed["labelIds"]) == {"TRASH", "UNREAD"}
    assert set(messages.untrash(userId="me", id=delivered["id"]).execute()["labelIds"]) == {"INBOX", "UNREAD"}
    modified = messages.modify(userId="me", id=delivered["id"],
                               body={"addLabelIds": ["Label_7"], "removeLabelIds": ["INBOX", "UNREAD"]}).execute()
    assert modified["labelIds"] == ["Label_7"]
    assert int(mailbox.gmail.users().getProfile(userId="me").execute()["historyId"]) == before + 3


@pytest.mark.parametrize("body", [
    pytest.param({"addLabelIds": "TRASH"}, id="labels that are not a list are refused"),
    pytest.param({"removeLabelIds": [7]}, id="a label that is not text is refused"),
])
def test_a_modify_gmail_would_refuse_is_refused(mailbox, control, body):
    delivered = control.deliver(mailbox.address, b"From: a@customer.example\r\nSubject: hi\r\n\r\nhello\r\n")
    with pytest.raises(HttpError) as refused:
        mailbox.gmail.users().messages().modify(userId="me", id=delivered["id"], body=body).execute()
    assert refused.value.resp.status == 400


def test_trashing_a_message_that_does_not_exist_is_a_404(mailbox):
    with pytest.raises(HttpError) as refused:
        mailbox.gmail.users().messages().trash(userId="me", id="0000000000000bad").execute()
    assert refused.value.resp.status == 404
