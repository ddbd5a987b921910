"""Graph mail, calendar, batching and faults on the emulator, through O365 and plain requests."""

from __future__ import annotations

import email
import threading
from email import policy
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.emulator_microsoft.support import FIXTURES, MicrosoftSetup, load_fixture, rfc822, same_shape

MESSAGE_CLASS = "singleValueExtendedProperties($filter=id eq 'String 0x001A')"


def _draft(setup: MicrosoftSetup, session: requests.Session, to: str = "pat@customer.example") -> dict[str, Any]:
    created = session.post(f"{setup.user_url}/messages", json={
        "subject": "Quick question",
        "body": {"contentType": "html", "content": "<p>Hi Pat, do you have 10 minutes?</p>"},
        "toRecipients": [{"emailAddress": {"address": to, "name": "Pat Customer"}}],
    }, timeout=10)
    assert created.status_code == 201
    body: dict[str, Any] = created.json()
    return body


def test_a_sequence_email_is_sent_with_o365_and_its_ids_are_read_back(setup: MicrosoftSetup) -> None:
    mailbox = setup.o365_account().mailbox(resource=setup.address)
    message = mailbox.new_message()
    message.to.add("pat@customer.example")
    message.subject = "Step 1: quick question"
    message.body = "<p>Hi Pat</p>"
    assert message.save_draft()
    draft = mailbox.get_message(message.object_id)
    assert draft.is_draft
    assert draft.internet_message_id and draft.conversation_id
    assert message.send()
    sent = [m for m in mailbox.sent_folder().get_messages(limit=10)
            if m.internet_message_id == draft.internet_message_id]
    assert len(sent) == 1
    assert sent[0].conversation_id == draft.conversation_id
    assert sent[0].is_draft is False
    # Graph's ids depend on the folder: the draft's id no longer finds the sent message.
    assert sent[0].object_id != message.object_id
    assert requests.get(f"{setup.user_url}/messages/{message.object_id}",
                        headers={"Authorization": f"Bearer {setup.app_token()}"}, timeout=10).status_code == 404


def test_a_draft_has_graphs_message_shape(setup: MicrosoftSetup) -> None:
    session = setup.session()
    draft = _draft(setup, session)
    assert draft["isDraft"] is True
    assert draft["internetMessageId"].startswith("<") and draft["conversationId"]
    assert same_shape(load_fixture("message.json"), {"@odata.context": "", **draft}) == []


def test_immutable_ids_survive_sending(setup: MicrosoftSetup) -> None:
    session = setup.session()
    session.headers["Prefer"] = 'IdType="ImmutableId"'
    draft = _draft(setup, session)
    assert session.post(f"{setup.user_url}/messages/{draft['id']}/send", timeout=10).status_code == 202
    sent = session.get(f"{setup.user_url}/messages/{draft['id']}", timeout=10).json()
    assert (sent["isDraft"], sent["internetMessageId"]) == (False, draft["internetMessageId"])


@pytest.mark.parametrize(
    ("source", "kind", "message_class"),
    [
        pytest.param("reply", "auto", "IPM.Note", id="a human reply has the IPM.Note class"),
        pytest.param("reply", "oof", "IPM.Note.Rules.OofTemplate.Microsoft",
                     id="an Exchange out-of-office reply has the OOF template class"),
        pytest.param("reply", "ndr", "REPORT.IPM.Note.NDR", id="a message delivered as an NDR has the NDR class"),
        pytest.param("inbound-ndr.eml", "auto", "REPORT.IPM.Note.NDR",
                     id="a delivery-status report is recognised as an NDR"),
    ],
)
def test_delivered_mail_has_headers_and_message_class(
    setup: MicrosoftSetup, source: str, kind: str, message_class: str
) -> None:
    raw = rfc822("Re: Quick question", to=setup.address) if source == "reply" else (FIXTURES / source).read_bytes()
    delivered = setup.control.deliver(setup.address, raw, kind=kind)
    got = setup.session().get(
        f"{setup.user_url}/messages/{delivered['id']}",
        params={"$select": "internetMessageHeaders,internetMessageId,conversationId", "$expand": MESSAGE_CLASS},
        timeout=10,
    ).json()
    assert got["singleValueExtendedProperties"][0]["value"] == message_class
    sent_headers = email.message_from_bytes(raw, policy=policy.compat32)
    assert [h["name"] for h in got["internetMessageHeaders"]] == list(sent_headers.keys())
    assert got["internetMessageId"] == sent_headers["Message-ID"]
    assert same_shape(load_fixture("message-internet-headers.json"), got) == []
    documented = load_fixture("message-extended-property.json")["singleValueExtendedProperties"]
    assert same_shape(documented, got["singleValueExtendedProperties"]) == []


def test_internet_headers_come_only_when_selected_and_never_for_sent_items(setup: MicrosoftSetup) -> None:
    session = setup.session()
    delivered = setup.control.deliver(setup.address, rfc822("Hello", to=setup.address))
    plain = session.get(f"{setup.user_url}/messages/{delivered['id']}", timeout=10).json()
    assert "internetMessageHeaders" not in plain
    draft = _draft(setup, session)
    session.post(f"{setup.user_url}/messages/{draft['id']}/send", timeout=10)
    sent = session.get(f"{setup.user_url}/mailFolders/sentitems/messages",
                       params={"$select": "internetMessageHeaders,internetMessageId"}, timeout=10).json()["value"]
    assert [m["internetMessageId"] for m in sent] == [draft["internetMessageId"]]
    assert "internetMessageHeaders" not in sent[0]


def test_the_mime_of_a_delivered_message_is_served_as_delivered(setup: MicrosoftSetup) -> None:
    raw = rfc822("Re: Quick question", to=setup.address, message_id="<mime-1@customer.example>")
    delivered = setup.control.deliver(setup.address, raw)
    mime = setup.session().get(f"{setup.user_url}/messages/{delivered['id']}/$value", timeout=10)
    assert mime.headers["Content-Type"].startswith("text/plain")
    assert mime.content == raw
    o365_message = setup.o365_account().mailbox(resource=setup.address).get_message(delivered["id"])
    assert o365_message.get_mime_content() == raw


def test_a_reply_joins_the_conversation_of_the_sequence_email(setup: MicrosoftSetup) -> None:
    session = setup.session()
    draft = _draft(setup, session)
    session.post(f"{setup.user_url}/messages/{draft['id']}/send", timeout=10)
    reply = setup.control.deliver(setup.address, rfc822("Re: something else", to=setup.address,
                                                        in_reply_to=draft["internetMessageId"]))
    assert reply["conversation_id"] == draft["conversationId"]


def test_listing_pages_with_next_links_and_filters(setup: MicrosoftSetup) -> None:
    session = setup.session()
    for number in range(3):
        setup.control.deliver(setup.address, rfc822(f"Note {number}", to=setup.address,
                                                    message_id=f"<page-{number}@customer.example>"))
    first = session.get(f"{setup.user_url}/mailFolders('inbox')/messages",
                        params={"$top": "2", "$select": "subject"}, timeout=10).json()
    assert len(first["value"]) == 2
    second = session.get(first["@odata.nextLink"], timeout=10).json()
    assert "@odata.nextLink" not in second
    assert {m["subject"] for m in first["value"] + second["value"]} == {"Note 0", "Note 1", "Note 2"}
    found = session.get(f"{setup.user_url}/messages", params={
        "$filter": "internetMessageId eq '<page-1@customer.example>'", "$select": "subject"}, timeout=10).json()
    assert [m["subject"] for m in found["value"]] == ["Note 1"]


def test_delta_pages_then_returns_only_new_inbox_messages(setup: MicrosoftSetup) -> None:
    session = setup.session()
    session.headers["Prefer"] = "odata.maxpagesize=2"
    for number in range(3):
        setup.control.deliver(setup.address, rfc822(f"Delta {number}", to=setup.address,
                                                    message_id=f"<delta-{number}@customer.example>"))
    url: str | None = f"{setup.user_url}/mailFolders/inbox/messages/delta"
    seen: list[str] = []
    pages = []
    while url:
        page = session.get(url, timeout=10).json()
        pages.append(page)
        seen += [m["subject"] for m in page["value"]]
        url = page.get("@odata.nextLink")
    assert seen == ["Delta 0", "Delta 1", "Delta 2"]
    assert same_shape(load_fixture("message-delta-next-page.json"), pages[0]) == []
    assert same_shape(load_fixture("message-delta-last-page.json"), pages[-1]) == []
    delta_link = pages[-1]["@odata.deltaLink"]
    assert session.get(delta_link, timeout=10).json()["value"] == []
    setup.control.deliver(setup.address, rfc822("Delta 3", to=setup.address, message_id="<delta-3@customer.example>"))
    later = session.get(delta_link, timeout=10).json()
    assert [m["subject"] for m in later["value"]] == ["Delta 3"]


def test_batch_runs_each_part_and_reports_each_status(setup: MicrosoftSetup) -> None:
    delivered = setup.control.deliver(setup.address, rfc822("Batch me", to=setup.address))
    setup.control.inject_fault("/graph/v1.0/users/*/mailFolders*", 429, retry_after=3)
    answer = setup.session().post(f"{setup.graph}/$batch", json={"requests": [
        {"id": "1", "method": "GET", "url": f"/users/{setup.address}"},
        {"id": "2", "method": "GET", "url": f"/users/{setup.address}/mailFolders('inbox')/messages"},
        {"id": "3", "method": "GET", "url": f"/users/{setup.address}/messages/{delivered['id']}?$select=subject"},
        {"id": "4", "method": "GET", "url": f"/users/{setup.address}/messages/nope", "dependsOn": ["2"]},
    ]}, timeout=10).json()
    statuses = {r["id"]: r["status"] for r in answer["responses"]}
    assert statuses == {"1": 200, "2": 429, "3": 200, "4": 424}
    by_id = {r["id"]: r for r in answer["responses"]}
    assert by_id["2"]["headers"]["Retry-After"] == "3"
    assert by_id["3"]["body"]["subject"] == "Batch me"
    assert same_shape(load_fixture("batch-response.json"), answer) == []


def test_batch_refuses_more_than_twenty_requests(setup: MicrosoftSetup) -> None:
    parts = [{"id": str(n), "method": "GET", "url": f"/users/{setup.address}"} for n in range(21)]
    answer = setup.session().post(f"{setup.graph}/$batch", json={"requests": parts}, timeout=10)
    assert answer.status_code == 400


def test_send_mail_to_another_emulated_mailbox_delivers_it_there(setup: MicrosoftSetup) -> None:
    colleague = f"colleague-{setup.address}"
    setup.control.create_mailbox(colleague, setup.tenant_id)
    answer = setup.session().post(f"{setup.user_url}/sendMail", json={"message": {
        "subject": "Intro", "body": {"contentType": "text", "content": "Meet Pat."},
        "toRecipients": [{"emailAddress": {"address": colleague}}]}}, timeout=10)
    assert answer.status_code == 202
    sent = setup.control.messages(setup.address, folder="sentitems")
    arrived = setup.control.messages(colleague, folder="inbox")
    assert [m["internet_message_id"] for m in arrived] == [sent[0]["internet_message_id"]]


def test_events_are_created_listed_and_shown_as_busy_in_the_schedule(setup: MicrosoftSetup) -> None:
    session = setup.session()
    created = session.post(f"{setup.user_url}/events", json={
        "subject": "Intro call with Pat",
        "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "UTC"},
        "attendees": [{"emailAddress": {"address": "pat@customer.example"}, "type": "required"}],
    }, timeout=10)
    assert created.status_code == 201
    listed = session.get(f"{setup.user_url}/events", timeout=10).json()["value"]
    assert [e["subject"] for e in listed] == ["Intro call with Pat"]
    schedule = session.post(f"{setup.user_url}/calendar/getSchedule", json={
        "schedules": [setup.address],
        "startTime": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 60,
    }, timeout=10).json()
    assert schedule["value"][0]["availabilityView"] == "020"
    assert same_shape(load_fixture("schedule-information.json"), schedule) == []


@pytest.mark.parametrize(
    ("status", "retry_after", "code"),
    [
        pytest.param(429, 2, "TooManyRequests", id="a 429 with Retry-After says how long to wait"),
        pytest.param(429, None, "TooManyRequests", id="a 429 may come without Retry-After"),
        pytest.param(503, 5, "ServiceUnavailable", id="a 503 says the service is unavailable"),
    ],
)
def test_injected_faults_answer_once_then_graph_recovers(
    setup: MicrosoftSetup, status: int, retry_after: int | None, code: str
) -> None:
    setup.control.inject_fault("/graph/v1.0/users/*/messages", status, retry_after=retry_after, method="GET")
    session = setup.session()
    refused = session.get(f"{setup.user_url}/messages", timeout=10)
    assert refused.status_code == status
    assert refused.headers.get("Retry-After") == (str(retry_after) if retry_after is not None else None)
    assert refused.json()["error"]["code"] == code
    assert same_shape(load_fixture("graph-error-throttled.json"), refused.json()) == []
    assert session.get(f"{setup.user_url}/messages", timeout=10).status_code == 200


def test_a_fifth_concurrent_request_on_a_mailbox_is_throttled(setup: MicrosoftSetup) -> None:
    setup.control.inject_fault("/graph/v1.0/users/*", None, count=5, delay_seconds=0.6)
    token = setup.app_token()
    results: list[requests.Response] = []
    lock = threading.Lock()

    def call() -> None:
        answer = requests.get(setup.user_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 200, 200, 429]
    throttled = next(r for r in results if r.status_code == 429)
    assert "MailboxConcurrency" in throttled.json()["error"]["message"]


def test_the_fixture_folder_names_a_source_for_every_file() -> None:
    readme = (FIXTURES / "README.md").read_text()
    files = sorted(p.name for p in Path(FIXTURES).iterdir() if p.name != "README.md")
    assert [name for name in files if name not in readme] == []


def test_unrelated_messages_with_one_subject_share_a_conversation_as_in_exchange(setup: MicrosoftSetup) -> None:
    first = setup.control.deliver(setup.address, rfc822("Pricing", to=setup.address, message_id="<a@one.example>",
                                                        sender="someone@one.example"))
    second = setup.control.deliver(setup.address, rfc822("RE: Pricing", to=setup.address,
                                                         message_id="<b@two.example>", sender="other@two.example"))
    assert first["conversation_id"] == second["conversation_id"]


def test_in_reply_to_and_references_come_as_extended_properties(setup: MicrosoftSetup) -> None:
    reply = setup.control.deliver(setup.address, rfc822("Re: Quick question", to=setup.address,
                                                        in_reply_to="<step-1@contoso.example>"))
    expand = ("singleValueExtendedProperties($filter=id eq 'String 0x1042' or id eq 'String 0x1039' "
              "or id eq 'String 0x001A')")
    got = setup.session().get(f"{setup.user_url}/messages/{reply['id']}",
                              params={"$select": "subject", "$expand": expand}, timeout=10).json()
    values = sorted(p["value"] for p in got["singleValueExtendedProperties"])
    assert values == ["<step-1@contoso.example>", "<step-1@contoso.example>", "IPM.Note"]


def test_bodies_come_as_text_when_preferred_and_lists_order_as_asked(setup: MicrosoftSetup) -> None:
    session = setup.session()
    _draft(setup, session)
    setup.control.deliver(setup.address, rfc822("Later", to=setup.address))
    session.headers["Prefer"] = 'outlook.body-content-type="text"'
    answer = session.get(f"{setup.user_url}/messages", params={"$orderby": "receivedDateTime asc",
                                                                "$select": "subject,body"}, timeout=10)
    assert answer.headers["Preference-Applied"] == 'outlook.body-content-type="text"'
    first, second = answer.json()["value"]
    assert (first["subject"], second["subject"]) == ("Quick question", "Later")
    assert first["body"] == {"contentType": "text", "content": "Hi Pat, do you have 10 minutes?"}


def test_delta_reports_a_message_that_left_the_inbox_as_removed(setup: MicrosoftSetup) -> None:
    session = setup.session()
    delivered = setup.control.deliver(setup.address, rfc822("Soon gone", to=setup.address))
    delta_link = session.get(f"{setup.user_url}/mailFolders('inbox')/messages/delta", timeout=10).json()[
        "@odata.deltaLink"]
    assert session.delete(f"{setup.user_url}/messages/{delivered['id']}", timeout=10).status_code == 204
    changes = session.get(delta_link, timeout=10).json()["value"]
    assert changes == [{"@odata.type": "#microsoft.graph.message", "id": delivered["id"],
                        "@removed": {"reason": "deleted"}}]
